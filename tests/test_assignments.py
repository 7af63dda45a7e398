"""The assignments are built as docs/assignment-format.md says, and state their points."""

from __future__ import annotations

import re

import pytest
from conftest import ROOT
from nbgrader_course import assignments, meta, notebook_name, read


def source(name: str):
    return read(ROOT / "source" / name / notebook_name(name))


@pytest.mark.parametrize("name", assignments())
def test_points_stated_match_the_notebook(name):
    nb = source(name)
    stated = re.search(r"Total:?\**\s*(\d+) points?\**\D+?(\d+) autograded(?:\s*\([^)]*\))?"
                       r"\D+?(\d+) (?:graded )?by hand", nb.cells[0].source)
    assert stated, f"{name}: the first cell states the points"
    total, auto, by_hand = (int(x) for x in stated.groups())
    code = sum(meta(c).get("points", 0) for c in nb.cells
               if meta(c).get("grade") and c.cell_type == "code")
    tasks = sum(meta(c).get("points", 0) for c in nb.cells if meta(c).get("task"))
    assert (code, tasks) == (auto, by_hand) and auto + by_hand == total
    table = (ROOT / "docs" / "instructors.md").read_text()
    assert re.search(rf"`{name}` \|[^|]+\| {total} \| {auto} \| {by_hand} \|", table), \
        "docs/instructors.md shows the same points"


@pytest.mark.parametrize("name", assignments())
def test_cells_follow_the_format(name):
    nb = source(name)
    ids = [meta(c)["grade_id"] for c in nb.cells if meta(c).get("grade_id")]
    assert len(ids) == len(set(ids)), "grade_ids are unique"
    for cell in nb.cells:
        m = meta(cell)
        if m.get("grade") and cell.cell_type == "code":
            assert m.get("locked") and not m.get("solution"), m["grade_id"]
            assert "BEGIN HIDDEN TESTS" in cell.source, f"{m['grade_id']}: hidden tests"
        if m.get("solution") and cell.cell_type == "code":
            assert "BEGIN SOLUTION" in cell.source, m["grade_id"]
        if m.get("task"):
            assert "BEGIN MARK SCHEME" in cell.source, f"{m['grade_id']}: a marking scheme"
    questions = re.findall(r"\*\*Question (\d+)\.(\d+)\*\*", "\n".join(
        c.source for c in nb.cells if c.cell_type == "markdown"))
    assert questions, "questions follow the '**Question N.M**' template"
    assert {n for n, _ in questions} == {name[1:3].lstrip("0")}


@pytest.mark.parametrize("name", assignments())
def test_every_assignment_links_its_lesson(name):
    first = source(name).cells[0].source
    lesson = re.search(r"\]\((\.\./\.\./notebooks/[^)]+\.ipynb)\)", first)
    assert lesson, "the first cell links the lesson"
    assert (ROOT / "source" / name / lesson.group(1)).resolve().exists()
    assert lesson.group(1).split("/")[-1][:2] == name[1:3]
