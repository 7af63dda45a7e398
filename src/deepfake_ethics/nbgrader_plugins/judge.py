"""Judging recorded answers against answer keys, in the grader's own process.

Every function here takes plain data (what the kernel recorded, decoded from JSON, and the
key parsed from the hidden region) and returns a :class:`Verdict`: the points and a
sentence for the student that says whether, and why, the answer lost points, without
giving the right answer away.

Partial credit, by two stated rules that the assignments quote:

* multi-select questions (kind ``choices``, :data:`PARTIAL_CREDIT_RULE`): each right option
  chosen earns an equal share of the points, each wrong option chosen takes one share
  away, and the score never falls below zero;
* decision functions (kind ``calls``, :data:`DECISION_CREDIT_RULE`): credit for the hidden
  cases decided right beyond what the best constant answer would get, so that a function
  that says the same thing to every case earns nothing.

Every other kind is all or nothing.

A key of kind ``choice`` or ``choices`` may say, in ``"why"``, why each wrong option is wrong
(``{"option": "reason"}``); a wrong choice then hears its own reason, never which option
is right.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .keys import AnswerKey, answer_names

PARTIAL_CREDIT_RULE = (
    "Each right option you chose earns an equal share of the points, each wrong option "
    "you chose takes one share away, and the score never falls below zero.")
DECISION_CREDIT_RULE = (
    "A decision function earns credit for the hidden cases it decides right beyond those "
    "that the commonest right answer alone would get: a function that gives the same answer "
    "to every case earns nothing, each further case decided right earns an equal share of "
    "the points, and every case right earns them all.")


@dataclass(frozen=True)
class Verdict:
    """The outcome of one graded question."""

    score: float
    max_score: float
    message: str

    @property
    def status(self) -> str:
        if self.score >= self.max_score:
            return "correct"
        return "partly right" if self.score > 0 else "no points"


def _points(points: float, fraction: float) -> float:
    return round(points * max(0.0, min(1.0, fraction)), 2)


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _missing(name: str, problem: str, points: float) -> Verdict:
    if problem == "missing":
        why = (f"`{name}` has no answer: it is not set, or still `...`, when this question "
               "is graded (run its cell, and check it runs without an error).")
    else:
        why = f"`{name}` could not be graded: {problem}."
    return Verdict(0.0, points, why)


def judge(key: AnswerKey, records: list[dict[str, Any]], points: float) -> Verdict:
    """Judge one test cell: ``records`` are what its kernel recorded for this cell."""
    by_name: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        if isinstance(record, dict) and isinstance(record.get("name"), str):
            by_name.setdefault(record["name"], []).append(record)
    found: dict[str, dict[str, Any]] = {}
    for name in answer_names(key):
        mine = by_name.get(name, [])
        if not mine:
            return Verdict(0.0, points, f"`{name}` could not be graded: the cell stopped "
                           "before its answer was recorded (see the error above, if any).")
        if len(mine) > 1:
            return Verdict(0.0, points, f"`{name}` was recorded more than once in this "
                           "cell, so it could not be graded.")
        found[name] = mine[0]
        if "problem" in mine[0]:
            return _missing(name, str(mine[0]["problem"])[:200], points)
    return _JUDGES[key["kind"]](key, found, points)


Judge = Callable[[Any, dict[str, dict[str, Any]], float], Verdict]


def _one_value(judge_value: Callable[[Any, str, Any, float], Verdict]) -> Judge:
    """A judge of a key that names one variable, given that variable's recorded value."""
    def judge_key(key: Any, found: dict[str, dict[str, Any]], points: float) -> Verdict:
        return judge_value(key, key["answer"], found[key["answer"]].get("value"), points)
    return judge_key


def _judge_choice(key: dict[str, Any], name: str, value: Any, points: float) -> Verdict:
    if not isinstance(value, str):
        return Verdict(0.0, points, f"`{name}` should be one choice, as text in quotes; it "
                       f"is {_show(value)}.")
    if value == key["expect"]:
        return Verdict(points, points, f"`{name}`: right.")
    why = key.get("why", {}).get(value)
    if why:
        return Verdict(0.0, points, f"`{name}` = {_show(value)} is not the right choice: {why}")
    return Verdict(0.0, points, f"`{name}` = {_show(value)} is not the right choice. Go "
                   "back to the rule the question names and apply it to each fact given.")


