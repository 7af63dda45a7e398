"""The quiz engine: scenario quizzes as ipywidgets, with a readable text fallback.

``quiz("l1-selling-an-app")`` shows one quiz from the content bank. A student chooses an
option (radio buttons for one answer, checkboxes for several) and presses *Check*:

* right: the feedback on each choice, then the explanation and the sources;
* wrong at the first try: that the choice is not yet right (on a multi-select, how many
  choices are wrong and how many right options are missing) and a hint written for the
  quiz, but nothing that tells which option is which: no option's own feedback, which
  could name the right one. *Try again* starts over; *Show the answer* gives up and
  reveals it;
* wrong again: the feedback, the right answer, the explanation and the sources.

A *reflection* has no right answer: choosing shows every position with its reasoning, the
points for discussion, and a box where the learner writes and saves their own reasoning.

Options appear in an order of their own for each learner, fixed by the random learner id
in the progress file, so it does not change from one run to the next; answers are
recorded by the option's place in the content file, whatever order showed it.

Feedback never relies on colour alone (each line starts with a word and a symbol), every
control is a native form control reachable with Tab, arrow keys move between options
(:mod:`.quiz_frontend`), and where widgets cannot render (HTML export, a terminal, a static
viewer) the quiz shows as text without the answers.
"""

from __future__ import annotations

import hashlib
import html
import random
import secrets
from dataclasses import dataclass
from typing import Any

from .bank import get_quiz
from .progress import ProgressStore
from .quiz_frontend import bootstrap_html
from .quiz_session import QuizSession
from .schema import Quiz

