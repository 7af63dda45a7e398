"""A learner takes the before-and-after diagnostic in JupyterLab, in Chromium.

Lesson 00: run all cells -> the first form is drawn whole, its text fallback hidden ->
Submit with nothing chosen says which questions have no answer (nothing is marked) ->
keyboard alone: each question is one Tab stop, the arrow keys choose within it and never
move JupyterLab's cells -> Enter on Submit marks the form, focus moves to the results, every
answer is explained -> the answers are in the progress file -> axe-core's WCAG 2.1 A and AA
rules pass. The closing notebook: the second form (the other one), answered with the mouse
-> the chart shows both columns with alt text -> the summary is saved, self-contained, and
names the results -> axe-core passes. The lesson 04 alternative: its quizzes, a hint at a
wrong first try, its row in the progress chart, axe-core. Screenshots:
test-artifacts/browser/diagnostic/.
"""

from __future__ import annotations

import json
import re

import pytest

from deepfake_ethics.bank import diagnostic_form, get_quiz
from deepfake_ethics.closing import SUMMARY_NAME
from deepfake_ethics.diagnostic_session import first_form

from .lab import (
    LessonPage,
    active_cell,
    axe_violations,
    check_button,
    expect,
    feedback,
    option,
    plain,
    quiz_ids,
    retry_button,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

OUTPUTS = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output"
SUBMIT = "Submit my answers"


@pytest.fixture(scope="module")
def lab(start_lab, tmp_path_factory):
    """JupyterLab with a progress file whose learner takes form A first."""
    progress = tmp_path_factory.mktemp("diagnostic-progress") / "progress.json"
    learner = next(f"browser-{n}" for n in range(100) if first_form(f"browser-{n}") == "A")
    progress.write_text(json.dumps({"version": 1, "quizzes": {}, "learner": learner}))
    server = start_lab("diagnostic", env={"DEEPFAKE_ETHICS_PROGRESS": str(progress)})
    server.progress_file = progress
    return server


def wait_for_form(lesson: LessonPage, items: int = 11):
    """The diagnostic is drawn: every question's options and an enabled Submit button."""
    lesson.page.wait_for_function(
        """(n) => {
          const nb = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
          const form = nb && nb.querySelector('.dfe-diagnostic');
          if (!form) return false;
          const groups = [...form.querySelectorAll('.dfe-diag-item')];
          const ready = groups.filter(g => g.querySelectorAll('input[type=radio]').length === 4);
          const submit = form.querySelector('[data-action=submit]:not(:disabled)');
          return ready.length === n && !!submit;
        }""", arg=items, timeout=60_000, polling=200)
    return lesson.panel.locator(".dfe-diagnostic").first


def labels(group) -> list[str]:
    return group.locator("input[type=radio]").evaluate_all(
        "inputs => inputs.map(i => i.closest('label').textContent.trim())")


def plan_for(items, wrong: set[int]) -> dict[str, int]:
    """The option (place in the content file) to choose for each item: the right one, except
    for the questions numbered in ``wrong``."""
    plan = {}
    for k, q in enumerate(items, 1):
        key = min(q.correct_indices)
        plan[q.id] = (key + 1) % 4 if k in wrong else key
    return plan


def rerun(lesson: LessonPage, source: str) -> None:
    """Run one code cell again (its prompt, then the toolbar's run button)."""
    lesson.code_cell(source).locator(".jp-InputPrompt").click()
    lesson.page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) "
                        "jp-button[data-command='notebook:run-cell-and-select-next']").click()


