"""One marking rule, two engines: the table of cases in ``content/marking_cases.yaml`` passes
on the Python engine (:class:`~deepfake_ethics.quiz_session.QuizSession`, what JupyterLab
runs) and on the browser engine (``static/quiz_engine.js``, what the website runs, here in
node); and for every quiz of the course, every possible check gives the same feedback HTML
on both, so the website says what JupyterLab says."""

from __future__ import annotations

import json
import subprocess
from itertools import combinations
from pathlib import Path
from typing import Any

import pytest
import yaml
from node_js import node

from deepfake_ethics.bank import CONTENT_DIR, quizzes
from deepfake_ethics.progress import ProgressStore
from deepfake_ethics.quiz_export import quiz_data
from deepfake_ethics.quiz_frontend import STATIC
from deepfake_ethics.quiz_session import QuizSession
from deepfake_ethics.schema import Option, Quiz, Source

CASES = yaml.safe_load((CONTENT_DIR / "marking_cases.yaml").read_text(encoding="utf-8"))
FIELDS = ("stage", "correct", "chosen", "locked", "retry", "reveal", "note")

# Runs steps on the ES module: stdin {runs: [{quiz, order, steps}]}, stdout the results.
DRIVER = """
import { QuizEngine } from %s;
let input = "";
for await (const chunk of process.stdin) input += chunk;
const out = JSON.parse(input).runs.map(({ quiz, order, steps }) => {
  const engine = new QuizEngine(quiz, order);
  return steps.map((step) => "check" in step ? engine.check(step.check)
    : "retry" in step ? engine.retry() : engine.reveal());
});
process.stdout.write(JSON.stringify(out));
"""


