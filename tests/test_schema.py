"""The content schema accepts the course's files and rejects bad ones precisely."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from content_samples import GOOD_QUIZ

from deepfake_ethics import bank
from deepfake_ethics.schema import ContentError


def write(tmp_path: Path, text: str, name: str = "09-test.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_course_quiz_bank_is_valid():
    quizzes = bank.quizzes()
    assert quizzes, "the course has quizzes"
    for q in quizzes.values():
        assert q.sources and all(s.url.startswith("https://") for s in q.sources)
        assert all(o.feedback for o in q.options)


def test_course_figures_are_valid():
    figures = bank.figures()
    assert figures
    assert all(f.alt and f.caption for f in figures.values())


def test_good_file_loads(tmp_path):
    quizzes = bank.load_quiz_file(write(tmp_path, GOOD_QUIZ))
    assert [q.id for q in quizzes] == ["t-one"]
    assert quizzes[0].correct_indices == {0}
    assert quizzes[0].sources[0].date == "2024-01-31"


@pytest.mark.parametrize(
    ("change", "field", "problem"),
    [
        (("      - {text: \"No\", feedback: \"Not so.\"}", "      - {text: \"No\"}"),
         "options[1].feedback", "missing"),
        (("kind: single", "kind: essay"), "kind", "expected one of"),
        (("    question: Is it fine?\n", ""), "question", "missing"),
        (("correct: true, ", ""), "options", "exactly one correct"),
        (("url: \"https://example.org/law\"", "url: \"http://example.org/law\""),
         "sources[0].url", "https://"),
        (("date: 2024-01-31", "date: last year"), "sources[0].date", "date"),
        (("    title: One\n", "    title: One\n    colour: red\n"), "colour", "unknown field"),
        (("    hint: Think of who is shown.\n", ""), "hint", "missing"),
        (("hint: Think of who is shown.", "hint: The answer is Yes, obviously."), "hint",
         "quotes a right option"),
        (("    title: One\n", "    title: One\n    shuffle: sometimes\n"), "shuffle",
         "true or false"),
    ],
)
def test_malformed_quiz_names_file_quiz_and_field(tmp_path, change, field, problem):
    path = write(tmp_path, GOOD_QUIZ.replace(*change))
    with pytest.raises(ContentError) as info:
        bank.load_quiz_file(path)
    err = info.value
    assert err.path == str(path)
    assert err.item == "t-one"
    assert err.field == field
    assert problem in err.problem
    assert str(path) in str(err) and "t-one" in str(err) and field in str(err)


def test_reflection_rules(tmp_path):
    text = GOOD_QUIZ.replace("kind: single", "kind: reflection")
    with pytest.raises(ContentError, match="no right answer"):
        bank.load_quiz_file(write(tmp_path, text))
    text = text.replace("correct: true, ", "")
    with pytest.raises(ContentError, match="discussion"):
        bank.load_quiz_file(write(tmp_path, text))
    ok = text.replace("    explanation: Why.", "    explanation: Why.\n    discussion: [A point]")
    with pytest.raises(ContentError, match="no wrong answer, so no hint"):
        bank.load_quiz_file(write(tmp_path, ok))
    ok = ok.replace("    hint: Think of who is shown.\n", "")
    assert bank.load_quiz_file(write(tmp_path, ok))[0].discussion == ("A point",)


def test_hint_and_shuffle_are_read(tmp_path):
    q = bank.load_quiz_file(write(tmp_path, GOOD_QUIZ))[0]
    assert q.hint == "Think of who is shown." and q.shuffle is True
    fixed = GOOD_QUIZ.replace("    title: One\n", "    title: One\n    shuffle: false\n")
    assert bank.load_quiz_file(write(tmp_path, fixed))[0].shuffle is False


def test_yaml_syntax_error_names_file_and_line(tmp_path):
    path = write(tmp_path, GOOD_QUIZ + "  - id: [unclosed\n")
    with pytest.raises(ContentError) as info:
        bank.load_quiz_file(path)
    assert info.value.path == str(path)
    assert info.value.field.startswith("line ")


def test_quiz_without_id_is_named_by_position(tmp_path):
    path = write(tmp_path, GOOD_QUIZ.replace("  - id: t-one\n    kind", "  - kind"))
    with pytest.raises(ContentError) as info:
        bank.load_quiz_file(path)
    assert info.value.item == "quizzes[0]" and info.value.field == "id"


def test_duplicate_id_across_files(tmp_path):
    write(tmp_path, GOOD_QUIZ, "09-a.yaml")
    write(tmp_path, GOOD_QUIZ.replace("09-test", "10-test"), "10-b.yaml")
    with pytest.raises(ContentError, match="also used in lesson '09-test'"):
        bank.quizzes(tmp_path)


def test_unknown_quiz_id_is_a_helpful_key_error():
    with pytest.raises(KeyError, match="no quiz 'no-such-quiz'"):
        bank.get_quiz("no-such-quiz")


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("id: f\nkind: bars\ntitle: T\nalt: A\ncaption: C\nunit: '%'\nbars: [{label: x}]\n",
         "bars[0].value"),
        ("id: f\nkind: flow\ntitle: T\nalt: A\ncaption: C\nnodes: [{id: a, label: A, x: 1, y: 1},"
         " {id: b, label: B, x: 2, y: 1}]\nedges: [{from: a, to: c}]\n", "edges[0].to"),
        ("id: f\nkind: timeline\ntitle: T\ncaption: C\nlanes: [US]\n"
         "events: [{date: 2020-01-01, lane: US, label: L}]\n", "alt"),
    ],
)
def test_malformed_figure_names_field(tmp_path, text, field):
    path = write(tmp_path, text, "f.yaml")
    with pytest.raises(ContentError) as info:
        bank.load_figure_file(path)
    assert info.value.item == "f" and info.value.field == field
