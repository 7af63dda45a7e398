"""The quiz engine: scenario quizzes as ipywidgets, with a readable text fallback.

``quiz("l1-selling-an-app")`` shows one quiz from the content bank. A student chooses an
option (radio buttons for one answer, checkboxes for several), presses *Check* and reads
the feedback for each choice, then the explanation and the sources; *Try again* starts
over. A *reflection* has no right answer: any choice reveals the discussion points.

Feedback never relies on colour alone (each line starts with a word and a symbol), every
control is a native form control reachable with Tab, and where widgets cannot render
(HTML export, a terminal, a static viewer) the quiz shows as text without the answers.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

from .bank import get_quiz
from .progress import ProgressStore, default_store
from .schema import Quiz

RIGHT, WRONG, MISSED, NOTE = "✔ Right:", "✘ Not right:", "○ Also right:", "➜ Your view:"
HOW_TO_ANSWER = {
    "single": "Choose one answer, then press Check.",
    "multiple": "Choose every answer that applies, then press Check.",
    "reflection": "There is no single right answer: choose the view closest to yours, then "
                  "press Check.",
}

_CSS = """<style>
.dfe-quiz { border: 1px solid var(--jp-border-color1, #999); border-radius: 6px;
  padding: 0.4em 1em 0.8em; margin: 0.5em 0; max-width: 60em; }
.dfe-quiz .widget-radio-box label, .dfe-quiz .widget-checkbox label,
.dfe-quiz .widget-checkbox, .dfe-quiz .widget-radio-box { height: auto !important;
  white-space: normal !important; line-height: 1.4 !important; overflow: visible !important; }
.dfe-quiz .widget-radio-box label { margin: 0.25em 0; }
.dfe-quiz .widget-html-content { line-height: 1.5; }
.dfe-quiz .widget-html-content p { margin: 0.5em 0; }
.dfe-quiz a { color: var(--jp-content-link-color, #1565c0); text-decoration: underline; }
.dfe-quiz .dfe-feedback li { margin: 0.3em 0; }
.dfe-quiz :focus-visible { outline: 3px solid #0072B2; outline-offset: 2px; }
</style>"""


@dataclass
class CheckResult:
    """What a check found: whether it was right (None for a reflection) and the HTML shown."""

    correct: bool | None
    chosen: tuple[int, ...]
    html: str


def markdown(text: str) -> str:
    """Render course Markdown (trusted content) to HTML."""
    import mistune

    return mistune.html(text)


def _inline(text: str) -> str:
    rendered = markdown(text).strip()
    if rendered.startswith("<p>") and rendered.endswith("</p>") and rendered.count("<p>") == 1:
        return rendered[3:-4]
    return rendered


def static_html(q: Quiz) -> str:
    """The quiz as plain HTML without answers, for places where widgets cannot run."""
    marker = "☐" if q.kind == "multiple" else "○"
    options = "".join(f"<li>{marker} {_inline(o.text)}</li>" for o in q.options)
    return (
        f'<div class="dfe-quiz-static"><h4>Quiz: {html.escape(q.title)}</h4>'
        f"{markdown(q.scenario)}<p><strong>{_inline(q.question)}</strong> "
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


class QuizWidget:
    """One interactive quiz. ``select``, ``check`` and ``retry`` drive it from code too."""

    def __init__(self, q: Quiz, store: ProgressStore | None = None):
        import ipywidgets as w

        self.quiz = q
        self._store = store
        self.attempts = 0
        # Widgets share layout and style models where they can: fewer models to create
        # and synchronise makes a lesson with many quizzes open faster.
        from ipywidgets.widgets.widget_bool import CheckboxStyle
        from ipywidgets.widgets.widget_string import HTMLStyle

        plain, full, html_style = w.Layout(), w.Layout(width="100%"), HTMLStyle()
        labels = [o.text for o in q.options]
        if q.kind == "multiple":
            box_style = CheckboxStyle()
            self.choices: list[Any] = [
                w.Checkbox(value=False, description=text, indent=False, layout=full,
                           style=box_style, tabbable=True)
                for text in labels
            ]
            choice_box = w.VBox(self.choices, layout=plain)
        else:
            self.choices = [w.RadioButtons(options=labels, value=None, layout=full,
                                           tabbable=True)]
            choice_box = self.choices[0]
        header = w.HTML(
            f"{_CSS}<h4>Quiz: {html.escape(q.title)}</h4>{markdown(q.scenario)}"
            f"<p><strong>{_inline(q.question)}</strong></p>"
            f"<p><em>{HOW_TO_ANSWER[q.kind]}</em></p>",
            layout=plain, style=html_style)
        button_style = w.ButtonStyle()
        # Buttons carry words only: an icon would become part of their accessible name.
        self.check_button = w.Button(description="Check", button_style="primary",
                                     tabbable=True, layout=plain,
                                     style=button_style,
                                     tooltip="Check your answer and show feedback")
        self.retry_button = w.Button(description="Try again", tabbable=True,
                                     tooltip="Clear your answer and try again",
                                     style=button_style, layout=w.Layout(display="none"))
        self.feedback = w.HTML(value="", layout=plain, style=html_style)
        self.check_button.on_click(lambda _: self.check())
        self.retry_button.on_click(lambda _: self.retry())
        self.container = w.VBox([
            header, choice_box, w.HBox([self.check_button, self.retry_button], layout=plain),
            self.feedback,
        ], layout=plain)
        self.container.add_class("dfe-quiz")

    # -- state ------------------------------------------------------------------------
    @property
    def controls(self) -> list[Any]:
        """Every control a student operates, in Tab order."""
        return [*self.choices, self.check_button, self.retry_button]

    def selected(self) -> tuple[int, ...]:
        """Indices of the options chosen now."""
        if self.quiz.kind == "multiple":
            return tuple(i for i, box in enumerate(self.choices) if box.value)
        index = self.choices[0].index
        return () if index is None else (index,)

    def select(self, *indices: int) -> None:
        """Choose options by index (what a click does)."""
        if self.quiz.kind == "multiple":
            for i, box in enumerate(self.choices):
                box.value = i in indices
        else:
            if len(indices) > 1:
                raise ValueError("this quiz takes one answer")
            self.choices[0].index = indices[0] if indices else None

    # -- actions ----------------------------------------------------------------------
    def check(self) -> CheckResult:
        """Mark the current choice, show feedback and record the answer."""
        q, chosen = self.quiz, self.selected()
        if not chosen:
            message = ("<p role='status'><strong>⚠ Nothing chosen yet:</strong> choose "
                       f"{'at least one option' if q.kind == 'multiple' else 'an option'} "
                       "and press Check again.</p>")
            self.feedback.value = message
            return CheckResult(None, (), message)
        self.attempts += 1
        correct = None if q.kind == "reflection" else set(chosen) == set(q.correct_indices)
        body = self._feedback_html(chosen, correct)
        self.feedback.value = body
        for control in self.choices:
            control.disabled = True
        self.check_button.disabled = True
        self.retry_button.layout.display = None
        (self._store or default_store()).record(q.id, q.lesson, correct, list(chosen))
        return CheckResult(correct, chosen, body)

    def retry(self) -> None:
        """Clear the choice and the feedback so the student can answer again."""
        for control in self.choices:
            control.disabled = False
        self.select()
        self.feedback.value = ""
        self.check_button.disabled = False
        self.retry_button.layout.display = "none"

    def _feedback_html(self, chosen: tuple[int, ...], correct: bool | None) -> str:
        q = self.quiz
        if correct is None:
            verdict = "<p><strong>➜ Thank you for choosing.</strong> Here is how each " \
                      "position reasons, and points to discuss.</p>"
        elif correct:
            verdict = "<p><strong>✔ Correct.</strong></p>"
        elif q.kind == "multiple" and set(chosen) & q.correct_indices:
            verdict = "<p><strong>✘ Partly right.</strong> Read the feedback below.</p>"
        else:
            verdict = "<p><strong>✘ Not quite.</strong> Read the feedback below.</p>"
        items = []
        for i in chosen:
            opt = q.options[i]
            label = NOTE if q.kind == "reflection" else (RIGHT if opt.correct else WRONG)
            items.append(f"<li><strong>{label}</strong> <em>{_inline(opt.text)}</em> — "
                         f"{_inline(opt.feedback)}</li>")
        if q.kind == "multiple" and correct is False:
            for i in sorted(q.correct_indices - set(chosen)):
                items.append(f"<li><strong>{MISSED}</strong> <em>{_inline(q.options[i].text)}"
                             "</em> — you did not choose this one.</li>")
        parts = [verdict, f"<ul class='dfe-feedback'>{''.join(items)}</ul>"]
        if q.discussion:
            points = "".join(f"<li>{_inline(p)}</li>" for p in q.discussion)
            parts.append(f"<p><strong>Points for discussion</strong></p><ul>{points}</ul>")
        parts.append(f"<p><strong>Explanation.</strong></p>{markdown(q.explanation)}")
        cites = "".join(
            f'<li><a href="{html.escape(s.url)}" target="_blank" rel="noopener">'
            f"{html.escape(s.title)}</a> ({html.escape(s.date)})</li>" for s in q.sources)
        parts.append(f"<p><strong>Sources</strong></p><ul>{cites}</ul>")
        return f"<div class='dfe-feedback' role='status' aria-live='polite'>{''.join(parts)}</div>"

    # -- display ----------------------------------------------------------------------
    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        bundle = self.container._repr_mimebundle_(**kwargs)
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        data = dict(data or {})
        data["text/html"] = static_html(self.quiz)
        data["text/plain"] = static_text(self.quiz)
        return data

    def __repr__(self) -> str:
        return static_text(self.quiz)


def quiz(quiz_id: str, store: ProgressStore | None = None) -> QuizWidget:
    """Show the quiz with this id from the course's content bank."""
    return QuizWidget(get_quiz(quiz_id), store)
