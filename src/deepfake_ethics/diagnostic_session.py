"""The before-and-after diagnostic: which form a learner takes when, marking a submitted
form, and the results per FAQ (the widget in :mod:`.diagnostic_widget` only shows them).

The diagnostic has two parallel forms, A and B (``content/diagnostic.yaml``), each with one
one-answer item for every FAQ of the source post. A learner takes one form at the end of
lesson 00 (``before``) and the other in the closing notebook (``after``).

**Which form comes first is counterbalanced by the learner's random id** (half of all
learners take A first, half B first). The forms are written to be parallel, but no two sets
of items are exactly as hard as each other: with a fixed order, every learner's "gain"
would include the difference between the forms, always in the same direction. Across
learners who compare or pool their summaries (a class, a pilot of the items), the two
orders cancel that difference out, and comparing the two groups' first scores shows
whether the forms really are equally hard. For one learner the order is fixed: the id
does not change, not even when progress is reset.

A form is a measure, not practice: it is marked only when submitted whole, the first
submission of each moment is kept, and its answers are saved with the learner's progress
(section ``diagnostic`` of ``progress.json``). Nothing leaves the computer.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from .bank import diagnostic_form, faqs
from .progress import DIAGNOSTIC_MOMENTS, ProgressStore, default_store
from .schema import DIAGNOSTIC_FORMS, Quiz

MOMENTS = DIAGNOSTIC_MOMENTS  # ("before", "after")
WHEN = {"before": "at the start (lesson 00)", "after": "at the end (the closing notebook)"}


def first_form(learner: str) -> str:
    """The form this learner takes first ("A" or "B"), from their random id (the website's
    engine follows the same rule: ``content/diagnostic_forms.yaml``)."""
    digest = hashlib.sha256(f"{learner}\ndiagnostic".encode()).digest()
    return DIAGNOSTIC_FORMS[digest[0] % 2]


def form_for(moment: str, learner: str) -> str:
    """The form this learner takes at ``moment``: the first form before, the other after."""
    if moment not in MOMENTS:
        raise ValueError(f"the diagnostic is taken {' or '.join(MOMENTS)}, not {moment!r}")
    first = first_form(learner)
    return first if moment == "before" else next(f for f in DIAGNOSTIC_FORMS if f != first)


def mark(items: list[Quiz], choices: dict[str, int]) -> dict[str, dict[str, Any]]:
    """The record of a submitted form: for each item, its FAQ, the option chosen (its place
    in the content file) and whether it is right. Every item needs a choice."""
    missing = [q.id for q in items if q.id not in choices]
    if missing:
        raise ValueError(f"no answer for {', '.join(missing)}")
    return {q.id: {"faq": q.faq, "choice": int(choices[q.id]),
                   "correct": bool(q.mark([choices[q.id]]))} for q in items}


@dataclass
class DiagnosticSession:
    """One learner and one moment of the diagnostic: the form, and its record if any."""

    moment: str
    store: ProgressStore | None = None

    def __post_init__(self) -> None:
        self.form = form_for(self.moment, self.progress.learner_id())
        self.items = diagnostic_form(self.form)

    @property
    def progress(self) -> ProgressStore:
        return self.store or default_store()

    @property
    def record(self) -> dict[str, Any] | None:
        """The submitted form, as saved with progress (None before it is submitted)."""
        return self.progress.diagnostic(self.moment)

    def missing(self, choices: dict[str, int]) -> list[int]:
        """The numbers (1, 2, ...) of the items that have no answer yet."""
        return [n for n, q in enumerate(self.items, 1) if q.id not in choices]

    def submit(self, choices: dict[str, int]) -> dict[str, dict[str, Any]]:
        """Mark the whole form and save it with progress (a form already submitted at this
        moment stays as it was: the first submission counts). Returns the marking."""
        answers = mark(self.items, choices)
        self.progress.record_diagnostic(self.moment, self.form, answers)
        return answers


def before_and_after(store: ProgressStore | None = None) -> list[dict[str, Any]]:
    """One row per FAQ, in the source post's order: its id, question and lesson, and
    whether the learner's answer was right ``before`` and ``after`` (None: not taken)."""
    store = store or default_store()
    records = {m: store.diagnostic(m) for m in MOMENTS}
    rows = []
    for faq_id, entry in faqs().items():
        row: dict[str, Any] = {"faq": faq_id, "question": entry["question"],
                               "lesson": entry["lesson"]}
        for moment, record in records.items():
            found = [a["correct"] for a in (record or {}).get("answers", {}).values()
                     if a.get("faq") == faq_id]
            row[moment] = found[0] if found else None
        rows.append(row)
    return rows


def totals(store: ProgressStore | None = None) -> dict[str, dict[str, Any]]:
    """For each moment: the form taken, when it was submitted, and how many items were
    right out of how many (an empty mapping for a moment not taken)."""
    store = store or default_store()
    found: dict[str, dict[str, Any]] = {}
    for moment in MOMENTS:
        record = store.diagnostic(moment)
        if record:
            answers = record["answers"].values()
            found[moment] = {"form": record["form"], "submitted": record["submitted"],
                             "right": sum(a["correct"] for a in answers),
                             "items": len(answers)}
    return found
