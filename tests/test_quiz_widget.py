"""The quiz engine: right, wrong, nothing chosen, several answers, reflection, retry,
static fallback and keyboard reachability."""

from __future__ import annotations

import json

import ipywidgets as widgets
import nbformat
import pytest
from nbclient import NotebookClient
from nbconvert import HTMLExporter

from deepfake_ethics import bank
from deepfake_ethics.progress import ProgressStore
from deepfake_ethics.quiz_widget import QuizWidget, quiz, static_html, static_text
from deepfake_ethics.schema import parse_quiz_file

CONTENT = {
    "lesson": "09-test",
    "title": "Test lesson",
    "quizzes": [
        {"id": "t-single", "kind": "single", "title": "One answer",
         "scenario": "Ana wants to post a clip.", "question": "May she?",
         "options": [{"text": "Yes, always", "feedback": "FB-yes"},
                     {"text": "Only with consent", "correct": True, "feedback": "FB-consent"},
                     {"text": "Never", "feedback": "FB-never"}],
         "explanation": "EXPL-single", "sources": [
             {"title": "Src", "url": "https://example.org", "date": "2024"}]},
        {"id": "t-multi", "kind": "multiple", "title": "Several answers",
         "scenario": "Ben checks a video.", "question": "Which apply?",
         "options": [{"text": "Hash", "correct": True, "feedback": "FB-hash"},
                     {"text": "Signature", "correct": True, "feedback": "FB-sig"},
                     {"text": "Gut feeling", "feedback": "FB-gut"}],
         "explanation": "EXPL-multi", "sources": [
             {"title": "Src", "url": "https://example.org", "date": "2024"}]},
        {"id": "t-reflect", "kind": "reflection", "title": "Your view",
         "scenario": "Cleo reads a claim.", "question": "Is a tool neutral?",
         "options": [{"text": "Yes", "feedback": "FB-neutral"},
                     {"text": "No", "feedback": "FB-laden"}],
         "discussion": ["DISC-1", "DISC-2"],
         "explanation": "EXPL-reflect", "sources": [
             {"title": "Src", "url": "https://example.org", "date": "2024"}]},
    ],
}


@pytest.fixture
def store(tmp_path) -> ProgressStore:
    return ProgressStore(tmp_path / "progress.json")


@pytest.fixture
def make(store):
    quizzes = {q.id: q for q in parse_quiz_file(CONTENT, "test.yaml")}
    return lambda quiz_id: QuizWidget(quizzes[quiz_id], store)


def test_right_answer(make, store):
    w = make("t-single")
    w.select(1)
    result = w.check()
    assert result.correct is True
    assert "✔ Correct." in w.feedback.value
    assert "FB-consent" in w.feedback.value and "EXPL-single" in w.feedback.value
    assert "https://example.org" in w.feedback.value
    assert "FB-yes" not in w.feedback.value
    entry = store.load()["quizzes"]["t-single"]
    assert entry["first_correct"] is True and entry["attempts"] == 1


def test_wrong_answer_shows_that_options_feedback(make, store):
    w = make("t-single")
    w.select(0)
    result = w.check()
    assert result.correct is False
    assert "✘ Not quite." in w.feedback.value
    assert "FB-yes" in w.feedback.value and "FB-consent" not in w.feedback.value
    assert "EXPL-single" in w.feedback.value
    assert store.load()["quizzes"]["t-single"]["first_correct"] is False


def test_nothing_selected_asks_for_a_choice_and_records_nothing(make, store):
    w = make("t-single")
    result = w.check()
    assert result.correct is None and result.chosen == ()
    assert "Nothing chosen yet" in w.feedback.value
    assert "EXPL-single" not in w.feedback.value
    assert not w.check_button.disabled
    assert store.load()["quizzes"] == {}


def test_several_answers(make):
    w = make("t-multi")
    w.select(0)
    partly = w.check()
    assert partly.correct is False
    assert "Partly right" in partly.html
    assert "FB-hash" in partly.html and "○ Also right:" in partly.html
    w.retry()
    w.select(0, 1)
    assert w.check().correct is True
    w.retry()
    w.select(0, 1, 2)
    full = w.check()
    assert full.correct is False and "FB-gut" in full.html and "✘ Not right:" in full.html


