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
