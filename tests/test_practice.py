"""Self-study checks for the assignments: for every autograded question of every
assignment, a right, a wrong and a blank answer; hints that do not give the answer; model
answers only after an attempt; and what a class environment (no source/) says."""

from __future__ import annotations

import copy
import os
import re

import matplotlib
import pytest
from conftest import ROOT
from nbgrader_course import (
    assignments,
    course_markers,
    meta,
    notebook_name,
    read,
    strip_markers,
)

from deepfake_ethics import practice
from deepfake_ethics.nbgrader_plugins import rubric
from deepfake_ethics.nbgrader_plugins.assignment_format import question_number, reflection_number
from deepfake_ethics.nbgrader_plugins.keys import answer_names, split_key
from deepfake_ethics.practice import CLASS_NOTE, CLASS_NOTE_SHORT, questions

matplotlib.use("Agg")


@pytest.fixture()
def shell(ipython_shell):
    """An in-process IPython shell (conftest's ``ipython_shell``)."""
    return ipython_shell


@pytest.fixture(autouse=True)
def fresh_session(monkeypatch):
    """Each test starts a new "session": the class note has not been shown yet."""
    monkeypatch.setattr(practice, "_class_note_shown", False)


def keys(assignment: str) -> dict[str, dict]:
    """Question number -> answer key, read from the source notebook."""
    found = {}
    for cell in read(ROOT / "source" / assignment / notebook_name(assignment)).cells:
        if cell.cell_type == "code" and meta(cell).get("grade"):
            _, key = split_key(cell.source, meta(cell)["grade_id"])
            found[question_number(meta(cell)["grade_id"])] = key
    return found


def reflections(assignment: str) -> set[str]:
    """The numbers of the hand-graded written answers of the source notebook."""
    return {reflection_number(c)
            for c in read(ROOT / "source" / assignment / notebook_name(assignment)).cells
            if reflection_number(c)}


def run_model_answers(shell, assignment: str) -> None:
    """Run the source notebook's code as a student with the model answers would (in the
    current folder, which must be the assignment's); practice cells too."""
    nb = read(ROOT / "source" / assignment / notebook_name(assignment))
    assert os.getcwd() == str(ROOT / "source" / assignment)
    for cell in nb.cells:
        if cell.cell_type != "code" or "quiz(" in cell.source:
            continue
        source = strip_markers(split_key(cell.source, "cell")[0])
        source = "\n".join(line for line in source.splitlines()
                           if not line.rstrip().endswith("= ..."))
        result = shell.run_cell(source, silent=True)
        assert result.success, f"{assignment}: {cell.source[:80]!r}: {result.error_in_exec}"


def options(question: practice.Question) -> list[str]:
    """The options the test cell's visible check allows (its last list of strings)."""
    import ast

    lists = [node for node in ast.walk(ast.parse(question.visible))
             if isinstance(node, ast.List) and node.elts
             and all(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts)]
    return [e.value for e in lists[-1].elts]


def check_options(question: practice.Question, shell) -> list[str]:
    """The options of the visible ``check_choice``/``check_choices`` call, evaluated in the
    shell (a list written out, or one built from the notebook's data, as in a05's 5.4)."""
    import ast

    calls = [node for node in ast.walk(ast.parse(question.visible))
             if isinstance(node, ast.Call) and getattr(node.func, "id", None)
             in ("check_choice", "check_choices")]
    assert len(calls) == 1 and len(calls[0].args) == 3, question.visible
    found = shell.ev(ast.unparse(calls[0].args[2]))
    assert isinstance(found, list) and all(isinstance(o, str) for o in found)
    return found


def right_options(key: dict) -> list[str]:
    return [key["expect"]] if key["kind"] == "choice" else list(key["expect"])


def wrong_value(key: dict, shell, question: practice.Question) -> None:
    """Put a wrong answer of the right form into the shell for this key."""
    kind = key["kind"]
    ns = shell.user_ns
    if kind == "choice":
        ns[key["answer"]] = next(o for o in options(question) if o != key["expect"])
    elif kind == "choices":
        ns[key["answer"]] = set() if key["expect"] else {options(question)[0]}
    elif kind == "number":
        ns[key["answer"]] = key["expect"] + 10 * key["tolerance"] + 1000
    elif kind == "exact":
        expect = key["expect"]
        ns[key["answer"]] = (not expect) if isinstance(expect, bool) else (
            "0" * 64 if isinstance(expect, str) else expect + 1)
    elif kind == "bar_chart":
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots()  # the right form (title, labels), the wrong bars
        ax.bar(["x"], [1])
        ax.set(title="A title", xlabel="An x label", ylabel="A y label")
        ns[key["answer"]] = fig
    elif kind == "calls":
        first = key["cases"][0]["expect"]
        shell.run_cell(f"def {key['function']}(*args):\n    return {first!r}\n")
    elif kind == "signed_manifest":
        manifest, signature, public_key = key["answers"]
        ns[signature] = bytes(64)
    else:  # a new kind of key needs a wrong answer here
        raise AssertionError(kind)


