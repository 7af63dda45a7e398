"""Link the first use of each glossary term in every lesson to the glossary (idempotent).

``docs/glossary.md`` holds the course's terms. Each entry starts with an anchor,
``<a id="hash"></a>``, and has above it a comment that lists the words counting as a use of
the term, ``<!-- forms: hash, hashes, hashing -->``, and may name, after ``; not:`` and
separated by ``|``, names that contain a form without being a use of the term (``Copyright
Office``). In each lesson and reference notebook,
the first use of a term in the running text must be a link to its entry,
``[hash](../docs/glossary.md#hash)``. Headings, the title and subtitle, the navigation cell,
code, HTML comments and the text of other links are not running text, so uses there do not
count (a heading or another link cannot hold a second link).

    python scripts/glossary_links.py           # add the missing links, then review the diff
    python scripts/glossary_links.py --check   # exit 1 if a first use is not linked
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat
from notebook_tools import ROOT, lessons, references, write

GLOSSARY = ROOT / "docs" / "glossary.md"
FORMS = re.compile(r"<!--\s*forms:\s*(.+?)\s*(?:;\s*not:\s*(.+?)\s*)?-->\s*\n"
                   r"<a id=\"([a-z0-9-]+)\"></a>\*\*([^*]+)\*\*")
ANCHOR = re.compile(r"<a id=\"([a-z0-9-]+)\"></a>")
# A Markdown link; the address may contain one level of parentheses.
LINK = re.compile(r"\[([^\]]*)\]\(((?:[^()\s]|\([^()\s]*\))+)\)")
GLOSSARY_TARGET = re.compile(r"(?:\.\./)*docs/glossary\.md#([a-z0-9-]+)$")


@dataclass(frozen=True)
class Term:
    """One glossary entry: its anchor, its name and the words that count as a use."""

    id: str
    name: str
    forms: tuple[str, ...]
    not_in: tuple[str, ...] = ()  # names that contain a form but are not uses of the term

    def uses(self, text: str) -> list[tuple[int, int]]:
        """Where the term is used in ``text``: its forms, except inside the excluded names."""
        inside = [(m.start(), m.end()) for name in self.not_in
                  for m in re.finditer(re.escape(name), text, re.IGNORECASE)]
        return [(m.start(), m.end()) for m in self.pattern.finditer(text)
                if not any(s <= m.start() and m.end() <= e for s, e in inside)]

    @property
    def pattern(self) -> re.Pattern[str]:
        words = sorted(self.forms, key=len, reverse=True)  # longest first: "UK GDPR" before "GDPR"
        return re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(w) for w in words) + r")(?![\w-])",
                          re.IGNORECASE)


def terms(path: Path = GLOSSARY) -> dict[str, Term]:
    """The glossary's terms by anchor id, in the order of the glossary."""
    text = path.read_text(encoding="utf-8")
    found = {}
    for forms, not_in, term_id, name in FORMS.findall(text):
        found[term_id] = Term(term_id, name.strip(), _words(forms, ","), _words(not_in, "|"))
    return found


def _words(text: str, separator: str) -> tuple[str, ...]:
    return tuple(w.strip().replace("’", "'") for w in text.split(separator) if w.strip())


def anchors(path: Path = GLOSSARY) -> set[str]:
    """Every anchor id of the glossary (terms and letter headings)."""
    return set(ANCHOR.findall(path.read_text(encoding="utf-8")))


@dataclass
class Use:
    """A place in a cell where a term is used: as plain text, or as a glossary link."""

    cell: int
    start: int
    end: int
    linked: bool


def _masked(text: str, first_cell: bool) -> tuple[str, list[tuple[int, int, str]]]:
    """The text with everything that is not running text blanked out (same length), and the
    glossary links found in it as (start, end, id)."""
    chars = list(text)

    def blank(start: int, end: int) -> None:
        for i in range(start, end):
            if chars[i] != "\n":
                chars[i] = " "

    links = []
    for m in LINK.finditer(text):
        target = GLOSSARY_TARGET.search(m.group(2))
        if target:
            links.append((m.start(), m.end(), target.group(1)))
        blank(m.start(), m.end())
    for pattern in (r"(?s)<!--.*?-->", r"`[^`\n]*`", r"<[^>\n]+>", r"(?m)^#{1,6} .*$",
                    r"https?://\S+"):
        for m in re.finditer(pattern, text):
            blank(m.start(), m.end())
    if first_cell:  # the title and the one-line subtitle under it
        lines = text.split("\n")
        offset, seen = 0, 0
        for line in lines:
            if line.strip() and seen < 2:
                blank(offset, offset + len(line))
                seen += 1
            offset += len(line) + 1
    return "".join(chars).replace("’", "'"), links


def _cells(nb: nbformat.NotebookNode) -> list[tuple[int, str]]:
    return [(i, c.source) for i, c in enumerate(nb.cells)
            if c.cell_type == "markdown" and "navigation" not in c.metadata.get("tags", [])]


def first_uses(nb: nbformat.NotebookNode, glossary: dict[str, Term]) -> dict[str, Use]:
    """For each term the notebook uses, its first use (plain or linked)."""
    first: dict[str, Use] = {}
    for index, (i, source) in enumerate(_cells(nb)):
        masked, links = _masked(source, first_cell=index == 0 and i == 0)
        for term in glossary.values():
            if term.id in first:
                continue
            uses = [Use(i, s, e, True) for s, e, tid in links if tid == term.id]
            uses += [Use(i, start, end, False) for start, end in term.uses(masked)]
            if uses:
                first[term.id] = min(uses, key=lambda u: u.start)
    return first


def problems(path: Path, glossary: dict[str, Term] | None = None) -> list[str]:
    """The terms whose first use in this notebook is not a link to the glossary."""
    glossary = terms() if glossary is None else glossary
    nb = nbformat.read(path, as_version=4)
    found = []
    for term_id, use in first_uses(nb, glossary).items():
        if not use.linked:
            word = nb.cells[use.cell].source[use.start:use.end]
            found.append(f"{path.name}: the first use of '{word}' (cell {use.cell}) is not "
                         f"linked to the glossary (#{term_id})")
    return found


def link(path: Path, glossary: dict[str, Term] | None = None,
         glossary_file: Path = GLOSSARY) -> bool:
    """Link every unlinked first use in the notebook; return True if the file changed."""
    glossary = terms(glossary_file) if glossary is None else glossary
    nb = nbformat.read(path, as_version=4)
    while True:
        pending = [(tid, u) for tid, u in first_uses(nb, glossary).items() if not u.linked]
        if not pending:
            break
        term_id, use = min(pending, key=lambda item: (item[1].cell, item[1].start))
        cell = nb.cells[use.cell]
        word = cell.source[use.start:use.end]
        target = Path(os.path.relpath(glossary_file, path.parent)).as_posix() + f"#{term_id}"
        cell.source = f"{cell.source[:use.start]}[{word}]({target}){cell.source[use.end:]}"
    return write(nb, path)


def notebooks() -> list[Path]:
    """The notebooks whose terms are linked: the lessons and their reference notebooks."""
    return sorted(lessons() + references())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="report, do not change anything")
    args = parser.parse_args(argv)
    glossary = terms()
    if args.check:
        found = [p for path in notebooks() for p in problems(path, glossary)]
        for problem in found:
            print(problem, file=sys.stderr)
        return 1 if found else 0
    changed = [p.name for p in notebooks() if link(p, glossary)]
    print(f"glossary links added in: {', '.join(changed)}" if changed
          else "glossary links up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
