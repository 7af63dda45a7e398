"""How a notebook becomes a website page (``site/course_pages.py``), without building the
site: the course calls a lesson makes become static outputs, their code is hidden, other
code is kept, and every page links to its notebook and to Binder."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import nbformat
import pytest
import yaml

from deepfake_ethics.bank import get_figure, get_quiz, quizzes
from deepfake_ethics.quiz_export import quiz_data

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("course_pages", ROOT / "site" / "course_pages.py")
course_pages = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(course_pages)
REPOSITORY = "deepfake-ethics-course/deepfake-ethics"


@pytest.mark.parametrize(("source", "found"), [
    ('quiz("01-no-law-yet")', ("quiz", ["01-no-law-yet"])),
    ("figure('laws-timeline')", ("figure", ["laws-timeline"])),
    ("show_progress()", ("show_progress", [])),
    ('diagnostic("after")', ("diagnostic", ["after"])),
    ('from deepfake_ethics import quiz\n\nquiz("l1-x")', ("quiz", ["l1-x"])),  # assignments
    ('x = quiz("a")', None),  # an assignment, not a call shown
    ('quiz(name)', None),  # not a literal: nothing to show at build time
    ('quiz("a")\nprint(1)', None),
    ('print("a")', None),
    ("quiz(", None),
])
def test_a_course_call_is_recognised_by_its_syntax_tree(source, found):
    assert course_pages.course_call(source) == found


def test_only_an_import_of_lesson_functions_is_hidden():
    assert course_pages.imports_only_course_functions(
        "from deepfake_ethics import figure, quiz, show_progress")
    assert not course_pages.imports_only_course_functions("from deepfake_ethics import quiz\nx=1")
    assert not course_pages.imports_only_course_functions("import hashlib")
    assert not course_pages.imports_only_course_functions(
        "from deepfake_ethics.practice import questions")


def _page(cells: list) -> nbformat.NotebookNode:
    text = nbformat.writes(nbformat.v4.new_notebook(cells=cells))
    site = course_pages.site_notebook(text, "notebooks/99-test.ipynb", REPOSITORY)
    return nbformat.reads(site, as_version=4)


def test_a_quiz_cell_becomes_a_placeholder_holding_its_quiz(tmp_path):
    quiz_id = next(iter(quizzes()))
    page = _page([nbformat.v4.new_code_cell(f'quiz("{quiz_id}")')])
    cell = page.cells[1]
    assert "remove-input" in cell.metadata.tags
    (output,) = cell.outputs
    markup = output["data"]["text/html"]
    assert f'data-quiz="{quiz_id}"' in markup
    data = re.search(r'<script type="application/json">(.*?)</script>', markup, re.S).group(1)
    assert json.loads(data.replace("<\\/", "</")) == quiz_data(get_quiz(quiz_id))
    assert "</" not in data.replace("<\\/", "")  # nothing in the JSON ends the script
    assert "<noscript>" in markup and get_quiz(quiz_id).title in markup


def test_a_figure_cell_becomes_an_svg_with_its_alt_text_and_caption():
    figure_id = "laws-timeline"
    spec = get_figure(figure_id)
    page = _page([nbformat.v4.new_code_cell(f'figure("{figure_id}")')])
    cell = page.cells[1]
    assert cell.outputs[0]["data"]["image/svg+xml"].lstrip().startswith("<?xml")
    assert cell.metadata.mystnb["image"]["alt"] == spec.alt.strip()
    assert cell.metadata.mystnb["figure"]["caption"] == spec.caption.strip()


def test_other_code_is_kept_and_each_page_links_to_its_notebook_and_binder():
    page = _page([nbformat.v4.new_code_cell("from deepfake_ethics import quiz"),
                  nbformat.v4.new_code_cell("import hashlib\nprint(1)"),
                  nbformat.v4.new_code_cell("show_progress()")])
    links, imports, code, progress = page.cells
    assert "{download}`Download this notebook <99-test.ipynb>`" in links.source
    assert ("https://mybinder.org/v2/gh/deepfake-ethics-course/deepfake-ethics/HEAD"
            "?urlpath=lab/tree/notebooks/99-test.ipynb") in links.source
    assert "remove-cell" in imports.metadata.tags
    assert code.source == "import hashlib\nprint(1)" and "remove-input" not in code.metadata.tags
    assert 'class="dfe-site-progress"' in progress.outputs[0]["data"]["text/html"]


def test_the_closing_calls_become_placeholders_holding_the_summarys_parts():
    from deepfake_ethics.closing_export import closing_data

    page = _page([nbformat.v4.new_code_cell("show_before_and_after()"),
                  nbformat.v4.new_code_cell("save_summary()")])
    for cell, part in zip(page.cells[1:], ("comparison", "summary"), strict=True):
        assert "remove-input" in cell.metadata.tags
        markup = cell.outputs[0]["data"]["text/html"]
        assert f'class="dfe-site-closing" data-part="{part}"' in markup
        data = re.search(r'<script type="application/json">(.*?)</script>', markup, re.S)
        assert json.loads(data.group(1).replace("<\\/", "</")) == closing_data()


def test_progress_rows_list_every_quiz_once_in_course_order():
    rows = course_pages.progress_rows()
    ids = [q["id"] for row in rows for q in row["quizzes"]]
    assert sorted(ids) == sorted(quizzes())
    assert all(q["version"] == quizzes()[q["id"]].version for row in rows for q in row["quizzes"])
    lessons = [row["lesson"][:2] for row in rows]
    assert lessons == sorted(lessons)
    assert any(row["alternative"] for row in rows)


def test_html_anchors_are_read_from_raw_html():
    anchors = course_pages._Anchors()
    anchors.feed('<a id="ai-act"></a><a href="#x">x</a><a id="bill"></a>')
    assert anchors.ids == ["ai-act", "bill"]


def test_the_publishing_workflow_builds_with_make_site_and_deploys_to_pages():
    flow = yaml.safe_load((ROOT / ".github" / "workflows" / "site.yml").read_text())
    triggers = flow[True] if True in flow else flow["on"]  # YAML 1.1 reads "on" as True
    assert triggers["push"]["branches"] == ["main"]
    assert flow["permissions"]["pages"] == "write"
    build = flow["jobs"]["build"]["steps"]
    assert any(step.get("run") == "make site" for step in build)
    (upload,) = [s for s in build if s.get("uses", "").startswith("actions/upload-pages-artifact")]
    assert upload["with"]["path"] == "_site"
    makefile = (ROOT / "Makefile").read_text()
    assert "site/build.py --out _site" in makefile.split("\nsite:", 1)[1].split("\n\n", 1)[0]
    deploy = flow["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert deploy["steps"][0]["uses"].startswith("actions/deploy-pages")
