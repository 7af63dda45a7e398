"""What a learner reads after acting on a quiz: the feedback object and its text.

:class:`Feedback` is what :class:`.quiz_session.QuizSession` returns for every action
(Check, Try again, Show the answer): the HTML to show and which controls to offer next.
A view shows it as it is, without deciding anything: "partly right", the hint and the
order of the lines are all decided here. Every line starts with a word and a symbol, so
feedback never relies on colour alone.
"""

from __future__ import annotations

import hashlib
import html
import random
from dataclasses import dataclass
from typing import Any

from .schema import Quiz

RIGHT, WRONG, MISSED, NOTE = "✔ Right:", "✘ Not right:", "○ Also right:", "➜ Your view:"
ANSWER, OTHER, HINT = "○ The right answer:", "◇ Another view:", "➜ Hint:"


@dataclass(frozen=True)
class Feedback:
    """The result of one action: the HTML shown and the controls offered next.

    ``correct`` and ``chosen`` say what was marked (``correct`` is None for a reflection or
    when nothing was chosen); ``stage`` ("empty", "hint", "answer", "reflection", "answer
    shown" or "cleared") names the case for records and tests. A view uses only
    :meth:`view_state`."""

    html: str
    correct: bool | None = None
    chosen: tuple[int, ...] = ()
    stage: str = "cleared"
    locked: bool = False  # options and Check are disabled
    retry: bool = False  # "Try again" is offered
    reveal: bool = False  # "Show the answer" is offered
    note: bool = False  # a reflection's box for the learner's reasoning is shown

    def view_state(self) -> dict[str, Any]:
        """What a view needs to draw this feedback (plain JSON)."""
        return {"html": self.html, "locked": self.locked, "retry": self.retry,
                "reveal": self.reveal, "note": self.note}


def markdown(text: str) -> str:
    """Render course Markdown (trusted content) to HTML."""
    import mistune

    return mistune.html(text)


def inline(text: str) -> str:
    """Course Markdown for one line: without the paragraph around it."""
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


def option_line(label: str, q: Quiz, i: int) -> str:
    """One option with its feedback, led by ``label`` (a word and a symbol)."""
    opt = q.options[i]
    return (f"<li><strong>{label}</strong> <em>{inline(opt.text)}</em> — "
            f"{inline(opt.feedback)}</li>")


def sources_html(q: Quiz) -> str:
    """The quiz's dated sources as a list of links."""
    return "".join(
        f'<li><a href="{html.escape(s.url)}" target="_blank" rel="noopener">'
        f"{html.escape(s.title)}</a> ({html.escape(s.date)})</li>" for s in q.sources)


def explanation_html(q: Quiz) -> str:
    return (f"<p><strong>Explanation.</strong></p>{markdown(q.explanation)}"
            f"<p><strong>Sources</strong></p><ul>{sources_html(q)}</ul>")


def empty_html(q: Quiz) -> str:
    """Check with nothing chosen."""
    what = "at least one option" if q.kind == "multiple" else "an option"
    return (f"<p><strong>⚠ Nothing chosen yet:</strong> choose {what} and press Check "
            "again.</p>")


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


def hint_html(q: Quiz, chosen: tuple[int, ...]) -> str:
    """A wrong first try: not yet right, how far off (counts only), and the hint."""
    return (f"{first_try_verdict(q, chosen)}"
            f"<p><strong>{HINT}</strong> {inline(q.hint)}</p>"
            "<p><em>Press Try again to answer once more, or Show the answer. The "
            "feedback on every option comes with the answer.</em></p>")


def _verdict(q: Quiz, chosen: tuple[int, ...], correct: bool) -> str:
    if correct:
        return "<p><strong>✔ Correct.</strong></p>"
    if q.kind == "multiple" and set(chosen) & q.correct_indices:
        return "<p><strong>✘ Partly right.</strong> Read the feedback below.</p>"
    return "<p><strong>✘ Not quite.</strong> Read the feedback below.</p>"


def answer_html(q: Quiz, order: tuple[int, ...], chosen: tuple[int, ...],
                correct: bool) -> str:
    """The answer after a check: each choice's feedback, what was missed, the explanation."""
    items = [option_line(RIGHT if q.options[i].correct else WRONG, q, i)
             for i in order if i in chosen]
    if not correct:
        label = MISSED if q.kind == "multiple" else ANSWER
        items += [option_line(label, q, i) for i in order
                  if q.options[i].correct and i not in chosen]
    return (f"{_verdict(q, chosen, correct)}<ul class='dfe-feedback'>{''.join(items)}"
            f"</ul>{explanation_html(q)}")


def shown_answer_html(q: Quiz, order: tuple[int, ...]) -> str:
    """The answer asked for with *Show the answer*: the right options and the explanation."""
    items = [option_line(ANSWER if q.kind == "single" else RIGHT, q, i)
             for i in order if q.options[i].correct]
    return ("<p><strong>○ The answer.</strong></p>"
            f"<ul class='dfe-feedback'>{''.join(items)}</ul>{explanation_html(q)}")


def reflection_html(q: Quiz, order: tuple[int, ...], chosen: tuple[int, ...]) -> str:
    """Every position with its reasoning (the learner's first among equals)."""
    items = [option_line(NOTE if i in chosen else OTHER, q, i) for i in order]
    points = "".join(f"<li>{inline(p)}</li>" for p in q.discussion)
    return ("<p><strong>➜ Thank you for choosing.</strong> Here is how every position "
            "reasons, yours first among equals: each has a strong case and a hard "
            f"question to answer.</p><ul class='dfe-feedback'>{''.join(items)}</ul>"
            f"<p><strong>Points for discussion</strong></p><ul>{points}</ul>"
            f"{explanation_html(q)}"
            "<p><em>Write your own reasoning in the box below and save it: it stays "
            "with your progress on this computer.</em></p>")


def note_status_html(text: str) -> str:
    """What saving a reflection's reasoning says."""
    if text.strip():
        return "<p role='status'>✔ Saved with your progress on this computer.</p>"
    return "<p role='status'>Nothing to save: the box is empty.</p>"
