"""Running a submission for grading: in the sandbox, with keys kept out of the kernel.

:class:`GradeExecute` replaces nbgrader's ``Execute`` in ``Autograde`` and runs nbgrader's own
``preprocess`` (nbconvert's loop over the cells); it only prepares the notebook around it
and listens at nbclient's extension points:

* before: the answer key is taken out of every graded test cell (leaving the visible checks
  and a line that records the answer), and one hidden cell per decision function is added
  after the last cell; after (even on failure): the keys go back and the hidden cells go;
* ``kernel_manager_class``: every kernel runs in a
  :class:`~deepfake_ethics.nbgrader_plugins.sandbox.SandboxedKernelManager`;
* ``timeout_func``: a cell's limit never reaches past the notebook's wall-clock budget
  (``time_budget``, kernel start, restarts and decision functions included); the cells left
  when it runs out are not run and earn nothing;
* ``on_cell_execute`` / ``on_cell_executed``: output counters per cell; what the kernel
  recorded moves out of the cell's outputs into ``resources`` for
  :class:`~.preprocessors.JudgeAnswers`;
* ``store_widget_state`` off: student widgets could carry HTML into the formgrader.

Two overrides remain, each because nbclient has no hook for it: :meth:`preprocess_cell`
(nbconvert's per-cell step) turns a cell that did not finish, even one that ignores
interrupts, into a cost of that cell alone (the kernel is restarted and the cells before
it run again quietly), where nbclient would end the notebook; :meth:`output` caps outputs
in bytes as they arrive, where nbclient would keep them whole.
"""

from __future__ import annotations

import json
import math
import time
from typing import Any

from jupyter_client.utils import run_sync
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat import NotebookNode
from nbformat.v4 import new_code_cell, output_from_msg
from nbgrader.preprocessors import Execute
from traitlets import Bool, Integer, Type, default

from ..kernel.recording import MIME
from .assignment_format import AssignmentFormat
from .keys import calls_code, recording_code, split_key
from .sandbox import SandboxedKernelManager

RESOURCE_KEY = "deepfake_ethics"
# Output kept per cell, in bytes: the default cap of execution (GradeExecute), the
# autograded notebook (NeutraliseOutputs) and the feedback (SanitizeFeedback); a course sets
# its own for all three in nbgrader_config.py (MAX_OUTPUT_BYTES there).
MAX_OUTPUT_BYTES = 64_000
MAX_RECORDS_PER_CELL = 20
MAX_RECORD_BYTES_PER_CELL = 256_000


def grading_state(resources: dict[str, Any]) -> dict[str, Any]:
    """This module's part of ``resources``: keys, original sources and records."""
    return resources.setdefault(RESOURCE_KEY, {"keys": {}, "sources": {}, "records": {},
                                               "stopped": {}})


