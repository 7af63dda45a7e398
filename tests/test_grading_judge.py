"""Answer keys, the in-kernel recorder and the judge, as plain functions (no kernel)."""

from __future__ import annotations

import json

import nbformat
import pytest
from conftest import ROOT
from nbgrader_course import assignments, notebook_name, read

from deepfake_ethics.kernel.recording import NotPlain, to_plain
from deepfake_ethics.nbgrader_plugins.judge import (
    DECISION_CREDIT_RULE,
    PARTIAL_CREDIT_RULE,
    decided_right,
    judge,
)
from deepfake_ethics.nbgrader_plugins.keys import (
    FAIL_CLOSED,
    KeyFormatError,
    calls_code,
    check_key,
    parse_key,
    recording_code,
    split_key,
)
from deepfake_ethics.nbgrader_plugins.preprocessors import (
    escape_markup,
    neutralise,
    verdict_outputs,
)


def _record(name, value=None, problem=None):
    record = {"cell": "t", "name": name}
    if problem:
        record["problem"] = problem
    else:
        record["value"] = json.loads(json.dumps(to_plain(value)))
    return record


def test_split_key_takes_the_key_out_of_the_cell():
    source = ('check_choice("a", a, ["x", "y"])\n### BEGIN HIDDEN TESTS\n'
              'answer_key = {"kind": "choice", "answer": "a", "expect": "y"}\n'
              "### END HIDDEN TESTS\n")
    visible, key = split_key(source, "t")
    assert "answer_key" not in visible and "HIDDEN" not in visible
    assert key == {"kind": "choice", "answer": "a", "expect": "y"}
    assert split_key("print(1)\n", "t") == ("print(1)\n", None)
    code = recording_code(key, "t")
    assert "lambda: a" in code and '"y"' not in code and "'y'" not in code


@pytest.mark.parametrize("body, message", [
    ("assert a == 'y'\n", "exactly one `answer_key"),
    ("answer_key = {'kind': 'choice', 'answer': 'a', 'expect': 'y'}\nprint(a)\n",
     "exactly one `answer_key"),
    ("answer_key = {'kind': 'choice', 'answer': 'a', 'expect': secret()}\n", "literal"),
    ("answer_key = {'kind': 'guess', 'answer': 'a'}\n", "unknown kind"),
    ("answer_key = {'kind': 'choice', 'answer': 'a'}\n", "'expect'"),
    ("answer_key = {'kind': 'choice', 'answer': 'a b', 'expect': 'y'}\n", "identifiers"),
    ("answer_key = {'kind': 'calls', 'function': 'f', 'cases': [{'args': []}]}\n", "'expect'"),
])
def test_a_hidden_region_must_be_a_well_formed_key(body, message):
    with pytest.raises(KeyFormatError, match=message) as error:
        parse_key(body, "test_answer9_9")
    assert "test_answer9_9" in str(error.value)


def test_every_assignment_test_cell_has_a_valid_key():
    found = 0
    for name in assignments():
        nb = read(ROOT / "source" / name / notebook_name(name))
        for cell in nb.cells:
            grade = cell.metadata.get("nbgrader", {})
            if cell.cell_type == "code" and grade.get("grade"):
                _, key = split_key(cell.source, grade["grade_id"])
                assert key is not None, grade["grade_id"]
                # Fail closed: run by nbgrader without the course's pipeline, the hidden
                # region raises (the test earns nothing) instead of passing silently.
                assert FAIL_CLOSED in cell.source, grade["grade_id"]
                found += 1
    assert found >= 30


def test_calls_code_sends_inputs_but_not_expected_results():
    key = parse_key("answer_key = {'kind': 'calls', 'function': 'f', 'cases': ["
                    "{'args': [{'x': True}], 'expect': 'remove'}]}", "t")
    code = calls_code(key, "t")
    assert '"x": true' in code and "remove" not in code


def test_recorder_accepts_only_plain_built_in_types():
    assert to_plain({"b", "a"}) == ["a", "b"]
    assert to_plain((1, 2.5, True, None)) == [1, 2.5, True, None]
    assert to_plain(b"\x01\xff") == {"$bytes": "01ff"}

    class Yes(str):
        def __eq__(self, other):
            return True

        __hash__ = str.__hash__

    class YesSet(frozenset):
        def __eq__(self, other):
            return True

        __hash__ = frozenset.__hash__

    for hostile in (Yes("x"), YesSet(), [Yes("x")], {"k": Yes("x")}, {1: "x"},
                    float("nan"), object()):
        with pytest.raises(NotPlain):
            to_plain(hostile)
    deep: list = []
    for _ in range(20):
        deep = [deep]
    with pytest.raises(NotPlain, match="nested"):
        to_plain(deep)


