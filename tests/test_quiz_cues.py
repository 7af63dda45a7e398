"""The quiz bank cannot be passed without reading it: no cue in option length, position,
wording, echoes of the stem or the number of right options (limits in deepfake_ethics.cues),
and every check does catch its cue in a bank written to have it."""

from __future__ import annotations

import pytest

from deepfake_ethics import bank, cues
from deepfake_ethics.schema import parse_quiz_file

SOURCE = [{"title": "Src", "url": "https://example.org", "date": "2024"}]
LESSONS = ("00-", "01-", "02-", "03-", "04-face", "05-")  # the six lessons, not alternatives


def item(qid: str, kind: str, texts: list[str], right: set[int], scenario: str = "S",
         title: str = "T", question: str = "Q?", hint: str = "Think.",
         feedback: str = "F") -> dict:
    return {"id": qid, "kind": kind, "title": title, "scenario": scenario,
            "question": question, "hint": hint, "explanation": "E", "sources": SOURCE,
            "options": [{"text": t, "feedback": feedback, "correct": i in right}
                        for i, t in enumerate(texts)]}


def single(qid: str, right: int, long_right: bool) -> dict:
    texts = ["Short one", "Short two", "Short six", "Short ten"]
    if long_right:
        texts[right] = "A long, careful and detailed answer that sounds right"
    return item(qid, "single", texts, {right})


def several(qid: str, last: str) -> dict:
    texts = ["A true and rather long statement", "Another true and long statement",
             "A wrong claim", last]
    return item(qid, "multiple", texts, {0, 1})


def bank_of(items: list[dict]):
    return parse_quiz_file({"lesson": "09-t", "title": "T", "quizzes": items}, "t.yaml")


def found_in(items: list[dict]) -> str:
    return "\n".join(cues.problems(cues.measure(bank_of(items))))


def lesson_quizzes():
    return [q for q in bank.quizzes().values() if q.lesson.startswith(LESSONS)]


def test_course_bank_has_no_cues():
    found = cues.problems(cues.measure(bank.quizzes().values()))
    assert found == [], "\n".join(found)


def test_lesson_bank_has_no_cues_on_its_own():
    """The six lessons' items alone, without the alternative activity's, are free of cues."""
    found = cues.problems(cues.measure(lesson_quizzes()))
    assert found == [], "\n".join(found)


def test_course_figures_are_what_the_issue_asks():
    c = cues.measure(lesson_quizzes())
    assert c.single >= 15 and c.multiple >= 10  # enough quizzes for the figures to mean much
    assert c.longest_share <= 1 / 3 and c.shortest_share <= 1 / 3  # length, both ways
    assert c.middle_share <= cues.MAX_MIDDLE_SHARE
    assert max(c.positions[4].values()) <= 0.40  # the right answer is not "always B"
    assert 1 / 3 <= c.first_right <= 2 / 3 and 1 / 3 <= c.last_right <= 2 / 3
    assert c.hedge_right - c.hedge_wrong <= 0.10  # the key is not the hedged option by habit
    assert c.sweeping_wrong - c.sweeping_right <= 0.10  # nor the distractors absolute
    assert not c.odd_wording and not c.shared_words and not c.leaks
    assert c.echo_share <= 0.40
    # Issue 17: ten of eleven multi-selects had exactly three right options.
    assert max(c.right_counts.values()) <= c.multiple / 2 and len(c.right_counts) >= 3
    assert set(c.right_counts) <= {1, 2, 3, 4}  # never every option right, never none


def test_a_cued_bank_is_caught():
    """The old habits: right option longest and second, last of several wrong and absolute."""
    items = [single(f"s{i}", right=1, long_right=True) for i in range(9)]
    items += [several(f"m{i}", last="None of the above") for i in range(4)]
    found = found_in(items)
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


# Each check of issue 17, item 2, fed a bank that has its cue and nothing else worth noting.

