"""Running a submission for grading: in the sandbox, with keys kept out of the kernel.

:class:`GradeExecute` replaces nbgrader's ``Execute`` in ``Autograde``. Before the kernel
starts it takes the answer key out of every graded test cell (leaving the visible checks
and a line that records the answer); it runs the cells in a
:class:`~deepfake_ethics.grading.sandbox.SandboxedKernelManager`; a cell that does not
finish in time, even one that ignores interrupts, costs only that cell (the kernel is
restarted and the cells before it are run again, quietly); a notebook has a wall-clock
budget (``time_budget``) after which its remaining cells are not run and earn nothing;
outputs are capped in bytes as they arrive; after the last cell it calls each decision
function on its hidden cases.
What the kernel recorded goes to ``resources`` for :class:`~.preprocessors.JudgeAnswers`.
"""

from __future__ import annotations

import json
import math
import time
from queue import Empty
from typing import Any

from jupyter_client.utils import run_sync
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat import NotebookNode
from nbformat.v4 import output_from_msg
from nbgrader.preprocessors import Execute
from traitlets import Integer, Type

from .assignment_format import AssignmentFormat
from .keys import calls_code, recording_code, split_key
from .recording import MIME
from .sandbox import SandboxedKernelManager

RESOURCE_KEY = "deepfake_ethics"
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
    max_output_bytes = Integer(64_000, config=True,
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

    def preprocess(self, nb: NotebookNode, resources: dict[str, Any],
                   km: Any = None) -> tuple[NotebookNode, dict[str, Any]]:
        state = grading_state(resources)
        calls: list[tuple[str, dict[str, Any]]] = []
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
                calls.append((cell_id, key))
        self._bytes: dict[int, int] = {}
        self._record_bytes: dict[int, int] = {}
        self._records: dict[str, list[dict[str, Any]]] = state["records"]
        self._stopped: dict[str, str] = state["stopped"]
        self._done: list[int] = []
        try:
            self._run(nb, resources, calls)
        finally:
            for index, source in state["sources"].items():
                nb.cells[int(index)].source = source  # the autograded copy keeps its key
        return nb, resources

    def _run(self, nb: NotebookNode, resources: dict[str, Any],
             calls: list[tuple[str, dict[str, Any]]]) -> None:
        from nbclient import NotebookClient

        NotebookClient.__init__(self, nb, None)
        self._deadline = time.monotonic() + self.time_budget
        self._budget_noted = False
        self.reset_execution_trackers()
        self._check_assign_resources(resources)
        with self.setup_kernel():
            info = self.wait_for_reply(self.kc.kernel_info())
            if info:
                nb.metadata["language_info"] = info["content"]["language_info"]
            for index, cell in enumerate(nb.cells):
                self.preprocess_cell(cell, resources, index)
            for cell_id, key in calls:
                self._run_calls(cell_id, key)
        # Widget state is not kept: student widgets could carry HTML into the formgrader.

    # -- cells ---------------------------------------------------------------------------

    def preprocess_cell(self, cell: NotebookNode, resources: dict[str, Any],
                        index: int) -> tuple[NotebookNode, dict[str, Any]]:
        if cell.cell_type != "code" or not cell.source.strip():
            return cell, resources
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", f"cell{index}")
        if self._remaining() <= 0:
            self._note_budget()
            cell.outputs = [_not_run_output(self._budget_reason())]
            self._stopped[grade_id] = self._budget_reason()
            return cell, resources
        self._bytes[index] = 0
        self._record_bytes[index] = 0
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
        if self._remaining() <= 0:  # interrupted when the budget ran out
            self._note_budget()
            cell.outputs.append(_stopped_output(self._budget_reason()))
            self._stopped[grade_id] = self._budget_reason()
            return cell, resources
        self._collect_records(cell)
        self._done.append(index)
        return cell, resources

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

    def _get_timeout(self, cell: NotebookNode | None) -> int | None:
        """A cell's time limit, never past the end of the notebook's budget."""
        limit = super()._get_timeout(cell)
        remaining = max(1, math.ceil(self._remaining()))
        return remaining if limit is None else min(limit, remaining)

    def _collect_records(self, cell: NotebookNode) -> None:
        """Move the records of a test cell out of its outputs into the grading state.
        Only a graded cell's records count: a record printed elsewhere is dropped."""
        grade = cell.metadata.get("nbgrader", {})
        kept = []
        for output in cell.get("outputs", []):
            payload = output.get("data", {}).get(MIME) if "data" in output else None
            if payload is None:
                kept.append(output)
                continue
            if grade.get("grade") and isinstance(payload, dict) \
                    and payload.get("cell") == grade.get("grade_id"):
                mine = self._records.setdefault(grade["grade_id"], [])
                if len(mine) < MAX_RECORDS_PER_CELL:
                    mine.append(_plain_json(payload))
        cell.outputs = kept

    def _restart_and_replay(self) -> None:
        """A fresh sandbox, then the cells that finished before, run again quietly."""
        run_sync(self.km.restart_kernel)(now=True)
        run_sync(self.kc.wait_for_ready)(timeout=self.startup_timeout)
        deadline = min(time.monotonic() + self.replay_timeout, self._deadline)
        for index in self._done:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not self._quietly(self.nb.cells[index].source, remaining):
                self.log.warning("replay after a restart stopped at cell %s", index)
                run_sync(self.km.restart_kernel)(now=True)
                run_sync(self.kc.wait_for_ready)(timeout=self.startup_timeout)
                return

    def _quietly(self, source: str, timeout: float) -> bool:
        """Run code without keeping its output; False if it did not finish in time."""
        msg_id = self.kc.execute(source, silent=True, store_history=False,
                                 allow_stdin=False, stop_on_error=False)
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            try:
                msg = run_sync(self.kc.shell_channel.get_msg)(timeout=remaining)
            except Empty:
                return False
            if msg["parent_header"].get("msg_id") == msg_id:
                return True

    # -- decision functions ----------------------------------------------------------------

    def _run_calls(self, cell_id: str, key: dict[str, Any]) -> None:
        """Call a decision function on its hidden cases, after the last cell, in a cell
        that is not part of the notebook: whatever it prints is never kept."""
        from nbformat.v4 import new_code_cell

        scratch = new_code_cell(calls_code(key, cell_id))
        scratch.metadata["nbgrader"] = {"grade": True, "grade_id": cell_id}
        self.nb.cells.append(scratch)
        index = len(self.nb.cells) - 1
        try:
            self.preprocess_cell(scratch, self.resources, index)
        finally:
            self.nb.cells.pop()
            self._done = [i for i in self._done if i != index]

    # -- outputs ---------------------------------------------------------------------------

    def output(self, outs: list[NotebookNode], msg: dict[str, Any], display_id: str | None,
               cell_index: int) -> NotebookNode | None:
        """Keep outputs only up to ``max_output_bytes`` per cell (records excepted)."""
        content = msg.get("content", {})
        if MIME in content.get("data", {}):
            size = len(json.dumps(content["data"][MIME], default=str))
            used = self._record_bytes.get(cell_index, 0)
            if used + size > MAX_RECORD_BYTES_PER_CELL:
                return None
            self._record_bytes[cell_index] = used + size
            return super().output(outs, msg, display_id, cell_index)
        size = len(json.dumps(content.get("data") or content.get("text") or content,
                              default=str))
        used = self._bytes.get(cell_index, 0)
        budget = self.max_output_bytes - used
        if size <= budget:
            self._bytes[cell_index] = used + size
            return super().output(outs, msg, display_id, cell_index)
        if used < self.max_output_bytes:
            self._bytes[cell_index] = self.max_output_bytes
            if msg["msg_type"] == "stream" and budget > 0:
                part = dict(msg, content=dict(content, text=content["text"][:budget]))
                outs.append(output_from_msg(part))
            outs.append(cut_note(self.max_output_bytes))
        return None


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
