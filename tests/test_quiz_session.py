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


def test_a_quiz_rewritten_since_an_answer_asks_for_it_again(tmp_path, monkeypatch):
    """Answers are kept as option places: once a quiz's options change, an earlier answer
    means another option. It is kept aside, not counted, and the next answer is a new
    first try (issue 17: no stale first-try results)."""
    import msgspec

    from deepfake_ethics import progress, progress_chart

    quiz = _quiz("single")
    store = ProgressStore(tmp_path / "progress.json")
    right = next(iter(quiz.correct_indices))
    wrong = next(i for i in range(len(quiz.options)) if i != right)
    QuizSession(quiz, store).check((right,))  # right at the first try, as the quiz is now
    assert store.load()["quizzes"][quiz.id]["item_version"] == quiz.version

    # The same progress file, after the quiz's options were reworded.
    reworded = msgspec.structs.replace(quiz, options=tuple(
        msgspec.structs.replace(o, text=o.text + " (reworded)") for o in quiz.options))
    assert reworded.version != quiz.version
    rewritten = {**bank.quizzes(), quiz.id: reworded}
    monkeypatch.setattr(bank, "quizzes", lambda: rewritten)

    def row() -> dict:
        return next(r for r in progress.summary(store) if r["lesson"] == quiz.lesson)

    assert row()["earlier_versions"] == 1 and row()["first_try_right"] == 0
    assert "answer it again to count it" in progress_chart.show_progress(store).caption
    QuizSession(reworded, store).check((wrong,))  # the new first try is wrong
    data = ProgressStore(tmp_path / "progress.json").load()  # as read back from the file
    assert data["quizzes"][quiz.id]["first_correct"] is False
    assert data["quizzes"][quiz.id]["attempts"] == 1
    assert data["earlier"][quiz.id][0]["first_correct"] is True  # kept, not lost
    assert row()["earlier_versions"] == 0 and row()["first_try_right"] == 0


def test_a_quiz_version_follows_its_meaning_not_its_feedback():
    import msgspec

    quiz = next(q for q in bank.quizzes().values() if q.kind == "single")
    same = msgspec.structs.replace(quiz, hint=quiz.hint + " More.", explanation="Other words.")
    assert same.version == quiz.version
    swapped = msgspec.structs.replace(quiz, options=quiz.options[::-1])
    assert swapped.version != quiz.version
    rekeyed = msgspec.structs.replace(quiz, options=tuple(
        msgspec.structs.replace(o, correct=not o.correct) for o in quiz.options))
    assert rekeyed.version != quiz.version
