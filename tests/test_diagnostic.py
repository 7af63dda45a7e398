"""The before-and-after diagnostic (issue 17, item 6): its content and schema, its cues, the
form order, recording and reading back, damaged progress files, the chart and the summary
page, the closing notebook's place in the course, and the lesson 04 alternative's quizzes
and progress row (item 5). The notebooks themselves run headless in the slow tests at the
end; tests/browser/test_diagnostic.py takes both forms in Chromium."""

from __future__ import annotations

import datetime as dt
import html as html_module
import json
import re
import textwrap
import warnings
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
import reading_time
import update_navigation
from conftest import ROOT, alternative_paths, closing_path, lesson_paths

from deepfake_ethics import bank, claims, closing, cues, progress
from deepfake_ethics import diagnostic_session as diagnostic
from deepfake_ethics.content_yaml import read_yaml
from deepfake_ethics.diagnostic_widget import DiagnosticWidget, static_html, static_text
from deepfake_ethics.progress import ProgressStore, ProgressWarning
from deepfake_ethics.schema import ContentError, parse_diagnostic_file

ITEMS = bank.diagnostic_items()
FORMS = {form: bank.diagnostic_form(form) for form in ("A", "B")}
TODAY = dt.date(2026, 12, 3)


@pytest.fixture
def store(tmp_path) -> ProgressStore:
    return ProgressStore(tmp_path / "progress.json")


def learner_with(first: str) -> str:
    """A learner id whose first form is ``first``."""
    return next(f"learner-{n}" for n in range(100)
                if diagnostic.first_form(f"learner-{n}") == first)


def store_for(tmp_path: Path, first: str = "A") -> ProgressStore:
    path = tmp_path / "progress.json"
    path.write_text(json.dumps({"version": 1, "quizzes": {}, "learner": learner_with(first)}))
    return ProgressStore(path)


# -- content and schema -----------------------------------------------------------------------


def test_each_form_has_one_item_per_faq_in_faq_order():
    faqs = list(bank.faqs())
    assert len(faqs) == 11
    for form, items in FORMS.items():
        assert [q.faq for q in items] == faqs, form
        assert all(q.form == form and q.kind == "single" for q in items)
    assert len(ITEMS) == 22


def test_every_item_has_four_options_one_key_feedback_and_dated_sources():
    for q in ITEMS.values():
        assert len(q.options) == 4 and len(q.correct_indices) == 1, q.id
        assert all(o.feedback.strip() for o in q.options), q.id
        assert q.explanation.strip() and q.hint == "", q.id  # a measure: no hint
        assert q.sources and all(re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", s.date)
                                 for s in q.sources), q.id


def test_no_item_is_shared_with_the_quiz_bank():
    quizzes = bank.quizzes().values()
    assert not set(ITEMS) & set(bank.quizzes())
    texts = {t for q in quizzes for t in (q.title, q.scenario, *(o.text for o in q.options))}
    for q in ITEMS.values():
        assert q.title not in texts and q.scenario not in texts, q.id
        assert not {o.text for o in q.options} & texts, q.id
    scenarios = [q.scenario for q in ITEMS.values()]
    assert len(set(scenarios)) == len(scenarios), "each item is a scenario of its own"


def test_sources_are_the_registers_own():
    """Only sources already in sources.yaml, with a title and a date the course already
    gives them (in a quiz, or in sources.yaml)."""
    meta = read_yaml(bank.CONTENT_DIR / "sources.yaml")
    titles: dict[str, set[str]] = {}
    dates: dict[str, set[str]] = {}
    for q in bank.quizzes().values():
        for s in q.sources:
            titles.setdefault(s.url, set()).add(s.title)
            dates.setdefault(s.url, set()).add(s.date)
    for url, fields in meta.items():
        if fields and fields.get("title"):
            titles.setdefault(url, set()).add(fields["title"])
        if fields and fields.get("published"):
            dates.setdefault(url, set()).add(str(fields["published"]))
    for q in ITEMS.values():
        for s in q.sources:
            assert s.url in meta, f"{q.id}: {s.url} is not in sources.yaml"
            assert s.title in titles.get(s.url, set()), f"{q.id}: title of {s.url}"
            assert s.date in dates.get(s.url, set()), f"{q.id}: date of {s.url}"


