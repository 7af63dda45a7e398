"""Grading helpers for the nbgrader assignments.

* :func:`check_choice`, :func:`check_choices`, :func:`check_text` and :func:`check_number`
  are what the *visible* tests call: they check only the form of an answer and explain in
  plain words what is wrong, never whether the answer is right.
* :func:`quietly` runs student code inside a test without letting its prints to stderr
  cost points (nbgrader fails a test cell on any stderr output).
* :class:`SanitizeFeedback` is an nbgrader preprocessor for ``generate_feedback``: it
  removes hidden tests, mark schemes and the tracebacks that would quote them, which
  nbgrader otherwise shows to students (nbgrader issue #1363).
"""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import Iterable, Iterator
from typing import Any

HIDDEN_NOTE = "# (Hidden tests ran here. They are not shown, so that they stay fair for everyone.)"
RUBRIC_NOTE = "*(The marking scheme for this question is not shown.)*"
# Errors whose message is about the student's own code and never quotes a hidden test.
SAFE_ERRORS = {"AnswerFormError", "NameError", "NotImplementedError"}
FAILED_NOTE = ("This test did not pass. Compare your answer with the question and the "
               "lesson; your instructor's comments explain more.")


class AnswerFormError(AssertionError):
    """The answer has the wrong form (type, spelling, allowed values)."""


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _require_answer(name: str, value: Any, example: str) -> None:
    if value is Ellipsis or value is None:
        raise AnswerFormError(f"`{name}` has no answer yet: set it to {example}.")


def check_choice(name: str, value: Any, allowed: Iterable[str]) -> None:
    """Check that ``value`` is one of the ``allowed`` strings (a single choice)."""
    options = list(allowed)
    listed = ", ".join(repr(o) for o in options)
    _require_answer(name, value, f"one of {listed}")
    if not isinstance(value, str):
        raise AnswerFormError(f"`{name}` should be a string in quotes, one of {listed}; "
                              f"it is {_shown(value)} ({type(value).__name__}).")
    if value not in options:
        hint = ""
        if value.strip().lower() in {o.lower() for o in options}:
            hint = " Check capital letters and spaces."
        raise AnswerFormError(f"`{name}` is {_shown(value)}, which is not one of {listed}.{hint}")


def check_choices(name: str, value: Any, allowed: Iterable[str]) -> None:
    """Check that ``value`` is a set (or list) of distinct strings from ``allowed``."""
    options = list(allowed)
    listed = ", ".join(repr(o) for o in options)
    _require_answer(name, value, f"a set of choices such as {{{listed}}}")
    if not isinstance(value, set | frozenset | list | tuple):
        raise AnswerFormError(f"`{name}` should be a set of choices such as {{{listed}}}; "
                              f"it is {_shown(value)} ({type(value).__name__}).")
    items = list(value)
    if len(set(map(repr, items))) != len(items):
        raise AnswerFormError(f"`{name}` lists a choice twice: {_shown(value)}.")
    for item in items:
        if item not in options:
            raise AnswerFormError(f"`{name}` contains {_shown(item)}, which is not one of "
                                  f"{listed}.")


def check_text(name: str, value: Any, min_words: int = 1) -> None:
    """Check that ``value`` is a string of at least ``min_words`` words."""
    _require_answer(name, value, "some text in quotes")
    if not isinstance(value, str):
        raise AnswerFormError(f"`{name}` should be text in quotes; it is {_shown(value)}.")
    if len(value.split()) < min_words:
        raise AnswerFormError(f"`{name}` needs at least {min_words} word(s).")


def check_number(name: str, value: Any) -> None:
    """Check that ``value`` is a real number (not text, not a bool)."""
    _require_answer(name, value, "a number")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise AnswerFormError(f"`{name}` should be a number such as 42 or 0.5 (no quotes); "
                              f"it is {_shown(value)} ({type(value).__name__}).")


@contextlib.contextmanager
def quietly() -> Iterator[io.StringIO]:
    """Run student code in a test with stdout and stderr captured (and not graded)."""
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(buffer):
        yield buffer


# --- Feedback -------------------------------------------------------------------------

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


def _make_sanitizer():
    from nbgrader.preprocessors import NbGraderPreprocessor

    class SanitizeFeedback(NbGraderPreprocessor):
        """Remove hidden tests, mark schemes and revealing tracebacks from feedback."""

        def preprocess_cell(self, cell, resources, cell_index):
            cell.source, had_hidden = strip_hidden_tests(cell.source)
            cell.source, _ = strip_mark_scheme(cell.source)
            nbgrader = cell.metadata.get("nbgrader", {})
            if cell.cell_type == "code" and (had_hidden or nbgrader.get("grade")):
                cell.outputs = [_safe_output(o) for o in cell.get("outputs", [])]
            return cell, resources

    return SanitizeFeedback


def _safe_output(output: dict[str, Any]) -> dict[str, Any]:
    """Keep a test's own failure message (written for students), drop the traceback."""
    if output.get("output_type") != "error":
        return output
    from nbformat import NotebookNode

    message = output.get("evalue", "") if output.get("ename") in SAFE_ERRORS else ""
    if output.get("ename") == "CellTimeoutError":
        message = "The cell ran out of time (does it loop forever?)."
    text = f"✘ {output.get('ename', 'Error')}: {message or FAILED_NOTE}"
    return NotebookNode(output_type="error", ename=output.get("ename", "Error"),
                        evalue=message or FAILED_NOTE, traceback=[text])


def __getattr__(name: str) -> Any:
    # nbgrader is imported only when the feedback preprocessor is asked for.
    if name == "SanitizeFeedback":
        value = _make_sanitizer()
        globals()[name] = value
        return value
    raise AttributeError(name)