RIGHT, WRONG, MISSED, NOTE = "✔ Right:", "✘ Not right:", "○ Also right:", "➜ Your view:"
ANSWER, OTHER, HINT = "○ The right answer:", "◇ Another view:", "➜ Hint:"
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
.dfe-quiz .dfe-options { overflow: visible !important; }
.dfe-quiz .widget-html-content { line-height: 1.5; }
.dfe-quiz .widget-html-content p { margin: 0.5em 0; }
.dfe-quiz a { color: var(--jp-content-link-color, #1565c0); text-decoration: underline; }
.dfe-quiz .dfe-feedback li { margin: 0.3em 0; }
.dfe-quiz :focus-visible { outline: 3px solid #0072B2; outline-offset: 2px; }
.dfe-quiz .dfe-feedback-area:focus { outline: 2px dotted #0072B2; outline-offset: 2px; }
.dfe-quiz .widget-textarea textarea { min-height: 6em; }
</style>"""


@dataclass
class CheckResult:
    """What a check found: whether it was right (None for a reflection) and the HTML shown."""

    correct: bool | None
    chosen: tuple[int, ...]
    html: str
    stage: str = "answer"  # "empty", "hint", "answer" or "reflection"


def markdown(text: str) -> str:
    """Render course Markdown (trusted content) to HTML."""
    import mistune

    return mistune.html(text)


def _inline(text: str) -> str:
    rendered = markdown(text).strip()
    if rendered.startswith("<p>") and rendered.endswith("</p>") and rendered.count("<p>") == 1:
        return rendered[3:-4]
    return rendered


def option_order(q: Quiz, learner: str) -> tuple[int, ...]:
    """The order (option indices) in which ``learner`` sees the options of ``q``."""
    order = list(range(len(q.options)))
    if q.shuffle:
        seed = hashlib.sha256(f"{learner}\n{q.id}".encode()).digest()
        random.Random(seed).shuffle(order)
    return tuple(order)


def static_html(q: Quiz, uid: str = "") -> str:
    """The quiz as plain HTML without answers, for places where widgets cannot run.

    ``uid`` names the widget that stands for it, whose style hides this text where the
    widget is drawn."""
    marker = "☐" if q.kind == "multiple" else "○"
    options = "".join(f"<li>{marker} {_inline(o.text)}</li>" for o in q.options)
    extra = f" dfe-static-{uid}" if uid else ""
    return (
        f'<div class="dfe-quiz-static{extra}"><h4>Quiz: {html.escape(q.title)}</h4>'
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
    """One interactive quiz. ``select``, ``check``, ``retry``, ``show_answer`` and
    ``save_note`` drive it from code too; option numbers are places in the content file."""

    def __init__(self, q: Quiz, store: ProgressStore | None = None):
        import ipywidgets as w

        self.quiz = q
        self.session = QuizSession(q, store)  # marking, stages and records: the model
        self.uid = secrets.token_hex(4)
        self.order = option_order(q, self.store.learner_id())
        # Widgets share layout and style models where they can: fewer models to create
        # and synchronise makes a lesson with many quizzes open faster.
        from ipywidgets.widgets.widget_bool import CheckboxStyle
        from ipywidgets.widgets.widget_string import HTMLStyle

        plain, full, html_style = w.Layout(), w.Layout(width="100%"), HTMLStyle()
        labels = [q.options[i].text for i in self.order]
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
        choice_box.add_class("dfe-options")
        # While the widget is drawn, its style hides the text fallback shown beside it.
        hide = (f"<style>.dfe-static-{self.uid}, .jp-OutputArea-child:has("
                f".dfe-static-{self.uid}) {{ display: none !important; }}</style>")
        header = w.HTML(
            f"{_CSS}{hide}{bootstrap_html()}<h4>Quiz: {html.escape(q.title)}</h4>"
            f"{markdown(q.scenario)}<p><strong>{_inline(q.question)}</strong></p>"
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
        self.answer_button = w.Button(description="Show the answer", tabbable=True,
                                      tooltip="Stop trying and show the answer",
                                      style=button_style, layout=w.Layout(display="none"))
        self.feedback = w.HTML(value="", layout=plain, style=html_style)
        self.feedback.add_class("dfe-feedback-area")
        self.check_button.on_click(lambda _: self.check())
        self.retry_button.on_click(lambda _: self.retry())
        self.answer_button.on_click(lambda _: self.show_answer())
        parts = [header, choice_box,
                 w.HBox([self.check_button, self.retry_button, self.answer_button],
                        layout=plain),
                 self.feedback]
        if q.kind == "reflection":
            self.note = w.Textarea(
                value=self.store.note(q.id), description="Your reasoning",
                placeholder="Why do you hold this view? What would change your mind?",
                layout=full, style={"description_width": "initial"}, tabbable=True)
            self.save_button = w.Button(description="Save my reasoning", tabbable=True,
                                        tooltip="Save what you wrote with your progress",
                                        style=button_style, layout=plain)
            self.note_status = w.HTML(value="", layout=plain, style=html_style)
            self.save_button.on_click(lambda _: self.save_note())
            self.note_box = w.VBox([self.note, self.save_button, self.note_status],
                                   layout=w.Layout(display="none"))
            parts.append(self.note_box)
        self.container = w.VBox(parts, layout=plain)
        self.container.add_class("dfe-quiz")

    @property
    def store(self) -> ProgressStore:
        return self.session.progress

    # -- state ------------------------------------------------------------------------
    @property
    def controls(self) -> list[Any]:
        """Every control a student operates, in Tab order."""
        extra = [self.note, self.save_button] if self.quiz.kind == "reflection" else []
        return [*self.choices, self.check_button, self.retry_button, self.answer_button,
                *extra]

    @property
    def shown_options(self) -> list[str]:
        """The option texts in the order this learner sees them."""
        return [self.quiz.options[i].text for i in self.order]

    def selected(self) -> tuple[int, ...]:
        """Option numbers (places in the content file) chosen now, in ascending order."""
        if self.quiz.kind == "multiple":
            return tuple(sorted(self.order[k] for k, box in enumerate(self.choices)
                                if box.value))
        index = self.choices[0].index
        return () if index is None else (self.order[index],)

    def select(self, *indices: int) -> None:
        """Choose options by their number in the content file (what a click does)."""
        if self.quiz.kind == "multiple":
            for k, box in enumerate(self.choices):
                box.value = self.order[k] in indices
        else:
            if len(indices) > 1:
                raise ValueError("this quiz takes one answer")
            self.choices[0].index = self.order.index(indices[0]) if indices else None

    # -- actions ----------------------------------------------------------------------
    def check(self) -> CheckResult:
        """Show the session's marking of the current choice: a hint or the answer."""
        q = self.quiz
        marking = self.session.check(self.selected())
        if marking.stage == "empty":
            message = ("<p><strong>⚠ Nothing chosen yet:</strong> choose "
                       f"{'at least one option' if q.kind == 'multiple' else 'an option'} "
                       "and press Check again.</p>")
            self.feedback.value = message
            return CheckResult(None, (), message, "empty")
        chosen = marking.chosen
        if marking.stage == "reflection":
            body = self._reflection_html(chosen)
            self.note_box.layout.display = None
        elif marking.stage == "hint":
            body = self._hint_html(chosen)
        else:
            body = self._answer_html(chosen, bool(marking.correct))
        self.feedback.value = body
        for control in self.choices:
            control.disabled = True
        self.check_button.disabled = True
        self.retry_button.layout.display = None
        self.answer_button.layout.display = None if marking.stage == "hint" else "none"
        return CheckResult(marking.correct, chosen, body, marking.stage)

    def retry(self) -> None:
        """Clear the choice and the feedback so the student can answer again."""
        for control in self.choices:
            control.disabled = False
        self.select()
        self.feedback.value = ""
        self.check_button.disabled = False
        self.retry_button.layout.display = "none"
        # After a hint the answer stays one click away; it is never shown unasked.
        self.answer_button.layout.display = None if self.session.answer_offered else "none"

    def show_answer(self) -> str:
        """Reveal the right answer, the explanation and the sources (nothing is recorded)."""
        q = self.quiz
        items = [self._line(ANSWER if q.kind == "single" else RIGHT, i)
                 for i in self.order if q.options[i].correct]
        body = ("<p><strong>○ The answer.</strong></p>"
                f"<ul class='dfe-feedback'>{''.join(items)}</ul>{self._explanation_html()}")
        self.session.reveal()
        self.feedback.value = body
        self.answer_button.layout.display = "none"
        for control in self.choices:
            control.disabled = True
        self.check_button.disabled = True
        self.retry_button.layout.display = None
        return body

    def save_note(self) -> None:
        """Save the reflection's free text with the learner's progress (locally)."""
        self.session.save_note(self.note.value)
        self.note_status.value = ("<p role='status'>✔ Saved with your progress on this "
                                  "computer.</p>" if self.note.value.strip() else
                                  "<p role='status'>Nothing to save: the box is empty.</p>")

    # -- feedback ---------------------------------------------------------------------
    def _line(self, label: str, i: int) -> str:
        opt = self.quiz.options[i]
        return (f"<li><strong>{label}</strong> <em>{_inline(opt.text)}</em> — "
                f"{_inline(opt.feedback)}</li>")

    def _chosen_lines(self, chosen: tuple[int, ...]) -> list[str]:
        q = self.quiz
        return [self._line(RIGHT if q.options[i].correct else WRONG, i)
                for i in self.order if i in chosen]

    def _verdict(self, chosen: tuple[int, ...], correct: bool) -> str:
        q = self.quiz
        if correct:
            return "<p><strong>✔ Correct.</strong></p>"
        if q.kind == "multiple" and set(chosen) & q.correct_indices:
            return "<p><strong>✘ Partly right.</strong> Read the feedback below.</p>"
        return "<p><strong>✘ Not quite.</strong> Read the feedback below.</p>"

    def _hint_html(self, chosen: tuple[int, ...]) -> str:
        """A wrong first try: not yet right, how far off (counts only), and the hint."""
        return (f"{first_try_verdict(self.quiz, chosen)}"
                f"<p><strong>{HINT}</strong> {_inline(self.quiz.hint)}</p>"
                "<p><em>Press Try again to answer once more, or Show the answer. The "
                "feedback on every option comes with the answer.</em></p>")

    def _answer_html(self, chosen: tuple[int, ...], correct: bool) -> str:
        q = self.quiz
        items = self._chosen_lines(chosen)
        if not correct:
            label = MISSED if q.kind == "multiple" else ANSWER
            items += [self._line(label, i) for i in self.order
                      if q.options[i].correct and i not in chosen]
        return (f"{self._verdict(chosen, correct)}<ul class='dfe-feedback'>{''.join(items)}"
                f"</ul>{self._explanation_html()}")

    def _reflection_html(self, chosen: tuple[int, ...]) -> str:
        q = self.quiz
        items = [self._line(NOTE if i in chosen else OTHER, i) for i in self.order]
        points = "".join(f"<li>{_inline(p)}</li>" for p in q.discussion)
        return ("<p><strong>➜ Thank you for choosing.</strong> Here is how every position "
                "reasons, yours first among equals: each has a strong case and a hard "
                f"question to answer.</p><ul class='dfe-feedback'>{''.join(items)}</ul>"
                f"<p><strong>Points for discussion</strong></p><ul>{points}</ul>"
                f"{self._explanation_html()}"
                "<p><em>Write your own reasoning in the box below and save it: it stays "
                "with your progress on this computer.</em></p>")

    def _explanation_html(self) -> str:
        q = self.quiz
        cites = "".join(
            f'<li><a href="{html.escape(s.url)}" target="_blank" rel="noopener">'
            f"{html.escape(s.title)}</a> ({html.escape(s.date)})</li>" for s in q.sources)
        return (f"<p><strong>Explanation.</strong></p>{markdown(q.explanation)}"
                f"<p><strong>Sources</strong></p><ul>{cites}</ul>")

    # -- display ----------------------------------------------------------------------
    def fallback_bundle(self) -> dict[str, str]:
        """The quiz as text without answers (HTML and plain), for where widgets cannot run."""
        return {"text/html": static_html(self.quiz, self.uid),
                "text/plain": static_text(self.quiz)}

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        bundle = self.container._repr_mimebundle_(**kwargs)
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        data = dict(data or {})
        data.update(self.fallback_bundle())
        return data

    def _ipython_display_(self) -> None:
        """Two outputs: the text fallback, then the widget. An exported notebook shows the
        text even when the widgets' state was saved with it (which would otherwise win
        over any fallback in the same output); a drawn widget hides the text."""
        from IPython.display import display

        display(self.fallback_bundle(), raw=True)
        widget = self._repr_mimebundle_()
        widget["text/plain"] = ""
        widget.pop("text/html", None)
        display(widget, raw=True)

    def __repr__(self) -> str:
        return static_text(self.quiz)


def first_try_verdict(q: Quiz, chosen: tuple[int, ...]) -> str:
    """What a wrong first try learns: that it is not yet right and, on a multi-select, how
    many choices are wrong and how many right options are missing, never which."""
    if q.kind != "multiple":
        return "<p><strong>✘ Not quite.</strong> That is not the best answer yet.</p>"
    wrong = len(set(chosen) - q.correct_indices)
    missed = len(q.correct_indices - set(chosen))
    parts = []
    if wrong:
        parts.append(f"{wrong} of your {len(chosen)} choices {'is' if wrong == 1 else 'are'} "
                     "not right")
    if missed:
        parts.append(f"{missed} right option{'s are' if missed > 1 else ' is'} missing")
    return f"<p><strong>✘ Not yet right:</strong> {' and '.join(parts)}.</p>"


def quiz(quiz_id: str, store: ProgressStore | None = None) -> QuizWidget:
    """Show the quiz with this id from the course's content bank."""
    return QuizWidget(get_quiz(quiz_id), store)
