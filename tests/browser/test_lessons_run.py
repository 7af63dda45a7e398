"""Every lesson runs all its cells in the browser without an error, and every quiz is an
interactive widget; its text fallback, which sits beside it for exported pages, is hidden;
the lesson's outputs pass axe-core's WCAG 2.1 A and AA rules.

Screenshots: test-artifacts/browser/lessons-run-all/lesson-NN-....png.
"""

from __future__ import annotations

import pytest

from deepfake_ethics.bank import get_quiz
from deepfake_ethics.layout import lesson_notebooks

from .lab import ROOT, LessonPage, axe_violations, check_button, option, quiz_ids

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LESSONS = lesson_notebooks(ROOT)
FALLBACK = "Open this notebook in JupyterLab"  # only in the text fallback of a quiz
VISIBLE = "els => els.filter(e => e.getClientRects().length > 0).length"


@pytest.fixture(scope="module")
def lab(start_lab):
    return start_lab("lessons-run-all")


@pytest.mark.parametrize("notebook", LESSONS, ids=[p.stem for p in LESSONS])
def test_lesson_runs_in_the_browser(lab, page, story, notebook):
    shots = story("lessons-run-all")
    lesson = LessonPage(page, lab)
    ids = quiz_ids(lab.root / "notebooks" / notebook.name)  # the copy JupyterLab serves
    try:
        lesson.goto(f"notebooks/{notebook.name}")
        lesson.run_all()
        lesson.wait_for_quizzes(len(ids))
        shots.shot(f"lesson-{notebook.stem[:2]}-all-cells-run",
                   show=lesson.quizzes.first if ids else None, numbered=False)

        assert lesson.error_outputs() == [], f"{notebook.name} has error output"
        texts = lesson.outputs().all_text_contents()
        fallbacks = lesson.panel.locator(".dfe-quiz-static")
        assert fallbacks.count() == len(ids)  # one text version beside each widget...
        assert sum(FALLBACK in t for t in texts) == len(ids)
        assert fallbacks.evaluate_all(VISIBLE) == 0, "a quiz shows its text fallback"  # hidden
        assert not [t for t in texts if "Error displaying widget" in t]
        assert lesson.quizzes.count() == len(ids)
        for index, quiz_id in enumerate(ids):
            quiz, box = get_quiz(quiz_id), lesson.quizzes.nth(index)
            assert box.get_by_role("heading").first.text_content() == f"Quiz: {quiz.title}"
            assert check_button(box).is_enabled()
            for i in range(len(quiz.options)):
                assert option(box, quiz, i).is_enabled(), (quiz_id, i)
        # Every figure, the progress chart included, has alt text.
        alts = lesson.panel.locator(".jp-OutputArea-output img").evaluate_all(
            "imgs => imgs.map(i => i.getAttribute('alt') || '')")
        assert all(a.strip() for a in alts), alts
        # The course's own outputs, a quiz's feedback included, pass axe-core's WCAG 2.1
        # A and AA rules.
        if ids:
            box, quiz = lesson.quizzes.first, get_quiz(ids[0])
            option(box, quiz, 0).click()
            check_button(box).click()
        violations = axe_violations(
            page, ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output")
        assert violations == [], "\n".join(violations)
    finally:
        lab.shutdown_kernels()  # two cores: one kernel at a time
