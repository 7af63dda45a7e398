"""The quiz bank cannot be passed without reading it: no cue in option length, position or
wording (limits in deepfake_ethics.cues), and the checker does catch such cues."""

from __future__ import annotations

import pytest

from deepfake_ethics import bank, cues
from deepfake_ethics.schema import parse_quiz_file

SOURCE = [{"title": "Src", "url": "https://example.org", "date": "2024"}]


def single(qid: str, right: int, long_right: bool) -> dict:
    texts = ["Short one", "Short two", "Short six", "Short ten"]
    if long_right:
        texts[right] = "A long, careful and detailed answer that sounds right"
    return {"id": qid, "kind": "single", "title": "T", "scenario": "S", "question": "Q?",
            "hint": "Think.", "explanation": "E", "sources": SOURCE,
            "options": [{"text": t, "feedback": "F", "correct": i == right}
                        for i, t in enumerate(texts)]}


def several(qid: str, last: str) -> dict:
    texts = ["A true and rather long statement", "Another true and long statement",
             "A wrong claim", last]
    return {"id": qid, "kind": "multiple", "title": "T", "scenario": "S", "question": "Q?",
            "hint": "Think.", "explanation": "E", "sources": SOURCE,
            "options": [{"text": t, "feedback": "F", "correct": i < 2}
                        for i, t in enumerate(texts)]}


def bank_of(items: list[dict]):
    return parse_quiz_file({"lesson": "09-t", "title": "T", "quizzes": items}, "t.yaml")


def test_course_bank_has_no_cues():
    found = cues.problems(cues.measure(bank.quizzes().values()))
    assert found == [], "\n".join(found)


def test_course_figures_are_what_the_issue_asks():
    c = cues.measure(bank.quizzes().values())
    assert c.single >= 15 and c.multiple >= 10  # enough quizzes for the figures to mean much
    assert c.longest_share <= 1 / 3
    assert max(c.positions[4].values()) <= 0.40  # the right answer is not "always B"
    assert c.last_right >= 1 / 3  # the last of several options is not habitually wrong


def test_a_cued_bank_is_caught():
    """The old habits: right option longest and second, last of several wrong and absolute."""
    items = [single(f"s{i}", right=1, long_right=True) for i in range(9)]
    items += [several(f"m{i}", last="None of the above") for i in range(4)]
    found = "\n".join(cues.problems(cues.measure(bank_of(items))))
    assert "is the longest in 100%" in found
    assert "place 2 holds 100%" in found
    assert "the last option is right in 0%" in found
    assert "the first option is right in 100%" in found
    assert "times as long as the distractors" in found
    assert "'all/none of the above'" in found


@pytest.mark.parametrize("spread", [True, False], ids=["spread", "always-first"])
def test_positions_are_judged_on_enough_quizzes(spread):
    items = [single(f"s{i}", right=(i % 4 if spread else 0), long_right=False)
             for i in range(8)]
    found = cues.problems(cues.measure(bank_of(items)))
    assert any("place 1 holds" in p for p in found) is (not spread)
    # Three quizzes of four options are too few to judge places at all.
    assert not any("place" in p for p in cues.problems(cues.measure(bank_of(items[:3]))))


def test_sweeping_words_in_distractors_are_caught():
    items = [several(f"m{i}", last="Nothing else can ever apply, never") for i in range(3)]
    c = cues.measure(bank_of(items))
    assert c.sweeping_wrong == 0.5 and c.sweeping_right == 0.0
    assert any("sweeping word" in p for p in cues.problems(c))