def test_no_forward_looking_claim_in_the_diagnostic():
    """The claims register does not scan this file, so it holds no future date and no
    'pending' that would need registering."""
    for q in ITEMS.values():
        text = " ".join([q.title, q.scenario, q.question, q.explanation,
                         *(f"{o.text} {o.feedback}" for o in q.options)])
        assert not claims.PENDING.search(text), q.id
        for m in claims.DATE_PHRASE.finditer(text):
            year = int(m.group("y") or m.group("iy") or m.group("by"))
            if m.group("by") and year > TODAY.year + 15:
                continue  # a number such as the bill "HB 2091", not a year
            assert year <= TODAY.year, f"{q.id}: {m.group(0)}"


def test_the_items_carry_no_cues():
    """The cue statistics of the bank (tests/test_quiz_cues.py) hold for the 22 items, and
    for each form alone: the right option neither habitually the longest nor the shortest,
    its place spread, no odd one out by wording, no echo of the scenario."""
    for items in (list(ITEMS.values()), *FORMS.values()):
        found = cues.problems(cues.measure(items))
        assert found == [], "\n".join(found)
    c = cues.measure(ITEMS.values())
    assert c.longest_share <= 0.3 and c.shortest_share <= 0.3
    assert all(0.15 <= share <= 0.35 for share in c.positions[4].values())


def test_answering_one_place_or_one_length_scores_near_chance():
    """A test-wise strategy without reading: always the first, second... option, or always
    the longest, the shortest or the middle length. None does much better than chance."""
    items = list(ITEMS.values())
    for place in range(4):
        assert sum(q.options[place].correct for q in items) <= 7, place
    for pick in (max, min):
        chosen = [pick(range(4), key=lambda i, q=q: len(q.options[i].text)) for q in items]
        assert sum(q.options[i].correct for q, i in zip(items, chosen, strict=True)) <= 7


GOOD = """\
title: Before and after
items:
  - id: dx-one
    form: A
    faq: L1
    title: One
    scenario: Ana does something.
    question: Is it fine?
    options:
      - {text: "Yes", correct: true, feedback: "Because."}
      - {text: "No", feedback: "Not so."}
      - {text: "Maybe", feedback: "Not so."}
      - {text: "Never", feedback: "Not so."}
    explanation: Why.
    sources:
      - {title: A law, url: "https://example.org/law", date: 2024-01-31}
"""


@pytest.mark.parametrize(("change", "field", "problem"), [
    (("form: A", "form: C"), "form", "expected one of A, B"),
    (("    faq: L1\n", ""), "faq", "missing"),
    (("      - {text: \"Never\", feedback: \"Not so.\"}\n", ""), "options", "has 4 options"),
    (('{text: "No", feedback', '{text: "No", correct: true, feedback'), "options",
     "exactly one correct"),
    (("    question: Is it fine?\n", "    question: Is it fine?\n    hint: Think.\n"), "hint",
     "unknown field"),
    (("    form: A\n", "    form: A\n    kind: multiple\n"), "kind", "unknown field"),
])
def test_a_bad_item_is_refused_precisely(change, field, problem):
    import yaml

    data = yaml.safe_load(GOOD.replace(*change))
    with pytest.raises(ContentError) as info:
        parse_diagnostic_file(data, "diagnostic.yaml")
    assert info.value.item == "dx-one" and info.value.field == field
    assert problem in info.value.problem


def test_a_form_missing_an_faq_or_reusing_a_quiz_id_is_refused(tmp_path):
    path = tmp_path / "diagnostic.yaml"
    path.write_text(GOOD)
    with pytest.raises(ContentError, match="form A has 0 items for L2"):
        bank.diagnostic_items(path)
    quiz_id = next(iter(bank.quizzes()))
    path.write_text(GOOD.replace("id: dx-one", f"id: {quiz_id}"))
    with pytest.raises(ContentError, match="a diagnostic item is used nowhere else"):
        bank.diagnostic_items(path)


def test_the_lesson_function_is_what_the_package_gives_whatever_was_imported_first():
    """``from deepfake_ethics import diagnostic`` is the function the notebooks call, even
    after the closing helpers (which use the diagnostic's model) were imported."""
    import subprocess
    import sys

    code = ("from deepfake_ethics import show_before_and_after, save_summary\n"
            "import deepfake_ethics.closing\n"
            "from deepfake_ethics import diagnostic\n"
            "assert callable(diagnostic) and diagnostic.__module__.endswith('diagnostic_widget')")
    subprocess.run([sys.executable, "-c", code], check=True)


