"""The closing notebook's comparison and one-page summary as plain JSON for the course
website (``site/_static/closing_summary.js``), like :mod:`.diagnostic_export` for the
diagnostic.

Every part is rendered here by the functions of :mod:`.closing` that write the summary in
JupyterLab, with placeholders (``{name}``) only for what the browser alone knows: the
learner's answers, results, days and reasoning. The site's summary has no chart: its two
tables say everything the JupyterLab chart shows.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

from . import closing
from .bank import faqs, quizzes
from .diagnostic_session import MOMENTS
from .progress import ProgressStore, summary
from .progress_chart import row_label


def _ph(*names: str) -> dict[str, str]:
    return {name: "{" + name + "}" for name in names}


def closing_data() -> dict[str, Any]:
    """The summary's parts: each FAQ's row, each lesson's row with its quizzes, the totals,
    the moments' sentences, the tables, the page and the reasoning, with placeholders."""
    with tempfile.TemporaryDirectory() as tmp:  # the rows as a new learner has them
        rows = [r for r in summary(ProgressStore(Path(tmp) / "progress.json")) if r["scored"]]
    bank = quizzes()
    taken = {**_ph("right", "items", "form", "day")}
    return {
        "verdict": {"right": closing.VERDICT[True], "wrong": closing.VERDICT[False],
                    "absent": closing.VERDICT[None]},
        "faqs": [{"faq": faq_id, "row": closing.faq_row(faq_id, entry["question"], "{before}",
                                                        "{after}")}
                 for faq_id, entry in faqs().items()],
        "lessons": [{"row": closing.lesson_row(row_label(r), "{answered}", r["quizzes"],
                                               "{first}", r["scored"]),
                     "quizzes": [{"id": q.id, "version": q.version}
                                 for q in bank.values() if q.lesson == r["lesson"]]}
                    for r in rows],
        "total": {"taken": closing.total_cell(taken), "absent": closing.total_cell(None)},
        "moment": {m: {"taken": closing.moment_line(m, taken),
                       "absent": closing.moment_line(m, None)} for m in MOMENTS},
        "to_do": closing.TO_DO,
        "faq_table": closing.diagnostic_table("{rows}", "{totals}"),
        "quiz_table": closing.lessons_table("{rows}"),
        "page": closing.summary_page("{day}", "{moments}", "{faq_table}", "{quiz_table}", "",
                                     "{reasoning}"),
        "reasoning": {"section": closing.reasoning_section("{items}"),
                      "items": {q.id: closing.reasoning_item(q.title, "{text}")
                                for q in bank.values()},
                      "unknown": closing.reasoning_item("{id}", "{text}")},
        "months": [dt.date(2000, m, 1).strftime("%B") for m in range(1, 13)],
        "name": closing.SUMMARY_NAME,
        "download": closing.DOWNLOAD,
    }
