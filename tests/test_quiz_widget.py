"""The quiz engine: right, wrong (hint first, answer later), nothing chosen, several answers,
show the answer, reflection with every position and the learner's own reasoning, retry,
per-learner option order, static fallback, executed HTML export and keyboard reachability."""

from __future__ import annotations

import html
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from deepfake_ethics import bank
from deepfake_ethics.progress import ProgressStore
from deepfake_ethics.quiz_widget import (
    QuizWidget,
    option_order,
    quiz,
    static_html,
    static_text,
)
from deepfake_ethics.schema import parse_quiz_file

CONTENT = {
    "lesson": "09-test",
    "title": "Test lesson",
    "quizzes": [
        {"id": "t-single", "kind": "single", "title": "One answer",
         "scenario": "Ana wants to post a clip.", "question": "May she?",
         "hint": "HINT-single", "shuffle": False,
         "options": [{"text": "Yes, always", "feedback": "FB-yes"},
                     {"text": "Only with consent", "correct": True, "feedback": "FB-consent"},
                     {"text": "Never", "feedback": "FB-never"}],
         "explanation": "EXPL-single", "sources": [
             {"title": "Src", "url": "https://example.org", "date": "2024"}]},
        {"id": "t-multi", "kind": "multiple", "title": "Several answers",
         "scenario": "Ben checks a video.", "question": "Which apply?",
         "hint": "HINT-multi", "shuffle": False,
         "options": [{"text": "Hash", "correct": True, "feedback": "FB-hash"},
                     {"text": "Signature", "correct": True, "feedback": "FB-sig"},
                     {"text": "Gut feeling", "feedback": "FB-gut"}],
         "explanation": "EXPL-multi", "sources": [
             {"title": "Src", "url": "https://example.org", "date": "2024"}]},
        {"id": "t-reflect", "kind": "reflection", "title": "Your view",
         "scenario": "Cleo reads a claim.", "question": "Is a tool neutral?",
         "shuffle": False,
         "options": [{"text": "Yes", "feedback": "FB-neutral"},
                     {"text": "No", "feedback": "FB-laden"}],
         "discussion": ["DISC-1", "DISC-2"],
         "explanation": "EXPL-reflect", "sources": [
             {"title": "Src", "url": "https://example.org", "date": "2024"}]},
        {"id": "t-shuffled", "kind": "single", "title": "Shuffled",
         "scenario": "Dan has six options.", "question": "Which is it?", "hint": "HINT-6",
         "options": [{"text": f"Option {n}", "correct": n == 4, "feedback": f"FB-{n}"}
                     for n in range(6)],
         "explanation": "EXPL-6", "sources": [
             {"title": "Src", "url": "https://example.org", "date": "2024"}]},
    ],
}
QUIZZES = {q.id: q for q in parse_quiz_file(CONTENT, "test.yaml")}
SECRETS = ("FB-", "EXPL-", "HINT-", "✔", "correct")


@pytest.fixture
def store(tmp_path) -> ProgressStore:
    return ProgressStore(tmp_path / "progress.json")


@pytest.fixture
def make(store):
    return lambda quiz_id: QuizWidget(QUIZZES[quiz_id], store)


def test_right_answer_shows_explanation_and_sources(make, store):
    w = make("t-single")
    w.select(1)
    result = w.check()
    assert result.correct is True and result.stage == "answer"
    shown = w.feedback["html"]
    assert "✔ Correct." in shown
    assert "FB-consent" in shown and "EXPL-single" in shown
    assert "https://example.org" in shown
    assert "FB-yes" not in shown and "HINT-single" not in shown
    assert w.feedback["reveal"] is False and w.feedback["locked"] is True
    entry = store.load()["quizzes"]["t-single"]
    assert entry["first_correct"] is True and entry["attempts"] == 1


def test_wrong_first_try_gets_a_hint_and_nothing_about_any_option(make, store):
    w = make("t-single")
    w.select(0)
    result = w.check()
    assert result.correct is False and result.stage == "hint"
    assert w.feedback["html"] == result.html
    assert "✘ Not quite." in result.html
    assert "➜ Hint:" in result.html and "HINT-single" in result.html
    # Nothing that names or explains the right answer yet, not even the chosen option's
    # own feedback (a wrong option's feedback may name the right one).
    for secret in ("FB-yes", "FB-consent", "Only with consent", "EXPL-single",
                   "https://example.org"):
        assert secret not in result.html
    assert w.feedback["reveal"] is True  # "Show the answer" is offered
    assert w.feedback["retry"] is True
    assert store.load()["quizzes"]["t-single"]["first_correct"] is False