# -- form order ----------------------------------------------------------------------------


def test_the_form_order_is_counterbalanced_and_fixed_for_a_learner(tmp_path):
    firsts = [diagnostic.first_form(f"{n:016x}") for n in range(400)]
    assert 0.4 <= firsts.count("A") / len(firsts) <= 0.6  # about half take A first
    for learner in ("a1", "b2", "c3"):
        before = diagnostic.form_for("before", learner)
        after = diagnostic.form_for("after", learner)
        assert {before, after} == {"A", "B"} and before == diagnostic.first_form(learner)
    with pytest.raises(ValueError):
        diagnostic.form_for("during", "a1")
    store = ProgressStore(tmp_path / "p.json")
    first = diagnostic.form_for("before", store.learner_id())
    store.reset()  # starting again keeps the learner id, and so the order
    assert diagnostic.form_for("before", ProgressStore(tmp_path / "p.json").learner_id()) == first


# -- the widget: nothing before submitting, then everything -----------------------------------

SECRETS = ("Right.", "Not so", "Explanation", "✔", "✘", "correct")


def visible(text: str) -> str:
    """Text as a reader sees it in HTML or in Markdown: no tags, no emphasis marks."""
    text = html_module.unescape(re.sub(r"<[^>]+>", "", text))
    return re.sub(r"\s+", " ", re.sub(r"[*_]", "", text))


def test_nothing_is_marked_or_shown_before_the_whole_form_is_submitted(tmp_path):
    store = store_for(tmp_path, "A")
    w = DiagnosticWidget("before", store)
    assert w.form == "A" and [q.faq for q in w.items] == list(bank.faqs())
    assert w.feedback["html"] == ""
    page = json.dumps(w.content, ensure_ascii=False)
    for q in w.items:
        assert q.explanation[:40] not in page
        assert not any(o.feedback[:40] in page for o in q.options)
    for k in range(1, len(w.items)):
        w.select(k, 0)
    result = w.submit()
    assert not result.submitted and result.missing == [11]
    assert "question 11 has no answer" in w.feedback["html"]
    assert store.diagnostic("before") is None, "an incomplete form is not saved"
    assert not any(s in w.feedback["html"] for s in SECRETS[:3])
    w.select(11, 2)
    assert w.feedback["html"] == "", "answering clears the warning"


def test_a_submitted_form_is_marked_saved_and_shown_with_every_answer(tmp_path):
    store = store_for(tmp_path, "B")
    w = DiagnosticWidget("before", store)
    plan = {}
    for k, q in enumerate(w.items, 1):
        key = min(q.correct_indices)
        plan[q.id] = key if k % 2 else (key + 1) % 4  # right on odd questions
        w.select(q.id, plan[q.id])
    result = w.submit()
    assert result.submitted
    assert "Submitted: 6 of 11 right" in result.html and "form B" in result.html
    shown = visible(result.html)
    for q in w.items:
        assert visible(q.options[plan[q.id]].feedback)[:40] in shown
        assert visible(q.options[min(q.correct_indices)].text)[:40] in shown
        assert visible(q.explanation)[:30] in shown
        assert html_module.escape(q.sources[0].url) in result.html
    assert result.html.count("✔ Right:") == 6 and result.html.count("✘ Not right:") == 5
    assert w.feedback == {"html": result.html, "locked": True}  # no more answering
    # Saved with progress, by the option's place in the content file.
    record = ProgressStore(store.path).diagnostic("before")
    assert record["form"] == "B"
    assert {item: a["choice"] for item, a in record["answers"].items()} == plan
    assert sum(a["correct"] for a in record["answers"].values()) == 6
    assert {a["faq"] for a in record["answers"].values()} == set(bank.faqs())


def test_the_first_submission_counts_and_is_shown_again(tmp_path):
    store = store_for(tmp_path, "A")
    w = DiagnosticWidget("before", store)
    for q in w.items:
        w.select(q.id, min(q.correct_indices))
    w.submit()
    first = store.diagnostic("before")
    again = DiagnosticWidget("before", ProgressStore(store.path))  # the cell run again
    assert "You submitted it on" in again.feedback["html"]
    assert again.chosen() == {i: a["choice"] for i, a in first["answers"].items()}
    assert again.feedback["locked"] is True
    other = DiagnosticWidget("before", ProgressStore(store.path))
    store.record_diagnostic("before", "A", {q.id: {"faq": q.faq, "choice": 3, "correct": False}
                                            for q in other.items})
    assert ProgressStore(store.path).diagnostic("before") == first


