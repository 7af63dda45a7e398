"""The assignment format: region markers read from nbgrader's configuration, used by key
extraction, feedback, rubrics and self-study alike (a course that changes nbgrader's
delimiters keeps working), and question numbers of grade ids."""

from __future__ import annotations

import nbformat
import pytest
from conftest import ROOT
from traitlets.config import Config

from deepfake_ethics import practice
from deepfake_ethics.nbgrader_plugins import rubric
from deepfake_ethics.nbgrader_plugins.assignment_format import (
    AssignmentFormat,
    course_format,
    default_format,
    is_reflection,
    question_number,
    reflection_number,
)
from deepfake_ethics.nbgrader_plugins.feedback import FEEDBACK_STEPS, HIDDEN_NOTE, RUBRIC_NOTE
from deepfake_ethics.nbgrader_plugins.keys import split_key

CHANGED = {"ClearSolutions": {"begin_solution_delimeter": "<<< MODEL",
                              "end_solution_delimeter": ">>> MODEL",
                              "text_stub": "WRITE HERE"},
           "ClearHiddenTests": {"begin_test_delimeter": "<<< KEY",
                                "end_test_delimeter": ">>> KEY"},
           "ClearMarkScheme": {"begin_mark_scheme_delimeter": "<<< GRADERS",
                               "end_mark_scheme_delimeter": ">>> GRADERS"}}
KEY = 'answer_key = {"kind": "choice", "answer": "a", "expect": "y"}'
RUBRIC = ("**How this answer is graded** (1 point: each criterion earns 1, ½ or 0)\n\n"
          "| criterion | 1 point | ½ point | 0 points |\n|---|---|---|---|\n"
          "| **Takes a position** | defends it | states it | none |\n\n")
SCHEME = "1. **Takes a position (1).** Graders: a clear claim.\n\n**Model answer.** Secret."


@pytest.fixture(scope="module")
def changed() -> AssignmentFormat:
    return AssignmentFormat.from_config(Config(CHANGED))


def test_the_defaults_are_nbgraders_own():
    from nbgrader.preprocessors import ClearHiddenTests, ClearMarkScheme, ClearSolutions

    fmt = default_format()
    assert fmt.delimiters == {
        "solution": (ClearSolutions.begin_solution_delimeter.default_value,
                     ClearSolutions.end_solution_delimeter.default_value),
        "hidden_tests": (ClearHiddenTests.begin_test_delimeter.default_value,
                         ClearHiddenTests.end_test_delimeter.default_value),
        "mark_scheme": (ClearMarkScheme.begin_mark_scheme_delimeter.default_value,
                        ClearMarkScheme.end_mark_scheme_delimeter.default_value)}
    assert fmt.code_stub == ClearSolutions().code_stub["python"]


def test_the_course_format_applies_its_nbgrader_config():
    fmt = course_format(ROOT)
    assert fmt.text_stub == "YOUR ANSWER HERE" and "Write your answer here" in fmt.code_stub
    assert fmt.delimiters == default_format().delimiters


def test_regions_follow_nbgraders_grammar(changed):
    """A region runs from the line that holds the begin delimiter, whatever else it holds,
    to the next line that holds the end delimiter, as nbgrader's preprocessors read it."""
    source = "before\n<!-- <<< GRADERS -->\nsecret\n<!-- >>> GRADERS -->\nafter"
    assert changed.without("mark_scheme", source) == ("before\nafter", 1)
    assert changed.regions(source) == ["<!-- <<< GRADERS -->\nsecret\n<!-- >>> GRADERS -->\n"]
    assert changed.without_solution_markers("# <<< MODEL\nx = 1\n# >>> MODEL") == "x = 1"
    assert changed.is_marker("## >>> KEY") and not changed.is_marker("# BEGIN SOLUTION")


def test_changed_delimiters_still_extract_keys(changed):
    source = "check(a)\n" + changed.region("hidden_tests", KEY)
    visible, key = split_key(source, "t", changed)
    assert key == {"kind": "choice", "answer": "a", "expect": "y"} and "KEY" not in visible
    assert split_key(source, "t") == (source, None), "nbgrader's defaults do not match it"


def _feedback(config: Config, cells: list) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook(cells=cells)
    for step in FEEDBACK_STEPS:
        nb, _ = step(config=config).preprocess(nb, {})
    return nb


def _cell(kind: str, source: str, **nbgrader) -> nbformat.NotebookNode:
    cell = (nbformat.v4.new_code_cell if kind == "code" else nbformat.v4.new_markdown_cell)(
        source)
    cell.metadata["nbgrader"] = {"grade_id": kind, "schema_version": 3, "solution": False,
                                 "grade": False, "locked": False, **nbgrader}
    return cell


def test_changed_delimiters_still_clean_feedback(changed):
    config = Config(CHANGED)
    test = _cell("code", "check(a)\n" + changed.region("hidden_tests", KEY), grade=True,
                 points=1, locked=True)
    task = _cell("markdown", "**Question**\n\n" + RUBRIC + changed.region(
        "mark_scheme", SCHEME), task=True, points=1, locked=True)
    nb = _feedback(config, [test, task])
    dumped = nbformat.writes(nb)
    assert "answer_key" not in dumped and "Secret" not in dumped and "Graders" not in dumped
    assert nb.cells[0].source == "check(a)\n" + HIDDEN_NOTE
    assert nb.cells[1].source.endswith(RUBRIC_NOTE) and "Takes a position" in nb.cells[1].source


