"""Helpers for the course *The Ethics of Deepfakes*.

Lessons use three functions::

    from deepfake_ethics import quiz, figure, show_progress

    quiz("l1-selling-the-app")      # an interactive scenario quiz
    figure("laws-timeline")         # a figure drawn from course data, with alt text
    show_progress()                 # what you have answered so far, per lesson
    reset_progress()                # start again: forget every answer and note

The start page and the closing notebook add the before-and-after diagnostic::

    diagnostic("before")            # one form at the start, marked when submitted whole
    diagnostic("after")             # the other form at the end
    show_before_and_after()         # your results per FAQ, and per lesson, as a chart
    save_summary()                  # a one-page HTML summary to keep

Importing the package is cheap: ipywidgets and matplotlib load on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["quiz", "figure", "show_progress", "reset_progress", "diagnostic",
           "show_before_and_after", "save_summary", "ContentError"]

if TYPE_CHECKING:  # pragma: no cover
    from .closing import save_summary, show_before_and_after
    from .diagnostic_widget import diagnostic
    from .plots import figure
    from .progress import reset_progress
    from .progress_chart import show_progress
    from .quiz_widget import quiz
    from .schema import ContentError

_LAZY = {
    "quiz": ("quiz_widget", "quiz"),
    "figure": ("plots", "figure"),
    "show_progress": ("progress_chart", "show_progress"),
    "reset_progress": ("progress", "reset_progress"),
    "diagnostic": ("diagnostic_widget", "diagnostic"),
    "show_before_and_after": ("closing", "show_before_and_after"),
    "save_summary": ("closing", "save_summary"),
    "ContentError": ("schema", "ContentError"),
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        value = getattr(importlib.import_module(f".{module}", __name__), attr)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(list(globals()) + list(_LAZY))
