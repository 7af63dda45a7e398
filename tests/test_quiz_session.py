"""The quiz model without widgets: marking, hint then answer, reveal, records."""

from __future__ import annotations

from deepfake_ethics import bank
from deepfake_ethics.progress import ProgressStore
from deepfake_ethics.quiz_session import QuizSession


def _quiz(kind):
    return next(q for q in bank.quizzes().values() if q.kind == kind)


def test_a_wrong_first_try_earns_a_hint_then_the_answer(tmp_path):
    store = ProgressStore(tmp_path / "p.json")
    q = _quiz("single")
    wrong = next(i for i, o in enumerate(q.options) if not o.correct)
    right = tuple(q.correct_indices)
    session = QuizSession(q, store)
    assert session.check(()).stage == "empty" and session.attempts == 0
    first = session.check((wrong,))
    assert (first.correct, first.stage) == (False, "hint") and session.answer_offered
    second = session.check((wrong,))
    assert (second.correct, second.stage) == (False, "answer")
    assert store.load()["quizzes"][q.id]["first_correct"] is False
    fresh = QuizSession(q, ProgressStore(tmp_path / "q.json"))
    assert fresh.check(right).stage == "answer"


def test_reveal_and_reflections(tmp_path):
    store = ProgressStore(tmp_path / "p.json")
    q = _quiz("multiple")
    session = QuizSession(q, store)
    session.reveal()
    wrong = next(i for i, o in enumerate(q.options) if not o.correct)
    assert session.check((wrong,)).stage == "answer", "after a reveal, no more hints"
    assert q.mark(tuple(q.correct_indices)) is True and q.mark((wrong,)) is False
    r = _quiz("reflection")
    marking = QuizSession(r, store).check((0,))
    assert (marking.correct, marking.stage) == (None, "reflection") and r.mark((0,)) is None
    QuizSession(r, store).save_note("Consent matters more than intent.")
    assert store.note(r.id) == "Consent matters more than intent."


def test_the_feedback_object_says_what_to_show_and_offer(tmp_path):
    """Each action returns a Feedback: its HTML and the controls to offer next, decided by
    the session (a view only shows them). No widget is involved."""
    from deepfake_ethics.quiz_feedback import Feedback

    q = _quiz("multiple")
    session = QuizSession(q, ProgressStore(tmp_path / "p.json"))
    wrong = next(i for i, o in enumerate(q.options) if not o.correct)
    right = min(q.correct_indices)
    assert sorted(session.order) == list(range(len(q.options)))

    empty = session.check(())
    assert isinstance(empty, Feedback) and not empty.locked and "Nothing chosen" in empty.html
    hint = session.check((wrong, right))
    assert hint.view_state() == {"html": hint.html, "locked": True, "retry": True,
                                 "reveal": True, "note": False}
    assert "Hint:" in hint.html and "1 of your 2 choices is not right" in hint.html
    for option in q.options:  # a hint names no option
        assert option.text not in hint.html
    cleared = session.retry()
    assert (cleared.html, cleared.locked, cleared.retry, cleared.reveal) == ("", False,
                                                                           False, True)
    answer = session.check((wrong, right))
    assert answer.stage == "answer" and "✘ Partly right." in answer.html
    assert not answer.reveal and answer.retry and answer.locked
    shown = session.reveal()
    assert "○ The answer." in shown.html and not shown.reveal
    assert session.retry().reveal is False  # the answer was shown: nothing more to offer


def test_the_session_imports_no_widget_code():
    import subprocess
    import sys

    code = ("import sys, deepfake_ethics.quiz_session; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('ipywidgets', 'anywidget') or m == 'deepfake_ethics.quiz_widget'))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "[]"


def test_feedback_is_shown_before_the_record_is_written(tmp_path):
    """The learner does not wait for the durable write of their progress: ``show`` gets
    the feedback first, and the record follows."""
    store = ProgressStore(tmp_path / "p.json")
    q = _quiz("single")
    seen = []
    session = QuizSession(q, store)
    result = session.check((min(q.correct_indices),),
                           show=lambda f: seen.append((f, q.id in store.load()["quizzes"])))
    assert seen == [(result, False)]
    assert store.load()["quizzes"][q.id]["correct"] is True
    empty = []
    session.check((), show=empty.append)
    assert [f.stage for f in empty] == ["empty"]