def _judge_exact(key: dict[str, Any], name: str, value: Any, points: float) -> Verdict:
    expect = key["expect"]
    if type(value) is not type(expect):
        return Verdict(0.0, points, f"`{name}` should be a {type(expect).__name__}; it is "
                       f"{_show(value)}.")
    if value == expect:
        return Verdict(points, points, f"`{name}`: right.")
    return Verdict(0.0, points, f"`{name}` is not the right value. Check how you computed "
                   "it against the instructions of the question.")


def _judge_choices(key: dict[str, Any], name: str, value: Any, points: float) -> Verdict:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return Verdict(0.0, points, f"`{name}` should be a set of choices in quotes; it is "
                       f"{_show(value)}.")
    if len(set(value)) != len(value):
        return Verdict(0.0, points, f"`{name}` lists a choice twice.")
    chosen, expect = set(value), set(key["expect"])
    if chosen == expect:
        return Verdict(points, points, f"`{name}`: right, every option judged correctly.")
    if not expect:
        return Verdict(0.0, points, f"`{name}`: none of the options applies here, and you "
                       f"chose {len(chosen)}.")
    right, wrong = len(chosen & expect), len(chosen - expect)
    missed = len(expect - chosen)
    score = _points(points, (right - wrong) / len(expect))
    parts = [f"{right} right option(s) chosen"]
    if wrong:
        parts.append(f"{wrong} wrong option(s) chosen")
    if missed:
        parts.append(f"{missed} right option(s) missed")
    whys = [f"{_show(option)}: {key['why'][option]}" for option in sorted(chosen - expect)
            if key.get("why", {}).get(option)]
    because = (" Why the option(s) you chose wrongly do not apply: " + " ".join(whys)
               if whys else "")
    return Verdict(score, points, f"`{name}`: {', '.join(parts)}.{because} "
                   f"{PARTIAL_CREDIT_RULE}")


def _judge_number(key: dict[str, Any], name: str, value: Any, points: float) -> Verdict:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return Verdict(0.0, points, f"`{name}` should be a number; it is {_show(value)}.")
    if math.isfinite(value) and abs(value - key["expect"]) <= key["tolerance"]:
        return Verdict(points, points, f"`{name}`: right.")
    return Verdict(0.0, points, f"`{name}` = {_show(value)} is not the right number. Check "
                   "which rows you used and how you combined them.")


def _judge_bar_chart(key: dict[str, Any], name: str, value: Any, points: float) -> Verdict:
    axes = value.get("axes") if isinstance(value, dict) else None
    if not isinstance(axes, list) or len(axes) != 1 or not isinstance(axes[0], dict):
        return Verdict(0.0, points, f"`{name}` should be a figure with one set of axes.")
    ax = axes[0]
    bars = ax.get("bars")
    problems = []
    expect = key["bars"]
    if (not isinstance(bars, list) or len(bars) != len(expect)
            or not all(isinstance(b, int | float) and abs(b - e) <= key["tolerance"]
                       for b, e in zip(bars, expect, strict=False))):
        problems.append(f"the chart should have {len(expect)} bars with the heights the "
                        "question asks for, in its order")
    for field, words in (("title", key.get("title_has", [])),
                         ("xlabel", key.get("xlabel_has", [])),
                         ("ylabel", key.get("ylabel_has", []))):
        text = str(ax.get(field, "")).lower()
        if any(word.lower() not in text for word in words):
            label = {"title": "title", "xlabel": "x-axis label", "ylabel": "y-axis label"}
            problems.append(f"the {label[field]} should say what the question asks it to")
    if problems:
        return Verdict(0.0, points, f"`{name}`: " + "; ".join(problems) + ".")
    return Verdict(points, points, f"`{name}`: right.")