def test_single_answer_refuses_two_choices(make):
    with pytest.raises(ValueError):
        make("t-single").select(0, 1)


def test_reflection_reveals_discussion(make, store):
    w = make("t-reflect")
    w.select(1)
    result = w.check()
    assert result.correct is None
    assert "FB-laden" in result.html and "DISC-1" in result.html and "DISC-2" in result.html
    assert "✔" not in result.html and "✘" not in result.html
    assert store.load()["quizzes"]["t-reflect"]["correct"] is None


def test_retry_clears_and_keeps_first_try_result(make, store):
    w = make("t-single")
    w.select(2)
    w.check()
    assert all(c.disabled for c in w.choices) and w.check_button.disabled
    assert w.retry_button.layout.display is None
    w.retry()
    assert w.selected() == () and w.feedback.value == ""
    assert not any(c.disabled for c in w.choices) and not w.check_button.disabled
    assert w.retry_button.layout.display == "none"
    w.select(1)
    assert w.check().correct is True
    entry = store.load()["quizzes"]["t-single"]
    assert entry == entry | {"attempts": 2, "first_correct": False, "correct": True}


def test_every_control_is_reachable_by_keyboard(make):
    for quiz_id in ("t-single", "t-multi", "t-reflect"):
        w = make(quiz_id)
        for control in w.controls:
            # Native form controls (radio group, checkbox, button) take focus with Tab.
            assert isinstance(control, widgets.RadioButtons | widgets.Checkbox | widgets.Button)
            assert control.tabbable is True
        for control in w.choices + [w.check_button]:
            assert not control.disabled
        names = [c.description for c in w.controls if isinstance(c, widgets.Button)]
        assert names == ["Check", "Try again"]
        # Every option is labelled with its own text (what a screen reader announces).
        if quiz_id == "t-multi":
            assert [c.description for c in w.choices] == ["Hash", "Signature", "Gut feeling"]
        else:
            assert list(w.choices[0].options) == [o.text for o in w.quiz.options]


def test_feedback_does_not_rely_on_colour(make):
    w = make("t-single")
    w.select(0)
    html = w.check().html
    assert "color" not in html.lower()
    assert "✘ Not quite." in html and "✘ Not right:" in html


def test_static_fallback_never_shows_the_answer(make):
    w = make("t-single")
    bundle = w._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    for text in (bundle["text/html"], bundle["text/plain"], repr(w)):
        assert "Ana wants to post a clip." in text and "May she?" in text
        assert "Only with consent" in text
        for secret in ("FB-", "EXPL-", "✔", "correct"):
            assert secret not in text
    assert static_html(w.quiz).count("<li>") == 3
    assert "( ) Never" in static_text(w.quiz)


@pytest.mark.parametrize("widget_state", [False, True], ids=["no-widget-state", "widget-state"])
def test_html_export_never_reveals_the_answer(widget_state):
    """Executed headless and exported to HTML, a quiz reads as text and gives nothing away.

    Without saved widget state (how the course commits notebooks, and what a static viewer
    sees) the text fallback is shown; with it, the widgets carry no feedback before a check.
    """
    q = next(iter(bank.quizzes().values()))
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(f"from deepfake_ethics import quiz\nquiz({q.id!r})")]
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   store_widget_state=widget_state).execute()
    body, _ = HTMLExporter().from_notebook_node(nb)
    assert q.title in body
    assert q.options[0].text.split()[0] in body
    for option in q.options:
        assert option.feedback not in body
    assert json.dumps(q.explanation)[1:40] not in body
    assert ("Open this notebook in JupyterLab" in body) is (not widget_state)


def test_quiz_function_uses_the_course_bank():
    q = next(iter(bank.quizzes()))
    assert quiz(q).quiz.id == q
    with pytest.raises(KeyError):
        quiz("no-such-quiz")
