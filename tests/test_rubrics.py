"""Fairer grading (issue 17, item 8): rubrics students can see, with levels, and at most half
of each assignment's autograded points on programming mechanics.

Every hand-graded reflection shows, above its hidden mark scheme, a rubric table in the form
that :mod:`deepfake_ethics.nbgrader_plugins.rubric` documents: one row per point, what
earns 1, ½ and 0 for each criterion. The mark scheme names the same criteria in the same
order, 1 point each, and holds the model answer, which never reaches ``release/``.
Autograded test cells that test programming mechanics rather than judgment carry the cell
tag ``mechanics``; their points are at most half of the assignment's autograded points.

Each check returns a list of problems, so that the last tests can break a copy of a real
notebook in memory and show that the check notices. Fast: no kernels, no nbgrader.
"""

from __future__ import annotations

import copy
import functools
import re

import pytest
from conftest import ROOT
from nbgrader_course import assignments, course_markers, meta, notebook_name, read

from deepfake_ethics.nbgrader_plugins import rubric
from deepfake_ethics.nbgrader_plugins.assignment_format import is_reflection

MECHANICS = "mechanics"

# The questions that test programming mechanics (issue 17): hashing, a helper function,
# verifying and signing (a05), counting and computing from rows, a chart (a04 and its
# alternative). a02 and a03 have none. A test below checks that each of these cells carries
# the tag, so that removing tags cannot make the half rule pass by itself.
KNOWN_MECHANICS = {
    "a04-harms-and-consent": {"test_answer4_1", "test_answer4_2", "test_answer4_4"},
    "a04-alt-likeness-and-consent": {"test_answer4_1", "test_answer4_2", "test_answer4_4"},
    "a05-provenance": {f"test_answer5_{n}" for n in range(1, 6)},
}


@functools.cache
def notebook(place: str, name: str):
    """A notebook, read once per session (callers that change it change a deep copy)."""
    return read(ROOT / place / name / notebook_name(name))


def reflections(nb) -> list:
    return [c for c in nb.cells if is_reflection(c)]


def tags(cell) -> list[str]:
    return list(cell.metadata.get("tags", []))


# -- the checks ---------------------------------------------------------------------------

def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9½%.,']+", text.lower())


def visible_rubric_problems(cell) -> list[str]:
    """What is wrong with the rubric students see in this reflection cell."""
    gid, points = meta(cell).get("grade_id", "?"), meta(cell).get("points")
    visible = rubric.visible_part(cell.source)
    heading = next((line for line in visible.splitlines()
                    if line.startswith(rubric.HEADING)), None)
    if heading is None:
        return [f"{gid}: no line starting {rubric.HEADING!r} in the visible part"]
    problems = []
    if heading != f"{rubric.HEADING} ({points:g} points: each criterion earns 1, ½ or 0)":
        problems.append(f"{gid}: the heading line is not in the documented form: {heading!r}")
    if rubric.stated_points(cell.source) != points:
        problems.append(f"{gid}: the heading states {rubric.stated_points(cell.source)} "
                        f"points, nbgrader {points}")
    if rubric.columns(cell.source) != ["criterion", *rubric.LEVELS]:
        problems.append(f"{gid}: columns {rubric.columns(cell.source)}")
    try:
        found = rubric.criteria(cell.source)
    except ValueError as error:
        return [*problems, f"{gid}: {error}"]
    if len(found) != points:
        problems.append(f"{gid}: {len(found)} criteria for {points} points")
    names = [c.name for c in found]
    if len(set(names)) != len(names):
        problems.append(f"{gid}: criteria names repeat: {names}")
    for criterion in found:
        for level, text in zip(rubric.LEVELS, (criterion.full, criterion.half, criterion.none),
                               strict=True):
            if not text.strip():
                problems.append(f"{gid}: {criterion.name!r} says nothing for {level}")
    if visible.index(rubric.HEADING) < visible.find("**Question"):
        problems.append(f"{gid}: the rubric comes before the question")
    return problems