def test_the_text_versions_show_no_answers(tmp_path):
    w = DiagnosticWidget("after", store_for(tmp_path, "A"))
    assert w.form == "B"
    for text in (static_html(w.session), static_text(w.session)):
        assert "Question 11" in text and "JupyterLab" in text
        assert not any(s in text for s in SECRETS)
        assert "Open this notebook in JupyterLab" not in text  # the quizzes' fallback line


def test_nothing_is_recorded_under_nbgrader(tmp_path, monkeypatch):
    store = store_for(tmp_path, "A")
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    w = DiagnosticWidget("before", store)
    for q in w.items:
        w.select(q.id, 0)
    assert w.submit().submitted
    assert json.loads(store.path.read_text()).get("diagnostic") is None


# -- progress: the diagnostic section, and damaged files ---------------------------------------


def answers(form: str, right: set[str]) -> dict:
    return {q.id: {"faq": q.faq, "choice": min(q.correct_indices) if q.faq in right else
                   (min(q.correct_indices) + 1) % 4, "correct": q.faq in right}
            for q in FORMS[form]}


def test_recording_and_reading_back(store):
    store.record_diagnostic("before", "A", answers("A", {"L1", "E3"}))
    store.record_diagnostic("after", "B", answers("B", set(bank.faqs()) - {"P2"}))
    again = ProgressStore(store.path)
    assert again.diagnostic("before")["form"] == "A"
    assert sum(a["correct"] for a in again.diagnostic("after")["answers"].values()) == 10
    with pytest.raises(ValueError):
        store.record_diagnostic("during", "A", {})
    store.reset()
    assert ProgressStore(store.path).diagnostic("before") is None


GOOD_ANSWER = {"faq": "L1", "choice": 1, "correct": True}
GOOD_ENTRY = {"form": "A", "submitted": "2026-12-01T10:00:00+00:00",
              "answers": {"dx-a-l1-the-dissertation-library": GOOD_ANSWER}}


@pytest.mark.parametrize(("section", "reason"), [
    ([], "'diagnostic' should be a mapping"),
    ({"during": GOOD_ENTRY}, "a moment is one of before, after"),
    ({"before": {**GOOD_ENTRY, "extra": 1}}, "should hold form, submitted and answers"),
    ({"before": {**GOOD_ENTRY, "form": 7}}, "should be short texts"),
    ({"before": {**GOOD_ENTRY, "answers": [1]}}, "'answers' should be a mapping"),
    ({"before": {**GOOD_ENTRY, "answers": {"x": {**GOOD_ANSWER, "choice": "2"}}}},
     "should hold faq, choice"),
    ({"before": {**GOOD_ENTRY, "answers": {"x": {**GOOD_ANSWER, "correct": "yes"}}}},
     "should hold faq, choice"),
    ({"before": {**GOOD_ENTRY, "answers": {"x": {**GOOD_ANSWER, "choice": -1}}}},
     "should hold faq, choice"),
], ids=["list", "moment", "extra", "form", "answers", "choice", "correct", "negative"])
def test_a_damaged_diagnostic_section_is_kept_aside_like_any_damaged_file(tmp_path, section,
                                                                           reason):
    path = tmp_path / "progress.json"
    path.write_text(json.dumps({"version": 1, "quizzes": {}, "diagnostic": section}))
    with pytest.warns(ProgressWarning, match=re.escape(reason)):
        data = ProgressStore(path).load()
    assert data == {"version": 1, "quizzes": {}}
    assert len(list(tmp_path.glob("progress.json.corrupt-*"))) == 1


def test_a_good_diagnostic_section_is_kept(tmp_path):
    path = tmp_path / "progress.json"
    record = {"version": 1, "quizzes": {}, "diagnostic": {"before": GOOD_ENTRY}}
    path.write_text(json.dumps(record))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert ProgressStore(path).load() == record


# -- before and after, the chart and the summary ---------------------------------------------


@pytest.fixture(scope="module")
def _drawn_charts() -> dict[str, object]:
    return {}


