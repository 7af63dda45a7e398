"""GradeExecute around nbgrader's own ``preprocess``, without a kernel: what it prepares
before the run (keys out, decision-function cells added), what it undoes after (even when
the run fails), and what its nbclient hooks do (time limits within the budget, records per
graded cell, output caps as outputs arrive). The kernel side is in test_grading_attacks.py,
test_submission_attacks.py and test_nbgrader_pipeline.py (slow)."""

from __future__ import annotations

import json
import time

import nbformat
import pytest
from nbconvert.preprocessors import ExecutePreprocessor

from deepfake_ethics.kernel.recording import MIME
from deepfake_ethics.nbgrader_plugins.assignment_format import default_format
from deepfake_ethics.nbgrader_plugins.execute import GradeExecute, grading_state

CHOICE = 'answer_key = {"kind": "choice", "answer": "a", "expect": "y"}'
CALLS = ('answer_key = {"kind": "calls", "function": "f", "cases": '
         '[{"args": [1], "expect": "secret-result"}]}')


def _test_cell(grade_id: str, key: str) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell("check()\n" + default_format().region("hidden_tests", key))
    cell.metadata["nbgrader"] = {"grade": True, "grade_id": grade_id, "points": 1,
                                 "locked": True, "solution": False}
    return cell


def _notebook() -> nbformat.NotebookNode:
    return nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("a = 'y'\ndef f(x):\n    return x"),
        _test_cell("t_choice", CHOICE), _test_cell("t_calls", CALLS)])


def _run(monkeypatch: pytest.MonkeyPatch, fail: bool = False) -> tuple[list, dict, object]:
    """Preprocess with nbgrader's own ``preprocess`` replaced by a look at the notebook."""
    seen: list[tuple[str, dict]] = []

    def run(self, nb, resources, km=None):
        seen.extend((c.source, dict(c.metadata.get("nbgrader", {}))) for c in nb.cells)
        if fail:
            raise RuntimeError("the kernel did not start")
        return nb, resources

    monkeypatch.setattr(ExecutePreprocessor, "preprocess", run)
    nb, resources = _notebook(), {}
    if fail:
        with pytest.raises(RuntimeError):
            GradeExecute().preprocess(nb, resources)
    else:
        GradeExecute().preprocess(nb, resources)
    return seen, resources, nb


def test_nbgraders_preprocess_runs_with_keys_out_and_the_calls_after_the_last_cell(monkeypatch):
    seen, resources, nb = _run(monkeypatch)
    sources = [source for source, _ in seen]
    assert len(seen) == 4, "one hidden cell per decision function, after the last cell"
    assert not any("answer_key" in s or "secret-result" in s for s in sources)
    assert "_dfe_record('t_choice'" in sources[1]
    assert "_dfe_calls('t_calls', 'f'" in sources[3] and seen[3][1]["grade_id"] == "t_calls"
    state = grading_state(resources)
    assert set(state["keys"]) == {"t_choice", "t_calls"}
    assert len(nb.cells) == 3 and "answer_key" in nb.cells[1].source, "key back, cell gone"


def test_a_failed_run_still_puts_the_keys_back_and_removes_the_hidden_cells(monkeypatch):
    _, _, nb = _run(monkeypatch, fail=True)
    assert len(nb.cells) == 3
    assert "answer_key" in nb.cells[1].source and "answer_key" in nb.cells[2].source


def test_a_cells_time_limit_never_reaches_past_the_budget():
    grader = GradeExecute(timeout=20, time_budget=120)
    cell = nbformat.v4.new_code_cell("x = 1")
    assert grader._get_timeout(cell) == 20  # nbclient asks its timeout_func
    grader._deadline = time.monotonic() + 5.2
    assert grader._get_timeout(cell) == 6
    grader._deadline = time.monotonic() - 3
    assert grader._get_timeout(cell) == 1
    grader.timeout = None
    grader._deadline = time.monotonic() + 50
    assert grader._get_timeout(cell) == 50, "no per-cell limit still means the budget's"


def _record(cell_id: str, value: object) -> nbformat.NotebookNode:
    return nbformat.v4.new_output("display_data", data={
        MIME: {"cell": cell_id, "name": "a", "value": value}})


def _executed(grader: GradeExecute, cell: nbformat.NotebookNode) -> None:
    grader.on_cell_executed(cell=cell, cell_index=0,
                            execute_reply={"content": {"status": "ok"}})


def _grader_with_state() -> tuple[GradeExecute, dict]:
    grader, resources = GradeExecute(), {}
    state = grading_state(resources)
    grader._records, grader._stopped = state["records"], state["stopped"]
    return grader, state


def test_records_of_a_graded_cell_move_out_of_its_outputs_and_others_are_dropped():
    grader, state = _grader_with_state()
    cell = _test_cell("t_choice", CHOICE)
    printed = nbformat.v4.new_output("stream", name="stdout", text="hello\n")
    cell.outputs = [printed, _record("t_choice", "y"), _record("t_other", "forged")]
    _executed(grader, cell)
    assert state["records"] == {"t_choice": [{"cell": "t_choice", "name": "a", "value": "y"}]}
    assert cell.outputs == [printed]
    plain = nbformat.v4.new_code_cell("print()")
    plain.outputs = [_record("t_choice", "forged")]
    _executed(grader, plain)
    assert len(state["records"]["t_choice"]) == 1 and plain.outputs == []


def test_records_made_when_the_budget_ran_out_do_not_count():
    grader, state = _grader_with_state()
    grader._deadline = 0.0
    cell = _test_cell("t_choice", CHOICE)
    cell.outputs = [_record("t_choice", "y")]
    _executed(grader, cell)
    assert state["records"] == {} and grader._ran_out


def _cell_starts(grader: GradeExecute) -> None:
    """What nbclient does when a cell starts, as far as ``output`` sees it."""
    grader.clear_before_next_output = False
    grader.on_cell_execute(cell=nbformat.v4.new_code_cell("x"), cell_index=0)


def _stream(text: str) -> dict:
    return {"msg_type": "stream", "header": {"msg_type": "stream"}, "parent_header": {},
            "content": {"name": "stdout", "text": text}}


def test_output_is_cut_at_the_cap_as_it_arrives():
    grader = GradeExecute(max_output_bytes=1000)
    _cell_starts(grader)
    outs: list = []
    for _ in range(30):
        grader.output(outs, _stream("x" * 100), None, 0)
    text = "".join(o["text"] for o in outs)
    assert text.count("x") < 1000 and "[Output cut here: more than 1,000 bytes.]" in text
    assert sum("Output cut here" in o["text"] for o in outs) == 1
    _cell_starts(grader)
    again: list = []
    grader.output(again, _stream("fresh\n"), None, 0)
    assert again and again[0]["text"] == "fresh\n", "each cell starts with the whole cap"


def test_records_have_their_own_cap():
    grader = GradeExecute(max_output_bytes=10)
    _cell_starts(grader)
    outs: list = []
    big = {"cell": "t", "name": "a", "value": "v" * 100_000}
    msg = {"msg_type": "display_data", "header": {"msg_type": "display_data"},
           "parent_header": {},
           "content": {"data": {MIME: big}, "metadata": {}}}
    for _ in range(4):
        grader.output(outs, json.loads(json.dumps(msg)), None, 0)
    assert len(outs) == 2, "records pass the text cap but stop at their own"
