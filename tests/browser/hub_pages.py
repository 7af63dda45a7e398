"""A person's steps on the live JupyterHub, in Chromium: log in, the Assignments panel,
answering and submitting, the formgrader, feedback. Used by tests/browser/test_hub_*.py
and benchmarks/bench_hub.py; imports nothing from pytest.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

from deepfake_ethics.practice import without_solution_markers

from .lab import RUN_ALL_MS, UI_MS, LessonPage, expect, menu_bar
from .lab_views import wait_for_lab

SPAWN_MS = 180_000  # a user's first server on a busy 2-core machine
GRADING_MS = 300_000  # the formgrader's autograde of one submission, in the sandbox
SUCCESS = "Success! Your notebook passes all the tests."


def log_in(page, hub_url: str, user: str, password: str) -> None:
    """The hub's login form, then the user's JupyterLab once the server has started."""
    page.goto(f"{hub_url}/hub/login", wait_until="domcontentloaded")
    page.locator("#username_input").fill(user)
    page.locator("#password_input").fill(password)
    page.locator("#login_submit").click()
    page.wait_for_url(re.compile(rf"/user/{re.escape(user)}/lab"), timeout=SPAWN_MS)
    wait_for_lab(page)


# -- a student ---------------------------------------------------------------------------
def open_assignments(page) -> None:
    menu_bar(page, "Nbgrader", "Assignment List")
    expect(page.locator("#assignments_list_info")).to_be_visible()


def show_assignments_tab(page) -> None:
    """Bring the Assignments panel to the front (open it again if the page lost it)."""
    tab = page.locator("#jp-main-dock-panel .lm-TabBar-tab", has_text="Assignments")
    if tab.count():
        tab.click()
    else:
        open_assignments(page)
    expect(page.locator("#assignments_list_info")).to_be_visible()


def released_row(page, name: str):
    return page.locator("#released_assignments_list .list_item", has_text=name)


def wait_until_listed(page, name: str, timeout_s: float = 60) -> None:
    """Refresh the Assignments panel until the released assignment is listed."""
    show_assignments_tab(page)
    deadline = time.monotonic() + timeout_s
    while released_row(page, name).count() == 0:
        assert time.monotonic() < deadline, f"{name} was not listed within {timeout_s} s"
        page.locator("#refresh_assignments_list").click()
        page.wait_for_timeout(250)


def fetch(page, name: str):
    """Fetch the assignment; returns its row among the downloaded assignments."""
    released_row(page, name).get_by_role("button", name="Fetch").click()
    fetched = page.locator("#fetched_assignments_list > .list_item", has_text=name)
    expect(fetched.get_by_role("button", name="Submit")).to_be_visible(timeout=UI_MS)
    return fetched


def open_notebook(page, fetched, notebook: str, hub_lab) -> LessonPage:
    fetched.locator("a.assignment-notebooks-link").click()
    fetched.locator(".nested_list_item a", has_text=Path(notebook).stem).click()
    expect(page.locator("#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current")).to_contain_text(
        notebook)
    lesson = LessonPage(page, hub_lab)
    lesson.wait_for_notebook()
    return lesson


def model_answers(source_notebook: Path) -> dict[str, str]:
    """The model answer of every autograded answer cell, by grade_id, as a student types it."""
    nb = json.loads(source_notebook.read_text(encoding="utf-8"))
    answers = {}
    for cell in nb["cells"]:
        meta = cell["metadata"].get("nbgrader", {})
        if cell["cell_type"] == "code" and meta.get("solution"):
            answers[meta["grade_id"]] = without_solution_markers("".join(cell["source"]))
    return answers


def type_into_cell(page, cell, text: str) -> None:
    """Click into a code cell, replace its text as if typed, and leave edit mode."""
    cell.locator(".cm-content").click()
    expect(cell.locator(".cm-editor.cm-focused")).to_have_count(1)
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.insert_text(text)
    expect(cell.locator(".cm-content")).to_contain_text(text.splitlines()[0])
    page.keyboard.press("Escape")


def write_markdown(page, cell, text: str) -> None:
    """Open a Markdown cell for editing, replace its text, and render it."""
    cell.locator(".jp-RenderedMarkdown").scroll_into_view_if_needed()
    cell.locator(".jp-RenderedMarkdown").dblclick()
    if cell.locator(".cm-editor.cm-focused").count() == 0:  # selected, not yet editing
        page.keyboard.press("Enter")
    expect(cell.locator(".cm-editor.cm-focused")).to_have_count(1)
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.insert_text(text)
    page.keyboard.press("Shift+Enter")
    expect(cell.locator(".jp-RenderedMarkdown")).to_contain_text(text.split(".")[0])


def answer(page, lesson: LessonPage, released: dict, answers: dict[str, str], name: str,
           essay: str) -> int:
    """Type the student's name, the given answers (by grade_id) and the essay; returns how
    many cells were filled in."""
    cells = lesson.panel.locator(".jp-Notebook .jp-Cell")
    expect(cells).to_have_count(len(released["cells"]))
    filled = 0
    after_task = False
    for index, cell in enumerate(released["cells"]):
        meta = cell["metadata"].get("nbgrader", {})
        source = "".join(cell["source"])
        if cell["cell_type"] == "code" and source.startswith('NAME = ""'):
            type_into_cell(page, cells.nth(index), f'NAME = "{name}"\nCOLLABORATORS = ""')
        elif cell["cell_type"] == "code" and meta.get("grade_id") in answers:
            type_into_cell(page, cells.nth(index), answers[meta["grade_id"]])
        elif after_task and cell["cell_type"] == "markdown" and not meta:
            write_markdown(page, cells.nth(index), essay)  # the answer to the written task
        else:
            after_task = after_task or bool(meta.get("task"))
            continue
        filled += 1
    return filled


def save(page) -> None:
    """Save the notebook (Ctrl+S) and wait until its tab is no longer marked unsaved."""
    page.keyboard.press("ControlOrMeta+s")
    tab = page.locator("#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current")
    expect(tab).not_to_have_class(re.compile(r"\bjp-mod-dirty\b"))


def validate(page, lesson: LessonPage) -> str:
    """The Validate button (it saves first); returns the dialog's text and closes it."""
    lesson.panel.locator(".jp-Toolbar-item", has_text="Validate").click()
    dialog = page.locator(".jp-Dialog")
    expect(dialog).to_contain_text("Validation Results", timeout=RUN_ALL_MS)
    text = dialog.inner_text()
    dialog.get_by_role("button", name=re.compile("Ok", re.I)).click()
    expect(dialog).to_have_count(0)
    return text


