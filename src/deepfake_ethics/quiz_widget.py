"""The quiz engine's view: a scenario quiz as an ``anywidget`` widget, with a readable text
fallback.

``quiz("l1-selling-an-app")`` shows one quiz from the content bank. A student chooses an
option (round buttons for one answer, checkboxes for several) and presses *Check*:

* right: the feedback on each choice, then the explanation and the sources;
* wrong at the first try: that the choice is not yet right (on a multi-select, how many
  choices are wrong and how many right options are missing) and a hint written for the
  quiz, but nothing that tells which option is which. *Try again* starts over; *Show the
  answer* gives up and reveals it;
* wrong again: the feedback, the right answer, the explanation and the sources.

A *reflection* has no right answer: choosing shows every position with its reasoning, the
points for discussion, and a box where the learner writes and saves their own reasoning.

What to say, and when, is decided by :class:`.quiz_session.QuizSession`, which returns a
:class:`.quiz_feedback.Feedback` for every action and keeps the learner's progress; this
widget only passes the learner's actions to it and shows what it returns. The browser side
is one ES module and one stylesheet (:mod:`.quiz_frontend`): native form controls, arrow
keys between options, focus on the feedback (a polite live region) after *Check*. Where
widgets cannot render (HTML export, a terminal, a static viewer) the quiz shows as text
without the answers.
"""

from __future__ import annotations

import html
from typing import Any

import anywidget
import traitlets as t

from .bank import get_quiz
from .progress import ProgressStore
from .quiz_feedback import Feedback, inline, markdown, option_order
from .quiz_frontend import CSS, ESM
from .quiz_session import QuizSession
from .schema import Quiz

__all__ = ["QuizWidget", "quiz", "option_order", "static_html", "static_text", "markdown"]

HOW_TO_ANSWER = {
    "single": "Choose one answer, then press Check.",
    "multiple": "Choose every answer that applies, then press Check.",
    "reflection": "There is no single right answer: choose the view closest to yours, then "
                  "press Check.",
}
ACTIONS = ("check", "retry", "reveal", "save_note")  # what the front end may ask for


def static_html(q: Quiz) -> str:
    """The quiz as plain HTML without answers, for places where widgets cannot run (the
    stylesheet of a drawn quiz hides it)."""
    marker = "☐" if q.kind == "multiple" else "○"
    options = "".join(f"<li>{marker} {inline(o.text)}</li>" for o in q.options)
    return (
        f'<div class="dfe-quiz-static"><h4>Quiz: {html.escape(q.title)}</h4>'
        f"{markdown(q.scenario)}<p><strong>{inline(q.question)}</strong> "
        f"<em>{HOW_TO_ANSWER[q.kind]}</em></p><ul style=\"list-style:none\">{options}</ul>"
        "<p><em>Open this notebook in JupyterLab and run the cell to answer this quiz "
        "and see feedback.</em></p></div>"
    )


def static_text(q: Quiz) -> str:
    """The quiz as plain text without answers, for terminals."""
    marker = "[ ]" if q.kind == "multiple" else "( )"
    lines = [f"Quiz: {q.title}", "", q.scenario, "", q.question, ""]
    lines += [f"  {marker} {o.text}" for o in q.options]
    lines += ["", "(Run this in JupyterLab to answer the quiz and see feedback.)"]
    return "\n".join(lines)


def view_content(q: Quiz, order: tuple[int, ...]) -> dict[str, Any]:
    """What the front end draws once: the texts, and the options in the learner's order,
    each with its ``key`` (its place in the content file)."""
    intro = (f"<h4>Quiz: {html.escape(q.title)}</h4>{markdown(q.scenario)}"
             f"<p class='dfe-question'><strong>{inline(q.question)}</strong></p>"
             f"<p><em>{HOW_TO_ANSWER[q.kind]}</em></p>")
    note = None
    if q.kind == "reflection":
        note = {"label": "Your reasoning",
                "placeholder": "Why do you hold this view? What would change your mind?"}
    return {"kind": q.kind, "intro": intro, "note": note,
            "options": [{"key": i, "text": q.options[i].text} for i in order]}


