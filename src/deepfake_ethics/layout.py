"""Where a course directory keeps its lessons and assignments: one lookup for each, used
by the package, the scripts, the tests and the benchmarks alike."""

from __future__ import annotations

from pathlib import Path
from typing import Any

LESSON_PATTERN = "[0-9][0-9]-*.ipynb"  # notebooks/00-start-here.ipynb ... in course order
# An optional reference notebook that belongs to a lesson: notebooks/02r-legal-reference.ipynb
# goes with lesson 02. It is not a lesson (no quizzes, no stated place in the course order).
REFERENCE_PATTERN = "[0-9][0-9]r-*.ipynb"
# The closing notebook comes after the last lesson (the second form of the before-and-after
# diagnostic, the learner's summary). It sorts after the lessons but is not one: it answers
# no FAQ, has no assignment and states no lesson time, so it is known by its name.
CLOSING_NAME = "06-closing.ipynb"
# Alternative activities, each in place of the lesson with the same number:
# notebooks/alternatives/04-alternative-likeness-and-consent.ipynb instead of lesson 04.
ALTERNATIVES_FOLDER = "alternatives"


def lesson_notebooks(root: Path) -> list[Path]:
    """The lesson notebooks of the course at ``root``, in course order (the closing
    notebook is not one)."""
    return sorted(p for p in (root / "notebooks").glob(LESSON_PATTERN) if p.name != CLOSING_NAME)


def closing_notebook(root: Path) -> Path | None:
    """The closing notebook of the course at ``root``, if it has one."""
    path = root / "notebooks" / CLOSING_NAME
    return path if path.exists() else None


def alternative_notebooks(root: Path) -> list[Path]:
    """The alternative activities (``notebooks/alternatives/NN-alternative-*.ipynb``), each
    taking the place of the lesson numbered NN for those who choose it."""
    return sorted((root / "notebooks" / ALTERNATIVES_FOLDER).glob("[0-9][0-9]-*.ipynb"))


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
