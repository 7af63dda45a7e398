"""A student works through lesson 02 in JupyterLab, in a real browser.

Start page -> open the legal-aspects lesson -> run all cells -> answer a quiz wrongly with
the mouse and read the hint (nothing about any option yet) -> try again,
answer rightly and read the explanation -> answer another quiz with the keyboard alone
(arrow keys between options, which never move JupyterLab's cells; focus on the announced
feedback after Check) -> arrow keys choose on round buttons -> a reflection shows every
position and keeps the student's own reasoning -> see the progress view update.
Screenshots: test-artifacts/browser/student-lessons/.
"""

from __future__ import annotations

import json
import re

import pytest

from deepfake_ethics.bank import get_quiz, quizzes

from .lab import (
    LessonPage,
    active_cell,
    answer_button,
    check_button,
    expect,
    feedback,
    option,
    option_labels,
    plain,
    quiz_ids,
    retry_button,
    shown_options,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LESSON = "notebooks/02-legal-aspects.ipynb"
ANSWERED = re.compile(r"You have answered (\d+) of (\d+) quizzes\.")


@pytest.fixture(scope="module")
def lab(start_lab):
    return start_lab("student-lessons")


def choose_quizzes(course):
    """(index, quiz) for the mouse and for the keyboard: the first quiz with a wrong option,
    and a later one (the first several-answers quiz after it, to cover checkboxes, or else
    the next quiz)."""
    shown = [get_quiz(i) for i in quiz_ids(course / LESSON)]
    mouse = next(i for i, q in enumerate(shown)
                 if q.kind in ("single", "multiple") and len(q.correct_indices) < len(q.options))
    later = list(enumerate(shown))[mouse + 1:]
    assert later, f"{LESSON} needs a second quiz for the keyboard step"
    keyboard = next(((i, q) for i, q in later if q.kind == "multiple"), later[0])
    return shown, (mouse, shown[mouse]), keyboard


def test_student_answers_quizzes_with_mouse_and_keyboard(lab, page, story):
    shots = story("student-lessons")
    lesson = LessonPage(page, lab)
    shown, (mi, mq), (ki, kq) = choose_quizzes(lab.root)

    # 1. The start page opens at the course's first notebook.
    lesson.goto("notebooks/00-start-here.ipynb")
    expect(lesson.panel.locator("h1").first).to_contain_text("Start here")
    shots.shot("start-page")

    # 2. The student opens lesson 02 from the file browser (double-click).
    page.locator(".jp-DirListing-item", has_text="02-legal-aspects.ipynb").dblclick()
    current_tab = page.locator("#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current")
    expect(current_tab).to_contain_text("02-legal-aspects")
    lesson.wait_for_notebook()
    expect(lesson.panel.locator("h1").first).to_contain_text("Legal aspects")
    shots.shot("lesson-02-opened")

    # 3. Run > Run All Cells; every quiz becomes an interactive widget.
    lesson.run_all()
    lesson.wait_for_quizzes(len(shown))
    assert lesson.error_outputs() == []
    progress_cell = lesson.code_cell("show_progress()")
    caption = progress_cell.locator("figcaption")
    expect(caption).to_contain_text(ANSWERED)
    before = int(ANSWERED.search(caption.text_content()).group(1))
    shots.shot("lesson-02-all-cells-run", show=lesson.quizzes.nth(0))
    shots.shot("progress-before-answering", show=progress_cell)

    # 4. Mouse: a wrong option, then Check; the feedback says it is not yet right and gives
    #    the quiz's hint, without any option's feedback or the explanation (later).
    box = lesson.quizzes.nth(mi)
    wrong = next(i for i, o in enumerate(mq.options) if not o.correct)
    option(box, mq, wrong).click()
    expect(option(box, mq, wrong)).to_be_checked()
    shots.shot("mouse-quiz-wrong-option-chosen", show=box)
    check_button(box).click()
    expect(feedback(box)).to_contain_text("✘ Not quite.")
    expect(feedback(box)).to_contain_text(f"➜ Hint: {plain(mq.hint)[:60]}")
    for opt in mq.options:  # no option is marked or explained at a first try
        expect(feedback(box)).not_to_contain_text(plain(opt.feedback)[:60])
    expect(feedback(box)).not_to_contain_text("Explanation.")
    expect(feedback(box)).to_be_focused()  # focus follows the feedback after Check
    expect(answer_button(box)).to_be_visible()
    expect(check_button(box)).to_be_disabled()
    shots.shot("mouse-quiz-wrong-answer-hint", show=feedback(box), where="center")

    # 5. Try again clears the answer; the right option gives "Correct" and the explanation.
    retry_button(box).click()
    expect(feedback(box)).to_have_text("")
    expect(check_button(box)).to_be_enabled()
    expect(option(box, mq, wrong)).not_to_be_checked()
    shots.shot("mouse-quiz-try-again", show=box)
    for i in sorted(mq.correct_indices):
        option(box, mq, i).click()
    check_button(box).click()
    expect(feedback(box)).to_contain_text("✔ Correct.")
    expect(feedback(box)).to_contain_text("Explanation.")
    expect(feedback(box)).to_contain_text(plain(mq.explanation)[:80])
    expect(feedback(box).get_by_role("link").first).to_be_visible()  # the sources
    expect(answer_button(box)).to_be_hidden()
    shots.shot("mouse-quiz-right-answer-explanation", show=feedback(box), where="center")

    # 6. Keyboard alone: the arrow keys move between the options (in the learner's own
    #    order) and never move JupyterLab's cell selection; Space ticks, Tab reaches Check,
    #    Enter checks, and focus lands on the feedback, a polite live region.
    box = lesson.quizzes.nth(ki)
    labels = option_labels(box)
    assert sorted(labels) == sorted(o.text for o in kq.options)
    wanted = {kq.options[i].text for i in kq.correct_indices} or {labels[0]}
    controls = shown_options(box)
    controls.nth(0).focus()  # the student has arrived at the quiz
    cell = active_cell(page)
    for k, label in enumerate(labels):
        expect(controls.nth(k)).to_be_focused()
        if label in wanted and kq.kind == "multiple":
            page.keyboard.press("Space")
            expect(controls.nth(k)).to_be_checked()
        if k < len(labels) - 1:
            page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")  # from the last option back to the first
    expect(controls.nth(0)).to_be_focused()
    page.keyboard.press("ArrowUp")
    expect(controls.nth(len(labels) - 1)).to_be_focused()
    assert active_cell(page) == cell, "an arrow key moved JupyterLab's cell selection"
    page.keyboard.press("Tab")
    expect(check_button(box)).to_be_focused()
    shots.shot("keyboard-quiz-answers-chosen", show=box)
    page.keyboard.press("Enter")
    expect(feedback(box)).to_contain_text(
        "✔ Correct." if kq.correct_indices else "Thank you for choosing")
    expect(feedback(box)).to_contain_text(plain(kq.explanation)[:80])
    expect(feedback(box)).to_be_focused()
    expect(feedback(box)).to_have_attribute("aria-live", "polite")
    expect(feedback(box)).to_have_attribute("role", "status")
    shots.shot("keyboard-quiz-feedback", show=feedback(box), where="center")

    # ... and on round buttons an arrow key also chooses, as in any radio group.
    ri, rq = next((i, q) for i, q in enumerate(shown)
                  if q.kind == "single" and i not in (mi, ki))
    box = lesson.quizzes.nth(ri)
    radios = shown_options(box)
    radios.nth(0).focus()
    cell = active_cell(page)
    page.keyboard.press("ArrowDown")
    expect(radios.nth(1)).to_be_focused()
    expect(radios.nth(1)).to_be_checked()
    page.keyboard.press("ArrowUp")
    expect(radios.nth(0)).to_be_checked()
    expect(radios.nth(1)).not_to_be_checked()
    assert active_cell(page) == cell, "an arrow key moved JupyterLab's cell selection"
    shots.shot("keyboard-radio-arrows", show=box)

    # 7. A reflection shows every position after a choice, and a box for the student's
    #    own reasoning, which is saved with their progress.
    fi, fq = next((i, q) for i, q in enumerate(shown) if q.kind == "reflection")
    box = lesson.quizzes.nth(fi)
    labels = option_labels(box)
    option(box, fq, fq.options.index(next(o for o in fq.options if o.text == labels[0]))).click()
    check_button(box).click()
    expect(feedback(box)).to_contain_text(f"➜ Your view: {labels[0]}")
    expect(feedback(box).get_by_text("◇ Another view:")).to_have_count(len(labels) - 1)
    for o in fq.options:
        expect(feedback(box)).to_contain_text(plain(o.feedback)[:60])
    reasoning = box.get_by_role("textbox", name="Your reasoning")
    reasoning.fill("Narrow laws survive review; labels alone do not stop a late fake.")
    box.get_by_role("button", name=re.compile(r"(^|\W)Save my reasoning$")).click()
    expect(box).to_contain_text("Saved with your progress")
    shots.shot("reflection-every-position-and-reasoning", show=reasoning, where="center")

    # 8. The progress view, run again, counts the two answers.
    progress_cell.locator(".jp-InputPrompt").click()
    page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) "
                 "jp-button[data-command='notebook:run-cell-and-select-next']").click()
    expect(caption).to_contain_text(f"You have answered {before + 3} of ")
    lesson_total = sum(q.lesson == mq.lesson for q in quizzes().values())
    alt = progress_cell.locator("img").get_attribute("alt")
    assert f"{mq.lesson_title}: 3 of {lesson_total} answered" in alt
    shots.shot("progress-updated", show=progress_cell)

    # ... and the answers are in the student's progress file (the server's temporary one).
    record = json.loads((lab.state / "progress.json").read_text())["quizzes"]
    assert record[mq.id]["attempts"] == 2 and record[mq.id]["first_correct"] is False
    assert record[mq.id]["correct"] is True
    assert record[kq.id]["attempts"] == 1
    notes = json.loads((lab.state / "progress.json").read_text())["notes"]
    assert notes[fq.id]["text"].startswith("Narrow laws survive review")
