"""Recording answers inside the student's kernel (the only grading code that runs there).

Nothing here decides whether an answer is right: it turns the answer into JSON of plain
built-in types and publishes it as a display message of its own MIME type, which the
grader reads and judges outside the kernel (:mod:`deepfake_ethics.nbgrader_plugins.judge`).
A value of any other type (a subclass of ``str``, an object with a custom ``__eq__``, a
NumPy number...) is recorded as "not an answer of the right form". Student code can change
this module, but then it only changes what is recorded as its own answer.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

MIME = "application/vnd.deepfake-ethics.record+json"
MAX_RECORD_CHARS = 64_000
MAX_DEPTH = 8

# The real types, taken from literals so that replacing a builtin changes nothing here.
_STR, _INT, _FLOAT, _BOOL = str, int, float, bool
_LIST, _TUPLE, _DICT, _SET = type([]), type(()), type({}), type({0})
_FROZENSET, _BYTES, _NONE = type(frozenset()), bytes, type(None)


class NotPlain(Exception):
    """The value is not made of plain built-in types."""


def to_plain(value: Any, depth: int = 0) -> Any:
    """``value`` as JSON-ready plain data: sets become sorted lists, bytes ``{"$bytes": hex}``.
    Raises :class:`NotPlain` for anything else, naming the offending type."""
    kind = type(value)
    if depth > MAX_DEPTH:
        raise NotPlain("it is nested too deeply")
    if kind in (_STR, _INT, _BOOL, _NONE):
        return value
    if kind is _FLOAT:
        if not math.isfinite(value):
            raise NotPlain("it is not a finite number")
        return value
    if kind is _BYTES:
        return {"$bytes": value.hex()}
    if kind in (_LIST, _TUPLE):
        return [to_plain(item, depth + 1) for item in value]
    if kind in (_SET, _FROZENSET):
        items = [to_plain(item, depth + 1) for item in value]
        return sorted(items, key=lambda item: json.dumps(item, sort_keys=True))
    if kind is _DICT:
        if any(type(k) is not _STR for k in value):
            raise NotPlain("its keys are not all text")
        return {k: to_plain(v, depth + 1) for k, v in value.items()}
    raise NotPlain(f"it is a {kind.__name__}, not a plain str, number, bool, list, set or "
                   "dict")


def describe_figure(value: Any) -> dict[str, Any]:
    """A matplotlib figure as plain data: per axes, the title, labels and bar heights."""
    from matplotlib.figure import Figure

    if type(value) is not Figure:
        raise NotPlain(f"it is a {type(value).__name__}, not a matplotlib Figure")
    axes = []
    for ax in value.axes:
        heights = [float(p.get_height()) for p in ax.patches if hasattr(p, "get_height")]
        axes.append({"title": str(ax.get_title()), "xlabel": str(ax.get_xlabel()),
                     "ylabel": str(ax.get_ylabel()),
                     "bars": [h for h in heights if math.isfinite(h)]})
    return {"axes": axes}


def _publish(payload: dict[str, Any]) -> None:
    from IPython.display import publish_display_data

    text = json.dumps(payload)
    if len(text) > MAX_RECORD_CHARS:
        payload = {k: payload[k] for k in ("cell", "name")}
        payload["problem"] = "the answer is too large to record"
    publish_display_data({MIME: payload})


def answer_record(name: str, get: Callable[[], Any], form: str = "plain") -> dict[str, Any]:
    """What is recorded of the answer ``get()`` (the variable ``name``): its value as plain
    data, or the problem that kept it from being an answer. Self-study uses it too."""
    try:
        value = get()
    except NameError:
        return {"name": name, "problem": "missing"}
    except BaseException as error:  # the answer itself raised: no answer
        return {"name": name, "problem": f"reading it raised {type(error).__name__}"}
    if value is Ellipsis or value is None:
        return {"name": name, "problem": "missing"}
    try:
        plain = describe_figure(value) if form == "figure" else to_plain(value)
    except NotPlain as reason:
        return {"name": name, "problem": f"not an answer of the right form: {reason}"}
    except Exception as error:
        return {"name": name, "problem": f"not an answer of the right form "
                f"({type(error).__name__})"}
    return {"name": name, "value": plain}


def record_answer(cell: str, name: str, get: Callable[[], Any], form: str = "plain") -> None:
    """Record the answer ``get()`` (the variable ``name``) for the test cell ``cell``."""
    _publish({"cell": cell, **answer_record(name, get, form)})


def _argument(value: Any) -> Any:
    """One argument of a case, as decoded from JSON (a fresh copy for every call)."""
    if type(value) is _DICT and set(value) == {"$path"}:
        return Path(value["$path"])
    return value


def calls_record(name: str, get: Callable[[], Any], cases: str) -> dict[str, Any]:
    """Call the function ``name`` on each case (a JSON list of argument lists: decoding
    it is the only copy, so each call gets arguments of its own) and say what it returned.
    Its prints are swallowed; an exception is noted."""
    try:
        function = get()
    except BaseException:
        return {"name": name, "problem": "missing"}
    if not callable(function):
        return {"name": name, "problem": "it is not a function"}
    results = []
    for args in json.loads(cases):
        sink = io.StringIO()
        try:
            with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
                value = function(*[_argument(a) for a in args])
        except BaseException as error:
            results.append({"problem": f"raised {type(error).__name__}"})
            continue
        try:
            results.append({"value": to_plain(value)})
        except NotPlain as reason:
            results.append({"problem": f"returned a value of the wrong form: {reason}"})
    return {"name": name, "results": results}


def record_calls(cell: str, name: str, get: Callable[[], Any], cases: str) -> None:
    """Record what the function ``name`` returns on each case (see :func:`calls_record`)."""
    _publish({"cell": cell, **calls_record(name, get, cases)})