def test_a_students_broken_region_is_kept_and_an_instructors_stops_feedback():
    begin = default_format().delimiters["hidden_tests"][0]
    mine = _cell("code", f"# {begin}, as I wrote it\nx = 1", solution=True)
    assert _feedback(Config(), [mine]).cells[0].source == mine.source
    broken = _cell("code", f"check(a)\n# {begin}\n{KEY}", grade=True, points=1, locked=True)
    with pytest.raises(RuntimeError, match="end hidden tests"):
        _feedback(Config(), [broken])


def test_changed_delimiters_still_give_rubrics_and_self_study(changed, tmp_path, capsys,
                                                              monkeypatch):
    source = "**Question 9.1**\n\n" + RUBRIC + changed.region("mark_scheme", SCHEME)
    assert rubric.model_answer(source, changed) == "Secret."
    assert [c.name for c in rubric.criteria(source, changed)] == ["Takes a position"]
    assert "Secret" not in rubric.visible_part(source, changed)

    course = tmp_path / "course"
    (course / "source" / "a09-x").mkdir(parents=True)
    lines = [f"c.{section}.{name} = {value!r}" for section, traits in CHANGED.items()
             for name, value in traits.items()]
    (course / "nbgrader_config.py").write_text("\n".join(lines) + "\n", encoding="utf-8")
    answer = _cell("code", changed.region("solution", 'a = "y"', "#"), solution=True,
                   grade_id="answer9_2")
    test = _cell("code", 'check_choice("a", a, ["x", "y"])\n' + changed.region(
        "hidden_tests", KEY), grade=True, points=1, locked=True, grade_id="test_answer9_2")
    nbformat.write(nbformat.v4.new_notebook(cells=[answer, test]),
                   course / "source" / "a09-x" / "a09-x.ipynb")
    monkeypatch.chdir(course / "source" / "a09-x")
    q = practice.questions("a09-x")
    assert q["9.2"].key == {"kind": "choice", "answer": "a", "expect": "y"}
    assert q["9.2"].problem.solution_source == 'a = "y"'
    assert q["9.2"].problem.verdict([{"name": "a", "value": "y"}]).status == "correct"


@pytest.mark.parametrize("grade_id, number", [
    ("answer2_1", "2.1"), ("test_answer2_8a", "2.8a"), ("reflection9_10", "9.10"),
    ("intro", None), ("answer2_1_extra", None)])
def test_question_numbers_of_grade_ids(grade_id, number):
    assert question_number(grade_id) == number


def test_the_grader_takes_keys_out_under_the_courses_delimiters(changed, monkeypatch):
    """GradeExecute reads the delimiters from the course's configuration: the key stays out
    of what the kernel would run, and the autograded copy keeps it."""
    from nbconvert.preprocessors import ExecutePreprocessor

    from deepfake_ethics.nbgrader_plugins.execute import GradeExecute, grading_state

    ran: list[str] = []

    def run(self, nb, resources, km=None):  # nbgrader's own preprocess, without a kernel
        ran.extend(cell.source for cell in nb.cells)
        return nb, resources

    monkeypatch.setattr(ExecutePreprocessor, "preprocess", run)
    source = 'check_choice("a", a, ["x", "y"])\n' + changed.region("hidden_tests", KEY)
    test = _cell("code", source, grade=True, points=1, locked=True, grade_id="t")
    resources: dict = {}
    nb, _ = GradeExecute(config=Config(CHANGED)).preprocess(
        nbformat.v4.new_notebook(cells=[test]), resources)
    assert grading_state(resources)["keys"]["t"]["expect"] == "y"
    assert "answer_key" not in ran[0] and "record_answer" in ran[0]
    assert nb.cells[0].source == source


@pytest.mark.parametrize("kind, meta, number", [
    ("markdown", {"task": True, "points": 2, "grade_id": "reflection2_10"}, "2.10"),
    ("markdown", {"grade": True, "solution": True, "points": 1, "grade_id": "essay3_4"}, "3.4"),
    ("markdown", {"task": True, "points": 0, "grade_id": "reflection2_11"}, None),
    ("markdown", {"grade": False, "grade_id": "intro2_1"}, None),
    ("code", {"grade": True, "points": 1, "grade_id": "test_answer2_1"}, None)])
def test_a_written_reflection_is_a_markdown_cell_graded_by_hand(kind, meta, number):
    """The one rule for 'is this a written reflection' (self-study, the practice cells
    of make release and the tests all ask here)."""
    new = nbformat.v4.new_markdown_cell if kind == "markdown" else nbformat.v4.new_code_cell
    cell = new("text")
    cell.metadata["nbgrader"] = meta
    assert is_reflection(cell) is (number is not None)
    assert reflection_number(cell) == number
