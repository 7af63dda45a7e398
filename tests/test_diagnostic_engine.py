"""The diagnostic on both engines: ``static/diagnostic_engine.js`` (the website, here in
node) says what the JupyterLab widget (:class:`~deepfake_ethics.diagnostic_widget.
DiagnosticWidget`) says for the same form: the form as drawn, the warning about unanswered
questions, the results of a submitted form, and an earlier form's results; and it marks a
form the same way."""

from __future__ import annotations

import json
import random
import subprocess
from typing import Any

import pytest
from node_js import node

from deepfake_ethics import diagnostic_session
from deepfake_ethics.bank import CONTENT_DIR
from deepfake_ethics.content_yaml import read_yaml
from deepfake_ethics.diagnostic_export import diagnostic_data
from deepfake_ethics.diagnostic_widget import DiagnosticWidget
from deepfake_ethics.progress import ProgressStore
from deepfake_ethics.quiz_frontend import STATIC

# stdin {data, runs: [{moment, learner, before, answers, record, earlier}]}
DRIVER = """
import { DiagnosticEngine, formFor } from %s;
let input = "";
for await (const chunk of process.stdin) input += chunk;
const { data, runs } = JSON.parse(input);
process.stdout.write(JSON.stringify(runs.map((run) => {
  const engine = new DiagnosticEngine(data, run.moment, run.learner, run.before);
  const out = { form: engine.form, content: engine.content };
  if (run.answers) { out.submit = engine.submit(run.answers); }
  if (run.record) { out.results = engine.results(run.record, run.earlier); }
  return out;
})));
"""


def run_js(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    source = DRIVER % json.dumps((STATIC / "diagnostic_engine.js").as_uri())
    done = subprocess.run([node(), "--input-type=module", "-e", source], check=True,
                          input=json.dumps({"data": diagnostic_data(), "runs": runs}),
                          capture_output=True, text=True, timeout=120)
    return json.loads(done.stdout)


def widget_for(tmp_path, moment: str, form: str, name: str) -> DiagnosticWidget:
    """The JupyterLab widget of ``form`` at ``moment`` (a new learner until one takes it)."""
    for n in range(100):
        widget = DiagnosticWidget(moment, ProgressStore(tmp_path / f"{name}-{n}.json"))
        if widget.form == form:
            return widget
    raise AssertionError("no learner id gives this form")


@pytest.mark.parametrize("moment", ["before", "after"])
@pytest.mark.parametrize("form", ["A", "B"])
def test_the_site_draws_marks_and_words_a_form_as_jupyterlab_does(tmp_path, moment, form):
    widget = widget_for(tmp_path, moment, form, f"{moment}{form}")
    learner = widget.session.progress.learner_id()
    before = {"form": form if moment == "before" else ("B" if form == "A" else "A")}
    rnd = random.Random(f"{moment}{form}")
    partial = {q.id: rnd.randrange(4) for q in widget.items[::3]}
    full = {q.id: rnd.randrange(4) for q in widget.items}
    record = {"form": form, "submitted": "2026-11-30T09:00:00+00:00",
              "answers": {q.id: {"faq": q.faq, "choice": c, "correct": q.options[c].correct}
                          for q, c in ((q, full[q.id]) for q in widget.items)}}
    runs = [{"moment": moment, "learner": learner, "before": before, "answers": partial},
            {"moment": moment, "learner": learner, "before": before, "answers": full},
            {"moment": moment, "learner": learner, "before": before, "record": record,
             "earlier": True}]
    partial_js, full_js, earlier_js = run_js(runs)

    assert partial_js["form"] == form
    content = dict(widget.content)
    assert partial_js["content"]["intro"] == content["intro"]
    assert [i["heading"] for i in partial_js["content"]["items"]] == [
        i["heading"] for i in content["items"]]
    assert all(sorted(o["key"] for o in i["options"]) == [0, 1, 2, 3]
               for i in partial_js["content"]["items"])

    for k, q in enumerate(widget.items, 1):  # the warning names the unanswered questions
        if q.id in partial:
            widget.select(k, partial[q.id])
    warned = widget.submit()
    assert partial_js["submit"]["html"] == warned.html and not partial_js["submit"]["record"]

    for k, q in enumerate(widget.items, 1):
        widget.select(k, full[q.id])
    done = widget.submit()
    assert done.submitted
    assert full_js["submit"]["html"] == done.html
    kept = widget.session.record["answers"]
    assert full_js["submit"]["record"]["answers"] == kept  # the same marking

    assert earlier_js["results"] == widget.result_html(record, earlier=True)


FIRST_FORM = read_yaml(CONTENT_DIR / "diagnostic_forms.yaml")["first_form"]


def test_the_table_of_first_forms_passes_on_both_engines():
    """The same learner takes the same form first on the site as in JupyterLab."""
    assert set(FIRST_FORM.values()) == {"A", "B"}  # the table has both outcomes
    runs = [{"moment": moment, "learner": learner, "before": None}
            for learner in FIRST_FORM for moment in ("before", "after")]
    found = iter(run_js(runs))
    for learner, first in FIRST_FORM.items():
        before, after = next(found)["form"], next(found)["form"]
        assert diagnostic_session.form_for("before", learner) == first == before, learner
        assert diagnostic_session.form_for("after", learner) == after != first, learner


def test_the_browser_takes_the_first_form_by_the_python_rule_for_many_learners():
    learners = [f"{n:016x}" for n in range(0, 2**40, 2**40 // 300)] + ["é-ü", "x" * 70]
    runs = [{"moment": "before", "learner": learner, "before": None} for learner in learners]
    assert [r["form"] for r in run_js(runs)] == [diagnostic_session.first_form(learner)
                                                 for learner in learners]


def test_the_first_form_is_counterbalanced_across_learners():
    runs = [{"moment": "before", "learner": f"{n:016x}", "before": None} for n in range(200)]
    forms = [r["form"] for r in run_js(runs)]
    assert 70 < forms.count("A") < 130
    after = run_js([{"moment": "after", "learner": "0123456789abcdef", "before": None},
                    {"moment": "before", "learner": "0123456789abcdef", "before": None}])
    assert {after[0]["form"], after[1]["form"]} == {"A", "B"}  # the other form after


def test_the_earlier_day_is_escaped():
    data = diagnostic_data()
    assert "{day}" in data["forms"]["A"]["earlier"]["before"][0]
    record = {"form": "A", "submitted": "<b>2026</b>", "answers": {}}
    (out,) = run_js([{"moment": "before", "learner": "x", "before": {"form": "A"},
                      "record": record, "earlier": True}])
    assert "&lt;b&gt;2026&lt;/" in out["results"] and "<b>" not in out["results"]
