"""Shared helpers for the small scripts that maintain the course notebooks."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

from deepfake_ethics.layout import closing_notebook, lesson_notebooks, reference_notebooks

ROOT = Path(__file__).resolve().parent.parent
LESSON_DIR = ROOT / "notebooks"
RELEASE_DIR = ROOT / "release"
SOURCE_DIR = ROOT / "source"
INSTRUCTOR_DIR = ROOT / "instructor"


def lessons() -> list[Path]:
    """Lesson notebooks in course order (their names sort: 00-..., 01-...)."""
    return lesson_notebooks(ROOT)


def references() -> list[Path]:
    """Optional reference notebooks (``02r-...`` goes with lesson 02); not lessons."""
    return reference_notebooks(ROOT)


def closing() -> Path | None:
    """The closing notebook after the last lesson (``06-closing.ipynb``), if there is one."""
    return closing_notebook(ROOT)


def lesson_of(reference: Path) -> Path:
    """The lesson a reference notebook belongs to (same two-digit number)."""
    found = [p for p in lessons() if p.name[:2] == reference.name[:2]]
    if len(found) != 1:
        raise ValueError(f"{reference.name}: no lesson numbered {reference.name[:2]}")
    return found[0]


def course_notebooks() -> list[Path]:
    """Every notebook the repository commits: lessons, sources and releases."""
    found = []
    for folder in (LESSON_DIR, SOURCE_DIR, RELEASE_DIR, INSTRUCTOR_DIR):
        found += [p for p in folder.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts]
    return sorted(found)


def title(path: Path) -> str:
    """The notebook's H1 title."""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            match = re.search(r"^# (.+)$", cell.source, flags=re.M)
            if match:
                return match.group(1).strip()
    raise ValueError(f"{path}: no '# Title' heading")


def write(nb: nbformat.NotebookNode, path: Path) -> bool:
    """Write a notebook in the repository's format; return True if the file changed."""
    text = nbformat.writes(nb, version=4) + "\n"
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    path.write_text(text, encoding="utf-8")
    return True
