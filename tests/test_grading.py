"""The visible form checks (right, wrong, blank), quiet calls, feedback sanitizing, and the
course's nbgrader configuration."""

from __future__ import annotations

import sys

import nbformat
import pytest
from conftest import ROOT
from traitlets.config.loader import PyFileConfigLoader

from deepfake_ethics.kernel import (
    AnswerFormError,
    check_choice,
    check_choices,
    check_number,
    check_text,
    quietly,
)
from deepfake_ethics.nbgrader_plugins.feedback import FEEDBACK_STEPS


def _feedback(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The course's feedback clean-up, step by step as nbgrader_config.py lists it."""
    for step in FEEDBACK_STEPS:
        nb, _ = step().preprocess(nb, {})
    return nb


def test_check_choice_accepts_right_form_and_explains_wrong_form():
    check_choice("answer2_1", "b", ["a", "b"])
    with pytest.raises(AnswerFormError, match="no answer yet"):
        check_choice("answer2_1", None, ["a", "b"])
    with pytest.raises(AnswerFormError, match="string in quotes"):
        check_choice("answer2_1", 2, ["a", "b"])
    with pytest.raises(AnswerFormError, match="Check capital letters"):
        check_choice("answer2_1", "B ", ["a", "b"])


def test_check_choices_sets():
    check_choices("answer3_2", {"subject", "owner"}, ["subject", "owner", "viewer"])
    check_choices("answer3_2", set(), ["subject"])
    with pytest.raises(AnswerFormError, match="set of choices"):
        check_choices("answer3_2", "subject", ["subject"])
    with pytest.raises(AnswerFormError, match="twice"):
        check_choices("answer3_2", ["subject", "subject"], ["subject"])
    with pytest.raises(AnswerFormError, match="not one of"):
        check_choices("answer3_2", {"nobody"}, ["subject"])


def test_placeholder_answers_say_no_answer_yet():
    for check, extra in ((check_choice, (["a"],)), (check_choices, (["a"],)),
                         (check_text, ()), (check_number, ())):
        with pytest.raises(AnswerFormError, match="no answer yet"):
            check("answer", ..., *extra)


def test_check_text_and_number():
    check_text("why", "Because consent matters", min_words=3)
    with pytest.raises(AnswerFormError):
        check_text("why", "Because", min_words=3)
    check_number("total", 2.5)
    for bad in ("2.5", True, None):
        with pytest.raises(AnswerFormError):
            check_number("total", bad)


def test_quietly_swallows_student_output(capfd):
    with quietly() as out:
        print("noise", file=sys.stderr)
        print("more")
    assert "noise" in out.getvalue() and "more" in out.getvalue()
    captured = capfd.readouterr()
    assert captured.err == "" and captured.out == ""


def test_notebooks_released_before_the_split_still_import_their_checks():
    """A test cell of an earlier term (restored from the gradebook by nbgrader when it
    grades) imports the checks by their old name: the alias gives the very same objects,
    and holds nothing else."""
    import deepfake_ethics.grading as old_name
    import deepfake_ethics.kernel as kernel

    namespace: dict = {}
    exec("from deepfake_ethics.grading import AnswerFormError, check_choice, check_choices, "
         "check_number, check_text, quietly", namespace)
    for name in kernel.__all__:
        assert namespace[name] is getattr(kernel, name), name
    assert old_name.__all__ == kernel.__all__
    public = {n for n, v in vars(old_name).items()
              if not n.startswith("_") and not isinstance(v, type(old_name))}
    assert public == set(kernel.__all__)
    with pytest.raises(AnswerFormError, match="no answer yet"):
        namespace["check_choice"]("answer2_1", None, ["a", "b"])


def test_feedback_removes_hidden_tests_and_mark_schemes():
    test = nbformat.v4.new_code_cell(
        "check_choice('a', a, ['x'])\n### BEGIN HIDDEN TESTS\nassert a == 'x'\n"
        "### END HIDDEN TESTS\nprint('after')")
    test.metadata["nbgrader"] = {"grade": True, "solution": False, "points": 1,
                                 "grade_id": "t", "locked": True, "schema_version": 3}
    task = nbformat.v4.new_markdown_cell(
        "**Reflection**\n\n### BEGIN MARK SCHEME\n- 3 points: names two harms\n"
        "### END MARK SCHEME\n")
    task.metadata["nbgrader"] = {"grade": False, "solution": False, "task": True,
                                 "points": 3, "grade_id": "r", "locked": True,
                                 "schema_version": 3}
    plain = nbformat.v4.new_code_cell("print('no tests here')")
    nb = _feedback(nbformat.v4.new_notebook(cells=[test, task, plain]))
    cleaned = nb.cells[0].source
    assert "assert a == 'x'" not in cleaned and "Hidden tests ran here" in cleaned
    assert cleaned.startswith("check_choice") and "print('after')" in cleaned
    assert "names two harms" not in nb.cells[1].source
    assert "**Reflection**" in nb.cells[1].source and "not shown" in nb.cells[1].source
    assert nb.cells[2].source == "print('no tests here')"


def test_sanitize_feedback_preprocessor():
    test = nbformat.v4.new_code_cell(
        "check_choice('a', a, ['x', 'y'])\n### BEGIN HIDDEN TESTS\nassert a == 'y'\n"
        "### END HIDDEN TESTS")
    test.metadata["nbgrader"] = {"grade": True, "solution": False, "points": 1,
                                 "grade_id": "t", "locked": True, "schema_version": 3}
    test.outputs = [nbformat.v4.new_output(
        "error", ename="AssertionError", evalue="",
        traceback=["----> 3 assert a == 'y'", "AssertionError"])]
    form = nbformat.v4.new_code_cell("check_choice('b', b, ['x'])")
    form.metadata["nbgrader"] = dict(test.metadata["nbgrader"], grade_id="u")
    form.outputs = [nbformat.v4.new_output(
        "error", ename="AnswerFormError", evalue="`b` is 'z', which is not one of 'x'.",
        traceback=["long traceback"])]
    nb = _feedback(nbformat.v4.new_notebook(cells=[test, form]))
    dumped = nbformat.writes(nb)
    assert "assert a == 'y'" not in dumped
    assert "Hidden tests ran here" in nb.cells[0].source
    assert nb.cells[0].outputs[0].ename == "AssertionError"
    assert "did not pass" in nb.cells[0].outputs[0].evalue
    assert nb.cells[1].outputs[0].evalue == "`b` is 'z', which is not one of 'x'."
    assert "long traceback" not in dumped


def test_feedback_shows_a_students_own_output_whatever_it_matches():
    """No oracle: a printed line that equals a model answer or a key stays, so the gaps in
    the feedback cannot tell a student which of the lines they printed was right."""
    answer = nbformat.v4.new_code_cell("for c in ['use', 'tool']:\n    print(c)")
    answer.metadata["nbgrader"] = {"grade": False, "solution": True, "grade_id": "a",
                                   "locked": False, "schema_version": 3}
    printed = "answer2_1 = 'use'\nexpect: use\ntool\n"
    answer.outputs = [nbformat.v4.new_output("stream", name="stdout", text=printed)]
    test = nbformat.v4.new_code_cell(
        "check(a)\n### BEGIN HIDDEN TESTS\nanswer_key = {'expect': 'use'}\n"
        "### END HIDDEN TESTS")
    test.metadata["nbgrader"] = {"grade": True, "solution": False, "points": 1,
                                 "grade_id": "t", "locked": True, "schema_version": 3}
    essay = nbformat.v4.new_markdown_cell("I think expect: use is right.")
    nb = _feedback(nbformat.v4.new_notebook(cells=[answer, test, essay]))
    assert nb.cells[0].outputs[0].text == printed
    assert nb.cells[2].source == "I think expect: use is right."
    assert "answer_key" not in nb.cells[1].source


def test_course_config_settings(tmp_path, monkeypatch):
    monkeypatch.delenv("DEEPFAKE_ETHICS_DB_URL", raising=False)
    monkeypatch.setenv("DEEPFAKE_ETHICS_EXCHANGE", str(tmp_path / "exchange"))
    config = PyFileConfigLoader("nbgrader_config.py", path=str(ROOT)).load_config()
    assert config.CourseDirectory.course_id == "deepfake-ethics"
    assert config.CourseDirectory.root == str(ROOT)
    assert config.CourseDirectory.db_url == f"sqlite:///{ROOT / 'gradebook.db'}"
    assert config.Exchange.root == str(tmp_path / "exchange")
    assert config.OverwriteCells.add_missing_cells is True
    assert config.IgnorePattern.enabled is True
    assert config.IncludeHeaderFooter.header == str(ROOT / "source" / "header.ipynb")
    feedback = [p.__name__ for p in config.GenerateFeedback.preprocessors]
    assert feedback[1:-1] == [p.__name__ for p in FEEDBACK_STEPS]
    steps = [p.__name__ for p in config.Autograde.autograde_preprocessors]
    assert steps[:3] == ["GradeExecute", "JudgeAnswers", "NeutraliseOutputs"]
    assert steps.index("SaveAutoGrades") > steps.index("JudgeAnswers")
    assert steps.index("NoteLeftOutFiles") > steps.index("NeutraliseOutputs")
    assert config.Autograde.pre_convert_hook is config.GenerateFeedback.pre_convert_hook
    assert config.Autograde.pre_convert_hook.root == ROOT
    assert config.GradeExecute.time_budget <= 120
    url = f"sqlite:///{tmp_path / 'elsewhere.db'}"  # checked on loading, so one that works
    monkeypatch.setenv("DEEPFAKE_ETHICS_DB_URL", url)
    config = PyFileConfigLoader("nbgrader_config.py", path=str(ROOT)).load_config()
    assert config.CourseDirectory.db_url == url


def test_every_config_line_is_commented():
    for line in (ROOT / "nbgrader_config.py").read_text().splitlines():
        if line.startswith("c."):
            assert "#" in line, f"setting without a comment: {line}"
