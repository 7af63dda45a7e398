"""Where a course directory keeps its lessons and assignments: one lookup for each, used
by the package, the scripts, the tests and the benchmarks alike."""

from __future__ import annotations

from pathlib import Path

LESSON_PATTERN = "[0-9][0-9]-*.ipynb"  # notebooks/00-start-here.ipynb ... in course order


def lesson_notebooks(root: Path) -> list[Path]:
    """The lesson notebooks of the course at ``root``, in course order."""
    return sorted((root / "notebooks").glob(LESSON_PATTERN))


def assignment_names(root: Path, folder: str = "source") -> list[str]:
    """The assignments of the course at ``root``: the folders of ``source/`` (or of
    ``release/``) that hold a notebook, in name order."""
    base = root / folder
    if not base.is_dir():
        return []
    return sorted(p.name for p in base.iterdir() if p.is_dir() and any(p.glob("*.ipynb")))
