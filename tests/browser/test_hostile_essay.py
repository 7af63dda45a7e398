"""A hostile essay cannot script the grader's pages (issue 15, item 3).

A student writes, into the answer cell of a02's hand-graded reflection, links whose target
is ``javascript:`` hidden behind character references (``javascript&colon;``,
``jav&#x09;ascript:``, ``&#106;avascript:``), a plain ``javascript:`` and a ``data:text/html``
link, raw ``<a href=javascript:...>`` and ``<img onerror=...>``: every script would set a
page flag, open a dialog and set a manual score of 1000 on every grade of the submission
through the formgrader's API with the ``_xsrf`` cookie (tests/hostile_markdown.py).

The submission is autograded with plain ``nbgrader autograde``. The instructor opens it in
the formgrader in Chromium and clicks every link of the essay: no dialog, no flag, no call
to the grade API, and the gradebook holds no manual score. The instructor then grades the
essay in the same page (the formgrader still works), feedback is generated and opened in
Chromium, where clicking every link of the essay runs nothing either. Last, a control: the
same script, run directly in the formgrader's page, does set the scores to 1000, so the
checks above would have seen it.

Screenshots: test-artifacts/browser/hostile-essay/.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hostile_markdown import (
    ALLOWED_SCHEMES,
    FLAG,
    GRADE_API_JS,
    PAYLOADS,
    STOLEN_SCORE,
    essay,
    url_scheme,
)
from nbgrader_course import generated_course, meta, nbgrader, student_notebook, submit

from .lab import expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ASSIGNMENT = "a02-legal-aspects"
NOTEBOOK = f"{ASSIGNMENT}.ipynb"
STUDENT = "mallory"
INTRO = "Tools are not the problem; uses are. My sources:"
HAND_SCORE = 2.0
LINK_TEXTS = ("hostile-colon", "hostile-tab", "hostile-decimal", "hostile-plain",
              "hostile-data")  # Markdown links: they stay links, without a script target


def hostile_notebook(course: Path):
    """The released notebook with the model answers, and the payloads in the answer cell
    of the reflection graded by hand (the plain Markdown cell after its task cell).
    Returns the notebook and the task's grade id."""
    nb = student_notebook(course, ASSIGNMENT)
    index = next(i for i, cell in enumerate(nb.cells) if meta(cell).get("task"))
    answer = nb.cells[index + 1]
    assert answer.cell_type == "markdown" and not meta(answer), "no answer cell after the task"
    answer.source = essay(INTRO)
    return nb, meta(nb.cells[index])["grade_id"]


def grades(course: Path) -> dict[str, tuple[float | None, float | None]]:
    """The student's grades in the gradebook: grade id -> (auto score, manual score)."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "deepfake-ethics") as gb:
        submission = gb.find_submission_notebook(NOTEBOOK.removesuffix(".ipynb"), ASSIGNMENT,
                                                 STUDENT)
        return {g.name: (g.auto_score, g.manual_score) for g in submission.grades}


@pytest.fixture(scope="module")
def graded(start_lab, tmp_path_factory):
    """JupyterLab in a course where the hostile submission has been autograded."""
    task: dict[str, str] = {}

    def prepare(course: Path) -> None:
        generated = generated_course(tmp_path_factory.mktemp("generated"))
        shutil.copytree(generated, course, dirs_exist_ok=True)  # release/ and gradebook
        nb, task["id"] = hostile_notebook(course)
        submit(course, STUDENT, ASSIGNMENT, nb)
        nbgrader(course, "autograde", ASSIGNMENT)

    lab = start_lab("hostile-essay", prepare=prepare)
    return {"lab": lab, "course": lab.root, "task": task["id"]}


def watch(page) -> dict[str, list[str]]:
    """Dialogs (dismissed) and calls to the formgrader's grade API, as they happen."""
    seen: dict[str, list[str]] = {"dialogs": [], "grade_api": []}

    def dialog(d) -> None:
        seen["dialogs"].append(d.message)
        d.dismiss()

    page.on("dialog", dialog)
    page.on("request", lambda r: seen["grade_api"].append(f"{r.method} {r.url}")
            if "/formgrader/api/grade/" in r.url and r.method != "GET" else None)
    return seen


def click_every_link(page, container) -> int:
    """Click each link in ``container``; if one leaves the page, come back. Returns how
    many were clicked."""
    links = container.locator("a")
    count = links.count()
    for i in range(count):
        url = page.url
        links.nth(i).click()
        page.wait_for_timeout(300)  # a script would run (and a dialog open) at once
        if page.url != url:
            page.goto(url, wait_until="domcontentloaded")
    return count