def _judge_calls(key: dict[str, Any], record: dict[str, Any], points: float) -> Verdict:
    name = key["function"]
    results = record.get("results")
    cases = key["cases"]
    if not isinstance(results, list) or len(results) != len(cases):
        return Verdict(0.0, points, f"`{name}` could not be run on the hidden cases.")
    right = sum(1 for case, got in zip(cases, results, strict=True)
                if decided_right(case["expect"], got))
    failed = [got for got in results if isinstance(got, dict) and "problem" in got]
    if right == len(cases):
        return Verdict(points, points, f"`{name}` decided all {len(cases)} hidden cases "
                       "correctly.")
    baseline = constant_baseline([case["expect"] for case in cases])
    score = _points(points, (right - baseline) / (len(cases) - baseline)) \
        if baseline < len(cases) else 0.0
    note = ""
    if failed:
        note = (f" On {len(failed)} of them it did not return an allowed answer (for "
                f"example: it {str(failed[0]['problem'])[:120]}).")
    return Verdict(score, points, f"`{name}` decided {right} of the {len(cases)} hidden cases "
                   f"correctly; the same answer to every case would decide {baseline}.{note} "
                   f"{DECISION_CREDIT_RULE} Test it on cases of your own, one for each "
                   "branch of the rule.")


def decided_right(expect: Any, got: Any) -> bool:
    """Whether a recorded result is the expected answer, of the same type all the way
    down (``True`` is not ``1``, ``1.0`` is not ``1``, ``[True]`` is not ``[1]``)."""
    return isinstance(got, dict) and "value" in got and same(got["value"], expect)


def same(value: Any, expect: Any) -> bool:
    """Equal and of the same types, item by item."""
    if type(value) is not type(expect):
        return False
    if isinstance(expect, list):
        return len(value) == len(expect) and all(map(same, value, expect))
    if isinstance(expect, dict):
        return value.keys() == expect.keys() and all(same(value[k], expect[k]) for k in expect)
    return value == expect


def constant_baseline(expected: list[Any]) -> int:
    """How many cases the best constant answer decides right (the commonest answer's count;
    answers of different types never count as the same)."""
    counts: dict[str, int] = {}
    for value in expected:
        label = f"{type(value).__name__}:{value!r}"
        counts[label] = counts.get(label, 0) + 1
    return max(counts.values(), default=0)


def _judge_signed_manifest(key: dict[str, Any], found: dict[str, dict[str, Any]],
                           points: float) -> Verdict:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    from ..provenance import canonical_json

    manifest_name, signature_name, key_name = key["answers"]
    manifest = found[manifest_name].get("value")
    signature = _bytes(found[signature_name].get("value"))
    public_key = _bytes(found[key_name].get("value"))
    files = manifest.get("files") if isinstance(manifest, dict) else None
    if not isinstance(files, list) or not files or not all(
            isinstance(f, dict) and "name" in f and "sha256" in f for f in files):
        return Verdict(0.0, points, f"`{manifest_name}` should be a dict whose \"files\" "
                       "list has a \"name\" and a \"sha256\" for each file.")
    if signature is None or len(signature) != 64:
        return Verdict(0.0, points, f"`{signature_name}` should be a 64-byte signature.")
    if public_key is None or len(public_key) != 32:
        return Verdict(0.0, points, f"`{key_name}` should be a 32-byte raw public key.")
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature,
                                                              canonical_json(manifest))
    except (InvalidSignature, ValueError):
        return Verdict(0.0, points, f"`{signature_name}` is not a valid signature of "
                       f"canonical_json({manifest_name}) under `{key_name}`: sign the "
                       "manifest after its last change, with the key you publish.")
    return Verdict(points, points, "Your manifest, signature and public key verify.")


def _bytes(value: Any) -> bytes | None:
    if isinstance(value, dict) and set(value) == {"$bytes"} and isinstance(value["$bytes"],
                                                                           str):
        try:
            return bytes.fromhex(value["$bytes"])
        except ValueError:
            return None
    return None


_JUDGES: dict[str, Judge] = {
    "choice": _one_value(_judge_choice), "choices": _one_value(_judge_choices),
    "number": _one_value(_judge_number), "exact": _one_value(_judge_exact),
    "bar_chart": _one_value(_judge_bar_chart), "calls": lambda key, found, points:
    _judge_calls(key, found[key["function"]], points),
    "signed_manifest": _judge_signed_manifest}
