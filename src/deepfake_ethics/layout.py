"""Where a course directory keeps its lessons and assignments: one lookup for each, used
by the package, the scripts, the tests and the benchmarks alike."""

from __future__ import annotations

from pathlib import Path
from typing import Any

LESSON_PATTERN = "[0-9][0-9]-*.ipynb"  # notebooks/00-start-here.ipynb ... in course order
# An optional reference notebook that belongs to a lesson: notebooks/02r-legal-reference.ipynb
# goes with lesson 02. It is not a lesson (no quizzes, no stated place in the course order).
REFERENCE_PATTERN = "[0-9][0-9]r-*.ipynb"


def lesson_notebooks(root: Path) -> list[Path]:
    """The lesson notebooks of the course at ``root``, in course order."""
    return sorted((root / "notebooks").glob(LESSON_PATTERN))


def reference_notebooks(root: Path) -> list[Path]:
    """The optional reference notebooks of the course at ``root`` (``NNr-*.ipynb``), each
    belonging to the lesson with the same number."""
    return sorted((root / "notebooks").glob(REFERENCE_PATTERN))


def assignment_names(root: Path, folder: str = "source") -> list[str]:
    """The assignments of the course at ``root``: the folders of ``source/`` (or of
    ``release/``) that hold a notebook, in name order."""
    base = root / folder
    if not base.is_dir():
        return []
    return sorted(p.name for p in base.iterdir() if p.is_dir() and any(p.glob("*.ipynb")))


def nbgrader_folder(config: Any, folder: str, assignment: str,
                    student: str = ".") -> Path | None:
    """A folder of the course that nbgrader's ``config`` describes, e.g. ``("source",
    "a02-legal-aspects")`` or ``("autograded", "a02-legal-aspects", "ann")``; None when
    no course directory can be made from the configuration."""
    try:
        from nbgrader.coursedir import CourseDirectory

        coursedir = CourseDirectory(config=config)
        return Path(coursedir.format_path(getattr(coursedir, f"{folder}_directory"),
                                          student, assignment))
    except Exception:  # no course directory configured
        return None


def nbgrader_root(config: Any) -> Path | None:
    """The course directory that nbgrader's ``config`` names (None if none can be made)."""
    try:
        from nbgrader.coursedir import CourseDirectory

        return Path(CourseDirectory(config=config).root)
    except Exception:  # no course directory configured
        return None