def test_shortest_right_option_is_caught():
    distractors = ["A distractor of middling length", "Another distractor of its length",
                   "A third distractor, as long"]
    items = [item(f"s{i}", "single",
                  distractors[:i % 4] + ["Brief key"] + distractors[i % 4:], {i % 4})
             for i in range(8)]
    c = cues.measure(bank_of(items))
    assert c.shortest_share == 1.0
    found = found_in(items)
    assert "is the shortest in 100%" in found
    assert "only 0." in found  # pooled: right options far shorter than distractors


def test_middle_length_right_option_is_caught():
    texts = ["Tiny", "A right option of middle length", "Also of a middle-sized length",
             "The very longest of all these four options here"]
    items = [item(f"s{i}", "single", texts, {1 + i % 2}) for i in range(8)]
    assert "neither the longest nor the shortest in 100%" in found_in(items)


def test_hedged_right_option_is_caught():
    texts = ["It may depend on the country", "It is legal everywhere today",
             "It is a crime in every place", "It is banned in every country"]
    items = [item(f"s{i}", "single", texts[i % 4:] + texts[:i % 4], {(4 - i % 4) % 4})
             for i in range(8)]
    c = cues.measure(bank_of(items))
    assert c.hedge_right == 1.0 and c.hedge_wrong == 0.0
    found = found_in(items)
    assert "use a hedge word" in found
    assert "odd one out by hedge or absolute words in 100%" in found


def test_right_option_alone_without_absolute_words_is_caught():
    texts = ["Nobody ever owns such output", "It is always the studio's, only",
             "The footage stays with its owner", "Every user owns all of it"]
    items = [item(f"s{i}", "single", texts, {2}) for i in range(3)]
    found = found_in(items)
    assert "odd one out by hedge or absolute words in 100%" in found
    assert "sweeping word" in found


def test_echo_of_the_stem_in_right_options_is_caught():
    scenario = "Karim uploads realistic synthetic footage of a collapsing bridge"
    texts = ["Realistic synthetic footage of a bridge needs a label", "A vlog with a filter",
             "A cartoon of a dragon", "A colour-graded holiday film"]
    items = [item(f"s{i}", "single", texts, {0}, scenario=scenario) for i in range(6)]
    c = cues.measure(bank_of(items))
    assert c.echo_share == 1.0 and c.echo_wrong == 0.0
    assert "hold more words of the title, scenario and question" in found_in(items)
    assert "echo the title, scenario and question" in found_in(items)


def test_word_shared_by_every_right_option_is_caught():
    texts = ["A realistic clip of a real presenter", "A realistic clip of a real bridge",
             "A realistic clip of a stunt", "A cartoon of a dragon", "A filtered vlog"]
    items = [item(f"m{i}", "multiple", texts, {0, 1, 2}) for i in range(4)]
    found = found_in(items)
    assert "in every right option and in no distractor (at most 25%): m0: clip, realistic" in found


@pytest.mark.parametrize("counts, expected", [
    ([3] * 10 + [2, 4], "have exactly 3 right options"),  # issue 17: ten of twelve
    ([2, 3] * 4, "only 2 different numbers of right options"),
    ([5, 2, 3, 4, 1, 5], "every option is right in 2 of 6"),
])
def test_counts_of_right_options_are_caught(counts, expected):
    texts = [f"Statement number {w} about the case" for w in
             ("one", "two", "three", "four", "five")]
    items = [item(f"m{i}", "multiple", texts[i % 5:] + texts[:i % 5], set(range(n)))
             for i, n in enumerate(counts)]
    assert expected in found_in(items)


def test_spread_counts_of_right_options_pass():
    texts = [f"Statement number {w} about the case" for w in
             ("one", "two", "three", "four", "five")]
    items = [item(f"m{i}", "multiple", texts, set(range(i % 3, i % 3 + n)))
             for i, n in enumerate([1, 2, 2, 3, 3, 4, 2, 1])]
    c = cues.measure(bank_of(items))
    assert not any("right options (at most half" in p or "different numbers" in p
                   for p in cues.problems(c))


