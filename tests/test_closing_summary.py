"""The closing summary on both sides: the website's ``site/_static/closing_summary.js`` (here
in node, on :mod:`deepfake_ethics.closing_export`'s parts) makes, from the same progress
record, the one-page summary that :func:`deepfake_ethics.closing.summary_html` writes in
JupyterLab (without its chart, which the tables say in full) and the same caption."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
from pathlib import Path
from typing import Any

from node_js import node

from deepfake_ethics import bank, closing
from deepfake_ethics.closing_export import closing_data
from deepfake_ethics.progress import ProgressStore

ROOT = Path(__file__).resolve().parent.parent
ENGINE = ROOT / "site" / "_static" / "closing_summary.js"
# stdin {data, runs: [progress]}; the page is made on 3 December 2026
DRIVER = """
import { caption, summaryPage } from %s;
let input = "";
for await (const chunk of process.stdin) input += chunk;
const { data, runs } = JSON.parse(input);
process.stdout.write(JSON.stringify(runs.map((progress) => ({
  caption: caption(data, progress),
  page: summaryPage(data, progress, new Date(2026, 11, 3)),
}))));
"""
FIGURE = re.compile(r"<figure>\n<img [^\n]*>\n<figcaption>[^\n]*</figcaption>\n</figure>")


def run_js(runs: list[dict[str, Any]]) -> list[dict[str, str]]:
    done = subprocess.run([node(), "--input-type=module", "-e", DRIVER % json.dumps(
        ENGINE.as_uri())], input=json.dumps({"data": closing_data(), "runs": runs}),
        check=True, capture_output=True, text=True, timeout=120)
    return json.loads(done.stdout)


def answers(form: str, right: set[str]) -> dict[str, dict[str, Any]]:
    return {q.id: {"faq": q.faq, "choice": 0, "correct": q.faq in right}
            for q in bank.diagnostic_form(form)}


def progress_records() -> dict[str, dict[str, Any]]:
    """A learner with everything (an answer to an earlier wording too), one with the first
    form only, and one with nothing."""
    by_lesson: dict[str, list] = {}
    for q in bank.quizzes().values():
        by_lesson.setdefault(q.lesson[:2], []).append(q)
    entry = {"attempts": 1, "choice": [0], "first_answered": "2026-12-01T10:00:00+00:00",
             "last_answered": "2026-12-01T10:00:00+00:00"}
    quizzes = {}
    for k, q in enumerate(by_lesson["01"] + by_lesson["02"][:2] + by_lesson["04"][:1]):
        quizzes[q.id] = {**entry, "lesson": q.lesson, "item_version": q.version,
                         "first_correct": None if q.kind == "reflection" else k % 2 == 0,
                         "correct": k % 3 != 0}
    old = by_lesson["03"][0]
    quizzes[old.id] = {**entry, "lesson": old.lesson, "item_version": "0" * 12,
                       "first_correct": True, "correct": True}
    reflection = next(q for q in bank.quizzes().values() if q.kind == "reflection")
    notes = {reflection.id: {"lesson": reflection.lesson, "saved": "2026-12-01T10:00:00+00:00",
                             "text": "Tools carry <choices> & \"so\" do we.\nTwo lines."},
             "gone-quiz": {"lesson": "09", "text": "a <b>note</b>", "saved": "x"},
             "blank": {"lesson": "09", "text": "  ", "saved": "x"}}
    before = {"form": "B", "submitted": "2026-11-02T09:00:00+00:00",
              "answers": answers("B", {"L1", "L2", "E3", "P1"})}
    after = {"form": "A", "submitted": "2026-12-01T23:30:00+00:00",
             "answers": answers("A", set(bank.faqs()) - {"E4", "P3"})}
    return {
        "everything": {"version": 1, "learner": "abc", "quizzes": quizzes, "notes": notes,
                       "diagnostic": {"before": before, "after": after}},
        "first form only": {"version": 1, "learner": "abc", "quizzes": {}, "notes": {},
                            "diagnostic": {"before": before}},
        "nothing": {"version": 1, "learner": "abc", "quizzes": {}, "notes": {}},
    }


def test_the_sites_summary_is_the_jupyterlab_summary_without_its_chart(tmp_path):
    records = progress_records()
    found = dict(zip(records, run_js(list(records.values())), strict=True))
    for name, record in records.items():
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(record))
        store = ProgressStore(path)
        python = closing.summary_html(store, made=dt.date(2026, 12, 3))
        assert len(FIGURE.findall(python)) == 1
        assert found[name]["page"] == FIGURE.sub("", python), name
        assert found[name]["caption"] == closing.caption(closing.describe(store)), name
    page = found["everything"]["page"]
    assert "After: 9 of 11 right (form A, 1 December 2026)." in page
    assert "Tools carry &lt;choices&gt; &amp; &quot;so&quot; do we." in page
    assert "<h3>gone-quiz</h3><blockquote>a &lt;b&gt;note&lt;/b&gt;</blockquote>" in page
    assert "Made on 3 December 2026" in page and "<script" not in page

