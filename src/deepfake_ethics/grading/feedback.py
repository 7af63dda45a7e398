"""Feedback that shows a student their work and their marks, and nothing secret.

:class:`SanitizeFeedback` (an nbgrader preprocessor for ``generate_feedback``):

* replaces every hidden-test region (the answer keys) and every mark scheme with a note
  (nbgrader would show them: nbgrader issue #1363);
* keeps, for a graded test cell, only the judge's verdict and the visible check's message
  (see :mod:`~deepfake_ethics.grading.preprocessors`), never a traceback that quotes code;
* removes from every output and every student Markdown cell any line that repeats a line
  of a solution, an answer key or a mark scheme, whoever printed it;
* makes outputs inert and bounded again (:func:`~.preprocessors.neutralise`), in case an
  autograded notebook was produced without the course's pipeline.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from nbformat import NotebookNode
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Integer

from ..layout import nbgrader_folder
from .preprocessors import neutralise

HIDDEN_NOTE = "# (Hidden tests ran here. They are not shown, so that they stay fair for everyone.)"
RUBRIC_NOTE = "*(The marking scheme for this question is not shown.)*"
REMOVED = "[This line was removed from the feedback: it repeats part of the answer key.]"
# Errors whose message is written for students and never quotes a key.
SAFE_ERRORS = {"AnswerFormError", "NameError", "NotImplementedError", "NoPoints",
               "CellStopped"}
FAILED_NOTE = ("This test did not pass. Compare your answer with the question and the "
               "lesson; your instructor's comments explain more.")
MIN_SECRET_CHARS = 12

_HIDDEN = re.compile(r"^[ \t]*#+[ \t]*BEGIN HIDDEN TESTS.*?^[ \t]*#+[ \t]*END HIDDEN TESTS[^\n]*",
                     re.S | re.M)
_SCHEME = re.compile(r"^[ \t]*(#+|<!--)?[ \t]*BEGIN MARK SCHEME.*?END MARK SCHEME[^\n]*",
                     re.S | re.M)
_SOLUTION = re.compile(r"^[ \t]*#+[ \t]*BEGIN SOLUTION.*?^[ \t]*#+[ \t]*END SOLUTION[^\n]*",
                       re.S | re.M)
_MARKER = re.compile(r"(BEGIN|END) (HIDDEN TESTS|MARK SCHEME|SOLUTION)")


def strip_hidden_tests(source: str) -> tuple[str, bool]:
    """Replace every hidden-test region with a short note; say whether any was found."""
    cleaned, count = _HIDDEN.subn(HIDDEN_NOTE, source)
    return cleaned, count > 0


def strip_mark_scheme(source: str) -> tuple[str, bool]:
    """Replace every mark-scheme region with a short note; say whether any was found."""
    cleaned, count = _SCHEME.subn(RUBRIC_NOTE, source)
    return cleaned, count > 0


def _normal(text: str) -> str:
    return " ".join(text.replace('"', "'").split()).lower()


def secret_lines(texts: list[str], public: set[str] | frozenset[str] = frozenset()
                 ) -> set[str]:
    """The lines of every solution, hidden-test and mark-scheme region in ``texts``,
    normalised (spaces collapsed, quotes unified, lower case), long enough to be telling,
    and not among the ``public`` lines (those the student was given anyway)."""
    found: set[str] = set()
    for text in texts:
        for pattern in (_HIDDEN, _SCHEME, _SOLUTION):
            for match in pattern.finditer(text):
                for line in match.group(0).splitlines():
                    line = _normal(line.lstrip("#").strip())
                    if (len(line) >= MIN_SECRET_CHARS and not _MARKER.search(line.upper())
                            and line not in public):
                        found.add(line)
    return found


def remove_secrets(text: str, secrets: set[str]) -> str:
    """``text`` with every line that contains a secret line replaced by a note."""
    if not secrets or not text:
        return text
    lines = text.split("\n")
    for i, line in enumerate(lines):
        normal = _normal(line)
        if len(normal) >= MIN_SECRET_CHARS and any(s in normal for s in secrets):
            lines[i] = REMOVED
    return "\n".join(lines)


class SanitizeFeedback(NbGraderPreprocessor):
    """Remove keys, mark schemes, solutions and revealing output from feedback."""

    max_output_bytes = Integer(64_000, config=True, help="Output kept per cell, in bytes.")

    def preprocess(self, nb: NotebookNode, resources: dict[str, Any]
                   ) -> tuple[NotebookNode, dict[str, Any]]:
        texts = [cell.source for cell in nb.cells]
        texts += self._source_notebook_texts(resources)
        self._secrets = secret_lines(texts, self._release_lines(resources))
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell: NotebookNode, resources: dict[str, Any], index: int
                        ) -> tuple[NotebookNode, dict[str, Any]]:
        cell.source, had_hidden = strip_hidden_tests(cell.source)
        cell.source, _ = strip_mark_scheme(cell.source)
        nbgrader = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "markdown" and not nbgrader.get("locked"):
            cell.source = remove_secrets(cell.source, self._secrets)
        if cell.cell_type == "code":
            outputs = neutralise(cell.get("outputs", []), self.max_output_bytes, 1_000_000)
            if had_hidden or nbgrader.get("grade"):
                outputs = [_safe_output(o) for o in outputs]
            cell.outputs = [self._scrub(o) for o in outputs]
        return cell, resources

    def _scrub(self, output: NotebookNode) -> NotebookNode:
        if output.output_type == "stream":
            output.text = remove_secrets(output.text, self._secrets)
        elif output.output_type == "error":
            output.evalue = remove_secrets(output.evalue, self._secrets)
            output.traceback = [remove_secrets(t, self._secrets)
                                for t in output.traceback]
        elif "text/plain" in output.get("data", {}):
            output.data["text/plain"] = remove_secrets(output.data["text/plain"],
                                                       self._secrets)
        return output

    def _assignment_notebook(self, resources: dict[str, Any], folder: str) -> Path | None:
        info = resources.get("nbgrader", {})
        base = nbgrader_folder(self.config, folder, info.get("assignment", ""))
        if base is None or not info.get("assignment"):
            return None  # no course directory configured: nothing more to read
        path = base / f"{info.get('notebook', '')}.ipynb"
        return path if path.is_file() else None

    def _source_notebook_texts(self, resources: dict[str, Any]) -> list[str]:
        path = self._assignment_notebook(resources, "source")
        if not path:
            return []
        cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
        return ["".join(c.get("source", "")) for c in cells]

    def _release_lines(self, resources: dict[str, Any]) -> set[str]:
        """Lines the student was given anyway (the released notebook): never removed."""
        path = self._assignment_notebook(resources, "release")
        if not path:
            return set()
        cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
        return {_normal(line) for c in cells for line in "".join(c.get("source", "")).split("\n")}


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