def mark_scheme_problems(cell) -> list[str]:
    """What is wrong with the hidden mark scheme of a reflection in source/."""
    gid = meta(cell).get("grade_id", "?")
    source = cell.source
    begin = source.find(course_markers().delimiters["mark_scheme"][0])
    if begin < 0:
        return [f"{gid}: no mark scheme"]
    problems = []
    if source.find(rubric.HEADING) > begin:
        problems.append(f"{gid}: the rubric is inside the mark scheme (it would not be "
                        "released)")
    visible = [c.name for c in rubric.criteria(source)]
    scheme = rubric.scheme_criteria(source)
    if [name for name, _ in scheme] != visible:
        problems.append(f"{gid}: the mark scheme's criteria {[n for n, _ in scheme]} are not "
                        f"the visible ones {visible}, in the same order")
    if any(points != 1 for _, points in scheme):
        problems.append(f"{gid}: every criterion is worth 1 point: {scheme}")
    for paragraph in re.split(r"\n\s*\n", rubric.mark_scheme(source)):
        if re.match(r"\d+\.\s", paragraph) and not all(
                f"*{level}:*" in paragraph for level in rubric.LEVELS):
            problems.append(f"{gid}: {paragraph[:40]!r}... does not say what earns "
                            f"each of {', '.join(rubric.LEVELS)}")
    model = rubric.model_answer(source)
    if len(model.split()) < 50:
        problems.append(f"{gid}: no model answer (a paragraph beginning **Model answer)")
    # The criteria say what an answer must do, not what it should say: no run of six words
    # of the model answer appears in the rubric students see, unless the question says it.
    table = "\n".join(f"{c.name} {c.full} {c.half} {c.none}" for c in rubric.criteria(source))
    question = " ".join(_words(source.split(rubric.HEADING, 1)[0]))
    words = _words(model)
    shown = " ".join(_words(table))
    copied = {run for run in (" ".join(words[i:i + 6]) for i in range(len(words) - 5))
              if run in shown and run not in question}
    if copied:
        problems.append(f"{gid}: the rubric repeats the model answer: {sorted(copied)[:3]}")
    return problems


def released_problems(cell, source_cell) -> list[str]:
    """A released reflection keeps the question and rubric and loses the graders' part."""
    gid = meta(cell).get("grade_id", "?")
    problems = []
    if "MARK SCHEME" in cell.source or "Model answer" in cell.source:
        problems.append(f"{gid}: the mark scheme or model answer reached release/")
    model = rubric.model_answer(source_cell.source)
    if model and model[:80] in cell.source:
        problems.append(f"{gid}: the model answer is in release/")
    if cell.source.strip() != rubric.visible_part(source_cell.source).strip():
        problems.append(f"{gid}: the released cell is not the source's visible part "
                        "(run `make release`)")
    return problems


def mechanics_problems(nb) -> list[str]:
    """The mechanics tag is only on graded test cells, and its points are at most half."""
    problems, auto, mechanics = [], 0.0, 0.0
    for cell in nb.cells:
        m = meta(cell)
        graded_test = cell.cell_type == "code" and m.get("grade") and not m.get("solution")
        if graded_test:
            auto += float(m.get("points", 0))
        if MECHANICS in tags(cell):
            if not graded_test:
                problems.append(f"{m.get('grade_id', cell.get('id'))}: the {MECHANICS} tag "
                                "is only for graded test cells")
            else:
                mechanics += float(m.get("points", 0))
    if mechanics > auto / 2:
        problems.append(f"{mechanics:g} of {auto:g} autograded points are on programming "
                        "mechanics (at most half)")
    return problems


def untagged_mechanics(nb, name: str) -> set[str]:
    """The known mechanics questions of this assignment whose test cell lacks the tag."""
    tagged = {meta(c).get("grade_id") for c in nb.cells if MECHANICS in tags(c)}
    return KNOWN_MECHANICS.get(name, set()) - tagged


# -- every assignment ---------------------------------------------------------------------

PLACES = ["source", "release"]


@pytest.mark.parametrize("place", PLACES)
@pytest.mark.parametrize("name", assignments())
def test_every_reflection_shows_its_rubric(place, name):
    cells = reflections(notebook(place, name))
    assert cells, f"{name}: a hand-graded reflection"
    problems = [p for cell in cells for p in visible_rubric_problems(cell)]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", assignments())
def test_mark_schemes_grade_the_visible_criteria(name):
    problems = [p for cell in reflections(notebook("source", name))
                for p in mark_scheme_problems(cell)]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", assignments())
def test_release_keeps_the_rubric_and_not_the_model_answer(name):
    source = {meta(c)["grade_id"]: c for c in reflections(notebook("source", name))}
    released = {meta(c)["grade_id"]: c for c in reflections(notebook("release", name))}
    assert released.keys() == source.keys()
    problems = [p for gid, cell in released.items()
                for p in released_problems(cell, source[gid])]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("place", PLACES)
@pytest.mark.parametrize("name", assignments())
def test_at_most_half_the_autograded_points_are_mechanics(place, name):
    nb = notebook(place, name)
    problems = mechanics_problems(nb)
    assert not problems, f"{place}/{name}: " + "\n".join(problems)
    assert not untagged_mechanics(nb, name), f"{place}/{name}: untagged mechanics"


def test_a05_is_half_mechanics_half_judgment():
    """5.1-5.5 (hash, helper, verify, find, sign) against 5.6-5.8, judged with partial
    credit; the introduction states the same points."""
    nb = notebook("source", "a05-provenance")
    points = {meta(c)["grade_id"]: meta(c)["points"] for c in nb.cells
              if meta(c).get("grade") and c.cell_type == "code"}
    mechanics = sum(points[g] for g in KNOWN_MECHANICS["a05-provenance"])
    assert (mechanics, sum(points.values())) == (5, 10)
    assert points["test_answer5_6"] == points["test_answer5_8"] == 2
    intro = nb.cells[0].source
    assert "practical (5 points)" in intro and "judgments (5 points)" in intro
    for number in ("5.6", "5.8"):
        assert re.search(rf"\*\*Question {re.escape(number)}\*\* \(2 points\)",
                         "\n".join(c.source for c in nb.cells)), number


