"""Feedback that shows a student their work and their marks, and nothing secret.

:class:`SanitizeFeedback` (an nbgrader preprocessor for ``generate_feedback``):

* replaces every hidden-test region (the answer keys) and every mark scheme with a note
  (nbgrader would show them: nbgrader issue #1363);
* keeps, for a graded test cell, only the judge's verdict and the visible check's message
  (see :mod:`~deepfake_ethics.grading.preprocessors`), never a traceback that quotes code;
* makes outputs inert and bounded again (:func:`~.preprocessors.neutralise`), in case an
  autograded notebook was produced without the course's pipeline.

What it shows of the student's own outputs and Markdown never depends on the answer keys
or the model answers. Keys never enter the student's kernel, so an output can hold only
what the student already had; removing the lines that match a key would instead tell a
student who printed every candidate answer which one was right.
"""

from __future__ import annotations

import re
from typing import Any

from nbformat import NotebookNode
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Integer

from .preprocessors import neutralise

HIDDEN_NOTE = "# (Hidden tests ran here. They are not shown, so that they stay fair for everyone.)"
RUBRIC_NOTE = "*(The marking scheme for this question is not shown.)*"
# Errors whose message is written for students and never quotes a key.
SAFE_ERRORS = {"AnswerFormError", "NameError", "NotImplementedError", "NoPoints",
               "CellStopped"}
FAILED_NOTE = ("This test did not pass. Compare your answer with the question and the "
               "lesson; your instructor's comments explain more.")

_HIDDEN = re.compile(r"^[ \t]*#+[ \t]*BEGIN HIDDEN TESTS.*?^[ \t]*#+[ \t]*END HIDDEN TESTS[^\n]*",
                     re.S | re.M)
_SCHEME = re.compile(r"^[ \t]*(#+|<!--)?[ \t]*BEGIN MARK SCHEME.*?END MARK SCHEME[^\n]*",
                     re.S | re.M)


def strip_hidden_tests(source: str) -> tuple[str, bool]:
    """Replace every hidden-test region with a short note; say whether any was found."""
    cleaned, count = _HIDDEN.subn(HIDDEN_NOTE, source)
    return cleaned, count > 0


def strip_mark_scheme(source: str) -> tuple[str, bool]:
    """Replace every mark-scheme region with a short note; say whether any was found."""
    cleaned, count = _SCHEME.subn(RUBRIC_NOTE, source)
    return cleaned, count > 0


class SanitizeFeedback(NbGraderPreprocessor):
    """Remove keys and mark schemes from feedback; verdicts only for graded cells."""

    max_output_bytes = Integer(64_000, config=True, help="Output kept per cell, in bytes.")

    def preprocess_cell(self, cell: NotebookNode, resources: dict[str, Any], index: int
                        ) -> tuple[NotebookNode, dict[str, Any]]:
        cell.source, had_hidden = strip_hidden_tests(cell.source)
        cell.source, _ = strip_mark_scheme(cell.source)
        nbgrader = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code":
            outputs = neutralise(cell.get("outputs", []), self.max_output_bytes, 1_000_000)
            if had_hidden or nbgrader.get("grade"):
                outputs = [_safe_output(o) for o in outputs]
            cell.outputs = outputs
        return cell, resources


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