def test_before_and_after_in_the_browser(lab, page, story):
    shots = story("diagnostic")
    lesson = LessonPage(page, lab)
    form_a, form_b = diagnostic_form("A"), diagnostic_form("B")

    # 1. Lesson 00, run all: the first form (A, for this learner) is drawn whole.
    lesson.goto("notebooks/00-start-here.ipynb")
    lesson.run_all()
    box = wait_for_form(lesson)
    assert lesson.error_outputs() == []
    expect(box.get_by_role("heading", level=3)).to_contain_text("form A")
    static = lesson.panel.locator(".dfe-diagnostic-static")
    assert static.count() == 1 and not static.first.is_visible(), "the text version is hidden"
    groups = box.locator(".dfe-diag-item")
    expect(groups).to_have_count(11)
    for k, q in enumerate(form_a):
        assert sorted(labels(groups.nth(k))) == sorted(o.text for o in q.options)
        expect(groups.nth(k).get_by_role("radiogroup")).to_have_accessible_name(
            re.compile(rf"^Question {k + 1} of 11"))
    submit = box.get_by_role("button", name=SUBMIT, exact=True)
    area = box.locator(".dfe-feedback-area")
    shots.shot("lesson-00-form-a", show=box)

    # 2. Submitting nothing says which questions have no answer, and marks nothing.
    submit.focus()
    page.keyboard.press("Enter")
    expect(area).to_contain_text("Not submitted yet: questions 1, 2, 3")
    expect(area).to_be_focused()
    expect(area).to_have_attribute("role", "status")
    expect(area).not_to_contain_text("Right")
    assert "diagnostic" not in json.loads(lab.progress_file.read_text())

    # 3. Keyboard alone: one Tab stop per question; arrows choose within it and leave
    #    JupyterLab's cell selection alone; Tab after the last question reaches Submit.
    plan = plan_for(form_a, wrong={2, 4, 6, 8, 10})
    groups.nth(0).locator("input[type=radio]").first.focus()  # the learner arrives
    cell = active_cell(page)
    for k, q in enumerate(form_a):
        radios = groups.nth(k).locator("input[type=radio]")
        target = labels(groups.nth(k)).index(q.options[plan[q.id]].text)
        expect(radios.nth(0)).to_be_focused()
        if target == 0:
            page.keyboard.press("ArrowDown")
            page.keyboard.press("ArrowUp")
        for _ in range(target):
            page.keyboard.press("ArrowDown")
        expect(radios.nth(target)).to_be_checked()
        expect(radios.nth(target)).to_be_focused()
        if k == 0:
            expect(area).to_have_text("")  # the first answer clears the warning
        page.keyboard.press("Tab")
    expect(submit).to_be_focused()
    assert active_cell(page) == cell, "an arrow key moved JupyterLab's cell selection"
    page.keyboard.press("Shift+Tab")  # back into the last question, on its chosen option
    last = groups.nth(10).locator("input[type=radio]")
    expect(last.nth(labels(groups.nth(10)).index(
        form_a[10].options[plan[form_a[10].id]].text))).to_be_focused()
    page.keyboard.press("Tab")
    shots.shot("lesson-00-form-a-answered", show=submit, where="center")
    page.keyboard.press("Enter")

    # 4. Marked as a whole: the score, each answer with its feedback, the explanation.
    expect(area).to_contain_text("Submitted: 6 of 11 right")
    expect(area).to_be_focused()
    expect(area.get_by_text("✔ Right:")).to_have_count(6)
    expect(area.get_by_text("✘ Not right:")).to_have_count(5)
    expect(area.get_by_text("○ The right answer:")).to_have_count(5)
    expect(submit).to_be_hidden()
    for k in range(11):
        expect(groups.nth(k).locator("input[type=radio]").first).to_be_disabled()
    details = area.locator("details").first
    details.locator("summary").click()
    expect(details.get_by_role("link").first).to_be_visible()  # dated sources
    shots.shot("lesson-00-form-a-results", show=area, where="start")
    record = json.loads(lab.progress_file.read_text())["diagnostic"]["before"]
    assert record["form"] == "A"
    assert {i: a["choice"] for i, a in record["answers"].items()} == plan
    violations = axe_violations(page, OUTPUTS)
    assert violations == [], "\n".join(violations)
    lab.shutdown_kernels()

    # 5. The closing notebook: the other form, answered with the mouse.
    lesson.goto("notebooks/06-closing.ipynb")
    expect(lesson.panel.locator("h1").first).to_contain_text("Closing")
    lesson.run_all()
    box = wait_for_form(lesson)
    assert lesson.error_outputs() == []
    expect(box.get_by_role("heading", level=3)).to_contain_text("form B")
    groups = box.locator(".dfe-diag-item")
    plan_b = plan_for(form_b, wrong={11})
    for k, q in enumerate(form_b):
        groups.nth(k).get_by_role("radio", name=q.options[plan_b[q.id]].text,
                                  exact=True).click()
    box.get_by_role("button", name=SUBMIT, exact=True).click()
    area = box.locator(".dfe-feedback-area")
    expect(area).to_contain_text("Submitted: 10 of 11 right")
    shots.shot("closing-form-b-results", show=area, where="start")

    # 6. The chart, run again now that both forms are in: both columns, in words too.
    rerun(lesson, "show_before_and_after()")
    chart = lesson.code_cell("show_before_and_after()")
    caption = chart.locator("figcaption")
    expect(caption).to_contain_text("Before: 6 of 11 right (form A")
    expect(caption).to_contain_text("After: 10 of 11 right (form B")
    alt = chart.locator("img").get_attribute("alt")
    assert alt.startswith("Chart in two parts") and "P3 " in alt
    assert "right before, wrong after" in alt  # P3: right in form A, wrong in form B
    shots.shot("closing-chart", show=chart, where="start")

    # 7. The summary, saved beside the progress file: one self-contained page.
    rerun(lesson, "save_summary()")
    saved = lesson.code_cell("save_summary()")
    path = lab.progress_file.parent / SUMMARY_NAME
    expect(saved).to_contain_text(f"Your summary is saved at {path}")
    expect(saved.get_by_role("link", name="Download your summary")).to_have_attribute(
        "download", SUMMARY_NAME)
    html = path.read_text(encoding="utf-8")
    assert "<script" not in html and not re.search(r'(src|href)="https?:', html)
    assert "6 of 11 (form A)" in html and "10 of 11 (form B)" in html
    shots.shot("closing-summary-saved", show=saved, where="center")
    violations = axe_violations(page, OUTPUTS)
    assert violations == [], "\n".join(violations)

    # ... and the summary page itself passes axe-core on its own.
    summary = page.context.new_page()
    summary.set_content(html)
    violations = axe_violations(summary, "main")
    assert violations == [], "\n".join(violations)
    summary.screenshot(path=str(shots.folder / "summary-page.png"), full_page=True)
    summary.close()
    lab.shutdown_kernels()