def test_second_try_shows_the_answer_whatever_it_is(make, store):
    w = make("t-single")
    w.select(0)
    w.check()
    w.retry()
    assert w.feedback["reveal"] is True  # still one click away after Try again
    w.select(2)
    result = w.check()
    assert result.correct is False and result.stage == "answer"
    assert "FB-never" in result.html and "HINT-single" not in result.html
    assert "○ The right answer:" in result.html and "Only with consent" in result.html
    assert "FB-consent" in result.html and "EXPL-single" in result.html
    assert "https://example.org" in result.html
    assert w.feedback["reveal"] is False
    entry = store.load()["quizzes"]["t-single"]
    assert entry == entry | {"attempts": 2, "first_correct": False, "correct": False}


def test_show_the_answer_reveals_it_and_records_nothing(make, store):
    w = make("t-single")
    w.select(0)
    w.check()
    body = w.show_answer().html
    assert body == w.feedback["html"]
    assert "Only with consent" in body and "FB-consent" in body and "EXPL-single" in body
    assert "https://example.org" in body and "FB-yes" not in body
    assert w.feedback["reveal"] is False and w.feedback["locked"] is True
    assert store.load()["quizzes"]["t-single"]["attempts"] == 1
    w.retry()  # practising after the answer: no hint stage any more
    assert w.feedback["reveal"] is False
    w.select(0)
    assert w.check().stage == "answer"


def test_nothing_selected_asks_for_a_choice_and_records_nothing(make, store):
    w = make("t-single")
    result = w.check()
    assert result.correct is None and result.chosen == () and result.stage == "empty"
    assert "Nothing chosen yet" in w.feedback["html"]
    assert "EXPL-single" not in w.feedback["html"] and "HINT" not in w.feedback["html"]
    assert w.feedback["locked"] is False
    assert store.load()["quizzes"] == {}
    w.select(0)
    assert w.check().stage == "hint"  # a check with nothing chosen was not a try


def test_several_answers_hint_then_answer(make):
    w = make("t-multi")
    w.select(0)
    partly = w.check()
    assert partly.correct is False and partly.stage == "hint"
    assert "✘ Not yet right:</strong> 1 right option is missing." in partly.html
    for named in ("FB-hash", "Signature", "FB-sig", "✔", "Partly right"):
        assert named not in partly.html, named  # no option is marked or explained yet
    assert "HINT-multi" in partly.html and "EXPL-multi" not in partly.html
    w.retry()
    w.select(0, 2)
    second = w.check()
    assert second.stage == "answer" and "○ Also right:" in second.html
    assert "Signature" in second.html and "✘ Not right:" in second.html
    assert "✘ Partly right." in second.html
    assert "EXPL-multi" in second.html
    w.retry()
    w.select(0, 1)
    assert w.check().correct is True


def test_single_answer_refuses_two_choices_and_unknown_options(make):
    with pytest.raises(ValueError):
        make("t-single").select(0, 1)
    with pytest.raises(ValueError, match="no option"):
        make("t-single").select(7)


def test_reflection_shows_every_position_and_keeps_the_learners_reasoning(make, store):
    w = make("t-reflect")
    assert w.feedback["note"] is False  # the box comes after choosing
    assert w.content["note"]["label"] == "Your reasoning"
    w.select(1)
    result = w.check()
    assert result.correct is None and result.stage == "reflection"
    # Every position, not only the chosen one, with the chosen one marked.
    assert "FB-laden" in result.html and "FB-neutral" in result.html
    assert "➜ Your view:</strong> <em>No</em>" in result.html
    assert "◇ Another view:</strong> <em>Yes</em>" in result.html
    assert "DISC-1" in result.html and "DISC-2" in result.html and "EXPL-reflect" in result.html
    assert "✔" not in result.html and "✘" not in result.html
    assert w.feedback["reveal"] is False
    assert store.load()["quizzes"]["t-reflect"]["correct"] is None
    assert w.feedback["note"] is True
    w.note = "Tools carry their makers' choices."
    w.save_note()
    assert "Saved" in w.note_status
    saved = store.load()["notes"]["t-reflect"]
    assert saved["text"] == "Tools carry their makers' choices." and saved["lesson"] == "09-test"
    assert make("t-reflect").note == "Tools carry their makers' choices."  # next run
    w.retry()
    assert w.feedback["note"] is True  # the box stays once shown
    w.note = "   "
    w.save_note()
    assert "t-reflect" not in store.load()["notes"]