class QuizWidget(anywidget.AnyWidget):
    """One interactive quiz. ``select``, ``check``, ``retry``, ``show_answer`` and
    ``save_note`` drive it from code too; option numbers are places in the content file."""

    _esm = ESM
    _css = CSS
    content = t.Dict().tag(sync=True)  # drawn once (view_content)
    chosen = t.List(t.Int()).tag(sync=True)  # option keys, set by the learner's clicks
    feedback = t.Dict().tag(sync=True)  # Feedback.view_state() of the last action
    note = t.Unicode("").tag(sync=True)  # a reflection's reasoning, as typed
    note_status = t.Unicode("").tag(sync=True)

    def __init__(self, q: Quiz, store: ProgressStore | None = None):
        self.quiz = q
        self.session = QuizSession(q, store)
        super().__init__(content=view_content(q, self.session.order),
                         feedback=Feedback("").view_state(),
                         note=self.session.note if q.kind == "reflection" else "")
        self.on_msg(self._on_action)

    @property
    def order(self) -> tuple[int, ...]:
        return self.session.order

    @property
    def shown_options(self) -> list[str]:
        """The option texts in the order this learner sees them."""
        return [self.quiz.options[i].text for i in self.order]

    def selected(self) -> tuple[int, ...]:
        """Option numbers (places in the content file) chosen now, in ascending order."""
        return tuple(sorted(self.chosen))

    def select(self, *indices: int) -> None:
        """Choose options by their number in the content file (what a click does)."""
        if self.quiz.kind != "multiple" and len(indices) > 1:
            raise ValueError("this quiz takes one answer")
        unknown = set(indices) - set(self.order)
        if unknown:
            raise ValueError(f"this quiz has no option {sorted(unknown)}")
        self.chosen = sorted(indices)

    # -- actions ----------------------------------------------------------------------
    def _show(self, result: Feedback) -> Feedback:
        self.feedback = result.view_state()
        return result

    def check(self) -> Feedback:
        """Check the current choice: the session says what to show (and shows it before
        it writes the record)."""
        return self.session.check(self.selected(), show=self._show)

    def retry(self) -> Feedback:
        """Clear the choice and the feedback so the student can answer again."""
        with self.hold_sync():
            self.chosen = []
            return self._show(self.session.retry())

    def show_answer(self) -> Feedback:
        """Reveal the right answer, the explanation and the sources (nothing is recorded)."""
        return self._show(self.session.reveal())

    def save_note(self) -> str:
        """Save the reflection's free text with the learner's progress (locally)."""
        self.note_status = self.session.save_note(self.note)
        return self.note_status

    def _on_action(self, _widget: Any, message: dict[str, Any], _buffers: Any) -> None:
        action = message.get("action") if isinstance(message, dict) else None
        if action in ACTIONS:
            {"check": self.check, "retry": self.retry, "reveal": self.show_answer,
             "save_note": self.save_note}[action]()

    # -- display ----------------------------------------------------------------------
    def fallback_bundle(self) -> dict[str, str]:
        """The quiz as text without answers (HTML and plain), for where widgets cannot run."""
        return {"text/html": static_html(self.quiz), "text/plain": static_text(self.quiz)}

    def _ipython_display_(self) -> None:
        """Two outputs: the text fallback, then the widget. An exported notebook shows the
        text even when the widgets' state was saved with it (which would otherwise win
        over any fallback in the same output); a drawn quiz's stylesheet hides the text."""
        from IPython.display import display

        display(self.fallback_bundle(), raw=True)
        bundle = self._repr_mimebundle_()
        widget = dict(bundle[0] if isinstance(bundle, tuple) else bundle or {})
        widget["text/plain"] = ""
        widget.pop("text/html", None)
        display(widget, raw=True)

    def __repr__(self) -> str:
        return static_text(self.quiz)


def quiz(quiz_id: str, store: ProgressStore | None = None) -> QuizWidget:
    """Show the quiz with this id from the course's content bank."""
    return QuizWidget(get_quiz(quiz_id), store)
