"""Each lesson states a time it can be done in. The estimate from what a learner reads and
answers (scripts/reading_time.py: words at 200 a minute, each quiz's own text plus a minute
to think, a minute per figure, two per worked code example) does not exceed the time the
lesson states, and the stated times are the README's. An optional reference notebook is
outside every lesson's time and states its own."""

from __future__ import annotations

import re

import nbformat
import pytest
import reading_time
from conftest import ROOT, lesson_paths, reference_paths

from deepfake_ethics import bank

# Words a learner reads before the first quiz: every lesson reaches an activity early, and
# lesson 02 (law, the densest) and lesson 04 (whose top carries the content note and the
# support list) were reordered to do so.
FIRST_QUIZ_WITHIN = {"01": 1000, "02": 600, "03": 1000, "04": 800, "05": 1000}


@pytest.fixture(scope="module")
def quizzes():
    return bank.quizzes()


@pytest.mark.parametrize("path", lesson_paths() + reference_paths(), ids=lambda p: p.name)
def test_the_estimate_fits_the_stated_time(path, quizzes):
    e = reading_time.estimate(path, quizzes)
    assert e.stated is not None, f"{path.name}: no '**Estimated time:** NN minutes' at the top"
    assert e.minutes <= e.stated, (
        f"{path.name} states {e.stated} minutes but takes about {e.minutes:.1f} "
        f"(text {e.text_minutes:.1f}, {len(e.quizzes)} quizzes {e.quiz_minutes:.1f}, "
        f"{e.figures} figures, {e.examples} examples): shorten it, or move detail to an "
        "optional reference notebook")


def test_stated_times_are_the_readmes():
    low, high = reading_time.readme_range()
    start = reading_time.readme_start_page()
    assert (low, high) == (25, 45)
    for path in lesson_paths():
        stated = reading_time.stated_minutes(nbformat.read(path, as_version=4))
        if path.name.startswith("00-"):
            assert stated == start, f"{path.name}: README says about {start} minutes"
        else:
            assert low <= stated <= high, f"{path.name}: {stated} minutes, README {low}–{high}"


def test_the_teaching_guide_gives_the_same_stated_times():
    guide = (ROOT / "docs" / "teaching-guide.md").read_text(encoding="utf-8")
    for path in lesson_paths():
        stated = reading_time.stated_minutes(nbformat.read(path, as_version=4))
        row = re.search(rf"^\| {path.name[:2]} [^|]*\| (\d+) min", guide, flags=re.M)
        assert row, f"teaching guide: no row for lesson {path.name[:2]}"
        assert int(row.group(1)) == stated, f"teaching guide: lesson {path.name[:2]}"


@pytest.mark.parametrize("lesson", sorted(FIRST_QUIZ_WITHIN))
def test_each_lesson_reaches_its_first_quiz_early(lesson, quizzes):
    path = next(p for p in lesson_paths() if p.name.startswith(f"{lesson}-"))
    e = reading_time.estimate(path, quizzes)
    assert e.quizzes and e.words_before_first_quiz <= FIRST_QUIZ_WITHIN[lesson], \
        f"{path.name}: {e.words_before_first_quiz} words before the first quiz"


def test_reference_notebooks_are_outside_the_lessons_times(quizzes):
    """The reference is optional: a lesson's estimate does not include it, and the lesson
    says how long the reference takes, which covers the reference's own estimate."""
    for ref in reference_paths():
        e = reading_time.estimate(ref, quizzes)
        assert e.quizzes == () and e.figures == 0
        lesson = next(p for p in lesson_paths() if p.name[:2] == ref.name[:2])
        top = nbformat.read(lesson, as_version=4).cells[0].source
        said = re.search(rf"\]\({re.escape(ref.name)}\)[^\n]*?optional[^\n]*?about (\d+) minutes",
                         top)
        assert said, f"{lesson.name}: says the reference is optional and how long it takes"
        assert int(said.group(1)) == e.stated


# -- the estimator itself -------------------------------------------------------------------


def test_words_are_counted_as_a_reader_sees_them():
    text = ("See [the report, 2024](https://example.org/a-b-c) <!-- a note --> now: "
            "s.66B, don't <b>stop</b>.")
    assert reading_time.words(text) == 8  # See the report 2024 now s.66B don't stop


def test_a_quiz_counts_what_is_read_on_the_way_to_a_right_answer(quizzes):
    single = next(q for q in quizzes.values() if q.kind == "single")
    reflection = next(q for q in quizzes.values() if q.kind == "reflection")
    w = reading_time.words
    for quiz, feedback in ((single, [o for o in single.options if o.correct]),
                           (reflection, list(reflection.options))):
        expected = (w(quiz.scenario) + w(quiz.question) + w(quiz.explanation)
                    + sum(w(d) for d in quiz.discussion)
                    + sum(w(o.text) for o in quiz.options) + sum(w(o.feedback) for o in feedback))
        assert reading_time.quiz_words(quiz) == expected, quiz.id


def test_the_estimate_of_a_small_notebook(tmp_path, quizzes):
    quiz_id = next(iter(quizzes))
    nb = nbformat.v4.new_notebook()
    nav = nbformat.v4.new_markdown_cell("<!-- navigation -->\n" + "word " * 500)
    nav.metadata["tags"] = ["navigation"]
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Title\n\n**Estimated time:** about 9 minutes\n\n"
                                      + "word " * 194),  # 6 + 194 words
        nbformat.v4.new_code_cell("from deepfake_ethics import figure, quiz, show_progress"),
        nbformat.v4.new_code_cell(f'quiz("{quiz_id}")'),
        nbformat.v4.new_markdown_cell("word " * 200),
        nbformat.v4.new_code_cell('figure("laws-timeline")'),
        nbformat.v4.new_code_cell("import hashlib\nprint(hashlib.sha256(b'x').hexdigest())"),
        nbformat.v4.new_code_cell("show_progress()"),
        nav,
    ]
    path = tmp_path / "01-sample.ipynb"
    nbformat.write(nb, path)
    e = reading_time.estimate(path, quizzes)
    assert (e.stated, e.text_words, e.words_before_first_quiz) == (9, 400, 200)
    assert (e.quizzes, e.figures, e.examples) == ((quiz_id,), 1, 1)
    quiz_minutes = reading_time.quiz_words(quizzes[quiz_id]) / 200 + 1
    assert e.minutes == pytest.approx(400 / 200 + quiz_minutes + 1 + 2)


def test_the_readme_sentences_are_read_or_reported():
    text = "The start page takes about 15 minutes, and each of the others\ntakes 25–45 minutes."
    assert reading_time.readme_range(text) == (25, 45)
    assert reading_time.readme_start_page(text) == 15
    with pytest.raises(ValueError):
        reading_time.readme_range("Each lesson is short.")
    with pytest.raises(ValueError):
        reading_time.readme_start_page("Each lesson is short.")