def submit(page, fetched, name: str) -> None:
    show_assignments_tab(page)
    fetched.get_by_role("button", name="Submit").click()
    submitted = page.locator("#submitted_assignments_list .list_item", has_text=name)
    expect(submitted.first).to_be_visible(timeout=UI_MS)


def fetch_feedback(page, name: str) -> None:
    open_assignments(page)
    row = page.locator("#submitted_assignments_list .list_item", has_text=name).first
    button = row.get_by_role("button", name="Fetch Feedback")
    expect(button).to_be_enabled()
    button.click()
    expect(page.locator("#submitted_assignments_list", has_text="view feedback")).to_be_visible(
        timeout=UI_MS)


# -- the instructor in the formgrader ----------------------------------------------------
def assignment_row(page, name: str):
    return page.locator("#main-table tr", has_text=name).first


def close_success(page, expected: str, timeout: float = GRADING_MS) -> str:
    """Wait for the formgrader's result dialog; it must be a success. Returns its text."""
    modal = page.locator(".modal.in").first
    expect(modal).to_be_visible(timeout=timeout)
    text = modal.inner_text()
    assert "Success" in text and expected in text, text
    modal.locator(".modal-footer button", has_text="OK").click()
    expect(page.locator(".modal.in")).to_have_count(0)
    expect(page.locator(".modal-backdrop")).to_have_count(0)  # faded out
    return text


def formgrader_action(page, name: str, cell_class: str, expected: str,
                      timeout: float = GRADING_MS) -> str:
    """Click the link in the assignment's row and column ``cell_class`` (assign, release,
    collect, generate-feedback, release-feedback) and wait for its success dialog."""
    assignment_row(page, name).locator(f"td.{cell_class} a").click()
    return close_success(page, expected, timeout)


def autograde_all(page, base: str, name: str, students: list[str]) -> None:
    """Manage Submissions: the Autograde link of each student's submission."""
    page.goto(f"{base}/formgrader/manage_submissions/{name}", wait_until="domcontentloaded")
    for student in students:
        row = page.locator("#main-table tr", has_text=student).first
        row.locator("td.autograde a").click()
        close_success(page, "Successfully autograded")


def grade_by_hand(page, base: str, name: str, notebook: str, task_id: str,
                  scores: dict[str, float]) -> None:
    """Manual Grading -> assignment -> notebook -> each student's submission: the written
    task's score typed into its box (the formgrader saves it when the box changes)."""
    for student, score in scores.items():
        page.goto(f"{base}/formgrader/gradebook/{name}/{notebook}",
                  wait_until="domcontentloaded")
        link = page.locator("#main-table a.name-shown", has_text=student)
        expect(link).to_have_count(1)  # the table is drawn
        page.locator("#toggle_names").click()  # names are hidden until asked for
        link.click()
        # Drawn by the page's script once the grades are loaded: a task not yet graded.
        box = page.locator(f"input.score.needs_manual_grade#{task_id}")
        expect(box).to_be_visible()
        with page.expect_response(lambda r: "/formgrader/api/grade/" in r.url
                                  and r.request.method == "PUT") as saved:
            box.fill(str(score))
            box.press("Tab")
        assert saved.value.ok, saved.value.status
