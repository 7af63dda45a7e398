"""Strip outputs, execution counts and widget state from every committed notebook."""

from __future__ import annotations

import sys

import nbformat
from notebook_tools import ROOT, course_notebooks, write


def clean(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Remove what running a notebook leaves behind, keep everything else."""
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        cell.metadata.pop("collapsed", None)
        cell.metadata.pop("scrolled", None)
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    return nb


def main() -> int:
    changed = [p for p in course_notebooks()
               if write(clean(nbformat.read(p, as_version=4)), p)]
    for p in changed:
        print(f"cleaned {p.relative_to(ROOT)}")
    if not changed:
        print("all notebooks clean")
    return 0


if __name__ == "__main__":
    sys.exit(main())
