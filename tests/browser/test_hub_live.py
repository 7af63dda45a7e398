"""The course on a live JupyterHub, as deploy/jupyterhub/ ships it, in Chromium.

JupyterHub from PyPI with configurable-http-proxy from npm runs as root on 127.0.0.1, with
the shipped configs (only paths and ports differ: tests/hub_server.py), PAM logins of real
Unix accounts (an instructor, two students, the grader account), the grader service, the
global nbgrader config, a student's JupyterLab for everyone but the grader, and the
gradebook in a PostgreSQL database of the suite's own server.

The class, in order (each test builds on the one before):
1. the students log in: a student's JupyterLab (no instructor tools, no news pop-up), the
   Assignments panel, and a lesson's quiz working;
2. the instructor logs in, finds the course under Nbgrader -> Course List, opens the
   formgrader in its own tab, generates and releases a02; the students see it;
3. each student fetches it, answers, validates and submits;
4. the instructor collects, autogrades (in the grading sandbox: student 2's first answer is
   right only where the grader's files are out of reach), grades the essay by hand,
   generates and releases feedback;
5. each student fetches their feedback and sees their own score and no hidden test;
6. what a student cannot reach: the formgrader, another student's server and files, the
   grader's course directory, the gradebook's address.
Screenshots: test-artifacts/browser/hub-live/.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from pathlib import Path

import pytest
from hub_class import hub_classroom, server_environ
from hub_env import hub_venv
from hub_server import COURSE_ID, GRADER, http_status
from nbgrader_course import secret_lines, visible_text
from shared_env import is_root, require
from test_nbgrader_pipeline_postgres import create_database, postgres_url  # noqa: F401

from . import hub_pages as hp
from .lab import ROOT, LessonPage, expect
from .lab_views import (
    INSTRUCTOR_ITEMS,
    STUDENT_ITEMS,
    has_create_assignment,
    nbgrader_menu,
    news_pop_up,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ASSIGNMENT = "a02-legal-aspects"
NOTEBOOK = f"{ASSIGNMENT}.ipynb"
TASK = "reflection2_9"  # the essay, graded by hand (4 points)
ESSAY = ("Platforms should label synthetic media. A label keeps parody and art possible "
         "while warning viewers, and it costs the honest creator almost nothing.")
HAND_SCORES = [3.0, 2.0]  # the instructor's marks for the two essays
LESSON = "deepfake-ethics-course/notebooks/02-legal-aspects.ipynb"


def source() -> dict:
    return json.loads((ROOT / "source" / ASSIGNMENT / NOTEBOOK).read_text(encoding="utf-8"))


def released() -> dict:
    return json.loads((ROOT / "release" / ASSIGNMENT / NOTEBOOK).read_text(encoding="utf-8"))


def points() -> dict[str, float]:
    """Autograded points that follow each answer cell."""
    result, current = {}, None
    for cell in source()["cells"]:
        meta = cell["metadata"].get("nbgrader", {})
        if cell["cell_type"] == "code" and meta.get("solution"):
            current = meta["grade_id"]
            result[current] = 0.0
        elif meta.get("grade") and current and cell["cell_type"] == "code":
            result[current] += float(meta.get("points", 0))
    return result


def answers_of(classroom) -> list[dict[str, str]]:
    """Student 1: every model answer. Student 2: every other one, the first written so that
    it is right only if the grader's course directory is out of its reach when graded."""
    model = hp.model_answers(ROOT / "source" / ASSIGNMENT / NOTEBOOK)
    half = dict(list(model.items())[::2])
    first = next(iter(half))
    right = re.search(r'=\s*("[^"]+")', model[first]).group(1)
    course = classroom.site.course / "source"
    half[first] = (f"import os\n{first} = {right} if not os.path.exists({str(course)!r}) "
                   f"else 'the grader was reachable'")
    return [model, half]