@pytest.mark.parametrize("assignment", assignments())
def test_every_question_right_wrong_and_blank(assignment, shell, capsys, monkeypatch):
    monkeypatch.chdir(ROOT / "source" / assignment)  # where a learner's notebook runs
    q = questions(assignment)
    autograded = {n for n, v in q.items() if isinstance(v, practice.Question)}
    assert autograded == set(keys(assignment)), "every autograded question can be practised"
    written = {n for n, v in q.items() if isinstance(v, practice.Reflection)}
    assert written == reflections(assignment), "every reflection can be practised"
    run_model_answers(shell, assignment)
    capsys.readouterr()
    saved = dict(shell.user_ns)
    for number, key in keys(assignment).items():
        q[number].check()
        out = capsys.readouterr().out
        assert out.startswith("✔ Right"), f"{assignment} {number}: {out}"
        assert f'q["{number}"].solution()' in out
        wrong_value(key, shell, q[number])
        q[number].check()
        out = capsys.readouterr().out
        assert out.startswith("✘ Not yet"), f"{assignment} {number}: {out}"
        assert f'q["{number}"].hint()' in out, "a wrong answer points to the hint"
        if key["kind"] in ("choice", "choices"):  # each wrong option hears its own reason
            for option, reason in key["why"].items():
                shell.user_ns[key["answer"]] = option if key["kind"] == "choice" else {option}
                q[number].check()
                out = capsys.readouterr().out
                assert out.startswith("✘ Not yet") and reason in out, \
                    f"{assignment} {number} {option}: {out}"
                assert not [r for r in right_options(key) if repr(r) in out], \
                    f"{assignment} {number} {option}: a right option is named: {out}"
        for name in answer_names(key):
            shell.user_ns[name] = ...
        q[number].check()
        out = capsys.readouterr().out
        assert out.startswith("✘ Not yet") and ("has no answer" in out or "could not" in out), \
            f"{assignment} {number}: {out}"
        shell.user_ns.clear()
        shell.user_ns.update(copy.copy(saved))


@pytest.mark.parametrize("assignment", assignments())
def test_every_wrong_option_has_its_own_reason(assignment, shell, monkeypatch):
    """A choice or choices key says, in "why", why each option that is not right is wrong:
    one reason for every such option of the visible check and for no other, none of which
    quotes a right option (issue 17, item 7)."""
    monkeypatch.chdir(ROOT / "source" / assignment)
    run_model_answers(shell, assignment)  # some options come from the notebook's data
    q = questions(assignment)
    found = 0
    for number, key in keys(assignment).items():
        if key["kind"] not in ("choice", "choices"):
            assert "why" not in key
            continue
        found += 1
        offered, right = check_options(q[number], shell), right_options(key)
        assert set(right) <= set(offered), f"{assignment} {number}: the key's options"
        why = key.get("why", {})
        assert set(why) == set(offered) - set(right), \
            f"{assignment} {number}: reasons for exactly the wrong options"
        for option, reason in why.items():
            words = len(reason.split())
            assert 8 <= words <= 60, f"{assignment} {number} {option}: one or two sentences"
            ends = re.findall(r"(?<!\bArt)(?<!\bv)[.!?](?:\s+(?=[A-Z])|$)", reason)
            assert len(ends) <= 2, \
                f"{assignment} {number} {option}: one or two sentences"
            for value in right:
                assert f'"{value}"' not in reason and f"'{value}'" not in reason, \
                    f"{assignment} {number} {option}: the reason quotes a right option"
    assert found, f"{assignment} has choice questions"


@pytest.mark.parametrize("assignment", assignments())
def test_every_key_has_a_hint_and_an_explanation(assignment):
    for number, key in keys(assignment).items():
        hint, explain = key.get("hint", ""), key.get("explain", "")
        assert len(hint.split()) >= 8, f"{assignment} {number}: a hint of a sentence or more"
        assert len(explain.split()) >= 20, f"{assignment} {number}: an explanation"
        assert not re.search(r"\bBEGIN\b|\bEND\b", hint + explain)
        if key["kind"] == "choice":
            assert f'"{key["expect"]}"' not in hint and f"'{key['expect']}'" not in hint, \
                f"{assignment} {number}: the hint names the answer"