def test_judge_single_choice_and_exact_values():
    key = {"kind": "choice", "answer": "a", "expect": "use"}
    assert judge(key, [_record("a", "use")], 1).score == 1
    wrong = judge(key, [_record("a", "tool")], 1)
    assert wrong.score == 0 and "not the right choice" in wrong.message
    assert "use" not in wrong.message.replace("'tool'", ""), "the key is not given away"
    assert judge(key, [_record("a", problem="missing")], 1).message.endswith(
        "runs without an error).")
    assert judge(key, [], 1).score == 0
    assert judge(key, [_record("a", "use"), _record("a", "use")], 1).score == 0
    exact = {"kind": "exact", "answer": "b", "expect": True}
    assert judge(exact, [_record("b", True)], 1).score == 1
    assert judge(exact, [_record("b", 1)], 1).score == 0, "1 is not True"


def test_partial_credit_for_multi_select_follows_the_stated_rule():
    key = {"kind": "choices", "answer": "c", "expect": ["a", "b"]}
    cases = {("a", "b"): 1, ("a",): 0.5, ("a", "x"): 0, ("a", "b", "x"): 0.5,
             ("a", "b", "x", "y"): 0, (): 0, ("x",): 0}
    for chosen, score in cases.items():
        verdict = judge(key, [_record("c", set(chosen))], 1)
        assert verdict.score == score, chosen
        if 0 < score < 1:
            assert PARTIAL_CREDIT_RULE in verdict.message
    none_apply = {"kind": "choices", "answer": "c", "expect": []}
    assert judge(none_apply, [_record("c", set())], 1).score == 1
    assert judge(none_apply, [_record("c", {"a"})], 1).score == 0


def test_numbers_charts_and_decision_functions():
    number = {"kind": "number", "answer": "n", "expect": 14091, "tolerance": 0.5}
    assert judge(number, [_record("n", 14091.4)], 1).score == 1
    assert judge(number, [_record("n", 14093)], 1).score == 0
    assert judge(number, [_record("n", True)], 1).score == 0
    chart = {"kind": "bar_chart", "answer": "f", "bars": [10, 2], "tolerance": 0.5,
             "title_has": ["2019"], "ylabel_has": ["video"]}
    good = {"axes": [{"title": "Videos, 2019", "xlabel": "", "ylabel": "Videos",
                      "bars": [10.0, 2.0]}]}
    assert judge(chart, [{"name": "f", "value": good}], 1).score == 1
    bad = {"axes": [dict(good["axes"][0], title="Videos")]}
    assert "title" in judge(chart, [{"name": "f", "value": bad}], 1).message
    calls = {"kind": "calls", "function": "f",
             "cases": [{"args": [1], "expect": "x"}, {"args": [2], "expect": "y"}]}
    right = {"name": "f", "results": [{"value": "x"}, {"value": "y"}]}
    half = {"name": "f", "results": [{"value": "x"}, {"problem": "raised KeyError"}]}
    assert judge(calls, [right], 2).score == 2
    verdict = judge(calls, [half], 2)
    assert verdict.score == 0 and "1 of the 2" in verdict.message and "KeyError" in verdict.message


def test_decision_functions_earn_credit_above_a_constant_answer():
    """Ten hidden cases, five 'allow' and five 'refuse', for 2 points: always 'allow' earns
    nothing, each case right beyond five earns 2/5 of a point, all ten earn 2."""
    expect = ["allow"] * 5 + ["refuse"] * 5
    calls = {"kind": "calls", "function": "decide",
             "cases": [{"args": [i], "expect": e} for i, e in enumerate(expect)]}

    def got(answers):
        return judge(calls, [{"name": "decide", "results": [{"value": a} for a in answers]}], 2)

    always = got(["allow"] * 10)
    assert always.score == 0 and DECISION_CREDIT_RULE in always.message
    assert "would decide 5" in always.message
    assert got(["refuse"] * 10).score == 0
    assert got(expect[:7] + ["allow", "allow", "allow"]).score == pytest.approx(0.8)
    assert got(expect[:9] + ["allow"]).score == pytest.approx(1.6)
    assert got(expect).score == 2
    assert got(["refuse"] * 5 + ["allow"] * 5).score == 0, "never below zero"
    # True is not 1: a value of the wrong type decides nothing.
    ones = {"kind": "calls", "function": "decide",
            "cases": [{"args": [0], "expect": 1}, {"args": [1], "expect": 0}]}
    wrong_type = {"name": "decide", "results": [{"value": True}, {"value": False}]}
    assert judge(ones, [wrong_type], 1).score == 0


