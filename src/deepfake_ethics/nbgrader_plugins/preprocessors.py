"""nbgrader preprocessors of the grading pipeline that run after the sandboxed kernel.

* :class:`JudgeAnswers` compares what the kernel recorded with the answer keys and writes
  each graded test cell's outcome as outputs that nbgrader's own ``SaveAutoGrades`` reads
  (an error for no points, a number for partial credit, plain text for full points), so
  the gradebook, the formgrader and ``nbgrader export`` work as before.
* :class:`NeutraliseOutputs` makes every output of student code inert and bounded: only
  plain text and PNG/JPEG images are kept (no HTML, JavaScript, SVG, Markdown or widget
  views), each cell's output is capped in bytes, and raw HTML in a student's own Markdown
  is shown as text. The formgrader and the feedback render only what is left.
"""

from __future__ import annotations

import base64
import copy
import json
import re
from typing import Any

from nbformat import NotebookNode
from nbgrader.preprocessors import NbGraderPreprocessor, OverwriteCells
from traitlets import Bool, Integer

from ..layout import nbgrader_folder
from . import self_study
from .execute import MAX_OUTPUT_BYTES, cut_note, grading_state
from .judge import Verdict, judge

SAFE_MIME = ("text/plain", "image/png", "image/jpeg")
_CONTROL = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|[\x00-\x08\x0b-\x1f\x7f]")


class JudgeAnswers(NbGraderPreprocessor):
    """Set each keyed test cell's outcome from the judge (see module docs)."""

    def preprocess(self, nb: NotebookNode, resources: dict[str, Any]
                   ) -> tuple[NotebookNode, dict[str, Any]]:
        state = grading_state(resources)
        for cell in nb.cells:
            grade = cell.metadata.get("nbgrader", {})
            cell_id = grade.get("grade_id")
            if cell.cell_type != "code" or not grade.get("grade") or \
                    cell_id not in state["keys"]:
                continue
            points = float(grade.get("points", 0))
            verdict = judge(state["keys"][cell_id], state["records"].get(cell_id, []), points)
            stopped = state["stopped"].get(cell_id)
            if stopped:
                verdict = Verdict(0.0, points, f"This question's code was stopped: {stopped}.")
            cell.outputs = verdict_outputs(verdict, form_message(cell))
            self.log.debug("%s: %s of %s", cell_id, verdict.score, points)
        return nb, resources


def form_message(cell: NotebookNode) -> str:
    """The visible check's own message about the form of the answer, if it raised one."""
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error" and output.get("ename") == "AnswerFormError":
            return clean_text(str(output.get("evalue", "")))[:400]
    return ""


def verdict_outputs(verdict: Verdict, form: str = "") -> list[NotebookNode]:
    """The outputs that tell nbgrader the score and the student why."""
    mark = {"correct": "✔", "partly right": "◑", "no points": "✘"}[verdict.status]
    score = f"{verdict.score:g} of {verdict.max_score:g} point(s)"
    text = f"{mark} {verdict.status.capitalize()}: {score}. {verdict.message}"
    if form and verdict.status != "correct":
        text += f"\nThe check of its form said: {form}"
    if verdict.status == "no points":
        return [NotebookNode(output_type="error", ename="NoPoints", evalue=text,
                             traceback=[text])]
    outputs = [NotebookNode(output_type="stream", name="stdout", text=text + "\n")]
    if verdict.status == "partly right":
        outputs.append(NotebookNode(output_type="execute_result", execution_count=None,
                                    metadata={}, data={"text/plain": f"{verdict.score:g}"}))
    return outputs


def clean_text(text: str) -> str:
    """Text without terminal escapes and control characters."""
    return _CONTROL.sub("", text)


