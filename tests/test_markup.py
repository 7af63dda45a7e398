"""Rendered Markdown on the grader's pages runs no student script (nbgrader_plugins/markup.py).

nbconvert's own ``markdown2html`` turns ``[a](javascript&colon;...)`` into a live
``javascript:`` link, even after ``escape_markup``; the course's filter renders the same way
and then cleans the HTML. Each payload of tests/hostile_markdown.py is checked through the
filter as nbgrader_config.py installs it, in nbgrader's formgrade and feedback templates.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup
from conftest import ROOT
from hostile_markdown import PAYLOADS, REPORTED, dangers, essay, url_scheme
from nbconvert import HTMLExporter
from nbconvert.filters.markdown_mistune import markdown2html_mistune
from nbgrader.server_extensions.formgrader import handlers
from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

from deepfake_ethics.nbgrader_plugins.markup import SafeMarkdown, clean_html
from deepfake_ethics.nbgrader_plugins.preprocessors import escape_markup


def course_filters() -> dict:
    """``HTMLExporter.filters`` as the course's nbgrader_config.py sets it."""
    config = PyFileConfigLoader("nbgrader_config.py", path=str(ROOT)).load_config()
    return dict(config.HTMLExporter.filters)


def exporter(template: str) -> HTMLExporter:
    """nbconvert's HTMLExporter with the course's filters and one of nbgrader's templates
    ("formgrade", as the formgrader sets it, or "feedback", as generate_feedback does)."""
    c = Config()
    c.HTMLExporter.filters = course_filters()
    c.HTMLExporter.template_name = template
    c.HTMLExporter.extra_template_basedirs = [handlers.template_path]
    c.HTMLExporter.extra_template_paths = [str(  # where generate_feedback finds bootstrap
        Path(handlers.template_path).parent / "static/node_modules/bootstrap/dist/css")]
    c.HTMLExporter.sanitize_html = True
    return HTMLExporter(config=c)


def essay_notebook(source: str) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_markdown_cell(source)
    cell.metadata["nbgrader"] = {"solution": True, "grade": True, "task": False,
                                 "locked": False, "grade_id": "essay", "points": 4,
                                 "score": 0, "comment": "See me.", "schema_version": 3}
    return nbformat.v4.new_notebook(cells=[cell])


def test_the_payloads_are_live_with_nbconvert_alone():
    """The reported bypass: without the course's filter the links would run script."""
    for name in REPORTED:
        html = markdown2html_mistune(escape_markup(PAYLOADS[name]))
        assert any(d.startswith("url 'javascript:") or d.startswith("url 'jav\\t")
                   for d in dangers(html)), (name, html)


def test_url_scheme_reads_urls_as_a_browser_does():
    assert url_scheme(" jav\tascript:x") == "javascript"
    assert url_scheme("\x01JavaScript:x") == "javascript"
    assert url_scheme("https://example.org/a:b") == "https"
    assert url_scheme("#heading") is None and url_scheme("files/a.png") is None
    assert url_scheme("jav%09ascript:x") is None  # a relative path, not a scheme


@pytest.mark.parametrize("escaped", [True, False], ids=["escaped", "raw"])
@pytest.mark.parametrize("name", list(PAYLOADS))
def test_clean_html_leaves_nothing_that_runs(name: str, escaped: bool):
    """Each payload, as autograde leaves it (escape_markup) and as typed (the filter must
    hold even if the escaping step were skipped)."""
    source = escape_markup(PAYLOADS[name]) if escaped else PAYLOADS[name]
    html = clean_html(markdown2html_mistune(source))
    assert dangers(html) == [], html


def test_clean_html_keeps_safe_links_and_drops_the_rest():
    html = clean_html('<a href="https://example.org">a</a><a href="mailto:t@example.org">m'
                      '</a><a href="#part-a">f</a><a href="notes/a.html">r</a>'
                      '<a href="ftp://example.org">x</a><img src="http://example.org/i.png"'
                      ' alt="i"><img src="data:image/svg+xml,&lt;svg/&gt;" alt="d">')
    soup = BeautifulSoup(html, "html.parser")
    assert [a.get("href") for a in soup("a")] == [
        "https://example.org", "mailto:t@example.org", "#part-a", "notes/a.html", None]
    assert [i.get("src") for i in soup("img")] == ["http://example.org/i.png", None]
    assert all(a["rel"] == ["noopener", "noreferrer", "nofollow"] for a in soup("a"))