def test_hint_or_wrong_feedback_that_repeats_the_key_is_caught():
    texts = ["The copyright stays with the studio that made it", "Mei owns it",
             "Gideon owns it", "Nobody owns it"]
    leaky_hint = item("s0", "single", texts, {0},
                      hint="Remember that copyright stays with the studio that made the film.")
    leaky_feedback = item("s1", "single", texts, {0},
                          feedback="No: the copyright stays with the studio, as always.")
    found = found_in([leaky_hint, leaky_feedback])
    assert "s0: hint repeats 5 or more words" in found
    assert "s1: feedback of option 2 repeats" in found
    assert "s1: hint" not in found and "s0: feedback" not in found


# The blind check (scripts/blind_quiz.py): a form without answers, scored against the keys.

def test_blind_form_hides_everything_but_the_question(tmp_path):
    import blind_quiz

    text = blind_quiz.form_text(blind_quiz.DEFAULT_SEED)
    items = blind_quiz.build(blind_quiz.DEFAULT_SEED)
    assert len(items) == sum(q.kind in ("single", "multiple") for q in lesson_quizzes())
    assert text == blind_quiz.form_text(blind_quiz.DEFAULT_SEED)  # the seed fixes it
    flat = " ".join(text.split())
    for it in items:
        q = it.quiz
        assert q.id not in text and q.lesson not in text
        for part in (q.hint, q.explanation, *(o.feedback for o in q.options)):
            assert " ".join(part.split()).replace("*", "")[:60] not in flat
    # options re-shuffled: not every item keeps the order of its file
    assert any(it.order != tuple(range(len(it.order))) for it in items)
    assert len({it.quiz.lesson for it in items[:6]}) > 1  # items are mixed across lessons


def test_blind_scoring_of_a_perfect_a_blank_and_a_plain_answer_file(tmp_path):
    import blind_quiz

    items = blind_quiz.build(blind_quiz.DEFAULT_SEED)
    form = blind_quiz.form_text(blind_quiz.DEFAULT_SEED)
    perfect = form
    for it in items:
        perfect = perfect.replace(f"Answer {it.number}: \n",
                                  f"Answer {it.number}: {' '.join(sorted(it.key))}\n")
    (tmp_path / "perfect.txt").write_text(perfect, encoding="utf-8")
    (tmp_path / "blank.txt").write_text(form, encoding="utf-8")
    (tmp_path / "plain.txt").write_text(
        "\n".join(f"{it.number}: {'a, b' if it.quiz.kind == 'multiple' else 'none'}"
                  for it in items), encoding="utf-8")
    answers, meta = blind_quiz.parse_answers(perfect)
    assert meta[0] == blind_quiz.DEFAULT_SEED and len(answers) == len(items)
    good = blind_quiz.score("p", items, answers)
    assert good.single_right == good.single_total and good.multi_exact == good.multi_total
    blank = blind_quiz.score("b", items, blind_quiz.parse_answers(form)[0])
    assert blank.single_right == blank.multi_exact == 0 and blank.unanswered == len(items)
    plain = blind_quiz.parse_answers((tmp_path / "plain.txt").read_text())[0]
    assert all(v == frozenset() for n, v in plain.items() if items[n - 1].quiz.kind == "single")
    assert blind_quiz.main(["score", str(tmp_path / "perfect.txt"), str(tmp_path / "blank.txt"),
                            "--items", "--markdown"]) == 0


def test_a_form_from_another_bank_is_refused(tmp_path, capsys):
    import blind_quiz

    form = blind_quiz.form_text(blind_quiz.DEFAULT_SEED)
    stale = blind_quiz.HEADER.sub(lambda m: m[0].replace(m[3], "000000000000"), form)
    (tmp_path / "stale.txt").write_text(stale, encoding="utf-8")
    assert blind_quiz.main(["score", str(tmp_path / "stale.txt")]) == 2
    assert "the bank has changed" in capsys.readouterr().err


