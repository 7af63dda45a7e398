"""Answer keys: what a hidden-test region holds, and the code that records answers.

A graded test cell of an assignment ends with a hidden-tests region (nbgrader's delimiters,
read by :mod:`.assignment_format`) that holds only data, an ``answer_key`` literal, never
code, for example ``answer_key = {"kind": "choice", "answer": "answer2_1", "expect": "use"}``.
Each kind of key has its own type (:data:`AnswerKey`) and its own check (:data:`_CHECKS`).

When grading, :func:`split_key` takes the region out of the cell before the cell reaches
the student's kernel; the kernel runs only recording code (:func:`recording_code`), and
:mod:`deepfake_ethics.nbgrader_plugins.judge` compares what was recorded with the key in the
grader's own process. See docs/assignment-format.md for every kind of key.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Callable
from typing import Any, Literal, NotRequired, TypedDict

from .assignment_format import AssignmentFormat, default_format


class _Notes(TypedDict, total=False):
    hint: str  # self-study: a nudge, never the answer
    explain: str  # self-study: why the answer is right


class ChoiceKey(_Notes):
    kind: Literal["choice"]
    answer: str
    expect: str
    why: NotRequired[dict[str, str]]  # wrong option -> why it is wrong


class ChoicesKey(_Notes):
    kind: Literal["choices"]
    answer: str
    expect: list[str]  # sorted
    why: NotRequired[dict[str, str]]


class NumberKey(_Notes):
    kind: Literal["number"]
    answer: str
    expect: int | float
    tolerance: int | float


class ExactKey(_Notes):
    kind: Literal["exact"]
    answer: str
    expect: str | bool | int  # the type must match too


class BarChartKey(_Notes):
    kind: Literal["bar_chart"]
    answer: str
    bars: list[int | float]
    tolerance: int | float
    title_has: NotRequired[list[str]]
    xlabel_has: NotRequired[list[str]]
    ylabel_has: NotRequired[list[str]]


class CallCase(TypedDict):
    args: list[Any]  # JSON data; {"$path": "media/x.png"} is passed as a Path
    expect: Any
    about: NotRequired[str]  # self-study: the case in words


class CallsKey(_Notes):
    kind: Literal["calls"]
    function: str
    cases: list[CallCase]


class SignedManifestKey(_Notes):
    kind: Literal["signed_manifest"]
    answers: list[str]  # the manifest, the signature and the public key


AnswerKey = (ChoiceKey | ChoicesKey | NumberKey | ExactKey | BarChartKey | CallsKey
             | SignedManifestKey)
PATH_MARK = "$path"  # {"$path": "media/x.png"} is passed to a decision function as a Path


class KeyFormatError(ValueError):
    """A hidden-test region that is not a valid answer key (names the cell)."""


def split_key(source: str, cell_id: str, fmt: AssignmentFormat | None = None
              ) -> tuple[str, AnswerKey | None]:
    """Return the cell's source without its hidden region, and the key parsed from it
    (``fmt``: the course's assignment format, nbgrader's defaults if None)."""
    match = (fmt or default_format()).pattern("hidden_tests").search(source)
    if not match:
        return source, None
    visible = (source[:match.start()] + source[match.end():]).rstrip() + "\n"
    return visible, parse_key(match.group("body"), cell_id)


def parse_key(body: str, cell_id: str) -> AnswerKey:
    """Parse ``answer_key = {...}`` (a Python literal, never executed) and check it."""
    try:
        tree = ast.parse(body)
    except SyntaxError as error:
        raise KeyFormatError(f"{cell_id}: the hidden region is not valid Python: {error}") \
            from None
    statements = [s for s in tree.body  # a docstring-like note is allowed, no other code
                  if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))
                  and not is_fail_closed(s)]
    if (len(statements) != 1 or not isinstance(statements[0], ast.Assign)
            or [getattr(t, "id", None) for t in statements[0].targets] != ["answer_key"]):
        raise KeyFormatError(
            f"{cell_id}: a hidden region must hold exactly one `answer_key = {{...}}` and no "
            "code (hidden code would run in the student's kernel); see "
            "docs/assignment-format.md")
    try:
        key = ast.literal_eval(statements[0].value)
    except ValueError as error:
        raise KeyFormatError(f"{cell_id}: answer_key must be a literal (no names or calls): "
                             f"{error}") from None
    return check_key(key, cell_id)


FAIL_CLOSED = 'raise RuntimeError("graded only with the course\'s nbgrader_config.py")'


def is_fail_closed(statement: ast.stmt) -> bool:
    """The line that ends a hidden region: if the region ever ran in a kernel (nbgrader
    without the course's configuration), the test fails instead of passing."""
    return (isinstance(statement, ast.Raise) and isinstance(statement.exc, ast.Call)
            and isinstance(statement.exc.func, ast.Name)
            and statement.exc.func.id == "RuntimeError")


def _need(key: dict[str, Any], field: str, kind: type | tuple[type, ...], cell_id: str) -> Any:
    if field not in key:
        raise KeyFormatError(f"{cell_id}: answer_key needs the field {field!r}")
    if not isinstance(key[field], kind):
        raise KeyFormatError(f"{cell_id}: answer_key field {field!r} has the wrong type")
    return key[field]


def _check_choice(key: dict[str, Any], cell_id: str) -> None:
    _need(key, "answer", str, cell_id)
    _need(key, "expect", str, cell_id)
    _check_why(key, [key["expect"]], cell_id)


def _check_choices(key: dict[str, Any], cell_id: str) -> None:
    _need(key, "answer", str, cell_id)
    key["expect"] = sorted(_need(key, "expect", (set, frozenset, list), cell_id))
    _check_why(key, key["expect"], cell_id)


def _check_number(key: dict[str, Any], cell_id: str) -> None:
    _need(key, "answer", str, cell_id)
    _need(key, "expect", (int, float), cell_id)
    key.setdefault("tolerance", 0)


def _check_exact(key: dict[str, Any], cell_id: str) -> None:
    _need(key, "answer", str, cell_id)
    _need(key, "expect", (str, bool, int), cell_id)


def _check_bar_chart(key: dict[str, Any], cell_id: str) -> None:
    _need(key, "answer", str, cell_id)
    _need(key, "bars", list, cell_id)
    key.setdefault("tolerance", 0.5)


def _check_calls(key: dict[str, Any], cell_id: str) -> None:
    _need(key, "function", str, cell_id)
    for case in _need(key, "cases", list, cell_id):
        if not isinstance(case, dict) or "args" not in case or "expect" not in case:
            raise KeyFormatError(f"{cell_id}: every case needs 'args' (a list) and 'expect'")
        json.dumps(case["args"])  # plain data only


def _check_signed_manifest(key: dict[str, Any], cell_id: str) -> None:
    if len(_need(key, "answers", list, cell_id)) != 3:
        raise KeyFormatError(f"{cell_id}: signed_manifest names three answers: the "
                             "manifest, the signature and the public key")


def _check_why(key: dict[str, Any], expect: list[str], cell_id: str) -> None:
    why = key.get("why", {})
    if not isinstance(why, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in why.items()):
        raise KeyFormatError(f"{cell_id}: 'why' is a dict of option -> reason")
    if set(why) & set(expect):
        raise KeyFormatError(f"{cell_id}: 'why' explains wrong options only")


_CHECKS: dict[str, Callable[[dict[str, Any], str], None]] = {
    "choice": _check_choice, "choices": _check_choices, "number": _check_number,
    "exact": _check_exact, "bar_chart": _check_bar_chart, "calls": _check_calls,
    "signed_manifest": _check_signed_manifest}
KINDS = frozenset(_CHECKS)


def check_key(key: Any, cell_id: str) -> AnswerKey:
    """Check one key's fields for its kind; return it with sets made sorted lists."""
    if not isinstance(key, dict):
        raise KeyFormatError(f"{cell_id}: answer_key must be a dict")
    kind = _need(key, "kind", str, cell_id)
    if kind not in KINDS:
        raise KeyFormatError(f"{cell_id}: unknown kind {kind!r} (one of {sorted(KINDS)})")
    if "why" in key and kind not in ("choice", "choices"):
        raise KeyFormatError(f"{cell_id}: 'why' is a dict of option -> reason, for a "
                             "choice or choices key")
    key = dict(key)
    _CHECKS[kind](key, cell_id)
    if not all(re.fullmatch(r"[A-Za-z_]\w*", n) for n in answer_names(key)):
        raise KeyFormatError(f"{cell_id}: answer names must be Python identifiers")
    return key  # type: ignore[return-value]  # checked above, field by field


def answer_names(key: AnswerKey | dict[str, Any]) -> list[str]:
    """The variables (or the function) that a key judges."""
    if key["kind"] == "calls":
        return [key["function"]]
    if key["kind"] == "signed_manifest":
        return list(key["answers"])
    return [key["answer"]]


_IMPORT = "from deepfake_ethics.kernel.recording import record_answer as _dfe_record"


def recording_code(key: AnswerKey, cell_id: str) -> str:
    """Kernel code that records the answers a value key judges (run before the visible
    checks of the test cell). Empty for ``calls`` keys, which run after the last cell."""
    if key["kind"] == "calls":
        return ""
    form = {"bar_chart": "figure"}.get(key["kind"], "plain")
    lines = [_IMPORT]
    for name in answer_names(key):
        lines.append(f"_dfe_record({cell_id!r}, {name!r}, lambda: {name}, form={form!r})")
    return "\n".join(lines) + "\n"


def calls_code(key: CallsKey, cell_id: str) -> str:
    """Kernel code that calls a decision function on the key's cases and records what it
    returns (the expected results stay in the grader)."""
    name = key["function"]
    cases = json.dumps([case["args"] for case in key["cases"]])
    return ("from deepfake_ethics.kernel.recording import record_calls as _dfe_calls\n"
            f"_dfe_calls({cell_id!r}, {name!r}, lambda: {name}, {cases!r})\n")
