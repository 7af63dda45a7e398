"""A quiz as plain JSON for the quiz engine that runs without a kernel
(``static/quiz_engine.js``, used by the course website).

Every text the learner reads is rendered here by :mod:`.quiz_feedback`, the module that
writes it for JupyterLab; the browser engine only marks, keeps the stages and puts these
pieces in the learner's option order. What a verdict or hint says depends on a check only
through two counts, the chosen options that are wrong and the right options missed
(:func:`counts`), so each is exported once per pair of counts. The keys are not hidden:
the course is for self-study, and the answer is one click away in JupyterLab too.
"""

from __future__ import annotations

from itertools import combinations
from typing import Any

from .quiz_feedback import (
    ANSWER,
    MISSED,
    NOTE,
    OTHER,
    RIGHT,
    WRONG,
    answer_html,
    empty_html,
    hint_html,
    note_status_html,
    option_line,
    reflection_html,
    shown_answer_html,
)
from .quiz_widget import view_content
from .schema import Quiz

# Which label leads an option's line, by name (the engine chooses the name).
LABELS = {"right": RIGHT, "wrong": WRONG, "missed": MISSED, "answer": ANSWER, "note": NOTE,
          "other": OTHER}
LIST = "<ul class='dfe-feedback'></ul>"  # where a frame takes its option lines


def counts(q: Quiz, chosen: tuple[int, ...]) -> str:
    """The two counts a check's text depends on, as the key the engine looks up:
    "<chosen options that are wrong>,<right options not chosen>"."""
    wrong = len(set(chosen) - q.correct_indices)
    missed = len(q.correct_indices - set(chosen))
    return f"{wrong},{missed}"


def _frame(page: str) -> str:
    if page.count(LIST) != 1:
        raise ValueError("a feedback page has one list of options")
    return page


def quiz_data(q: Quiz) -> dict[str, Any]:
    """Everything the browser engine needs for ``q``: what the view draws (options in the
    content file's order, each with its ``key``), the marking data, and the texts."""
    n = len(q.options)
    data: dict[str, Any] = {
        "id": q.id, "lesson": q.lesson, "kind": q.kind, "shuffle": q.shuffle, "title": q.title,
        "version": q.version,  # what an answer means (progress keeps it with the answer)
        "right": sorted(q.correct_indices),
        "content": view_content(q, tuple(range(n))),
        "empty": empty_html(q),
        "lines": {name: [option_line(label, q, i) for i in range(n)]
                  for name, label in LABELS.items()},
        # every page with its list of options left empty, for the engine to fill
        "shown": _frame(shown_answer_html(q, ())),
    }
    if q.kind == "reflection":
        data["reflection"] = _frame(reflection_html(q, (), ()))
        data["note_status"] = {"saved": note_status_html("saved"), "empty": note_status_html("")}
        return data
    frames: list[str] = []
    answer: dict[str, int] = {}
    hints: dict[str, str] = {}
    sizes = range(1, n + 1) if q.kind == "multiple" else (1,)
    for size in sizes:
        for chosen in combinations(range(n), size):
            key = counts(q, chosen)
            page = _frame(answer_html(q, (), chosen, bool(q.mark(chosen))))
            if page not in frames:
                frames.append(page)
            if answer.setdefault(key, frames.index(page)) != frames.index(page):
                raise ValueError(f"quiz {q.id}: the answer's text depends on more than {key}")
            hint = hint_html(q, chosen)
            if hints.setdefault(key, hint) != hint:
                raise ValueError(f"quiz {q.id}: the hint's text depends on more than {key}")
    data.update(frames=frames, answer=answer, hints=hints)
    return data
