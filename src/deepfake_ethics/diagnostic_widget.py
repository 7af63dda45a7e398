"""The diagnostic as ipywidgets: a whole form on one page, marked only when submitted.

``diagnostic("before")`` (end of lesson 00) and ``diagnostic("after")`` (the closing
notebook) show the learner's form for that moment (:mod:`.diagnostic_session` decides which): every
item with its scenario, question and four options as radio buttons, in an order of the
learner's own, and one *Submit my answers* button. Nothing is marked before that: the
diagnostic is a measure, not practice. A form with unanswered questions is not submitted;
the learner is told which ones. Once submitted, the answers are saved with progress and
each item shows its result: the option chosen with its feedback, the right answer with its
feedback, the explanation and the dated sources. Running the cell again shows the saved
results; the first submission counts.

Each question is a radio group named by its heading and a single Tab stop; the arrow keys
move within it (:mod:`.quiz_frontend`); results never rely on colour (each line starts with
a word and a symbol); where widgets cannot run, the form shows as text, without answers.
"""

from __future__ import annotations

import datetime as dt
import html
import secrets
from dataclasses import dataclass
from typing import Any

from .diagnostic_session import WHEN, DiagnosticSession
from .progress import ProgressStore
from .quiz_frontend import bootstrap_html
from .quiz_widget import ANSWER, RIGHT, WRONG, _inline, markdown, option_order
from .schema import Quiz

SUBMIT = "Submit my answers"
MINUTES = 13  # what the notebooks say the diagnostic takes (scripts/reading_time.py checks)

_CSS = """<style>
.dfe-diagnostic { border: 1px solid var(--jp-border-color1, #999); border-radius: 6px;
  padding: 0.4em 1em 0.8em; margin: 0.5em 0; max-width: 60em; }
.dfe-diagnostic .dfe-diag-item { border-top: 1px solid var(--jp-border-color2, #ccc);
  padding-top: 0.3em; margin-top: 0.6em; }
.dfe-diagnostic .widget-radio-box label { height: auto !important; white-space: normal !important;
  line-height: 1.4 !important; overflow: visible !important; margin: 0.25em 0; }
.dfe-diagnostic .widget-radio-box { height: auto !important; overflow: visible !important; }
.dfe-diagnostic .dfe-options { overflow: visible !important; }
.dfe-diagnostic .widget-html-content { line-height: 1.5; }
.dfe-diagnostic .widget-html-content p { margin: 0.5em 0; }
.dfe-diagnostic a { color: var(--jp-content-link-color, #1565c0); text-decoration: underline; }
.dfe-diagnostic :focus-visible { outline: 3px solid #0072B2; outline-offset: 2px; }
.dfe-diagnostic .dfe-feedback-area:focus { outline: 2px dotted #0072B2; outline-offset: 2px; }
</style>"""


@dataclass
class SubmitResult:
    """What pressing *Submit my answers* did: ``submitted``, or which questions are still
    unanswered, and the HTML shown."""

    submitted: bool
    missing: list[int]
    html: str


def _when(moment: str) -> str:
    return "before the lessons" if moment == "before" else "after the lessons"


def static_html(session: DiagnosticSession, uid: str = "") -> str:
    """The form as plain HTML without answers, for places where widgets cannot run."""
    extra = f" dfe-diagnostic-static-{uid}" if uid else ""
    parts = [f'<div class="dfe-diagnostic-static{extra}"><h4>Diagnostic, form '
             f"{session.form} ({_when(session.moment)})</h4>"]
    for n, q in enumerate(session.items, 1):
        options = "".join(f"<li>○ {_inline(o.text)}</li>" for o in q.options)
        parts.append(f"<p><strong>Question {n}: {html.escape(q.title)}</strong></p>"
                     f"{markdown(q.scenario)}<p><strong>{_inline(q.question)}</strong></p>"
                     f'<ul style="list-style:none">{options}</ul>')
    parts.append("<p><em>Run this notebook in JupyterLab to take the diagnostic.</em></p></div>")
    return "".join(parts)


def static_text(session: DiagnosticSession) -> str:
    """The form as plain text without answers, for terminals."""
    lines = [f"Diagnostic, form {session.form} ({_when(session.moment)})", ""]
    for n, q in enumerate(session.items, 1):
        lines += [f"Question {n}: {q.title}", q.scenario, q.question]
        lines += [f"  ( ) {o.text}" for o in q.options] + [""]
    return "\n".join(lines + ["(Run this in JupyterLab to take the diagnostic.)"])