def test_retry_clears_and_keeps_first_try_result(make, store):
    w = make("t-single")
    w.select(2)
    w.check()
    assert w.feedback["locked"] is True and w.feedback["retry"] is True
    w.retry()
    assert w.selected() == () and w.feedback["html"] == ""
    assert w.feedback["locked"] is False and w.feedback["retry"] is False
    w.select(1)
    assert w.check().correct is True
    entry = store.load()["quizzes"]["t-single"]
    assert entry == entry | {"attempts": 2, "first_correct": False, "correct": True}


def test_actions_from_the_front_end_go_to_the_session(make, store):
    """What quiz.js sends (model.send({action})) reaches the session; anything else is
    ignored."""
    w = make("t-single")
    w.chosen = [0]  # what a click on the first option sets
    w._on_action(w, {"action": "check"}, [])
    assert "HINT-single" in w.feedback["html"]
    w._on_action(w, {"action": "reveal"}, [])
    assert "EXPL-single" in w.feedback["html"]
    w._on_action(w, {"action": "retry"}, [])
    assert w.feedback["html"] == "" and w.chosen == []
    w._on_action(w, {"action": "__init__"}, [])
    w._on_action(w, "check", [])
    assert w.feedback["html"] == ""
    assert store.load()["quizzes"]["t-single"]["attempts"] == 1


def test_option_order_is_the_learners_own_and_stable(tmp_path):
    q = QUIZZES["t-shuffled"]
    first = QuizWidget(q, ProgressStore(tmp_path / "a.json"))
    again = QuizWidget(q, ProgressStore(tmp_path / "a.json"))  # a later run, same learner
    assert first.order == again.order and sorted(first.order) == list(range(6))
    assert [o["text"] for o in first.content["options"]] == first.shown_options
    assert [o["key"] for o in first.content["options"]] == list(first.order)
    orders = {option_order(q, f"learner-{n}") for n in range(20)}
    assert len(orders) > 10  # different learners see different orders
    assert option_order(QUIZZES["t-single"], "anyone") == (0, 1, 2)  # shuffle: false


def test_answers_are_recorded_by_content_place_whatever_the_order(tmp_path):
    store = ProgressStore(tmp_path / "p.json")
    w = QuizWidget(QUIZZES["t-shuffled"], store)
    w.chosen = [4]  # what a click on the right option does, wherever it is shown
    assert w.selected() == (4,)
    assert w.check().correct is True
    assert store.load()["quizzes"]["t-shuffled"]["choice"] == [4]
    assert len(store.learner_id()) == 16 and store.load()["learner"] == store.learner_id()


def test_the_learner_id_survives_a_reset(tmp_path):
    store = ProgressStore(tmp_path / "p.json")
    learner = store.learner_id()
    store.reset()
    assert ProgressStore(tmp_path / "p.json").learner_id() == learner


def test_the_view_is_one_es_module_and_one_stylesheet(make):
    """Every quiz uses the same two files of the package; the stylesheet hides the text
    version beside a drawn quiz (the browser tests check that it works)."""
    from deepfake_ethics.quiz_frontend import CSS, ESM

    a, b = make("t-single"), make("t-multi")
    assert a._esm == b._esm == ESM.read_text(encoding="utf-8")
    assert a._css == b._css == CSS.read_text(encoding="utf-8")
    assert ".dfe-quiz-static" in a._css


def test_feedback_does_not_rely_on_colour(make):
    w = make("t-single")
    w.select(0)
    html = w.check().html
    assert "color" not in html.lower()
    assert "✘ Not quite." in html
    w.retry()
    w.select(0)
    answer = w.check().html  # every option's line starts with a word and a symbol
    assert "color" not in answer.lower()
    assert "✘ Not right:" in answer and "○ The right answer:" in answer


