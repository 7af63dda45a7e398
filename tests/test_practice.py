"""Self-study checks for the assignments: right, wrong, blank, hints, model answers, and
what a class environment (no source/) says."""

from __future__ import annotations

import sys

import pytest
from IPython.core.interactiveshell import InteractiveShell

from deepfake_ethics import practice
from deepfake_ethics.practice import CLASS_NOTE, questions


@pytest.fixture()
def shell():
    """An in-process IPython shell; afterwards the real ``__main__`` is put back (IPython
    replaces it, which would break multiprocessing in later tests)."""
    main = sys.modules["__main__"]
    shell = InteractiveShell.instance()
    yield shell
    shell.user_ns.clear()
    InteractiveShell.clear_instance()
    sys.modules["__main__"] = main


def test_check_right_wrong_and_blank(shell, capsys):
    q = questions("a02-legal-aspects")
    assert {"2.1", "2.3", "2.8"} <= set(q)
    shell.user_ns["answer2_1"] = ...
    q["2.1"].check()
    assert "has no answer" in capsys.readouterr().out
    shell.user_ns["answer2_1"] = "tool"
    q["2.1"].check()
    assert "✘ Not yet" in capsys.readouterr().out
    shell.user_ns["answer2_1"] = "use"
    q["2.1"].check()
    assert "✔ Right" in capsys.readouterr().out


def test_partial_credit_and_decision_functions(shell, capsys):
    q = questions("a02-legal-aspects")
    shell.user_ns["answer2_3"] = {"visible-label"}
    q["2.3"].check()
    assert "Partly right (0.5 of 1" in capsys.readouterr().out
    shell.run_cell("def ai_act_disclosure(case):\n    return 'none'\n")
    q["2.8"].check()
    assert "of the 8 hidden cases" in capsys.readouterr().out


def test_solution_only_after_an_attempt_and_hints_never_give_the_answer(shell, capsys):
    q = questions("a02-legal-aspects")
    q["2.1"].solution()
    assert "Try it first" in capsys.readouterr().out
    q["2.1"].hint()
    hint = capsys.readouterr().out
    assert hint.startswith("Hint:") and '"use"' not in hint
    shell.user_ns["answer2_1"] = "tool"
    q["2.1"].check()
    q["2.1"].solution()
    out = capsys.readouterr().out
    assert 'answer2_1 = "use"' in out and "BEGIN SOLUTION" not in out


def test_a_class_environment_says_the_instructor_grades(shell, capsys, monkeypatch):
    monkeypatch.setattr(practice, "find_source", lambda *args: None)
    q = questions("a02-legal-aspects")
    for action in ("check", "hint", "solution"):
        getattr(q["2.1"], action)()
        assert capsys.readouterr().out.strip() == CLASS_NOTE
    monkeypatch.undo()
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    questions("a02-legal-aspects")["2.1"].check()
    assert capsys.readouterr().out.strip() == CLASS_NOTE, "never during grading"