@pytest.mark.parametrize("assignment", assignments())
def test_source_has_a_practice_cell_after_every_autograded_test(assignment):
    nb = read(ROOT / "source" / assignment / notebook_name(assignment))
    cells = nb.cells
    setup = [c for c in cells if meta(c).get("grade_id") == "practice_setup"]
    assert len(setup) == 1 and f'questions("{assignment}", keys="' in setup[0].source
    for i, cell in enumerate(cells):
        if cell.cell_type == "code" and meta(cell).get("grade"):
            number = question_number(meta(cell)["grade_id"])
            after = cells[i + 1]
            assert "practice" in after.metadata.get("tags", []), meta(cell)["grade_id"]
            assert after.source.splitlines() == [f'q["{number}"].check()',
                                                 f'# q["{number}"].hint()',
                                                 f'# q["{number}"].solution()']
        if cell.cell_type == "markdown" and meta(cell).get("points"):  # a written question
            number = question_number(meta(cell)["grade_id"])
            answer, after = cells[i + 1], cells[i + 2]
            assert not meta(answer) and "practice" in after.metadata.get("tags", []), number
            assert after.source.startswith(f'q["{number}"].check()') and \
                f'# q["{number}"].solution()' in after.source


def test_partial_credit_and_hints_never_give_the_answer(shell, capsys):
    q = questions("a02-legal-aspects")
    shell.user_ns["answer2_3"] = {"visible-label"}
    q["2.3"].check()
    assert "Partly right (0.5 of 1" in capsys.readouterr().out
    q["2.1"].hint()
    hint = capsys.readouterr().out
    assert hint.startswith("Hint:") and '"use"' not in hint


def test_solution_only_after_an_attempt_with_its_explanation(shell, capsys):
    q = questions("a02-legal-aspects")
    q["2.1"].solution()
    assert "Try it first" in capsys.readouterr().out
    shell.user_ns["answer2_1"] = "tool"
    q["2.1"].check()
    q["2.1"].solution()
    out = capsys.readouterr().out
    assert 'answer2_1 = "use"' in out and not any(map(course_markers().is_marker,
                                                       out.splitlines()))
    assert "Why: The TAKE IT DOWN Act" in out


def test_a_form_error_is_told_apart_and_does_not_open_the_model_answer(shell, capsys):
    q = questions("a02-legal-aspects")
    shell.user_ns["answer2_1"] = "Use"
    q["2.1"].check()
    out = capsys.readouterr().out
    assert out.startswith("✘ Not yet: the form of your answer.") and "capital" in out, out
    assert "not the right choice" not in out
    q["2.1"].solution()
    assert "Try it first" in capsys.readouterr().out, "a form error is not an attempt"
    shell.user_ns["answer2_1"] = ...
    q["2.1"].check()
    q["2.1"].solution()
    assert "Try it first" in capsys.readouterr().out, "nor is a blank answer"


def test_a_decision_function_hears_which_cases_it_decided_wrongly(shell, capsys,
                                                                   monkeypatch):
    monkeypatch.chdir(ROOT / "source" / "a04-harms-and-consent")
    q = questions("a04-harms-and-consent")
    key = q["4.9"].key
    shell.run_cell(f"def {key['function']}(case):\n    return 'allow'\n")
    q["4.9"].check()
    out = capsys.readouterr().out
    wrong = [c["about"] for c in key["cases"] if c["expect"] != "allow"]
    assert "Cases it decided wrongly:" in out and wrong[0] in out, out
    right = [c["about"] for c in key["cases"] if c["expect"] == "allow"]
    assert right[0] not in out


def test_an_unknown_question_number_names_the_ones_there_are():
    with pytest.raises(KeyError, match="2.1"):
        questions("a02-legal-aspects")["7.7"]


@pytest.mark.parametrize("assignment", assignments())
def test_a_class_environment_says_the_instructor_grades(assignment, shell, capsys,
                                                        monkeypatch):
    monkeypatch.setattr(practice, "find_source", lambda *args: None)
    q = questions(assignment)
    number = next(iter(keys(assignment)))
    outputs = []
    for action in ("check", "hint", "solution", "check"):
        getattr(q[number], action)()
        outputs.append(capsys.readouterr().out.strip())
    assert outputs[0] == CLASS_NOTE, "in full the first time in a session"
    assert outputs[1:] == [CLASS_NOTE_SHORT] * 3, "briefly afterwards"