ALTERNATIVE = "notebooks/alternatives/04-alternative-likeness-and-consent.ipynb"


def test_the_lesson_04_alternative_has_quizzes_and_progress_in_the_browser(lab, page, story):
    """The alternative's quizzes are widgets like any lesson's: a wrong first try gets the
    hint only, keyboard answering works, the progress chart counts the page on a row of its
    own, and the outputs pass axe-core."""
    shots = story("diagnostic")
    lesson = LessonPage(page, lab)
    ids = quiz_ids(lab.root / ALTERNATIVE)
    assert len(ids) == 4
    lesson.goto(ALTERNATIVE)
    lesson.run_all()
    lesson.wait_for_quizzes(len(ids))
    assert lesson.error_outputs() == []
    assert lesson.panel.locator(".dfe-quiz-static").evaluate_all(
        "els => els.filter(e => e.getClientRects().length > 0).length") == 0
    shots.shot("alternative-quizzes", show=lesson.quizzes.first)

    # The several-answer quiz, with the keyboard: a wrong first try, then the answer.
    mi, mq = next((i, get_quiz(q)) for i, q in enumerate(ids)
                  if get_quiz(q).kind == "multiple")
    box = lesson.quizzes.nth(mi)
    wrong = next(i for i, o in enumerate(mq.options) if not o.correct)
    option(box, mq, wrong).focus()
    page.keyboard.press("Space")
    expect(option(box, mq, wrong)).to_be_checked()
    check_button(box).focus()
    page.keyboard.press("Enter")
    expect(feedback(box)).to_contain_text("Not yet right")
    expect(feedback(box)).to_contain_text(f"➜ Hint: {plain(mq.hint)[:50]}")
    for opt in mq.options:
        expect(feedback(box)).not_to_contain_text(plain(opt.feedback)[:50])
    retry_button(box).click()
    for i in sorted(mq.correct_indices):
        option(box, mq, i).click()
    check_button(box).click()
    expect(feedback(box)).to_contain_text("✔ Correct.")
    shots.shot("alternative-quiz-answered", show=feedback(box), where="center")

    # The progress chart has the page's own row, and counts it once with lesson 04.
    rerun(lesson, "show_progress()")
    chart = lesson.code_cell("show_progress()")
    expect(chart.locator("figcaption")).to_contain_text("count once")
    alt = chart.locator("img").get_attribute("alt")
    assert "Likeness and consent (the alternative to lesson 04): 1 of 4 answered" in alt
    violations = axe_violations(page, OUTPUTS)
    assert violations == [], "\n".join(violations)
    lab.shutdown_kernels()