@pytest.fixture(autouse=True)
def each_chart_drawn_once(_drawn_charts, monkeypatch) -> None:
    """The before-and-after chart of the same progress is drawn once for this module's tests
    (the summary page and save_summary draw it too): the chart of each progress file's
    content, really drawn the first time it is asked for."""
    draw = closing.show_before_and_after

    def drawn_once(store=None):
        content = json.dumps((store or closing.default_store()).load(), sort_keys=True)
        if content not in _drawn_charts:
            _drawn_charts[content] = draw(store)
        return _drawn_charts[content]

    monkeypatch.setattr(closing, "show_before_and_after", drawn_once)


def progress_file(tmp_path: Path) -> ProgressStore:
    """A progress file as a learner leaves it: two quizzes, a note, both forms."""
    quiz = next(q for q in bank.quizzes().values() if q.lesson.startswith("02-"))
    entry = {"lesson": quiz.lesson, "attempts": 1, "first_correct": True, "correct": True,
             "choice": [0], "first_answered": "2026-12-01T10:00:00+00:00",
             "last_answered": "2026-12-01T10:00:00+00:00"}
    alt = next(q for q in bank.quizzes().values() if q.lesson.startswith("04-alternative"))
    data = {"version": 1, "learner": "abc", "quizzes": {
                quiz.id: {**entry, "item_version": quiz.version},
                alt.id: {**entry, "lesson": alt.lesson, "first_correct": False,
                         "item_version": alt.version}},
            "notes": {"05-neutral-like-a-knife": {
                "lesson": "05-x", "text": "Tools carry <choices> & so do we.",
                "saved": "2026-12-01T10:00:00+00:00"}},
            "diagnostic": {
                "before": {"form": "B", "submitted": "2026-11-02T09:00:00+00:00",
                           "answers": answers("B", {"L1", "L2", "E3", "P1"})},
                "after": {"form": "A", "submitted": "2026-12-01T09:00:00+00:00",
                          "answers": answers("A", set(bank.faqs()) - {"E4", "P3"})}}}
    path = tmp_path / "progress.json"
    path.write_text(json.dumps(data))
    return ProgressStore(path)


def test_before_and_after_from_a_progress_file(tmp_path):
    store = progress_file(tmp_path)
    rows = {r["faq"]: r for r in diagnostic.before_and_after(store)}
    assert list(rows) == list(bank.faqs())
    assert rows["L1"]["before"] is True and rows["L1"]["after"] is True
    assert rows["E4"]["before"] is False and rows["E4"]["after"] is False
    assert rows["E5"]["before"] is False and rows["E5"]["after"] is True
    assert rows["L3"]["question"] == "Do face-swap videos count as parody?"
    found = diagnostic.totals(store)
    assert found["before"] == {"form": "B", "submitted": "2026-11-02T09:00:00+00:00",
                               "right": 4, "items": 11}
    assert found["after"]["right"] == 9 and found["after"]["form"] == "A"
    empty = ProgressStore(tmp_path / "none.json")
    assert all(r["before"] is None and r["after"] is None
               for r in diagnostic.before_and_after(empty))
    assert diagnostic.totals(empty) == {}


def test_the_chart_says_everything_in_its_alt_text(tmp_path):
    store = progress_file(tmp_path)
    image = closing.show_before_and_after(store)
    assert image.svg.lstrip().startswith(b"<?xml") and b"<svg" in image.svg
    assert "Before: 4 of 11 right (form B, 2 November 2026)" in image.caption
    assert "After: 9 of 11 right (form A, 1 December 2026)" in image.caption
    assert "E5 What if I do a face-swap for private use only? wrong before, right after" \
        in image.alt
    assert "Legal aspects: 1 of " in image.alt
    assert "(the alternative to lesson 04): 0 of 4 right at the first try, 1 answered" \
        in image.alt
    assert f'alt="{image.alt[:40]}' in image._repr_html_()
    none = closing.show_before_and_after(ProgressStore(tmp_path / "none.json"))
    assert "Before: not taken yet. After: not taken yet." in none.caption


class _Refs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[str] = []
        self.refs: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.refs += [(tag, k, v or "") for k, v in attrs if k in ("src", "href", "action")]