def open_submission(page, base: str, task: str):
    """Manual Grading -> a02 -> the student's submission (names shown on demand); returns
    the task's score box once the page's own scripts have loaded the grades."""
    page.goto(f"{base}/formgrader/gradebook/{ASSIGNMENT}/{ASSIGNMENT}",
              wait_until="domcontentloaded")
    link = page.locator("#main-table a.name-shown", has_text=STUDENT)
    expect(link).to_have_count(1)
    page.locator("#toggle_names").click()
    link.click()
    score_box = page.locator(f"input.score#{task}")
    expect(score_box).to_be_visible()
    return score_box


def assert_no_script_links(container) -> None:
    """Every link target in ``container`` is absent, relative or http(s)/mailto (one
    payload without its entity's semicolon is left as a harmless relative path)."""
    hrefs = container.locator("a[href]").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))")
    assert [h for h in hrefs if url_scheme(h) not in (None, *ALLOWED_SCHEMES)] == [], hrefs


def payload_ran(page) -> bool:
    return page.evaluate(f"() => typeof window.{FLAG} !== 'undefined'")


def test_hostile_essay_runs_nothing_in_formgrader_or_feedback(graded, page, story):
    shots = story("hostile-essay")
    lab, course, task = graded["lab"], graded["course"], graded["task"]
    before = grades(course)
    assert before and all(manual is None for _, manual in before.values()), before
    seen = watch(page)

    # 1. The instructor logs in to JupyterLab (the token), then opens the submission from
    # the formgrader's Manual Grading.
    page.goto(lab.url("lab/workspaces/hostile-essay"), wait_until="domcontentloaded")
    page.locator("#jp-main-dock-panel").wait_for()
    score_box = open_submission(page, lab.base, task)
    essay_cell = page.locator(".text_cell_render", has_text=INTRO)
    expect(essay_cell).to_have_count(1)
    for text in LINK_TEXTS:  # the payloads reached the page, as links
        expect(essay_cell.locator("a", has_text=text)).to_have_count(1)
    assert_no_script_links(essay_cell)
    shots.shot("formgrader-essay", show=essay_cell, where="center")

    # 2. Every link of the essay clicked: nothing ran, nothing was graded.
    assert click_every_link(page, essay_cell) >= len(LINK_TEXTS)
    page.wait_for_timeout(1000)  # time for a fetch to the grade API to be sent
    assert not payload_ran(page)
    assert seen == {"dialogs": [], "grade_api": []}
    assert grades(course) == before
    shots.shot("formgrader-links-clicked", show=essay_cell, where="center")

    # 3. The formgrader still grades: the essay's score, typed in, reaches the gradebook.
    with page.expect_response(lambda r: "/formgrader/api/grade/" in r.url
                              and r.request.method == "PUT") as saved:
        score_box.fill(str(HAND_SCORE))
        score_box.press("Tab")
    assert saved.value.ok, saved.value.status
    assert grades(course)[task] == (None, HAND_SCORE)
    seen["grade_api"].clear()

    # 4. Feedback: generated by nbgrader, opened in Chromium, every essay link clicked.
    nbgrader(course, "generate_feedback", ASSIGNMENT)
    feedback = course / "feedback" / STUDENT / ASSIGNMENT / NOTEBOOK.replace(".ipynb", ".html")
    assert feedback.is_file()
    page.goto(feedback.as_uri(), wait_until="load")
    feedback_essay = page.locator(".text_cell_render", has_text=INTRO)
    expect(feedback_essay).to_have_count(1)
    for text in LINK_TEXTS:
        expect(feedback_essay.locator("a", has_text=text)).to_have_count(1)
    assert_no_script_links(feedback_essay)
    assert click_every_link(page, feedback_essay) >= len(LINK_TEXTS)
    page.wait_for_timeout(500)
    assert not payload_ran(page)
    assert seen == {"dialogs": [], "grade_api": []}
    shots.shot("feedback-links-clicked", show=feedback_essay, where="center")

    # 5. Control: the payload's script itself works in the formgrader's page, so the checks
    # above would have caught it had any link run it.
    open_submission(page, lab.base, task)
    page.evaluate(GRADE_API_JS)
    page.wait_for_function(f"() => window.{FLAG}Graded > 0")
    assert seen["dialogs"] == ["hostile essay ran"]
    stolen = grades(course)
    assert stolen and all(manual == STOLEN_SCORE for _, manual in stolen.values()), stolen
    assert len(PAYLOADS) >= 8  # every kind of the brief is in the essay