class DiagnosticWidget:
    """One form of the diagnostic. ``select``, ``submit`` and ``result_html`` drive it from
    code too; option numbers are places in the content file."""

    def __init__(self, moment: str, store: ProgressStore | None = None):
        import ipywidgets as w

        self.session = DiagnosticSession(moment, store)
        self.uid = secrets.token_hex(4)
        self._warned = False  # the last Submit found unanswered questions
        learner = self.session.progress.learner_id()
        self.orders = {q.id: option_order(q, learner) for q in self.items}
        plain, full = w.Layout(), w.Layout(width="100%")
        hide = (f"<style>.dfe-diagnostic-static-{self.uid}, .jp-OutputArea-child:has("
                f".dfe-diagnostic-static-{self.uid}) {{ display: none !important; }}</style>")
        n = len(self.items)
        intro = (f"{_CSS}{hide}{bootstrap_html('dfe-diagnostic', roving=True)}"
                 f"<h3>Diagnostic, form {self.session.form}: {_when(moment)}</h3>"
                 f"<p>{n} questions, one for each question of the source post, taking about "
                 f"{MINUTES} minutes. Choose one answer for each, then press "
                 f"<strong>{SUBMIT}</strong> at the end. Nothing is marked until you submit "
                 "the whole form: this measures what you know now, it is not practice, so "
                 "answer without looking anything up. If you are unsure, choose the answer "
                 "you think most likely.</p>")
        self.choices: list[Any] = []
        parts: list[Any] = [w.HTML(intro, layout=plain)]
        for k, q in enumerate(self.items, 1):
            head = w.HTML(f"<h4>Question {k} of {n}: {html.escape(q.title)}</h4>"
                          f"{markdown(q.scenario)}<p><strong>{_inline(q.question)}</strong></p>",
                          layout=plain)
            radios = w.RadioButtons(options=[q.options[i].text for i in self.orders[q.id]],
                                    value=None, layout=full)
            radios.add_class("dfe-options")
            radios.observe(self._answered, names="index")
            self.choices.append(radios)
            box = w.VBox([head, radios], layout=plain)
            box.add_class("dfe-diag-item")
            parts.append(box)
        self.submit_button = w.Button(description=SUBMIT, button_style="primary",
                                      tooltip="Mark the whole form and save it with your "
                                              "progress", layout=w.Layout(width="auto"))
        self.submit_button.on_click(lambda _: self.submit())
        self.feedback = w.HTML(value="", layout=plain)
        self.feedback.add_class("dfe-feedback-area")
        parts += [self.submit_button, self.feedback]
        self.container = w.VBox(parts, layout=plain)
        self.container.add_class("dfe-diagnostic")
        if self.session.record:
            self._show_record(self.session.record, earlier=True)

    # -- state ------------------------------------------------------------------------
    @property
    def items(self) -> list[Quiz]:
        return self.session.items

    @property
    def form(self) -> str:
        return self.session.form

    def chosen(self) -> dict[str, int]:
        """The options chosen so far (places in the content file), by item id."""
        found = {}
        for q, radios in zip(self.items, self.choices, strict=True):
            if radios.index is not None:
                found[q.id] = self.orders[q.id][radios.index]
        return found

    def select(self, item: int | str, option: int | None) -> None:
        """Choose ``option`` (its place in the content file) for an item, given by its
        number (1, 2, ...) or id; None clears it."""
        k = item - 1 if isinstance(item, int) else [q.id for q in self.items].index(item)
        q = self.items[k]
        self.choices[k].index = None if option is None else self.orders[q.id].index(option)

    # -- actions ----------------------------------------------------------------------
    def _answered(self, change: dict[str, Any]) -> None:
        """A new answer clears the warning about unanswered questions (once: a live region
        that spoke at every click would be noise)."""
        if self._warned and change.get("new") is not None:
            self._warned = False
            self.feedback.value = ""

    def submit(self) -> SubmitResult:
        """Mark and save the whole form, or say which questions still need an answer."""
        choices = self.chosen()
        missing = self.session.missing(choices)
        if missing:
            numbers = ", ".join(str(m) for m in missing)
            body = (f"<p><strong>⚠ Not submitted yet:</strong> question"
                    f"{'s' if len(missing) > 1 else ''} {numbers} "
                    f"{'have' if len(missing) > 1 else 'has'} no answer. Answer every "
                    "question, then press the button again. If you do not know, choose the "
                    "answer you think most likely.</p>")
            self.feedback.value = body
            self._warned = True
            return SubmitResult(False, missing, body)
        self.session.submit(choices)
        record = self.session.record or {"form": self.form, "answers": self._marking(choices),
                                         "submitted": _now()}
        body = self._show_record(record, earlier=False)
        return SubmitResult(True, [], body)

    def _marking(self, choices: dict[str, int]) -> dict[str, dict[str, Any]]:
        from .diagnostic_session import mark

        return mark(self.items, choices)

    def _show_record(self, record: dict[str, Any], earlier: bool) -> str:
        """Show a submitted form: the choices made, locked, and every item's result."""
        # The results first: focus moves to them (quiz_frontend) before the button that
        # had focus is hidden, which would otherwise hand focus back to JupyterLab.
        body = self.result_html(record, earlier)
        self.feedback.value = body
        answers = record["answers"]
        for q, radios in zip(self.items, self.choices, strict=True):
            answer = answers.get(q.id)
            if answer is not None and answer["choice"] in self.orders[q.id]:
                radios.index = self.orders[q.id].index(answer["choice"])
            radios.disabled = True
        self.submit_button.layout.display = "none"
        return body

    # -- results ----------------------------------------------------------------------
    def result_html(self, record: dict[str, Any], earlier: bool = False) -> str:
        """The results of a submitted form: the score, then each item's answer, feedback,
        explanation and sources."""
        answers = record["answers"]
        right = sum(a["correct"] for a in answers.values())
        moment = self.session.moment
        when = ""
        if earlier:
            day = record.get("submitted", "")[:10]
            when = (f" You submitted it on {html.escape(day)}; your first answers are kept, "
                    "so that the comparison stays fair.")
        then = ("At the end of the course, the closing notebook gives you the other form "
                "and shows both side by side." if moment == "before" else
                "The chart below compares this with the form you took at the start.")
        parts = [f"<p><strong>➜ Submitted: {right} of {len(answers)} right</strong> "
                 f"(form {html.escape(record['form'])}, {WHEN[moment]}).{when}</p>"
                 f"<p>{then} Here is each question with its answer.</p>"]
        for k, q in enumerate(self.items, 1):
            answer = answers.get(q.id)
            parts.append(f"<h4>Question {k}: {html.escape(q.title)}</h4>")
            if answer is None:
                parts.append("<p>(This question was not in the form you submitted.)</p>")
                continue
            lines = [self._line(RIGHT if answer["correct"] else WRONG, q, answer["choice"])]
            if not answer["correct"]:
                lines.append(self._line(ANSWER, q, min(q.correct_indices)))
            cites = "".join(
                f'<li><a href="{html.escape(s.url)}" target="_blank" rel="noopener">'
                f"{html.escape(s.title)}</a> ({html.escape(s.date)})</li>" for s in q.sources)
            parts.append(f"<ul class='dfe-feedback'>{''.join(lines)}</ul>"
                         f"<details><summary>Explanation and sources</summary>"
                         f"{markdown(q.explanation)}<ul>{cites}</ul></details>")
        return "".join(parts)

    @staticmethod
    def _line(label: str, q: Quiz, i: int) -> str:
        opt = q.options[i]
        return (f"<li><strong>{label}</strong> <em>{_inline(opt.text)}</em> — "
                f"{_inline(opt.feedback)}</li>")

    # -- display ----------------------------------------------------------------------
    def fallback_bundle(self) -> dict[str, str]:
        """The form as text without answers (HTML and plain), where widgets cannot run."""
        return {"text/html": static_html(self.session, self.uid),
                "text/plain": static_text(self.session)}

    def _ipython_display_(self) -> None:
        """Two outputs, as for a quiz: the text fallback, then the widget, whose style
        hides the text wherever it is drawn."""
        from IPython.display import display

        display(self.fallback_bundle(), raw=True)
        bundle = self.container._repr_mimebundle_()
        data = dict(bundle[0] if isinstance(bundle, tuple) else bundle or {})
        data["text/plain"] = ""
        data.pop("text/html", None)
        display(data, raw=True)

    def __repr__(self) -> str:
        return static_text(self.session)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def diagnostic(moment: str, store: ProgressStore | None = None) -> DiagnosticWidget:
    """Show your form of the before-and-after diagnostic: ``"before"`` at the end of lesson
    00, ``"after"`` in the closing notebook."""
    return DiagnosticWidget(moment, store)
