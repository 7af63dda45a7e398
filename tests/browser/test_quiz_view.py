"""The quiz's ES module outside Jupyter: ``static/quiz.js`` drawn in a bare Chromium page,
with a stand-in for the anywidget model that passes each action to a real
:class:`~deepfake_ethics.quiz_widget.QuizWidget` (and so to its session) in this process.

This is the contract the module keeps wherever it runs: native controls named by their
text, arrow keys between options (choosing on round buttons), key presses kept from the
page around the quiz, focus on the feedback (a polite live region) after *Check* and on
the first option after *Try again*, the hint stage, a reflection's saved reasoning, and
axe-core's WCAG 2.1 A and AA rules. No JupyterLab, no kernel.
"""

from __future__ import annotations

from typing import Any

import pytest

from deepfake_ethics.bank import get_quiz, quizzes
from deepfake_ethics.progress import ProgressStore
from deepfake_ethics.quiz_frontend import CSS, ESM
from deepfake_ethics.quiz_widget import QuizWidget

from .lab import (
    answer_button,
    axe_violations,
    check_button,
    expect,
    feedback,
    option,
    plain,
    retry_button,
    shown_options,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# A model with anywidget's interface; send() hands the action to Python and applies the
# state that comes back, as the widget's comm would. Key presses that reach the page are
# counted, to show which ones the quiz keeps to itself.
DRAW = """async ([source, state]) => {
  window.__keysSeen = [];
  document.addEventListener('keydown', e => window.__keysSeen.push(e.key));
  const listeners = {};
  const fire = key => (listeners['change:' + key] || []).forEach(f => f());
  const model = {
    get: key => state[key],
    set: (key, value) => { state[key] = value; fire(key); },
    save_changes: () => {},
    on: (name, f) => { (listeners[name] = listeners[name] || []).push(f); },
    off: (name, f) => { listeners[name] = (listeners[name] || []).filter(g => g !== f); },
    send: async message => {
      const changed = await window.dfeAction(message, state.chosen, state.note);
      for (const [key, value] of Object.entries(changed)) {
        if (JSON.stringify(state[key]) !== JSON.stringify(value)) model.set(key, value);
      }
    },
  };
  const url = URL.createObjectURL(new Blob([source], {type: 'text/javascript'}));
  const view = (await import(url)).default;
  view.render({model, el: document.getElementById('quiz')});
  return true;
}"""
PAGE = ("<!doctype html><html lang='en'><head><title>Quiz</title></head><body><main>"
        "<button id='before'>Before the quiz</button><div id='quiz'></div></main></body>"
        "</html>")


def draw(page, widget: QuizWidget) -> Any:
    """Draw ``widget`` with quiz.js in ``page``; returns the quiz's box."""

    def act(message: dict, chosen: list[int], note: str) -> dict:
        widget.chosen, widget.note = chosen, note
        widget._on_action(widget, message, [])
        return {"chosen": widget.chosen, "feedback": widget.feedback,
                "note_status": widget.note_status}

    page.expose_function("dfeAction", act)
    page.set_content(PAGE)
    page.add_style_tag(content=CSS.read_text(encoding="utf-8"))
    state = {k: getattr(widget, k) for k in ("content", "chosen", "feedback", "note",
                                              "note_status")}
    page.evaluate(DRAW, [ESM.read_text(encoding="utf-8"), state])
    box = page.locator(".dfe-quiz")
    expect(check_button(box)).to_be_enabled()
    return box


def keys_seen(page) -> list[str]:
    return page.evaluate("() => window.__keysSeen.splice(0)")


def first(kind: str, shuffled: bool = False):
    return next(q for q in quizzes().values() if q.kind == kind and (q.shuffle or not shuffled)
                and len(q.correct_indices) < len(q.options))


def test_one_answer_by_keyboard_hint_then_answer(page, tmp_path):
    q = first("single", shuffled=True)
    widget = QuizWidget(q, ProgressStore(tmp_path / "p.json"))
    box = draw(page, widget)
    radios = shown_options(box)
    shown = [o.text for o in map(q.options.__getitem__, widget.order)]
    expect(box.get_by_role("radiogroup")).to_have_accessible_name(plain(q.question))
    for k, text in enumerate(shown):  # every option is named by its text, in the
        expect(radios.nth(k)).to_have_accessible_name(text)  # learner's own order

    # Arrow keys move between the options and choose, wrap around, and stay in the quiz.
    radios.nth(0).focus()
    page.keyboard.press("ArrowDown")
    expect(radios.nth(1)).to_be_focused()
    expect(radios.nth(1)).to_be_checked()
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    expect(radios.nth(len(shown) - 1)).to_be_focused()
    expect(radios.nth(len(shown) - 1)).to_be_checked()
    page.keyboard.press("Home")
    expect(radios.nth(0)).to_be_checked()
    assert keys_seen(page) == [], "a key press on an option reached the page"

    # A wrong answer, then Tab to Check and Enter: a hint, announced and focused.
    wrong = next(i for i in widget.order if not q.options[i].correct)
    option(box, q, wrong).focus()
    page.keyboard.press("Space")
    expect(option(box, q, wrong)).to_be_checked()
    page.keyboard.press("Tab")
    expect(check_button(box)).to_be_focused()
    page.keyboard.press("Enter")
    area = feedback(box)
    expect(area).to_contain_text("✘ Not quite.")
    expect(area).to_contain_text(f"➜ Hint: {plain(q.hint)[:60]}")
    expect(area).to_be_focused()
    expect(area).to_have_attribute("role", "status")
    expect(area).to_have_attribute("aria-live", "polite")
    for opt in q.options:  # the hint stage names no option and explains none
        expect(area).not_to_contain_text(plain(opt.feedback)[:60])
    expect(area).not_to_contain_text("Explanation.")
    expect(check_button(box)).to_be_disabled()
    expect(option(box, q, wrong)).to_be_disabled()
    expect(answer_button(box)).to_be_visible()
    violations = axe_violations(page, "main")
    assert violations == [], "\n".join(violations)

    # Try again: cleared, focus on the first option; the answer is still one click away.
    page.keyboard.press("Shift+Tab")  # back from the feedback: Show the answer, Try again
    expect(answer_button(box)).to_be_focused()
    page.keyboard.press("Shift+Tab")
    expect(retry_button(box)).to_be_focused()
    page.keyboard.press("Enter")
    expect(area).to_have_text("")
    expect(radios.nth(0)).to_be_focused()
    expect(option(box, q, wrong)).not_to_be_checked()
    expect(answer_button(box)).to_be_visible()
    expect(retry_button(box)).to_be_hidden()

    # Show the answer: the right option, the explanation, focus on the feedback.
    answer_button(box).click()
    expect(area).to_contain_text("○ The answer.")
    expect(area).to_contain_text(q.options[min(q.correct_indices)].text[:60])
    expect(area).to_be_focused()
    expect(answer_button(box)).to_be_hidden()
    violations = axe_violations(page, "main")
    assert violations == [], "\n".join(violations)


def test_several_answers_by_keyboard_and_the_answer_after_a_hint(page, tmp_path):
    q = first("multiple")
    store = ProgressStore(tmp_path / "p.json")
    widget = QuizWidget(q, store)
    box = draw(page, widget)
    boxes = shown_options(box)
    boxes.nth(0).focus()
    for k in range(len(q.options) - 1):
        page.keyboard.press("ArrowDown")
        expect(boxes.nth(k + 1)).to_be_focused()
        expect(boxes.nth(k + 1)).not_to_be_checked()  # on checkboxes, moving never ticks
    page.keyboard.press("ArrowDown")
    expect(boxes.nth(0)).to_be_focused()
    wrong = next(i for i, o in enumerate(q.options) if not o.correct)
    option(box, q, wrong).focus()
    page.keyboard.press("Space")
    check_button(box).click()
    area = feedback(box)
    expect(area).to_contain_text("Not yet right")
    expect(area).to_be_focused()
    for opt in q.options:
        expect(area).not_to_contain_text(plain(opt.feedback)[:50])
    retry_button(box).click()
    for i in sorted(q.correct_indices):
        option(box, q, i).click()
    check_button(box).click()
    expect(area).to_contain_text("✔ Correct.")
    expect(area).to_contain_text(plain(q.explanation)[:80])
    expect(area.get_by_role("link").first).to_be_visible()
    expect(answer_button(box)).to_be_hidden()
    record = store.load()["quizzes"][q.id]
    assert record["attempts"] == 2 and record["correct"] is True
    assert record["choice"] == sorted(q.correct_indices)


def test_a_reflection_keeps_the_learners_reasoning(page, tmp_path):
    q = get_quiz(next(i for i, r in quizzes().items() if r.kind == "reflection"))
    store = ProgressStore(tmp_path / "p.json")
    box = draw(page, QuizWidget(q, store))
    reasoning = box.get_by_role("textbox", name="Your reasoning")
    expect(reasoning).to_be_hidden()
    option(box, q, 0).click()
    check_button(box).click()
    expect(feedback(box)).to_contain_text(f"➜ Your view: {q.options[0].text[:40]}")
    expect(feedback(box).get_by_text("◇ Another view:")).to_have_count(len(q.options) - 1)
    reasoning.fill("Consent matters more than the tool.")
    keys_seen(page)
    reasoning.press("Shift+Enter")  # typing stays in the box, never reaches the page
    assert keys_seen(page) == []
    box.get_by_role("button", name="Save my reasoning").click()
    expect(box).to_contain_text("Saved with your progress")
    assert store.note(q.id).startswith("Consent matters more than the tool.")
    violations = axe_violations(page, "main")
    assert violations == [], "\n".join(violations)
