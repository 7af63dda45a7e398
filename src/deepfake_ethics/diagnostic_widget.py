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
move within it (the quiz's ES module, :mod:`.quiz_frontend`); results never rely on colour
(each line starts with a word and a symbol); where widgets cannot run, the form shows as
text, without answers.
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass
from typing import Any

import anywidget
import traitlets as t

from .diagnostic_session import WHEN, DiagnosticSession
from .progress import ProgressStore
from .quiz_feedback import ANSWER, RIGHT, WRONG, markdown, option_order
from .quiz_feedback import inline as _inline
from .quiz_frontend import CSS, ESM
from .schema import Quiz

SUBMIT = "Submit my answers"
MINUTES = 13  # what the notebooks say the diagnostic takes (scripts/reading_time.py checks)

@dataclass
class SubmitResult:
    """What pressing *Submit my answers* did: ``submitted``, or which questions are still
    unanswered, and the HTML shown."""

    submitted: bool
    missing: list[int]
    html: str


def _when(moment: str) -> str:
    return "before the lessons" if moment == "before" else "after the lessons"


# -- the texts, as functions of what they say (the website's engine uses them too:
#    diagnostic_export) --------------------------------------------------------------------
def form_content(form: str, moment: str, items: list[Quiz],
                 orders: dict[str, tuple[int, ...]]) -> dict[str, Any]:
    """What the view draws of a form: the intro, each item with its options in ``orders``
    (option places, by item id), and the Submit button."""
    n = len(items)
    intro = (f"<h3>Diagnostic, form {form}: {_when(moment)}</h3>"
             f"<p>{n} questions, one for each question of the source post, taking about "
             f"{MINUTES} minutes. Choose one answer for each, then press "
             f"<strong>{SUBMIT}</strong> at the end. Nothing is marked until you submit "
             "the whole form: this measures what you know now, it is not practice, so "
             "answer without looking anything up. If you are unsure, choose the answer "
             "you think most likely.</p>")
    shown = [{"id": q.id, "heading": f"Question {k} of {n}: {q.title}",
              "body": f"{markdown(q.scenario)}<p><strong>{_inline(q.question)}</strong></p>",
              "options": [{"key": i, "text": q.options[i].text} for i in orders[q.id]]}
             for k, q in enumerate(items, 1)]
    return {"kind": "form", "intro": intro, "items": shown, "submit": SUBMIT,
            "submit_title": "Mark the whole form and save it with your progress"}


def missing_html(numbers: str, several: bool) -> str:
    """Submit with questions unanswered: ``numbers`` lists them ("3" or "2, 5")."""
    return (f"<p><strong>⚠ Not submitted yet:</strong> question"
            f"{'s' if several else ''} {numbers} "
            f"{'have' if several else 'has'} no answer. Answer every "
            "question, then press the button again. If you do not know, choose the "
            "answer you think most likely.</p>")


def result_header_html(form: str, moment: str, right: int, n: int,
                       day: str | None = None) -> str:
    """The score of a submitted form; ``day`` (YYYY-MM-DD) when it was submitted earlier."""
    when = ""
    if day is not None:
        when = (f" You submitted it on {html.escape(day)}; your first answers are kept, "
                "so that the comparison stays fair.")
    then = ("At the end of the course, the closing notebook gives you the other form "
            "and shows both side by side." if moment == "before" else
            "The chart below compares this with the form you took at the start.")
    return (f"<p><strong>➜ Submitted: {right} of {n} right</strong> "
            f"(form {html.escape(form)}, {WHEN[moment]}).{when}</p>"
            f"<p>{then} Here is each question with its answer.</p>")


def _line(label: str, q: Quiz, i: int) -> str:
    opt = q.options[i]
    return (f"<li><strong>{label}</strong> <em>{_inline(opt.text)}</em> — "
            f"{_inline(opt.feedback)}</li>")


def item_result_html(k: int, q: Quiz, answer: dict[str, Any] | None) -> str:
    """Question ``k``'s result: the option chosen with its feedback, the right one if that
    was wrong, the explanation and the sources."""
    head = f"<h4>Question {k}: {html.escape(q.title)}</h4>"
    if answer is None:
        return head + "<p>(This question was not in the form you submitted.)</p>"
    lines = [_line(RIGHT if answer["correct"] else WRONG, q, answer["choice"])]
    if not answer["correct"]:
        lines.append(_line(ANSWER, q, min(q.correct_indices)))
    cites = "".join(
        f'<li><a href="{html.escape(s.url)}" target="_blank" rel="noopener">'
        f"{html.escape(s.title)}</a> ({html.escape(s.date)})</li>" for s in q.sources)
    return (f"{head}<ul class='dfe-feedback'>{''.join(lines)}</ul>"
            f"<details><summary>Explanation and sources</summary>"
            f"{markdown(q.explanation)}<ul>{cites}</ul></details>")


def static_html(session: DiagnosticSession) -> str:
    """The form as plain HTML without answers, for places where widgets cannot run (the
    stylesheet of a drawn form hides it)."""
    parts = [f'<div class="dfe-diagnostic-static"><h4>Diagnostic, form '
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


class DiagnosticWidget(anywidget.AnyWidget):
    """One form of the diagnostic. ``select``, ``submit`` and ``result_html`` drive it from
    code too; option numbers are places in the content file. Drawn by the quiz's ES module
    (:mod:`.quiz_frontend`) as a form."""

    _esm = ESM
    _css = CSS
    content = t.Dict().tag(sync=True)  # drawn once
    answers = t.Dict().tag(sync=True)  # item id -> option key, set by the learner's clicks
    feedback = t.Dict().tag(sync=True)  # {"html", "locked"}

    def __init__(self, moment: str, store: ProgressStore | None = None):
        self.session = DiagnosticSession(moment, store)
        self._warned = False  # the last Submit found unanswered questions
        learner = self.session.progress.learner_id()
        self.orders = {q.id: option_order(q, learner) for q in self.items}
        super().__init__(content=form_content(self.session.form, moment, self.items,
                                              self.orders),
                         answers={}, feedback={"html": "", "locked": False})
        self.on_msg(self._on_action)
        self.observe(self._answered, names="answers")
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
        return {q.id: int(self.answers[q.id]) for q in self.items if q.id in self.answers}

    def select(self, item: int | str, option: int | None) -> None:
        """Choose ``option`` (its place in the content file) for an item, given by its
        number (1, 2, ...) or id; None clears it."""
        k = item - 1 if isinstance(item, int) else [q.id for q in self.items].index(item)
        q = self.items[k]
        chosen = {i: c for i, c in self.answers.items() if i != q.id}
        if option is not None:
            if option not in self.orders[q.id]:
                raise ValueError(f"question {k + 1} has no option {option}")
            chosen[q.id] = option
        self.answers = chosen

    # -- actions ----------------------------------------------------------------------
    def _answered(self, change: dict[str, Any]) -> None:
        """A new answer clears the warning about unanswered questions (once: a live region
        that spoke at every click would be noise)."""
        if self._warned and len(change["new"]) > len(change["old"] or {}):
            self._warned = False
            self.feedback = {"html": "", "locked": False}

    def _on_action(self, _widget: Any, message: dict[str, Any], _buffers: Any) -> None:
        if isinstance(message, dict) and message.get("action") == "submit":
            self.submit()

    def submit(self) -> SubmitResult:
        """Mark and save the whole form, or say which questions still need an answer."""
        choices = self.chosen()
        missing = self.session.missing(choices)
        if missing:
            body = missing_html(", ".join(str(m) for m in missing), len(missing) > 1)
            self.feedback = {"html": body, "locked": False}
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
        body = self.result_html(record, earlier)
        answers = record["answers"]
        with self.hold_sync():
            self.answers = {q.id: answers[q.id]["choice"] for q in self.items
                           if q.id in answers and answers[q.id]["choice"] in self.orders[q.id]}
            self.feedback = {"html": body, "locked": True}
        return body

    # -- results ----------------------------------------------------------------------
    def result_html(self, record: dict[str, Any], earlier: bool = False) -> str:
        """The results of a submitted form: the score, then each item's answer, feedback,
        explanation and sources."""
        answers = record["answers"]
        right = sum(a["correct"] for a in answers.values())
        day = record.get("submitted", "")[:10] if earlier else None
        return (result_header_html(record["form"], self.session.moment, right, len(answers),
                                   day)
                + "".join(item_result_html(k, q, answers.get(q.id))
                          for k, q in enumerate(self.items, 1)))

    # -- display ----------------------------------------------------------------------
    def fallback_bundle(self) -> dict[str, str]:
        """The form as text without answers (HTML and plain), where widgets cannot run."""
        return {"text/html": static_html(self.session),
                "text/plain": static_text(self.session)}

    def _ipython_display_(self) -> None:
        """Two outputs, as for a quiz: the text fallback, then the widget, whose style
        hides the text wherever it is drawn."""
        from IPython.display import display

        display(self.fallback_bundle(), raw=True)
        bundle = self._repr_mimebundle_()
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
