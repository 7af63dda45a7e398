"""The before-and-after diagnostic as plain JSON for the engine that runs without a kernel
(``static/diagnostic_engine.js``, used by the course website), like :mod:`.quiz_export`
for the quizzes.

Every text is rendered here by the functions :mod:`.diagnostic_widget` shows in JupyterLab:
each form's intro for each moment, each item's result for each option chosen, the score's
header for each possible score. Two texts carry data the browser only knows when it shows
them, and are exported with a placeholder that the engine fills: the numbers of the
unanswered questions (``{numbers}``) and the day an earlier form was submitted (``{day}``).
"""

from __future__ import annotations

from typing import Any

from .bank import diagnostic_form
from .diagnostic_session import MOMENTS
from .diagnostic_widget import (
    form_content,
    item_result_html,
    missing_html,
    result_header_html,
)
from .schema import DIAGNOSTIC_FORMS

NUMBERS, DAY = "{numbers}", "{day}"  # filled by the engine


def diagnostic_data() -> dict[str, Any]:
    """Both forms: for each, its items (file order, the right option, the FAQ), what the
    view draws for each moment, and every result and score text; and the warning about
    unanswered questions."""
    forms = {}
    for form in DIAGNOSTIC_FORMS:
        items = diagnostic_form(form)
        n = len(items)
        in_file_order = {q.id: tuple(range(len(q.options))) for q in items}
        forms[form] = {
            "items": [{"id": q.id, "faq": q.faq, "shuffle": q.shuffle,
                       "right": min(q.correct_indices),
                       "results": [item_result_html(k, q, {"choice": i,
                                                           "correct": q.options[i].correct})
                                   for i in range(len(q.options))],
                       "absent": item_result_html(k, q, None)}
                      for k, q in enumerate(items, 1)],
            "content": {m: form_content(form, m, items, in_file_order) for m in MOMENTS},
            "scores": {m: [result_header_html(form, m, right, n) for right in range(n + 1)]
                       for m in MOMENTS},
            "earlier": {m: [result_header_html(form, m, right, n, DAY)
                            for right in range(n + 1)] for m in MOMENTS},
        }
    return {"forms": forms,
            "missing": {"one": missing_html(NUMBERS, False),
                        "several": missing_html(NUMBERS, True)}}