@pytest.fixture(scope="module")
def classroom(postgres_url, artifacts, chromium):  # noqa: F811
    require(is_root(), "the live hub creates Unix accounts and runs JupyterHub as root")
    venv = hub_venv()
    db_url = create_database(postgres_url, "gradebook_hub")
    # Not under pytest's own temporary folder: that one is root's alone (mode 0700).
    base = Path(tempfile.mkdtemp(prefix="dfe-hub-live-"))
    try:
        with hub_classroom(base, venv, db_url) as room:
            room.db_url = db_url
            room.state = {}
            yield room
    finally:
        keep_log(base, artifacts)
        shutil.rmtree(base, ignore_errors=True)


def keep_log(base: Path, artifacts: Path) -> None:
    log = base / "jupyterhub.log"
    if log.exists():
        shutil.copy(log, artifacts / "jupyterhub-hub-live.log")


@pytest.fixture(scope="module")
def people(classroom, chromium):
    """A browser context (its own cookies) and a page for each person."""
    from .lab import VIEWPORT

    contexts, pages = [], {}
    for user in [classroom.instructor, *classroom.students]:
        context = chromium.new_context(viewport=VIEWPORT)
        context.set_default_timeout(30_000)
        contexts.append(context)
        pages[user] = context.new_page()
    yield pages
    for context in contexts:
        context.close()


@pytest.fixture(scope="module")
def shots(artifacts):
    from .conftest import Story

    stories: dict[str, Story] = {}

    def shot(page, name: str) -> None:
        key = id(page)
        if key not in stories:
            stories[key] = Story(artifacts / "hub-live", page)
        story = stories[key]
        story.page = page
        story.step = len(list((artifacts / "hub-live").glob("*.png")))
        story.shot(name)
    return shot


def step_done(classroom, name: str) -> None:
    if not classroom.state.get(name):
        pytest.fail(f"an earlier step ({name}) did not complete", pytrace=False)


def test_1_students_get_a_students_lab(classroom, people, shots):
    for n, student in enumerate(classroom.students, 1):
        page = people[student]
        hp.log_in(page, classroom.url, student, classroom.passwords[student])
        assert not news_pop_up(page), "the news pop-up appeared on the hub"
        menu = nbgrader_menu(page)
        assert menu >= STUDENT_ITEMS and not menu & INSTRUCTOR_ITEMS, menu
        assert not has_create_assignment(page)
        hp.open_assignments(page)  # nothing released yet: the exchange knows no course
        expect(page.locator("#course_list_default")).to_contain_text("No courses found")
        assert hp.released_row(page, ASSIGNMENT).count() == 0
        shots(page, f"student{n}-logged-in-assignments-empty")
    # A lesson's quiz works in a student's server.
    lesson = LessonPage(people[classroom.students[0]], hub_lab(classroom, classroom.students[0]))
    lesson.page.goto(f"{classroom.url}/user/{classroom.students[0]}/lab/tree/{LESSON}")
    lesson.wait_for_notebook()
    lesson.run_all()
    lesson.wait_for_quizzes(1)
    shots(lesson.page, "student1-lesson-quiz-interactive")
    classroom.state["students"] = True


class hub_lab:  # noqa: N801 - stands in for LabServer where LessonPage needs one
    def __init__(self, classroom, user: str):
        self.base = f"{classroom.url}/user/{user}"

    def url(self, path: str = "lab") -> str:
        return f"{self.base}/{path.lstrip('/')}"