def test_never_during_grading(shell, capsys, monkeypatch):
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    shell.user_ns["answer2_1"] = "use"
    questions("a02-legal-aspects")["2.1"].check()
    assert capsys.readouterr().out.strip() == CLASS_NOTE


def test_a_fetched_assignment_without_source_gets_the_class_note(tmp_path, monkeypatch,
                                                                  shell, capsys):
    """A student's fetched folder (~/<course>/<assignment>/) has no source/ above it."""
    folder = tmp_path / "home" / "deepfake-ethics" / "a02-legal-aspects"
    folder.mkdir(parents=True)
    monkeypatch.chdir(folder)
    monkeypatch.setattr(practice, "_beside_package", lambda: tmp_path / "site-packages")
    assert practice.find_source("a02-legal-aspects") is None
    questions("a02-legal-aspects")["2.1"].check()
    assert capsys.readouterr().out.strip() == CLASS_NOTE


# -- written reflections: the rubric as a checklist, then a model answer ---------------------

REFLECTION = """**Question 9.1** (2 points, graded by hand). In 150 to 250 words, argue a case.

**How this answer is graded** (2 points: each criterion earns 1, ½ or 0)

| criterion | 1 point | ½ point | 0 points |
|---|---|---|---|
| **Takes a position** | states it and defends it | states it only | none |
| **Uses the lesson** | applies a rule to the case | names a rule | no rule |

### BEGIN MARK SCHEME

1. **Takes a position (1).** Graders: a clear claim.
2. **Uses the lesson (1).** Graders: the rule applied.

**Model answer.** A model paragraph that argues the case with care.

### END MARK SCHEME"""


def _reflection_notebooks(tmp_path, answer: str):
    import nbformat

    def notebook(question: str):
        nb = nbformat.v4.new_notebook()
        cell = nbformat.v4.new_markdown_cell(question)
        cell.metadata["nbgrader"] = {"grade_id": "reflection9_1", "points": 2, "task": True,
                                     "grade": False, "solution": False, "locked": True}
        nb.cells = [cell, nbformat.v4.new_markdown_cell(answer)]
        return nb

    (tmp_path / "source" / "a09-x").mkdir(parents=True)
    nbformat.write(notebook(REFLECTION), tmp_path / "source" / "a09-x" / "a09-x.ipynb")
    student = tmp_path / "student"
    student.mkdir()
    released = rubric.visible_part(REFLECTION)
    nbformat.write(notebook(released), student / "a09-x.ipynb")
    return student


def test_a_reflection_opens_its_model_answer_only_after_a_saved_answer(tmp_path, capsys,
                                                                       monkeypatch):
    student = _reflection_notebooks(tmp_path, "YOUR ANSWER HERE")
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    monkeypatch.setattr(practice, "_beside_package", lambda: tmp_path)
    q = questions("a09-x", start=student)
    r = q["9.1"]
    r.solution()
    out = capsys.readouterr().out
    assert "Write your own answer first" in out and "model paragraph" not in out
    r.check()  # still the placeholder
    out = capsys.readouterr().out
    assert out.startswith("✘ Not yet") and "save the notebook" in out
    r.solution()
    assert "model paragraph" not in capsys.readouterr().out

    import nbformat
    nb = nbformat.read(student / "a09-x.ipynb", as_version=4)
    nb.cells[1].source = "word " * 120
    nbformat.write(nb, student / "a09-x.ipynb")
    r.check()
    out = capsys.readouterr().out
    assert "120 words; the question asks for 150 to 250" in out
    assert "[ ] 1. Takes a position" in out and "½ point: names a rule" in out
    assert "Graders" not in out and "model paragraph" not in out  # criteria, not the scheme
    r.solution()
    assert "A model paragraph that argues the case" in capsys.readouterr().out


def test_in_a_class_a_reflection_keeps_its_rubric_and_has_no_model_answer(tmp_path, capsys,
                                                                        monkeypatch):
    import shutil

    student = _reflection_notebooks(tmp_path, "word " * 200)
    shutil.rmtree(tmp_path / "source")  # a class: the student's copy, and no source/
    monkeypatch.setattr(practice, "_beside_package", lambda: tmp_path / "elsewhere")
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    r = questions("a09-x", start=student)["9.1"]
    assert isinstance(r, practice.Reflection) and r.model == ""
    r.check()
    out = capsys.readouterr().out
    assert "200 words, within the 150 to 250 asked" in out and "[ ] 2. Uses the lesson" in out
    assert CLASS_NOTE in out
    r.solution()
    assert "model" not in capsys.readouterr().out.lower()