class GradeExecute(Execute):
    """nbgrader's ``Execute``, sandboxed, with answer keys kept out of the kernel."""

    kernel_manager_class = Type(SandboxedKernelManager, config=True,
                                help="The kernel manager (sandboxed by default).")
    store_widget_state = Bool(False, help="Off, whatever the configuration says: student "
                                          "widgets could carry HTML into the formgrader.")
    max_output_bytes = Integer(MAX_OUTPUT_BYTES, config=True,
                               help="Output kept per cell, in bytes (text and images).")
    replay_timeout = Integer(60, config=True,
                             help="Seconds to re-run the earlier cells after a restart.")
    time_budget = Integer(120, config=True,
                          help="Seconds of wall-clock time for a whole notebook, kernel start, "
                               "restarts and decision functions included; the cells left "
                               "when it runs out are not run and earn nothing.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # nbgrader's Execute sets its own kernel manager class through these arguments.
        kwargs.setdefault("kernel_manager_class", SandboxedKernelManager)
        super().__init__(*args, **kwargs)
        self._start(grading_state({}), first_call=0)

    @default("timeout_func")
    def _default_timeout_func(self) -> Any:
        return self._cell_timeout

    def preprocess(self, nb: NotebookNode, resources: dict[str, Any],
                   km: Any = None) -> tuple[NotebookNode, dict[str, Any]]:
        """nbgrader's own ``preprocess`` on the notebook with keys out and calls added."""
        state = grading_state(resources)
        calls: list[NotebookNode] = []
        fmt = AssignmentFormat.from_config(self.config)  # the course's region markers
        for index, cell in enumerate(nb.cells):
            grade = cell.metadata.get("nbgrader", {})
            if cell.cell_type != "code" or not grade.get("grade"):
                continue
            cell_id = grade.get("grade_id", f"cell{index}")
            visible, key = split_key(cell.source, cell_id, fmt)
            if key is None:
                continue
            state["keys"][cell_id] = key
            state["sources"][str(index)] = cell.source
            cell.source = recording_code(key, cell_id) + visible
            if key["kind"] == "calls":
                calls.append(_calls_cell(key, cell_id))
        self._start(state, first_call=len(nb.cells))
        nb.cells.extend(calls)
        try:
            return super().preprocess(nb, resources, km)
        finally:
            del nb.cells[self._first_call:]  # whatever the calls printed is never kept
            for index, source in state["sources"].items():
                nb.cells[int(index)].source = source  # the autograded copy keeps its key

    def _start(self, state: dict[str, Any], first_call: int) -> None:
        """A new notebook: its budget starts now; cells from ``first_call`` are hidden."""
        self._records: dict[str, list[dict[str, Any]]] = state["records"]
        self._stopped: dict[str, str] = state["stopped"]
        self._first_call = first_call
        self._deadline = time.monotonic() + self.time_budget
        self._budget_noted = False
        self._done: list[int] = []  # cells that finished, replayed after a restart
        self._ran_out = False  # whether the budget ran out while the last cell ran
        self._bytes = 0  # output kept of the running cell
        self._record_bytes = 0  # records of the running cell

    # -- cells ---------------------------------------------------------------------------

    def preprocess_cell(self, cell: NotebookNode, resources: dict[str, Any],
                        index: int) -> tuple[NotebookNode, dict[str, Any]]:
        """nbconvert's step for one cell, where a stopped cell costs only that cell.

        An override, not a hook: nbclient raises ``CellTimeoutError`` (a cell that ignores
        the interrupt) or ``DeadKernelError`` (the sandbox killed the kernel) out of the
        whole notebook; here the kernel is restarted and the rest is graded."""
        if cell.cell_type != "code" or not cell.source.strip():
            return cell, resources
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", f"cell{index}")
        if self._remaining() <= 0:
            self._note_budget()
            cell.outputs = [_not_run_output(self._budget_reason())]
            self._stopped[grade_id] = self._budget_reason()
            return cell, resources
        self._ran_out = False
        try:
            cell, resources = super().preprocess_cell(cell, resources, index)
        except (CellTimeoutError, DeadKernelError) as error:
            reason = getattr(self.km, "stopped_because", None) or (
                self._budget_reason() if self._remaining() <= 0 else
                "it did not finish within the time limit, even when interrupted"
                if isinstance(error, CellTimeoutError) else "it stopped the kernel")
            self.log.warning("cell %s stopped (%s); restarting the kernel", index, reason)
            cell.outputs.append(_stopped_output(reason))
            self._stopped[grade_id] = reason
            if self._remaining() > 0:
                self._restart_and_replay()
            return cell, resources
        if self._ran_out:  # interrupted when the budget ran out
            self._note_budget()
            cell.outputs.append(_stopped_output(self._budget_reason()))
            self._stopped[grade_id] = self._budget_reason()
            return cell, resources
        if index < self._first_call:  # the decision functions' cells are never replayed
            self._done.append(index)
        return cell, resources

    def on_cell_execute(self, cell: NotebookNode, cell_index: int, **_: Any) -> None:
        """nbclient's hook before a cell runs: its output counters start at zero."""
        self._bytes = 0
        self._record_bytes = 0

    def on_cell_executed(self, **kwargs: Any) -> None:
        """nbclient's hook after a cell ran: nbgrader's own error note, then the records
        move out of the outputs (none count if the notebook's budget ran out meanwhile)."""
        super().on_cell_executed(**kwargs)
        self._ran_out = self._remaining() <= 0
        self._collect_records(kwargs["cell"], keep=not self._ran_out)

    # -- the notebook's time budget ----------------------------------------------------------

    def _remaining(self) -> float:
        return self._deadline - time.monotonic()

    def _budget_reason(self) -> str:
        return f"the notebook's time budget of {self.time_budget} s for grading ran out"

    def _note_budget(self) -> None:
        if not self._budget_noted:
            self._budget_noted = True
            self.log.warning("Time budget: %s; the remaining cells are not run and earn "
                             "nothing", self._budget_reason())

    def _cell_timeout(self, cell: NotebookNode) -> int | None:
        """nbclient's ``timeout_func``: ``timeout``, never past the end of the budget."""
        limit = self.timeout if self.timeout and self.timeout > 0 else None
        remaining = max(1, math.ceil(self._remaining()))
        return remaining if limit is None else min(limit, remaining)

    def _collect_records(self, cell: NotebookNode, keep: bool) -> None:
        """Move the records of a test cell out of its outputs into the grading state.
        Only a graded cell's records count: a record printed elsewhere is dropped."""
        grade = cell.metadata.get("nbgrader", {})
        kept = []
        for output in cell.get("outputs", []):
            payload = output.get("data", {}).get(MIME) if "data" in output else None
            if payload is None:
                kept.append(output)
                continue
            if keep and grade.get("grade") and isinstance(payload, dict) \
                    and payload.get("cell") == grade.get("grade_id"):
                mine = self._records.setdefault(grade["grade_id"], [])
                if len(mine) < MAX_RECORDS_PER_CELL:
                    mine.append(_plain_json(payload))
        cell.outputs = kept

    def _restart_and_replay(self) -> None:
        """A fresh sandbox, then the cells that finished before, run again quietly."""
        self._restart()
        deadline = min(time.monotonic() + self.replay_timeout, self._deadline)
        for index in self._done:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not self._quietly(self.nb.cells[index].source, remaining):
                self.log.warning("replay after a restart stopped at cell %s", index)
                self._restart()
                return

    def _restart(self) -> None:
        run_sync(self.km.restart_kernel)(now=True)
        run_sync(self.kc.wait_for_ready)(timeout=self.startup_timeout)

    def _quietly(self, source: str, timeout: float) -> bool:
        """Run code without keeping its output; False if it did not finish in time."""
        try:
            run_sync(self.kc.execute_interactive)(
                source, silent=True, store_history=False, allow_stdin=False,
                stop_on_error=False, timeout=timeout, output_hook=lambda msg: None)
        except TimeoutError:
            return False
        return True

    # -- outputs ---------------------------------------------------------------------------

    def output(self, outs: list[NotebookNode], msg: dict[str, Any], display_id: str | None,
               cell_index: int) -> NotebookNode | None:
        """Keep outputs only up to ``max_output_bytes`` per cell (records excepted).

        An override, not a hook: nbclient calls no hook per output message, and a cap
        applied after the cell would hold the whole flood in the grader's memory first."""
        content = msg.get("content", {})
        if MIME in content.get("data", {}):
            size = len(json.dumps(content["data"][MIME], default=str))
            if self._record_bytes + size > MAX_RECORD_BYTES_PER_CELL:
                return None
            self._record_bytes += size
            return super().output(outs, msg, display_id, cell_index)
        size = len(json.dumps(content.get("data") or content.get("text") or content,
                              default=str))
        budget = self.max_output_bytes - self._bytes
        if size <= budget:
            self._bytes += size
            return super().output(outs, msg, display_id, cell_index)
        if budget > 0:
            self._bytes = self.max_output_bytes
            if msg["msg_type"] == "stream":
                part = dict(msg, content=dict(content, text=content["text"][:budget]))
                outs.append(output_from_msg(part))
            outs.append(cut_note(self.max_output_bytes))
        return None


def _calls_cell(key: dict[str, Any], cell_id: str) -> NotebookNode:
    """The hidden cell that calls a decision function on its cases after the last cell;
    its records count for the test cell ``cell_id``."""
    cell = new_code_cell(calls_code(key, cell_id))
    cell.metadata["nbgrader"] = {"grade": True, "grade_id": cell_id}
    return cell


def cut_note(limit: int) -> NotebookNode:
    """The output that says the rest of a cell's output was not kept."""
    return NotebookNode(output_type="stream", name="stdout",
                        text=f"\n[Output cut here: more than {limit:,} bytes.]\n")


def _stopped_output(reason: str) -> NotebookNode:
    text = (f"This cell was stopped: {reason}. It earns no points; the kernel was "
            "restarted and the rest of the notebook was graded.")
    return NotebookNode(output_type="error", ename="CellStopped", evalue=text,
                        traceback=[text])


def _not_run_output(reason: str) -> NotebookNode:
    text = f"This cell was not run: {reason}. It earns no points."
    return NotebookNode(output_type="error", ename="CellStopped", evalue=text,
                        traceback=[text])


def _plain_json(value: Any) -> Any:
    """A deep copy made only of JSON types (whatever the message decoder produced)."""
    return json.loads(json.dumps(value))