def test_the_diagnostic_has_a_blind_form_of_its_own(tmp_path, capsys):
    import blind_quiz

    from deepfake_ethics import bank

    items = blind_quiz.build(7, "diagnostic")
    assert {it.quiz.id for it in items} == set(bank.diagnostic_items())
    form = blind_quiz.form_text(7, "diagnostic")
    assert "Set: diagnostic" in form and "Choose ALL" not in form.split("=" * 10, 1)[1]
    for it in items:
        assert it.quiz.id not in form and " ".join(it.quiz.explanation.split())[:60] not in form
    filled = form
    for it in items:
        filled = filled.replace(f"Answer {it.number}: \n",
                                f"Answer {it.number}: {' '.join(sorted(it.key))}\n")
    (tmp_path / "d.txt").write_text(filled, encoding="utf-8")
    assert blind_quiz.main(["score", str(tmp_path / "d.txt")]) == 0
    assert f"single {len(items)}/{len(items)} (100%)" in capsys.readouterr().out


def test_a_plain_answer_file_is_scored_against_the_form_it_answers(tmp_path, capsys):
    import blind_quiz

    items = blind_quiz.build(5, "diagnostic")
    (tmp_path / "form.txt").write_text(blind_quiz.form_text(5, "diagnostic"), encoding="utf-8")
    (tmp_path / "plain.txt").write_text(
        "\n".join(f"{it.number}: {min(it.key)}" for it in items), encoding="utf-8")
    assert blind_quiz.main(["score", str(tmp_path / "plain.txt"),
                            "--form", str(tmp_path / "form.txt")]) == 0
    assert f"single {len(items)}/{len(items)} (100%)" in capsys.readouterr().out


def test_a_blind_form_can_hold_one_diagnostic_form(tmp_path):
    import blind_quiz

    a = blind_quiz.build(3, "diagnostic-A")
    assert len(a) == 11 and {it.quiz.form for it in a} == {"A"}
    assert blind_quiz.main(["form", "--diagnostic", "B", "--seed", "3",
                            "--out", str(tmp_path / "b.txt")]) == 0
    form = (tmp_path / "b.txt").read_text()
    b = blind_quiz.build(3, "diagnostic-B")
    assert "Items: 11  Bank:" in form and "Set: diagnostic-B" in form
    assert blind_quiz.parse_answers(form)[1][3] == "diagnostic-B"
    (tmp_path / "answers.txt").write_text(
        "\n".join(f"{it.number}: {min(it.key)}" for it in b), encoding="utf-8")
    assert blind_quiz.main(["score", str(tmp_path / "answers.txt"),
                            "--form", str(tmp_path / "b.txt")]) == 0


def test_a_masked_form_hides_real_names_dates_and_figures_consistently():
    import blind_quiz

    m = blind_quiz.Masker()
    first = m("Under the TAKE IT DOWN Act (signed 19 May 2025), Cal (31) in Leeds, England, "
              "has 48 hours; 96% of 14,678 videos; see lesson 04.")
    again = m("England and Wales differ from England; the TAKE IT DOWN Act again, 19 May 2025.")
    assert "TAKE IT DOWN" not in first + again and "Leeds" not in first
    assert "2025" not in first and "96%" not in first and "14,678" not in first
    assert "Cal (31)" in first and "lesson 04" in first  # invented people and lessons stay
    law = first.split("Under the ")[1].split(" (")[0]
    date = first.split("signed ")[1].split(")")[0]
    assert law in again and date in again  # the same name, the same code
    assert "[place A], [place B]" in first and "[place C] differ from [place B]" in again
    assert not any(ch.isdigit() for code in m.codes.values() for ch in code)
    form = blind_quiz.form_text(5, "lessons", mask=True)
    assert "codes such as [place C]" in form and "TAKE IT DOWN" not in form
    assert blind_quiz.parse_answers(form)[1][0] == 5  # scored like any form