def test_clean_html_drops_classes_and_styles_of_the_page_around():
    html = clean_html('<div class="modal in" style="position:fixed">x</div>'
                      '<table><tr><td style="text-align:right;position:fixed">1</td></tr>'
                      '</table><a class="anchor-link btn" href="#h">p</a>')
    soup = BeautifulSoup(html, "html.parser")
    assert not soup.div.get("class") and not soup.div.get("style")
    assert soup.td["style"] == "text-align:right"
    assert soup.a["class"] == ["anchor-link"]


@pytest.mark.parametrize("template", ["formgrade", "feedback"])
def test_the_course_filter_replaces_nbconverts_in_nbgraders_templates(template: str):
    """The filter as nbgrader_config.py registers it (an import string) overrides
    nbconvert's markdown2html in both pages that show a student's essay."""
    assert course_filters() == {
        "markdown2html": "deepfake_ethics.nbgrader_plugins.markup.SafeMarkdown"}
    nb = essay_notebook(escape_markup(essay("Essay with [a source](https://example.org).")))
    html, _ = exporter(template).from_notebook_node(nb, resources={
        "base_url": "", "submission_id": "s", "notebook_id": "n", "assignment_id": "a",
        "index": 0, "total": 1,
        "nbgrader": {"notebook": "n", "score": 0, "max_score": 4, "late_penalty": 0}})
    body = BeautifulSoup(html, "html.parser").select_one(".text_cell_render")
    assert body is not None and "Essay with" in body.get_text()
    assert body.find("a", href="https://example.org") is not None
    assert dangers(str(body)) == [], str(body)
    for link in body("a"):
        assert url_scheme(link.get("href", "")) in (None, "http", "https", "mailto")


def test_the_filter_keeps_nbconverts_rendering_context():
    """Attachments, anchor links and the exporter's options still come from nbconvert's
    own context filter (an attachment becomes a data: image, which is then dropped)."""
    nb = essay_notebook("# Part A\n\n![chart](attachment:c.png)")
    nb.cells[0].attachments = {"c.png": {"image/png": "iVBORw0KGgo="}}
    c = Config()
    c.HTMLExporter.filters = course_filters()
    c.HTMLExporter.anchor_link_text = "#"
    html, _ = HTMLExporter(config=c).from_notebook_node(nb)
    soup = BeautifulSoup(html, "html.parser")
    heading = soup.find("h1", id="Part-A")
    assert heading is not None and heading.a["href"] == "#Part-A"
    assert heading.a.get_text() == "#" and heading.a["class"] == ["anchor-link"]
    assert soup.find("img", alt="chart") is not None
    assert soup.find("img", alt="chart").get("src") is None


def test_the_filter_without_an_html_exporter_still_cleans():
    """Made outside an HTMLExporter (no parent), it renders with nbconvert's plain filter."""
    html = SafeMarkdown()({}, PAYLOADS["colon-entity"] + "\n\n## Sources")
    assert "<h2" in html and "hostile-colon" in html
    assert dangers(html) == []


def _signature(html: str) -> tuple[list, str]:
    soup = BeautifulSoup(html, "html.parser")
    tags = [(t.name, sorted((k, str(v)) for k, v in t.attrs.items() if k != "rel"))
            for t in soup.find_all(True)]
    return tags, " ".join(soup.get_text().split())  # the text as read (comments dropped)


def course_markdown() -> list[tuple[str, int, str]]:
    cells = []
    for path in sorted([*(ROOT / "source").rglob("*.ipynb"), *(ROOT / "notebooks").glob(
            "*.ipynb")]):
        if ".ipynb_checkpoints" in path.parts:
            continue
        nb = nbformat.read(path, as_version=4)
        cells += [(str(Path(path).relative_to(ROOT)), i, c.source)
                  for i, c in enumerate(nb.cells) if c.cell_type == "markdown"]
    return cells


@pytest.mark.slow  # renders every Markdown cell of the course twice: seconds of CPU
def test_the_course_markdown_renders_unchanged():
    """Every tag, attribute, class and text of the course's own Markdown survives the
    cleaning (headings with anchors, tables, highlighted code, links, images)."""
    cells = course_markdown()
    assert len(cells) > 20
    changed = [(path, index) for path, index, source in cells
               if _signature(markdown2html_mistune(source))
               != _signature(clean_html(markdown2html_mistune(source)))]
    assert changed == []