def test_signed_manifest_is_verified_in_the_grader():
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from deepfake_ethics.provenance import canonical_json

    key = {"kind": "signed_manifest", "answers": ["m", "s", "k"]}
    manifest = {"files": [{"name": "a.png", "sha256": "00" * 32}]}
    private = Ed25519PrivateKey.generate()
    public = private.public_key().public_bytes(serialization.Encoding.Raw,
                                               serialization.PublicFormat.Raw)
    signature = private.sign(canonical_json(manifest))
    records = [_record("m", manifest), _record("s", signature), _record("k", public)]
    assert judge(key, records, 1).score == 1
    changed = [_record("m", {"files": [{"name": "b.png", "sha256": "00" * 32}]}),
               records[1], records[2]]
    assert judge(key, changed, 1).score == 0


def test_verdicts_speak_nbgraders_language():
    from nbgrader.utils import determine_grade

    def grade(outputs):
        cell = nbformat.v4.new_code_cell("")
        cell.metadata["nbgrader"] = {"grade": True, "solution": False, "points": 2,
                                     "grade_id": "t"}
        cell.outputs = outputs
        return determine_grade(cell)[0]

    key = {"kind": "choices", "answer": "c", "expect": ["a", "b"]}
    for chosen, score in ((("a", "b"), 2), (("a",), 1), ((), 0)):
        assert grade(verdict_outputs(judge(key, [_record("c", set(chosen))], 2))) == score


def test_outputs_are_made_inert_and_capped():
    outputs = [
        nbformat.v4.new_output("display_data", data={
            "text/html": "<script>alert(1)</script>", "application/javascript": "x()",
            "image/svg+xml": "<svg onload=alert(1)>"}),
        nbformat.v4.new_output("stream", name="stdout", text="\x1b[31mred\x1b[0m" + "x" * 500),
    ]
    kept = neutralise(outputs, 300, 10_000)
    dumped = json.dumps(kept)
    assert "<script" not in dumped and "alert(1)" not in dumped and "onload" not in dumped
    assert "not shown" in kept[0]["data"]["text/plain"]
    assert "\x1b" not in dumped and "Output cut here" in dumped
    assert escape_markup("<script>x</script> & <b>") == \
        "&lt;script&gt;x&lt;/script&gt; &amp; &lt;b&gt;"
    assert "javascript:" not in escape_markup("[click](JavaScript:alert(1))").lower()


def test_a_wrong_choice_hears_its_own_reason_and_never_the_key():
    why = {"tool": "the Act names no software.", "both": "only one act is a crime here."}
    key = check_key({"kind": "choice", "answer": "a", "expect": "use", "why": why}, "t")
    wrong = judge(key, [_record("a", "tool")], 1)
    assert wrong.score == 0 and wrong.message.endswith("not the right choice: the Act names "
                                                       "no software.")
    assert "only one act" not in wrong.message and "'use'" not in wrong.message
    plain = judge(key, [_record("a", "neither")], 1)  # no reason written: the general line
    assert "Go back to the rule" in plain.message
    many = check_key({"kind": "choices", "answer": "c", "expect": {"a", "b"},
                      "why": {"x": "x is out of scope.", "y": "y came later."}}, "t")
    verdict = judge(many, [_record("c", {"a", "x"})], 1)
    assert "'x': x is out of scope." in verdict.message and "y came later" not in verdict.message
    assert "'b'" not in verdict.message, "a missed right option is counted, not named"
    with pytest.raises(KeyFormatError, match="wrong options only"):
        check_key({"kind": "choice", "answer": "a", "expect": "use", "why": {"use": "x"}}, "t")
    with pytest.raises(KeyFormatError, match="option -> reason"):
        check_key({"kind": "number", "answer": "a", "expect": 1, "why": {"2": "x"}}, "t")


@pytest.mark.parametrize("got, expect", [
    (True, 1), (False, 0), (1.0, 1), (1, 1.0), ([True], [1]), ({"n": True}, {"n": 1}),
    ("1", 1), ([1, 2], [1, 2, 3])])
def test_a_decision_case_compares_types_strictly(got, expect):
    """A decision function that returns True where 1 is expected (or 1.0, or [True] for
    [1]) decides that case wrongly, in the grader and in self-study alike."""
    assert not decided_right(expect, {"value": got})
    assert decided_right(expect, {"value": expect})
    key = {"kind": "calls", "function": "f", "cases": [{"args": [0], "expect": expect},
                                                       {"args": [1], "expect": "other"}]}
    verdict = judge(key, [{"name": "f", "results": [{"value": got}, {"value": "other"}]}], 1)
    assert verdict.score == 0 and "decided 1 of the 2" in verdict.message


def test_every_kind_of_key_has_a_check_and_a_judge():
    from deepfake_ethics.nbgrader_plugins.judge import _JUDGES
    from deepfake_ethics.nbgrader_plugins.keys import KINDS

    assert set(_JUDGES) == KINDS