def test_the_summary_page_is_self_contained_and_names_the_results(tmp_path):
    store = progress_file(tmp_path)
    page = closing.summary_html(store, made=dt.date(2026, 12, 3))
    parser = _Refs()
    parser.feed(page)
    assert not {"script", "link", "iframe", "object", "embed", "base"} & set(parser.tags)
    assert all(not re.match(r"\s*(https?:)?//", value) for _, _, value in parser.refs)
    assert all(value.startswith("data:image/svg+xml;base64,") for tag, _, value
               in parser.refs if tag == "img")
    assert not re.search(r"url\(|@import|https?://", page.split("<body>")[0])
    assert "Made on 3 December 2026" in page
    assert "4 of 11 (form B)" in page and "9 of 11 (form A)" in page
    assert re.search(r"<th scope='row'>E5</th><td>What if I do a face-swap for private use "
                     r"only\?</td><td>wrong</td><td>right</td>", page)
    assert "04 alt. Likeness and consent" in page
    assert "Tools carry &lt;choices&gt; &amp; so do we." in page  # the note, escaped


def test_save_summary_writes_beside_the_progress_file_and_says_where(tmp_path):
    store = progress_file(tmp_path)
    saved = closing.save_summary(store=store)
    assert saved.path == (tmp_path / closing.SUMMARY_NAME).resolve()
    assert saved.path.read_text(encoding="utf-8") == saved.html
    assert str(saved.path) in repr(saved) and str(saved.path) in saved._repr_html_()
    assert 'download="deepfake-ethics-summary.html"' in saved._repr_html_()
    assert "href=\"data:text/html;charset=utf-8;base64," in saved._repr_html_()
    elsewhere = closing.save_summary(tmp_path / "mine" / "s.html", store=store)
    assert elsewhere.path.exists()
    blocked = tmp_path / "file"
    blocked.write_text("x")
    failed = closing.save_summary(blocked / "s.html", store=store)
    assert failed.path is None and "could not be saved" in repr(failed)
    assert "Download your summary" in failed._repr_html_()


# -- the lesson 04 alternative in the progress summary -----------------------------------------


def test_the_alternative_has_a_row_after_lesson_04_and_counts_once(tmp_path):
    store = ProgressStore(tmp_path / "p.json")
    rows = progress.summary(store)
    lessons = [r["lesson"] for r in rows]
    i = lessons.index("04-face-swap-and-pornography")
    assert lessons[i + 1] == "04-alternative-likeness-and-consent"
    assert rows[i + 1]["alternative_to"] == "04-face-swap-and-pornography"
    assert all(r["alternative_to"] is None for r in rows if r is not rows[i + 1])
    answered, total = progress.course_totals(rows)
    lesson_04, alt = rows[i]["quizzes"], rows[i + 1]["quizzes"]
    assert answered == 0 and total == sum(r["quizzes"] for r in rows) - alt
    for q in [q for q in bank.quizzes().values() if q.lesson == rows[i + 1]["lesson"]][:2]:
        store.record(q.id, q.lesson, True, [0], q.version)
    rows = progress.summary(store)
    answered, total = progress.course_totals(rows)
    assert answered == 2 and total == sum(r["quizzes"] for r in rows) - lesson_04
    from deepfake_ethics.progress_chart import show_progress
    view = show_progress(store)
    assert "You have answered 2 of " in view.caption and "count once" in view.caption
    assert "Likeness and consent (the alternative to lesson 04): 2 of 4 answered" in view.alt


# -- the notebooks --------------------------------------------------------------------------


def _nb(path: Path):
    return nbformat.read(path, as_version=4)


def test_the_closing_notebook_takes_its_place_after_the_lessons_without_being_one():
    path = closing_path()
    assert path.name == "06-closing.ipynb" and path not in lesson_paths()
    assert [p.name[:2] for p in lesson_paths()][-1] == "05"
    nb = _nb(path)
    first = nb.cells[0].source
    assert first.startswith("# ") and re.search(r"^\*[^*].*\*$", first, re.M)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "**Objectives**" in text and "## Key points" in text
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    assert 'diagnostic("after")' in code
    assert "show_before_and_after()" in code and "save_summary()" in code
    assert nb.cells[-1].source == update_navigation.closing_navigation(lesson_paths())
    assert "05-truth-provenance-and-good-uses.ipynb" in nb.cells[-1].source
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if not re.match(r"https?:|mailto:|#", target):
            assert (path.parent / target.split("#")[0]).resolve().exists(), target