def test_static_fallback_never_shows_the_answer(make):
    w = make("t-single")
    bundle = w.fallback_bundle()
    for text in (bundle["text/html"], bundle["text/plain"], repr(w)):
        assert "Ana wants to post a clip." in text and "May she?" in text
        assert "Only with consent" in text
        for secret in SECRETS:
            assert secret not in text
    assert static_html(w.quiz).count("<li>") == 3
    assert "( ) Never" in static_text(w.quiz)


def _words(text: str) -> str:
    """Text as its words only: HTML and JSON escapes and punctuation do not hide a match."""
    text = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), text)
    return " ".join(re.findall(r"[^\W_]+", html.unescape(re.sub(r"<[^>]+>", " ", text))))


def _secrets(q) -> list[str]:
    """What an export must not show: feedback, hint, explanation (first words of each)."""
    texts = [o.feedback for o in q.options] + [q.hint, q.explanation]
    return [" ".join(_words(t).split()[:8]) for t in texts if t]


def test_fallback_is_shown_beside_the_widget_and_hidden_where_it_is_drawn(make, ipython_shell):
    w = make("t-single")
    shell = ipython_shell
    shown: list[dict] = []
    publish = shell.display_pub.publish
    shell.display_pub.publish = lambda data, metadata=None, **kw: shown.append(data)
    try:
        w._ipython_display_()
    finally:
        shell.display_pub.publish = publish
    text, widget = shown
    assert set(text) == {"text/html", "text/plain"}
    assert 'class="dfe-quiz-static"' in text["text/html"]
    assert "application/vnd.jupyter.widget-view+json" in widget and "text/html" not in widget


@pytest.mark.slow
@pytest.mark.parametrize("widget_state", [False, True], ids=["no-widget-state", "widget-state"])
def test_html_export_shows_the_text_version_without_the_answer(widget_state):
    """Executed headless and exported to HTML, a quiz reads as text and gives nothing away,
    whether or not the widgets' state is saved with the notebook (which, in one output,
    would win over any fallback and leave an empty box where no widget can be drawn)."""
    from nbclient import NotebookClient
    from nbconvert import HTMLExporter

    q = next(q for q in bank.quizzes().values() if q.kind == "single")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(f"from deepfake_ethics import quiz\nquiz({q.id!r})")]
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   store_widget_state=widget_state).execute()
    assert ("widgets" in nb.metadata) is widget_state
    body, _ = HTMLExporter().from_notebook_node(nb)
    assert "Open this notebook in JupyterLab" in body
    words = _words(body)
    assert _words(q.title) in words and _words(q.question) in words
    for option in q.options:
        assert _words(option.text) in words
    for secret in _secrets(q):
        assert secret not in words


@pytest.mark.slow
def test_nbconvert_execute_export_of_every_quiz(tmp_path):
    """`jupyter nbconvert --to html --execute`, as a reader would run it, on a notebook with
    every quiz of the course: each shows its text, and no feedback, hint or explanation."""
    quizzes = list(bank.quizzes().values())
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("from deepfake_ethics import quiz")]
    nb.cells += [nbformat.v4.new_code_cell(f"quiz({q.id!r})") for q in quizzes]
    path = tmp_path / "all-quizzes.ipynb"
    nbformat.write(nb, path)
    jupyter = Path(sys.executable).with_name("jupyter")
    subprocess.run([str(jupyter), "nbconvert", "--to", "html", "--execute", str(path)],
                   check=True, capture_output=True, timeout=600)
    body = (tmp_path / "all-quizzes.html").read_text(encoding="utf-8")
    assert body.count("Open this notebook in JupyterLab") == len(quizzes)
    words = _words(body)
    for q in quizzes:
        assert _words(f"Quiz: {q.title}") in words, q.id
        assert _words(q.question) in words, q.id
        for option in q.options:
            assert _words(option.text) in words, (q.id, option.text)
        for secret in _secrets(q):
            assert secret not in words, (q.id, secret)


def test_quiz_function_uses_the_course_bank():
    q = next(iter(bank.quizzes()))
    assert quiz(q).quiz.id == q
    with pytest.raises(KeyError):
        quiz("no-such-quiz")