def test_2_instructor_releases_from_the_formgrader(classroom, people, shots):
    step_done(classroom, "students")
    page = people[classroom.instructor]
    hp.log_in(page, classroom.url, classroom.instructor, classroom.passwords[classroom.instructor])
    menu = nbgrader_menu(page)
    assert "Course List" in menu and "Formgrader" not in menu, menu
    from .lab import menu_bar

    menu_bar(page, "Nbgrader", "Course List")
    # The course's link leads to the grader service (in a new tab).
    course_link = page.locator("#formgrader_list a[target]", has_text=COURSE_ID)
    expect(course_link).to_have_attribute("href", re.compile(f"/services/{COURSE_ID}/"))
    shots(page, "instructor-course-list")
    # The formgrader in its own tab (nbgrader issue #1870: not in an iframe).
    grader = page.context.new_page()
    classroom.state["formgrader"] = grader
    grader.goto(f"{classroom.url}/services/{COURSE_ID}/formgrader/manage_assignments")
    row = hp.assignment_row(grader, ASSIGNMENT)
    expect(row).to_be_visible()
    shots(grader, "formgrader-manage-assignments")
    hp.formgrader_action(grader, ASSIGNMENT, "assign", "Successfully created")
    hp.formgrader_action(grader, ASSIGNMENT, "release", "Successfully released")
    expect(hp.assignment_row(grader, ASSIGNMENT)).to_contain_text("released")
    shots(grader, "formgrader-released")
    for student in classroom.students:
        hp.wait_until_listed(people[student], ASSIGNMENT)
        expect(people[student].locator("#course_list_default")).to_contain_text(COURSE_ID)
    shots(people[classroom.students[0]], "student1-sees-released-assignment")
    classroom.state["released"] = True


def test_3_students_fetch_answer_validate_and_submit(classroom, people, shots):
    step_done(classroom, "released")
    for n, (student, answers) in enumerate(zip(classroom.students, answers_of(classroom),
                                                strict=True), 1):
        page = people[student]
        fetched = hp.fetch(page, ASSIGNMENT)
        lesson = hp.open_notebook(page, fetched, NOTEBOOK, hub_lab(classroom, student))
        filled = hp.answer(page, lesson, released(), answers, f"Student {n}", ESSAY)
        assert filled == len(answers) + 2  # name, answers, essay
        shots(page, f"student{n}-answered")
        result = hp.validate(page, lesson)
        if n == 1:
            assert hp.SUCCESS in result, result
        shots(page, f"student{n}-validated")
        hp.submit(page, fetched, ASSIGNMENT)
        shots(page, f"student{n}-submitted")
    inbound = classroom.site.exchange / COURSE_ID / "inbound"
    assert len(list(inbound.iterdir())) == 2
    classroom.state["submitted"] = True


def test_4_instructor_grades_and_releases_feedback(classroom, people, shots):
    step_done(classroom, "submitted")
    grader = classroom.state["formgrader"]
    base = f"{classroom.url}/services/{COURSE_ID}"
    grader.goto(f"{base}/formgrader/manage_assignments")
    hp.formgrader_action(grader, ASSIGNMENT, "collect", "Successfully collected")
    expect(hp.assignment_row(grader, ASSIGNMENT).locator("td.num-submissions")).to_have_text("2")
    hp.autograde_all(grader, base, ASSIGNMENT, classroom.students)
    shots(grader, "formgrader-autograded")
    scores = dict(zip(classroom.students, HAND_SCORES, strict=True))
    hp.grade_by_hand(grader, base, ASSIGNMENT, ASSIGNMENT, TASK, scores)
    shots(grader, "formgrader-essay-graded")
    grader.goto(f"{base}/formgrader/manage_assignments")
    hp.formgrader_action(grader, ASSIGNMENT, "generate-feedback", "Successfully generated")
    hp.formgrader_action(grader, ASSIGNMENT, "release-feedback", "Successfully released")
    shots(grader, "formgrader-feedback-released")
    classroom.state["scores"] = expected_scores(classroom)
    assert gradebook_scores(classroom.db_url) == pytest.approx(classroom.state["scores"])
    classroom.state["feedback"] = True


def expected_scores(classroom) -> dict[str, float]:
    per_answer = points()
    totals = {}
    for student, answers, hand in zip(classroom.students, answers_of(classroom), HAND_SCORES,
                                      strict=True):
        totals[student] = sum(per_answer[i] for i in answers) + hand
    return totals