def test_lesson_00_ends_with_the_first_form():
    nb = _nb(lesson_paths()[0])
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert 'diagnostic("before")' in code[-1].source
    assert "navigation" in nb.cells[-1].metadata.get("tags", [])
    assert "06-closing.ipynb" in nb.cells[-3].source


def test_the_diagnostic_states_its_time_and_the_pages_still_fit_theirs():
    minutes = reading_time.diagnostic_minutes()
    start = reading_time.estimate(lesson_paths()[0])
    assert start.diagnostic_stated and minutes <= start.diagnostic_stated
    assert start.minutes <= start.stated, "the diagnostic is outside the start page's time"
    from deepfake_ethics.diagnostic_widget import MINUTES
    assert minutes <= MINUTES == start.diagnostic_stated
    end = reading_time.estimate(closing_path())
    assert end.diagnostic_stated == MINUTES
    assert end.total_minutes <= end.stated, "in the closing notebook it is the activity"


def test_the_alternative_has_quizzes_of_its_own_and_a_progress_cell():
    path = alternative_paths()[0]
    shown = re.findall(r'quiz\("([a-z0-9-]+)"\)',
                       "\n".join(c.source for c in _nb(path).cells if c.cell_type == "code"))
    own = [q.id for q in bank.quizzes().values() if q.lesson == path.stem]
    assert shown == own and len(own) >= 3
    kinds = {bank.get_quiz(q).kind for q in own}
    assert {"single", "multiple"} <= kinds
    for q in own:
        quiz = bank.get_quiz(q)
        assert quiz.hint and all(o.feedback for o in quiz.options) and quiz.sources
        assert not any(o.correct and o.text.lower() in quiz.hint.lower() for o in quiz.options)
    e = reading_time.estimate(path)
    assert e.minutes <= e.stated


def test_the_alternatives_quizzes_keep_the_bank_within_its_cue_limits():
    """The alternative's quizzes add no kind of cue the rest of the bank does not already
    have (tests/test_quiz_cues.py holds the whole bank to the limits)."""
    def kinds(quizzes) -> set[str]:
        return {re.sub(r"\d+(\.\d+)?", "N", p.split(":")[0])
                for p in cues.problems(cues.measure(quizzes))}

    everything = list(bank.quizzes().values())
    without = [q for q in everything if q.lesson not in bank.alternative_lessons()]
    assert kinds(everything) <= kinds(without)


# -- slow: the notebooks run ------------------------------------------------------------------


def _run(path: Path) -> nbformat.NotebookNode:
    from nbclient import NotebookClient

    nb = _nb(path)
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            assert out.output_type != "error", f"{cell.source!r}: {out.get('evalue')}"
            assert not (out.output_type == "stream" and out.name == "stderr"), out.text
    return nb


@pytest.mark.slow
def test_the_closing_notebook_runs_headless(private_progress):
    nb = _run(closing_path())
    html = {c.source: "".join(o.get("data", {}).get("text/html", "") for o in c.outputs)
            for c in nb.cells if c.cell_type == "code"}
    assert re.search(r'<img [^>]*alt="Chart in two parts[^"]{40,}"',
                     html["show_before_and_after()"])
    assert "Your summary is saved at" in html["save_summary()"]
    assert (private_progress.parent / closing.SUMMARY_NAME).exists()
    widget = "application/vnd.jupyter.widget-view+json"
    outputs = next(c.outputs for c in nb.cells if c.source == 'diagnostic("after")')
    assert any(widget in o.get("data", {}) for o in outputs)


@pytest.mark.slow
def test_the_alternative_runs_headless_with_its_quizzes(private_progress):
    nb = _run(alternative_paths()[0])
    widget = "application/vnd.jupyter.widget-view+json"
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.source.startswith("quiz("):
            assert any(widget in o.get("data", {}) for o in cell.outputs), cell.source
    progress_html = "".join(o.get("data", {}).get("text/html", "") for c in nb.cells
                            if c.source == "show_progress()" for o in c.outputs)
    assert "the alternative to lesson 04" in progress_html


def test_the_content_format_documents_the_diagnostic():
    doc = (ROOT / "docs" / "content-format.md").read_text(encoding="utf-8")
    assert "content/diagnostic.yaml" in doc and "quizzes/alternatives/" in doc
    assert textwrap.dedent(GOOD).splitlines()[0] in doc
