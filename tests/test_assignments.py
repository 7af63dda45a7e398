"""The assignments are built as docs/assignment-format.md says, and state their points."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
from conftest import ROOT
from nbgrader_course import assignments, course_markers, meta, notebook_name, read

from deepfake_ethics.nbgrader_plugins.judge import DECISION_CREDIT_RULE, PARTIAL_CREDIT_RULE
from deepfake_ethics.nbgrader_plugins.keys import split_key


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
    fmt = course_markers()
    for cell in nb.cells:
        m = meta(cell)
        if m.get("grade") and cell.cell_type == "code":
            assert m.get("locked") and not m.get("solution"), m["grade_id"]
            assert fmt.pattern("hidden_tests").search(cell.source), \
                f"{m['grade_id']}: hidden tests"
        if m.get("solution") and cell.cell_type == "code":
            assert fmt.pattern("solution").search(cell.source), m["grade_id"]
        if m.get("task"):
            assert fmt.pattern("mark_scheme").search(cell.source), \
                f"{m['grade_id']}: a marking scheme"
    questions = re.findall(r"\*\*Question (\d+)\.(\d+)\*\*", "\n".join(
        c.source for c in nb.cells if c.cell_type == "markdown"))
    assert questions, "questions follow the '**Question N.M**' template"
    assert {n for n, _ in questions} == {name[1:3].lstrip("0")}


COURSE_SITE = "https://github.com/deepfake-ethics-course/deepfake-ethics/blob/main/"
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)|<(https?://[^>\s]+)>")


def links(path: Path) -> list[str]:
    """Every link target in a notebook's Markdown cells, or in a Markdown file."""
    if path.suffix == ".ipynb":
        text = "\n".join(c.source for c in read(path).cells if c.cell_type == "markdown")
    else:
        text = path.read_text(encoding="utf-8")
    return [a or b for a, b in LINK.findall(text)]


@pytest.mark.parametrize("name", assignments())
def test_every_assignment_links_its_lesson(name):
    """On the course's published site, so that the link works from a fetched copy too."""
    first = source(name).cells[0].source
    lesson = re.search(r"\]\(" + re.escape(COURSE_SITE) + r"(notebooks/[^)]+\.ipynb)\)", first)
    assert lesson, "the first cell links the published lesson"
    assert (ROOT / lesson.group(1)).exists()
    assert lesson.group(1).split("/")[-1][:2] == name[1:3]
    assert "notebooks/` folder" in first, "and says where the lessons are in a copy"


@pytest.mark.parametrize("name", assignments())
def test_links_of_a_fetched_assignment_resolve(name, tmp_path):
    """A student's fetched copy lives in ~/<course>/<assignment>/, without the rest of the
    course: every relative link must resolve there, and every link to the course's site
    must name a file of this repository."""
    home = tmp_path / "home" / "student"
    fetched = home / "deepfake-ethics" / name
    shutil.copytree(ROOT / "release" / name, fetched)
    checked = 0
    for path in sorted(fetched.rglob("*")):
        if path.suffix not in {".ipynb", ".md"}:
            continue
        for target in links(path):
            url = urlparse(target)
            if target.startswith(COURSE_SITE):
                assert (ROOT / unquote(target[len(COURSE_SITE):]).split("#")[0]).exists(), \
                    f"{path.name}: {target}"
            elif url.scheme in {"http", "https", "mailto"}:
                assert url.scheme != "http", f"{path.name}: use https: {target}"
            elif url.path:
                resolved = (path.parent / unquote(url.path)).resolve()
                assert resolved.is_relative_to(fetched) and resolved.exists(), \
                    f"{path.name}: {target} does not resolve in a fetched copy"
            checked += 1
    assert checked, "the assignment has links to check"


@pytest.mark.parametrize("name", assignments())
def test_the_partial_credit_rules_are_stated(name):
    """Students know how a multi-select question and a decision function are scored
    before they answer them."""
    nb = source(name)
    assert PARTIAL_CREDIT_RULE in nb.cells[0].source
    kinds = set()
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
        if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("grade"):
            key = split_key(cell.source, grade_id)[1]
            kinds.add(key["kind"] if key else None)
    assert ("calls" in kinds) == (DECISION_CREDIT_RULE in nb.cells[0].source), name


ALTERNATIVE = ROOT / "notebooks" / "alternatives" / "04-alternative-likeness-and-consent.ipynb"


def test_the_alternative_to_a04_is_graded_the_same_way():
    """Same points, same kinds of autograded question in the same order, a reflection."""
    def shape(name):
        cells = source(name).cells
        kinds = [split_key(c.source, meta(c)["grade_id"])[1]["kind"] for c in cells
                 if c.cell_type == "code" and meta(c).get("grade")]
        points = [meta(c).get("points") for c in cells if meta(c).get("grade")
                  or meta(c).get("task")]
        return kinds, points
    assert shape("a04-alt-likeness-and-consent") == shape("a04-harms-and-consent")
    questions = " ".join(c.source for c in source("a04-alt-likeness-and-consent").cells
                         if meta(c).get("grade_id", "").startswith(("q4_", "answer4_")))
    assert not re.search(r"(?<!non-)\bsexual", questions), "its questions avoid the subject"


def test_the_alternative_activity_for_lesson_04_exists_and_is_offered():
    nb = read(ALTERNATIVE)
    text = "\n".join(c.source for c in nb.cells)
    assert nb.cells[0].source.startswith("# ") and "**Objectives**" in text
    assert "Content note" in text and "not legal advice" in text
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    assert all(re.fullmatch(r'from deepfake_ethics import .*|quiz\("[a-z0-9-]+"\)|'
                            r"show_progress\(\)", c) for c in code), "only quizzes and progress"
    assert any(c.startswith("quiz(") for c in code) and "show_progress()" in code
    for target in links(ALTERNATIVE):
        url = urlparse(target)
        if url.scheme:
            assert url.scheme in {"https", "mailto"}, target
        elif url.path:
            assert (ALTERNATIVE.parent / unquote(url.path)).resolve().exists(), target
    assert "a04-alt-likeness-and-consent" in text, "it leads to the alternative assignment"
    for lesson in ("00-start-here.ipynb", "04-face-swap-and-pornography.ipynb"):
        offered = links(ROOT / "notebooks" / lesson)
        assert "alternatives/04-alternative-likeness-and-consent.ipynb" in offered, lesson