def run_js(runs: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    source = DRIVER % json.dumps((STATIC / "quiz_engine.js").as_uri())
    done = subprocess.run([node(), "--input-type=module", "-e", source], check=True,
                          input=json.dumps({"runs": runs}), capture_output=True, text=True,
                          timeout=120)
    return json.loads(done.stdout)


def synthetic(name: str, spec: dict[str, Any]) -> Quiz:
    """A quiz with ``spec``'s kind, number of options and right ones."""
    right = set(spec["right"])
    options = tuple(Option(text=f"Option {chr(65 + i)}", feedback=f"Why {chr(65 + i)}.",
                           correct=i in right) for i in range(spec["options"]))
    reflection = spec["kind"] == "reflection"
    return Quiz(id=name, title=name, scenario="A scenario.", question="Which?",
                options=options, explanation="Because.", lesson="00-cases",
                lesson_title="Cases", kind=spec["kind"], shuffle=False,
                sources=(Source(title="A source", url="https://example.org", date="2026"),),
                hint="" if reflection else "Think again.",
                discussion=("A point.",) if reflection else ())


class Unrecorded(ProgressStore):
    """A progress store that keeps nothing: these tests compare what is shown."""

    def record(self, *args: Any, **kwargs: Any) -> None:
        pass


def run_python(q: Quiz, order: tuple[int, ...], steps: list[dict], store: ProgressStore):
    session = QuizSession(q, store)
    session.order = order
    results = []
    for step in steps:
        if "check" in step:
            result = session.check(tuple(step["check"]))
        elif "retry" in step:
            result = session.retry()
        else:
            result = session.reveal()
        results.append({"html": result.html, "stage": result.stage, "correct": result.correct,
                        "chosen": list(result.chosen), "locked": result.locked,
                        "retry": result.retry, "reveal": result.reveal, "note": result.note})
    return results


@pytest.fixture(scope="module")
def browser_cases() -> dict[str, list[dict[str, Any]]]:
    """Every case of the table run by the browser engine (one node process)."""
    runs = []
    for case in CASES["cases"]:
        q = synthetic(case["quiz"], CASES["quizzes"][case["quiz"]])
        runs.append({"quiz": quiz_data(q), "order": list(range(len(q.options))),
                     "steps": case["steps"]})
    return {case["name"]: got for case, got in zip(CASES["cases"], run_js(runs), strict=True)}


@pytest.mark.parametrize("case", CASES["cases"], ids=[c["name"] for c in CASES["cases"]])
def test_the_table_of_marking_cases_passes_on_both_engines(case, browser_cases, tmp_path):
    q = synthetic(case["quiz"], CASES["quizzes"][case["quiz"]])
    order = tuple(range(len(q.options)))
    python = run_python(q, order, case["steps"], ProgressStore(tmp_path / "p.json"))
    browser = browser_cases[case["name"]]
    for engine, results in (("python", python), ("browser", browser)):
        for k, (step, got) in enumerate(zip(case["steps"], results, strict=True)):
            wanted = step.get("expect", {})
            assert set(wanted) <= set(FIELDS), wanted
            seen = {f: got[f] for f in wanted}
            assert seen == wanted, f"{engine} engine, step {k + 1} ({step})"


def test_the_table_covers_every_stage_and_kind():
    stages = {s["expect"]["stage"] for c in CASES["cases"] for s in c["steps"]
              if "stage" in s.get("expect", {})}
    assert stages == {"empty", "hint", "answer", "answer shown", "cleared", "reflection"}
    assert {q["kind"] for q in CASES["quizzes"].values()} == {"single", "multiple",
                                                               "reflection"}


def every_check(q: Quiz) -> list[tuple[int, ...]]:
    n = len(q.options)
    sizes = range(1, n + 1) if q.kind == "multiple" else (1,)
    return [c for size in sizes for c in combinations(range(n), size)]


@pytest.mark.slow  # node runs every check of every quiz (the table above stays in the fast tier)
def test_every_check_of_every_quiz_reads_the_same_on_both_engines(tmp_path):
    """First try, second try, the answer shown after a hint, and a reflection: HTML and
    controls equal, for every option set a learner can choose, in a shuffled order."""
    runs, expected = [], []
    store = Unrecorded(tmp_path / "p.json")
    for q in quizzes().values():
        order = tuple(reversed(range(len(q.options))))  # not the content file's order
        data = quiz_data(q)
        for chosen in every_check(q):
            steps = [{"check": list(chosen)}, {"retry": True}, {"check": list(chosen)},
                     {"retry": True}, {"reveal": True}]
            expected.append(run_python(q, order, steps, store))
            runs.append({"quiz": data, "order": list(order), "steps": steps})
    assert len(runs) > 100
    for run, wanted, got in zip(runs, expected, run_js(runs), strict=True):
        for step, python, browser in zip(run["steps"], wanted, got, strict=True):
            assert {f: browser[f] for f in ("html", *FIELDS)} == python, (run["quiz"]["id"],
                                                                          step)


def orders(quiz: dict[str, Any], learners: list[str]) -> list[tuple[int, ...]]:
    """The option order each learner sees on the website (the browser engine's)."""
    engine = json.dumps((STATIC / "quiz_engine.js").as_uri())
    source = (f"import {{ optionOrder }} from {engine};\n"
              f"const quiz = {json.dumps(quiz)};\n"
              f"process.stdout.write(JSON.stringify({json.dumps(learners)}.map("
              "(learner) => optionOrder(quiz, learner))));")
    done = subprocess.run([node(), "--input-type=module", "-e", source], check=True,
                          capture_output=True, text=True, timeout=60)
    return [tuple(o) for o in json.loads(done.stdout)]


def test_the_browser_order_is_the_learners_own_and_stable():
    q = next(q for q in quizzes().values() if q.shuffle and len(q.options) >= 4)
    seen = orders(quiz_data(q), ["a", "a", "b", "c", "d", "e"])
    assert seen[0] == seen[1]  # the same learner sees the same order each time
    assert all(sorted(o) == list(range(len(q.options))) for o in seen)
    assert len(set(seen)) > 1  # different learners, different orders
    fixed = quiz_data(synthetic("fixed", CASES["quizzes"]["two-of-five"]))  # shuffle: false
    assert orders(fixed, ["a", "b"]) == [(0, 1, 2, 3, 4)] * 2


def test_exported_texts_come_from_the_python_feedback(tmp_path):
    """The export holds the feedback module's own words (a hint, a verdict, each line)."""
    q = next(q for q in quizzes().values() if q.kind == "multiple")
    data = quiz_data(q)
    wrong = next(i for i, o in enumerate(q.options) if not o.correct)
    session = QuizSession(q, ProgressStore(tmp_path / "p.json"))
    hint = session.check((wrong,)).html
    assert hint in data["hints"].values()
    assert json.loads(json.dumps(data)) == data  # plain JSON
    assert Path(STATIC / "quiz_engine.js").is_file()