# -- the checks notice what they are for ---------------------------------------------------

def _reflection(place: str = "source"):
    return copy.deepcopy(reflections(notebook(place, "a05-provenance"))[0])


def _edit(cell, old: str, new: str):
    assert old in cell.source, old
    cell.source = cell.source.replace(old, new, 1)
    return cell


def test_the_checks_pass_a_sound_reflection():
    cell = _reflection()
    assert not visible_rubric_problems(cell) and not mark_scheme_problems(cell)
    released = _reflection("release")
    assert not visible_rubric_problems(released)
    assert not released_problems(released, cell)


def _row(cell, index: int) -> str:
    rows = [line for line in cell.source.splitlines() if line.startswith("| **")]
    return rows[index]


@pytest.mark.parametrize("breakage", [
    "no rubric", "a row missing", "an empty level", "a column renamed", "heading points",
    "rubric inside the mark scheme"])
def test_a_broken_visible_rubric_is_noticed(breakage):
    cell = _reflection()
    if breakage == "no rubric":
        cell.source = re.sub(r"\*\*How this answer is graded\*\*.*?(?=### BEGIN)", "",
                             cell.source, flags=re.S)
    elif breakage == "a row missing":
        _edit(cell, _row(cell, -1) + "\n", "")
    elif breakage == "an empty level":
        row = _row(cell, 1)
        _edit(cell, row, re.sub(r"\| [^|]+ \|$", "|  |", row))
    elif breakage == "a column renamed":
        _edit(cell, "| ½ point |", "| half |")
    elif breakage == "heading points":
        _edit(cell, "(4 points: each", "(3 points: each")
    else:
        table = cell.source[cell.source.index(rubric.HEADING):cell.source.index("### BEGIN")]
        cell.source = cell.source.replace(table, "").replace(
            "### BEGIN MARK SCHEME\n", "### BEGIN MARK SCHEME\n" + table)
    assert visible_rubric_problems(cell), breakage


@pytest.mark.parametrize("breakage", [
    "renamed", "reordered", "worth 2", "no half level", "no model answer",
    "model answer in the rubric"])
def test_a_broken_mark_scheme_is_noticed(breakage):
    cell = _reflection()
    if breakage == "renamed":
        _edit(cell, "1. **The liar's dividend (1).**", "1. **The dividend (1).**")
    elif breakage == "reordered":
        _edit(cell, "3. **Limits (1).**", "3. **Uses Part A and concludes (1).**")
        _edit(cell, "4. **Uses Part A and concludes (1).**", "4. **Limits (1).**")
    elif breakage == "worth 2":
        _edit(cell, "**Limits (1).**", "**Limits (2).**")
    elif breakage == "no half level":
        _edit(cell, "*½ point:* one real limit", "one real limit")
    elif breakage == "no model answer":
        cell.source = re.sub(r"\*\*Model answer.*?(?=### END)", "", cell.source, flags=re.S)
    else:
        model = rubric.model_answer(cell.source).split()
        _edit(cell, "explains at least two real limits of credentials",
              " ".join(model[10:20]))
    assert mark_scheme_problems(cell), breakage


def test_a_model_answer_in_release_is_noticed():
    source, released = _reflection(), _reflection("release")
    assert not released_problems(released, source)
    leaked = copy.deepcopy(released)
    leaked.source += "\n\n" + rubric.model_answer(source.source)
    assert released_problems(leaked, source)
    stale = copy.deepcopy(released)
    _edit(stale, "gives no real limit", "names no limit")
    assert released_problems(stale, source), "a release/ older than source/"


def test_too_many_mechanics_points_are_noticed():
    nb = copy.deepcopy(notebook("source", "a05-provenance"))
    assert not mechanics_problems(nb)
    for cell in nb.cells:
        if meta(cell).get("grade_id") == "test_answer5_2":
            cell.metadata["nbgrader"]["points"] = 2  # as it was: 6 of 11
    assert mechanics_problems(nb)


def test_the_tag_off_a_graded_test_cell_is_noticed():
    nb = copy.deepcopy(notebook("source", "a02-legal-aspects"))
    assert not mechanics_problems(nb)
    answer = next(c for c in nb.cells if meta(c).get("solution") and c.cell_type == "code")
    answer.metadata["tags"] = [MECHANICS]
    assert mechanics_problems(nb)


def test_a_dropped_tag_is_noticed():
    nb = copy.deepcopy(notebook("source", "a04-harms-and-consent"))
    assert not untagged_mechanics(nb, "a04-harms-and-consent")
    for cell in nb.cells:
        if meta(cell).get("grade_id") == "test_answer4_4":  # the chart
            cell.metadata["tags"].remove(MECHANICS)
    assert untagged_mechanics(nb, "a04-harms-and-consent") == {"test_answer4_4"}
    assert not mechanics_problems(nb), "which the half rule alone would not notice"
