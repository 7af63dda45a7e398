"""The visible checks of the assignments: help for students, not grading.

:func:`check_choice`, :func:`check_choices`, :func:`check_text` and :func:`check_number`
check only the form of an answer and explain in plain words what is wrong, never whether
it is right (that is judged outside the student's kernel, by
:mod:`deepfake_ethics.nbgrader_plugins.judge`). :func:`quietly` runs student code without its
prints showing.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterable, Iterator
from typing import Any


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
