"""Rewrite the navigation cell at the end of every lesson (idempotent).

The navigation cell is the markdown cell tagged ``navigation``. It links the previous
lesson, the start page and the next lesson (after the last lesson, the closing notebook),
and the lesson's graded assignment: the released notebook ``release/aNN-*/*.ipynb`` whose
number NN matches the lesson's (an alternative assignment, ``release/aNN-alt-*``, is offered
by the lesson itself).
A reference notebook (``02r-...``, optional reading that belongs to lesson 02) gets a
navigation cell too: back to its lesson, the start page, and on to the next lesson. So does
the closing notebook (``06-closing.ipynb``, after the last lesson): back to the last
lesson, and the start page.
Run ``make navigation`` after adding, renaming or retitling a lesson or an assignment.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from notebook_tools import (
    LESSON_DIR,
    RELEASE_DIR,
    closing,
    lesson_of,
    lessons,
    references,
    title,
    write,
)

MARKER = "<!-- navigation: written by scripts/update_navigation.py, do not edit by hand -->"


def assignment_for(lesson: Path) -> Path | None:
    """The released notebook of the assignment that goes with this lesson, if any."""
    number = lesson.name[:2]
    found = sorted(p for p in RELEASE_DIR.glob(f"a{number}-*/*.ipynb")
                   if not p.parent.name.startswith(f"a{number}-alt-"))  # alternatives aside
    return found[0] if found else None


def navigation(index: int, paths: list[Path]) -> str:
    """The markdown of the navigation cell for lesson ``paths[index]``."""
    def link(p: Path, text: str) -> str:
        return f"[{text}]({p.name})"

    parts = []
    if index > 0:
        prev = paths[index - 1]
        parts.append(link(prev, f"← Previous: {prev.name[:2]} {title(prev)}"))
    if index != 0:
        parts.append(link(paths[0], "Start page"))
    if index + 1 < len(paths):
        nxt = paths[index + 1]
        parts.append(link(nxt, f"Next: {nxt.name[:2]} {title(nxt)} →"))
    elif (end := closing()) is not None:  # the last lesson leads on to the closing notebook
        parts.append(link(end, f"Next: {end.name[:2]} {title(end)} →"))
    lines = [MARKER, "---", "", "**Navigation:** " + " · ".join(parts)]
    assignment = assignment_for(paths[index])
    if assignment is not None:
        rel = Path("..") / assignment.relative_to(LESSON_DIR.parent)
        lines += ["", f"**Graded assignment:** [{assignment.parent.name}]({rel.as_posix()}). "
                  "In a class, fetch it from the *Assignments* tab instead, so that you can "
                  "submit it; on your own, open it here and use it for practice."]
    return "\n".join(lines)


def reference_navigation(reference: Path, paths: list[Path]) -> str:
    """The markdown of the navigation cell for a reference notebook: back to its lesson."""
    lesson = lesson_of(reference)
    index = paths.index(lesson)
    parts = [f"[← Back to lesson {lesson.name[:2]}: {title(lesson)}]({lesson.name})"]
    if index != 0:
        parts.append(f"[Start page]({paths[0].name})")
    if index + 1 < len(paths):
        nxt = paths[index + 1]
        parts.append(f"[Next: {nxt.name[:2]} {title(nxt)} →]({nxt.name})")
    return "\n".join([MARKER, "---", "", "**Navigation:** " + " · ".join(parts)])


def closing_navigation(paths: list[Path]) -> str:
    """The markdown of the navigation cell of the closing notebook: back to the last
    lesson, and the start page."""
    last = paths[-1]
    parts = [f"[← Previous: {last.name[:2]} {title(last)}]({last.name})",
             f"[Start page]({paths[0].name})"]
    return "\n".join([MARKER, "---", "", "**Navigation:** " + " · ".join(parts)])


def main() -> int:
    paths = lessons()
    cells_to_write = [(p, navigation(i, paths)) for i, p in enumerate(paths)]
    cells_to_write += [(p, reference_navigation(p, paths)) for p in references()]
    end = closing()
    if end is not None:
        cells_to_write.append((end, closing_navigation(paths)))
    changed = []
    for path, text in cells_to_write:
        nb = nbformat.read(path, as_version=4)
        cells = [c for c in nb.cells if "navigation" in c.metadata.get("tags", [])]
        if len(cells) != 1:
            print(f"{path}: expected one cell tagged 'navigation', found {len(cells)}",
                  file=sys.stderr)
            return 1
        cells[0].source = text
        if write(nb, path):
            changed.append(path.name)
    print(f"navigation updated in: {', '.join(changed)}" if changed else "navigation up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
