"""The glossary (docs/glossary.md): one place for the course's terms, each with an anchor that
GitHub and JupyterLab both follow; every lesson links the first use of each term to it; and
the checker that enforces this catches and fixes what it should."""

from __future__ import annotations

import re

import glossary_links
import nbformat
import pytest
from conftest import ROOT, lesson_paths, reference_paths

GLOSSARY = ROOT / "docs" / "glossary.md"
LINK = re.compile(r"\]\(([^)\s]*glossary\.md)#([^)\s]+)\)")

# The terms issue 10 asks for, at least.
REQUIRED = {"pre-emption", "section-230", "sui-generis", "personality-rights", "deployer",
            "deep-fake-ai-act-sense", "fair-use", "parody", "defamation",
            "right-of-publicity", "certiorari", "royal-assent", "commencement", "provenance",
            "hash", "digital-signature", "watermark", "c2pa", "liars-dividend", "nudification"}


@pytest.fixture(scope="module")
def terms() -> dict[str, glossary_links.Term]:
    return glossary_links.terms()


def test_the_glossary_has_the_terms_the_course_needs(terms):
    assert set(terms) >= REQUIRED, sorted(REQUIRED - set(terms))


def test_every_entry_has_an_anchor_and_forms_and_they_are_in_order(terms):
    text = GLOSSARY.read_text(encoding="utf-8")
    entries = re.findall(r"^<a id=\"([a-z0-9-]+)\"></a>\*\*", text, flags=re.M)
    assert entries == list(terms), "every entry has a '<!-- forms: ... -->' line above it"
    assert len(set(entries)) == len(entries), "anchors are unique"
    names = [t.name.casefold() for t in terms.values()]
    assert names == sorted(names), "entries are in alphabetical order"
    for term in terms.values():
        assert term.forms, term.id
        assert term.uses(term.forms[0]), f"{term.id}: its first form is a use of it"


def test_the_glossary_says_when_it_was_checked_and_that_it_is_not_legal_advice():
    text = GLOSSARY.read_text(encoding="utf-8")
    assert re.search(r"Facts checked on \d{1,2} [A-Z][a-z]+ \d{4}", text)
    assert re.search(r"not legal advice", text, re.I)


@pytest.mark.parametrize("path", lesson_paths() + reference_paths(), ids=lambda p: p.name)
def test_the_first_use_of_every_term_links_to_the_glossary(path, terms):
    problems = glossary_links.problems(path, terms)
    assert problems == [], "\n".join(problems) + "\nrun `make glossary` and review the diff"


@pytest.mark.parametrize("path", lesson_paths(), ids=lambda p: p.name)
def test_every_lesson_links_terms_to_the_glossary(path):
    nb = nbformat.read(path, as_version=4)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert LINK.search(text), f"{path.name} links no term to the glossary"


def _glossary_links() -> list[tuple[str, str, str]]:
    """(where, path, anchor) of every link to a glossary entry in the course's text."""
    found = []
    for path in lesson_paths() + reference_paths():
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "markdown":
                found += [(path.name, p, a) for p, a in LINK.findall(cell.source)]
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        found += [(path.name, p, a) for p, a in LINK.findall(path.read_text(encoding="utf-8"))]
    return found


def test_every_link_to_the_glossary_reaches_an_entry():
    anchors = glossary_links.anchors()
    links = _glossary_links()
    assert len(links) > 50
    for where, _, anchor in links:
        assert anchor in anchors, f"{where}: glossary.md#{anchor} has no entry"
    text = GLOSSARY.read_text(encoding="utf-8")
    for anchor in re.findall(r"\]\(#([^)\s]+)\)", text):
        assert anchor in anchors, f"glossary.md: #{anchor} has no entry"


def test_the_readme_and_the_start_page_point_to_the_glossary():
    assert "](docs/glossary.md)" in (ROOT / "README.md").read_text(encoding="utf-8")
    start = lesson_paths()[0]
    text = "\n".join(c.source for c in nbformat.read(start, as_version=4).cells)
    assert "](../docs/glossary.md)" in text


# -- the checker itself -------------------------------------------------------------------

SAMPLE_GLOSSARY = """# Glossary

<!-- forms: hash, hashes -->
<a id="hash"></a>**Hash.** A fingerprint of a file.

<!-- forms: copyright; not: Copyright Office -->
<a id="copyright"></a>**Copyright.** Rights in a work.
"""


def _sample(tmp_path, *cells: str):
    glossary = tmp_path / "docs" / "glossary.md"
    glossary.parent.mkdir()
    glossary.write_text(SAMPLE_GLOSSARY, encoding="utf-8")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(c) for c in cells]
    path = tmp_path / "notebooks" / "01-sample.ipynb"
    path.parent.mkdir()
    nbformat.write(nb, path)
    return path, glossary, glossary_links.terms(glossary)


def test_checker_finds_an_unlinked_first_use_and_links_it_once(tmp_path):
    path, glossary, terms = _sample(
        tmp_path,
        "# Hashes\n\n*What a hash is*\n\nThe US Copyright Office says nothing about hashes.",
        "## Hash and copyright\n\nA [hash report](https://example.org/hash) and a "
        "`hash` in code. Copyright protects works; a hash changes with every edit.")
    problems = glossary_links.problems(path, terms)
    assert len(problems) == 2
    assert any("'hashes' (cell 0)" in p for p in problems), problems
    assert any("'Copyright' (cell 1)" in p for p in problems), problems
    assert glossary_links.link(path, terms, glossary) is True
    cells = [c.source for c in nbformat.read(path, as_version=4).cells]
    assert cells[0].startswith("# Hashes\n\n*What a hash is*")  # title and subtitle untouched
    assert "US Copyright Office says nothing about [hashes](../docs/glossary.md#hash)." in cells[0]
    assert "[Copyright](../docs/glossary.md#copyright) protects works; a hash changes" in cells[1]
    assert "[hash report](https://example.org/hash) and a `hash` in code" in cells[1]
    assert glossary_links.problems(path, terms) == []
    assert glossary_links.link(path, terms, glossary) is False  # idempotent


def test_a_link_before_the_plain_use_satisfies_the_checker(tmp_path):
    path, _, terms = _sample(tmp_path, "# T\n\n*S*\n\nA [hash](../docs/glossary.md#hash), then "
                                       "hashes again, and copyright.")
    problems = glossary_links.problems(path, terms)
    assert problems == [f"{path.name}: the first use of 'copyright' (cell 0) is not linked "
                        "to the glossary (#copyright)"]