def gradebook_scores(db_url: str) -> dict[str, float]:
    """Each submission's total score, read from the PostgreSQL gradebook."""
    from nbgrader.api import Gradebook

    with Gradebook(db_url, COURSE_ID) as gb:
        return {s.student.id: s.score for s in gb.find_assignment(ASSIGNMENT).submissions}


def test_5_students_see_their_feedback_without_hidden_tests(classroom, people, shots):
    step_done(classroom, "feedback")
    secrets_ = secret_lines(ASSIGNMENT)
    assert secrets_
    for n, student in enumerate(classroom.students, 1):
        page = people[student]
        hp.fetch_feedback(page, ASSIGNMENT)
        shots(page, f"student{n}-feedback-fetched")
        folder = classroom.home(student) / COURSE_ID / ASSIGNMENT / "feedback"
        (html,) = folder.glob("*/*.html")
        relative = html.relative_to(classroom.home(student))
        page.goto(f"{classroom.url}/user/{student}/files/{relative}")
        text = visible_text(page.content())
        score = re.search(r"Score: ([\d.]+) / ([\d.]+)", text)
        assert score, text[:500]
        assert float(score.group(1)) == pytest.approx(classroom.state["scores"][student])
        # Their own answers are theirs to see; no other line of a solution, hidden test or
        # mark scheme may appear.
        own = "\n".join(answers_of(classroom)[n - 1].values())
        leaked = [line for line in secrets_ if line in text and line not in own]
        assert not leaked, leaked
        assert "HIDDEN TESTS" not in text and "MARK SCHEME" not in text
        shots(page, f"student{n}-feedback-score")


def test_6_students_cannot_reach_the_formgrader_or_each_other(classroom, people, shots):
    step_done(classroom, "students")
    first, second = classroom.students
    page = people[first]
    response = page.goto(f"{classroom.url}/services/{COURSE_ID}/formgrader")
    assert response.status == 403, (response.status, page.url)
    shots(page, "student1-refused-formgrader")
    response = page.goto(f"{classroom.url}/user/{second}/lab")
    assert response.status == 403, (response.status, page.url)
    cookies = "; ".join(f"{c['name']}={c['value']}" for c in page.context.cookies())
    assert http_status(f"{classroom.url}/user/{second}/api/contents", cookies) == 403
    assert http_status(f"{classroom.url}/services/{COURSE_ID}/api/contents", cookies) in (
        302, 403)
    # On disk, as the student (what their terminal or kernel could do).
    from shared_env import run_as
    from test_multiuser_exchange import PROBE

    ops = [["list", str(classroom.home(second))],
           ["read", str(classroom.home(second) / COURSE_ID / ASSIGNMENT / NOTEBOOK)],
           ["list", str(classroom.site.grader_home)],
           ["read", str(classroom.site.course / "source" / ASSIGNMENT / NOTEBOOK)],
           ["list", str(classroom.site.exchange / COURSE_ID / "inbound")]]
    done = run_as(first, "/usr/bin/python3", "-c", PROBE, json.dumps(ops))
    outcome = json.loads(done.stdout)
    assert all(result[0] == "PermissionError" for result in outcome), outcome
    # The gradebook's address reaches the grader service only.
    assert "DEEPFAKE_ETHICS_DB_URL" not in server_environ(first)
    assert server_environ(GRADER).get("DEEPFAKE_ETHICS_DB_URL") == classroom.db_url


def test_7_the_grader_server_has_the_instructor_tools(classroom, people, shots):
    step_done(classroom, "released")
    page = people[classroom.instructor].context.new_page()
    page.goto(f"{classroom.url}/services/{COURSE_ID}/lab")
    from .lab_views import wait_for_lab

    wait_for_lab(page)
    assert not news_pop_up(page)
    menu = nbgrader_menu(page, lambda: shots(page, "grader-server-nbgrader-menu"))
    assert menu >= {"Formgrader", "Assignment List"}, menu
    assert has_create_assignment(page)
    page.close()