class NeutraliseOutputs(NbGraderPreprocessor):
    """Only inert, bounded output survives (see module docs)."""

    max_output_bytes = Integer(MAX_OUTPUT_BYTES, config=True,
                               help="Output kept per cell, in bytes.")
    max_image_bytes = Integer(1_000_000, config=True, help="Largest image kept, in bytes.")

    def preprocess(self, nb: NotebookNode, resources: dict[str, Any]
                   ) -> tuple[NotebookNode, dict[str, Any]]:
        nb.metadata.pop("widgets", None)  # widget state could render student HTML
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell: NotebookNode, resources: dict[str, Any], index: int
                        ) -> tuple[NotebookNode, dict[str, Any]]:
        if cell.cell_type == "markdown" and not cell.metadata.get("nbgrader", {}).get("locked"):
            cell.source = escape_markup(cell.source)
            cell.pop("attachments", None)
        if cell.cell_type == "code":
            cell.outputs = neutralise(cell.get("outputs", []), self.max_output_bytes,
                                      self.max_image_bytes)
        return cell, resources


_SCRIPT_URL = re.compile(r"(java|vb)script\s*:|data\s*:\s*text/html", re.I)


def escape_markup(text: str) -> str:
    """Student Markdown with every ``<`` and ``>`` shown as text, never as HTML, and no
    link that would run a script when clicked."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    # A zero-width space before the colon: no longer a URL scheme, and no entity that a
    # Markdown renderer would decode back into one.
    return _SCRIPT_URL.sub(lambda m: m.group(0).replace(":", "\u200b:"), text)


def neutralise(outputs: list[NotebookNode], max_bytes: int, max_image: int
               ) -> list[NotebookNode]:
    """Plain text and checked images only, capped at ``max_bytes`` for the cell."""
    kept: list[NotebookNode] = []
    used = 0
    for output in outputs:
        kind = output.get("output_type")
        if kind == "stream":
            new = NotebookNode(output_type="stream",
                               name="stderr" if output.get("name") == "stderr" else "stdout",
                               text=clean_text(str(output.get("text", ""))))
        elif kind == "error":
            lines = [clean_text(str(line)) for line in output.get("traceback", [])][-40:]
            new = NotebookNode(output_type="error", ename=clean_text(str(output.get("ename"))),
                               evalue=clean_text(str(output.get("evalue", ""))),
                               traceback=lines)
        elif kind in ("display_data", "execute_result"):
            data = _safe_data(output.get("data", {}), max_image)
            new = NotebookNode(output_type=kind, data=data, metadata={})
            if kind == "execute_result":
                new.execution_count = output.get("execution_count")
        else:
            continue
        size = len(json.dumps(new))
        if used + size > max_bytes:
            if new.output_type == "stream" and used < max_bytes:
                new.text = new.text[:max_bytes - used]
                kept.append(new)
            kept.append(cut_note(max_bytes))
            break
        used += size
        kept.append(new)
    return kept


def _safe_data(data: dict[str, Any], max_image: int) -> dict[str, Any]:
    safe: dict[str, Any] = {}
    for mime in ("image/png", "image/jpeg"):
        value = data.get(mime)
        if isinstance(value, str) and len(value) <= max_image and _is_image(value, mime):
            safe[mime] = value
    text = data.get("text/plain")
    if isinstance(text, list):
        text = "".join(map(str, text))
    if isinstance(text, str):
        safe["text/plain"] = clean_text(text)
    elif not safe:
        hidden = ", ".join(sorted(m for m in data if m not in SAFE_MIME))[:200]
        safe["text/plain"] = f"[output of type {hidden or 'unknown'} not shown]"
    return safe


def _is_image(value: str, mime: str) -> bool:
    try:
        head = base64.b64decode(value[:32] + "=" * (-len(value[:32]) % 4), validate=False)
    except ValueError:
        return False
    return head.startswith(b"\x89PNG") if mime == "image/png" else head.startswith(b"\xff\xd8")


class RestoreCells(OverwriteCells):
    """nbgrader's ``OverwriteCells``, restoring deleted test cells in the right place.

    nbgrader puts a deleted test cell back after the cell that precedes it in the
    gradebook's list of cells, whose order the database does not keep (PostgreSQL returns
    rows in any order): a restored test could land before the answer it checks. Here the
    order comes from the course's source notebook (the gradebook's as a fallback), and a
    missing cell goes after the nearest earlier cell that the submission still has.

    nbgrader also warns "Attribute 'checksum' ... has changed!" for every test cell with
    hidden tests and every task with a mark scheme, since the gradebook keeps the cell with
    them and students get it without: a dozen warnings per student who changed nothing.
    Here a cell that is exactly as released is put back quietly (logged at debug); a real
    change still warns.
    """

    _as_released = False  # whether the cell being checked is exactly as released

    def preprocess_cell(self, cell: NotebookNode, resources: dict[str, Any], cell_index: int
                        ) -> tuple[NotebookNode, dict[str, Any]]:
        self._as_released = self._is_as_released(cell)
        return super().preprocess_cell(cell, resources, cell_index)

    def report_change(self, name: str, attr: str, old: Any, new: Any) -> None:
        if attr == "checksum" and self._as_released:
            self.log.debug("Cell %s is as released: what was held back is put back", name)
            return
        super().report_change(name, attr, old, new)

    def _is_as_released(self, cell: NotebookNode) -> bool:
        """Whether ``cell`` is the gradebook's cell as nbgrader's own ``ClearHiddenTests``
        and ``ClearMarkScheme`` released it."""
        from nbgrader.api import MissingEntry
        from nbgrader.preprocessors import ClearHiddenTests, ClearMarkScheme

        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id is None:
            return False
        try:
            source_cell = self.gradebook.find_source_cell(grade_id, self.notebook_id,
                                                          self.assignment_id)
        except MissingEntry:
            return False
        released = copy.deepcopy(cell)
        released.source = source_cell.source
        try:
            for clear in (ClearHiddenTests, ClearMarkScheme):
                clear(config=self.config).preprocess_cell(released, {}, 0)
        except RuntimeError:  # a malformed region in the stored cell: not "as released"
            return False
        return released.source == cell.source

    def add_missing_grade_cells(self, nb: NotebookNode, resources: dict[str, Any]
                                ) -> tuple[NotebookNode, dict[str, Any]]:
        source_nb = self.gradebook.find_notebook(self.notebook_id, self.assignment_id)
        cells = {cell.name: cell for cell in source_nb.source_cells}
        grade_cells = {cell.name: cell for cell in source_nb.grade_cells}
        solutions = {cell.name for cell in source_nb.solution_cells}
        order = self._source_order() or list(cells)
        for grade_id in [name for name in order if name in grade_cells]:
            present = {cell.metadata.get("nbgrader", {}).get("grade_id"): i
                       for i, cell in enumerate(nb.cells)}
            if grade_id in present:
                continue
            self.log.warning("Missing grade cell %s encountered, adding to notebook", grade_id)
            cell = self.missing_cell_transform(cells[grade_id], grade_cells[grade_id].max_score,
                                               is_solution=grade_id in solutions)
            earlier = order[:order.index(grade_id)]
            position = next((present[name] + 1 for name in reversed(earlier)
                             if name in present), 0)
            nb.cells.insert(position, cell)
        return nb, resources

    def _source_order(self) -> list[str]:
        """The grade ids of the source notebook, in its order ([] if it is not found)."""
        import nbformat

        folder = nbgrader_folder(self.config, "source", self.assignment_id)
        try:
            source = nbformat.read(folder / f"{self.notebook_id}.ipynb", as_version=4)
        except (OSError, TypeError, ValueError):  # no source notebook: the gradebook's order
            return []
        return [cell.metadata["nbgrader"]["grade_id"] for cell in source.cells
                if cell.metadata.get("nbgrader", {}).get("grade_id")]


class StampSelfStudy(NbGraderPreprocessor):
    """Writes the set-up cell with the keys this notebook is generated from (or the class
    mark), before nbgrader records the cells in the gradebook."""

    public_keys = Bool(True, help="Whether the self-study cells may judge with the answer "
                                  "keys of a source/ the learner can read (the public "
                                  "course); False for a class, whose instructor grades."
                       ).tag(config=True)

    def preprocess(self, nb: NotebookNode, resources: dict[str, Any]
                   ) -> tuple[NotebookNode, dict[str, Any]]:
        assignment = resources["nbgrader"]["assignment"]
        keys = self_study.keys_fingerprint(nb) if self.public_keys else self_study.CLASS_KEYS
        for cell in nb.cells:
            if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == \
                    self_study.SETUP_ID:
                cell.source = self_study.setup_source(assignment, keys)
        return nb, resources
