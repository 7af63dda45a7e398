"""Write the help-line blocks of the lessons and the teaching guide from the one list of
support services, ``src/deepfake_ethics/content/support.yaml`` (idempotent).

A block is the text between ``<!-- support: <block> (...) -->`` and ``<!-- /support -->``
in a Markdown cell of a lesson, or in ``docs/teaching-guide.md``; ``support.yaml`` says
which services each block shows and how (``deepfake_ethics.support`` renders them). Fix a
service there, never in a block, then run this script and ``make sources``.

    python scripts/support_lines.py           # rewrite every block
    python scripts/support_lines.py --check   # exit 1 if a block is out of date or missing
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat
from notebook_tools import ROOT, lessons, write

from deepfake_ethics import bank, support

GUIDE = ROOT / "docs" / "teaching-guide.md"
# Every block the course must hold, and where: a block may not go missing unnoticed.
EXPECTED = {
    "notebooks/00-start-here.ipynb": ["start-here"],
    "notebooks/04-face-swap-and-pornography.ipynb": ["lesson-04-top", "lesson-04-help"],
    "docs/teaching-guide.md": ["teaching-guide"],
}


def files() -> list[Path]:
    """The files that may hold blocks: the lessons and the teaching guide."""
    return lessons() + [GUIDE]


def rewritten(path: Path, listed: support.SupportList) -> tuple[str, str]:
    """(current text, text with every block rewritten) of a notebook or a Markdown file;
    for a notebook, the text is the notebook as the repository writes it."""
    rel = path.relative_to(ROOT).as_posix()
    if path.suffix == ".ipynb":
        nb = nbformat.read(path, as_version=4)
        before = nbformat.writes(nb, version=4) + "\n"
        for cell in nb.cells:
            if cell.cell_type == "markdown":
                cell.source = support.rewrite(cell.source, listed, rel)
        return before, nbformat.writes(nb, version=4) + "\n"
    text = path.read_text(encoding="utf-8")
    return text, support.rewrite(text, listed, rel)


def blocks_in(path: Path) -> list[str]:
    """The blocks a lesson or the guide holds, in order."""
    if path.suffix == ".ipynb":
        nb = nbformat.read(path, as_version=4)
        return [b for cell in nb.cells if cell.cell_type == "markdown"
                for b in support.block_ids(cell.source)]
    return support.block_ids(path.read_text(encoding="utf-8"))


def problems(listed: support.SupportList | None = None) -> list[str]:
    """Blocks that are out of date or missing."""
    listed = listed or bank.support()
    found = []
    for path in files():
        rel = path.relative_to(ROOT).as_posix()
        before, after = rewritten(path, listed)
        if before != after:
            found.append(f"{rel}: a support block is out of date: run `make support`")
        held = blocks_in(path)
        for block_id in EXPECTED.get(rel, []):
            if block_id not in held:
                found.append(f"{rel}: has no '{block_id}' support block")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="report, do not change anything")
    args = parser.parse_args(argv)
    listed = bank.support()
    if args.check:
        found = problems(listed)
        for problem in found:
            print(problem, file=sys.stderr)
        return 1 if found else 0
    changed = []
    for path in files():
        before, after = rewritten(path, listed)
        if before == after:
            continue
        if path.suffix == ".ipynb":
            write(nbformat.reads(after, as_version=4), path)
        else:
            path.write_text(after, encoding="utf-8")
        changed.append(path.relative_to(ROOT).as_posix())
    print(f"support blocks rewritten in: {', '.join(changed)}" if changed
          else "support blocks up to date")
    for problem in problems(listed):
        print(problem, file=sys.stderr)
    return 1 if problems(listed) else 0


if __name__ == "__main__":
    sys.exit(main())
