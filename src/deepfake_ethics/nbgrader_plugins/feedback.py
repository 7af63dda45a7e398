"""Feedback that shows a student their work and their marks, and nothing secret.

The course's ``generate_feedback`` runs nbgrader's own clean-up, with a note added:

* :class:`HiddenTestsNote` is nbgrader's ``ClearHiddenTests`` (the answer keys), and
  :class:`MarkSchemeNote` nbgrader's ``ClearMarkScheme``, each leaving a note where a
  region was (nbgrader would show them in feedback: nbgrader issue #1363). A student's own
  cell whose text looks like a broken region is left as the student wrote it.

Then :class:`SanitizeFeedback` adds what only this course needs:

* for a graded test cell, only the judge's verdict and the visible check's message (see
  :mod:`~deepfake_ethics.nbgrader_plugins.preprocessors`), never a traceback that quotes code;
* outputs made inert and bounded again (:func:`~.preprocessors.neutralise`), in case an
  autograded notebook was produced without the course's pipeline.

What it shows of the student's own outputs and Markdown never depends on the answer keys
or the model answers. Keys never enter the student's kernel, so an output can hold only
what the student already had; removing the lines that match a key would instead tell a
student who printed every candidate answer which one was right.
"""

from __future__ import annotations

from typing import Any

from nbformat import NotebookNode
from nbgrader.preprocessors import ClearHiddenTests, ClearMarkScheme, NbGraderPreprocessor
from nbgrader.utils import is_locked
from traitlets import Integer

from ..kernel.checks import AnswerFormError
from .execute import MAX_OUTPUT_BYTES
from .preprocessors import neutralise

HIDDEN_NOTE = "# (Hidden tests ran here. They are not shown, so that they stay fair for everyone.)"
RUBRIC_NOTE = "*(The marking scheme for this question is not shown.)*"
# Errors whose message is written for students and never quotes a key.
SAFE_ERRORS = {AnswerFormError.__name__, "NameError", "NotImplementedError", "NoPoints",
               "CellStopped"}
FAILED_NOTE = ("This test did not pass. Compare your answer with the question and the "
               "lesson; your instructor's comments explain more.")


class _NoteWhereRemoved:
    """Mixed into one of nbgrader's region-clearing preprocessors: a note where it removed a
    region; a student's own text that looks like a broken region is kept as written."""

    note = ""

    def preprocess_cell(self, cell: NotebookNode, resources: dict[str, Any], index: int
                        ) -> tuple[NotebookNode, dict[str, Any]]:
        before = cell.source
        try:
            cell, resources = super().preprocess_cell(cell, resources, index)  # type: ignore[misc]
        except RuntimeError:
            if is_locked(cell):  # the instructor's cell: a broken region stops feedback
                raise
            cell.source = before
            return cell, resources
        if cell.source != before:
            cell.source = f"{cell.source.rstrip()}\n{self.note}".lstrip()
        return cell, resources


class HiddenTestsNote(_NoteWhereRemoved, ClearHiddenTests):
    """nbgrader's ``ClearHiddenTests``, with a note where the hidden tests were."""

    note = HIDDEN_NOTE


class MarkSchemeNote(_NoteWhereRemoved, ClearMarkScheme):
    """nbgrader's ``ClearMarkScheme``, with a note where the mark scheme was."""

    note = RUBRIC_NOTE


class SanitizeFeedback(NbGraderPreprocessor):
    """Verdicts only for graded cells; inert, bounded outputs (see module docs)."""

    max_output_bytes = Integer(MAX_OUTPUT_BYTES, config=True,
                               help="Output kept per cell, in bytes.")

    def preprocess_cell(self, cell: NotebookNode, resources: dict[str, Any], index: int
                        ) -> tuple[NotebookNode, dict[str, Any]]:
        if cell.cell_type == "code":
            outputs = neutralise(cell.get("outputs", []), self.max_output_bytes, 1_000_000)
            if cell.metadata.get("nbgrader", {}).get("grade"):
                outputs = [_safe_output(o) for o in outputs]
            cell.outputs = outputs
        return cell, resources


FEEDBACK_STEPS = [HiddenTestsNote, MarkSchemeNote, SanitizeFeedback]  # in this order


def _safe_output(output: NotebookNode) -> NotebookNode:
    """Keep a message written for students; replace any other error with a plain note."""
    if output.get("output_type") != "error":
        return output
    message = output.get("evalue", "") if output.get("ename") in SAFE_ERRORS else ""
    if output.get("ename") == "CellTimeoutError":
        message = "The cell ran out of time (does it loop forever?)."
    text = message or FAILED_NOTE
    if output.get("ename") not in {"NoPoints", "CellStopped"}:
        text = f"✘ {output.get('ename', 'Error')}: {text}"
    return NotebookNode(output_type="error", ename=output.get("ename", "Error"),
                        evalue=message or FAILED_NOTE, traceback=[text])
