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
import shutil
import tempfile
from pathlib import Path

import pytest
from hub_class import hub_classroom, in_terminal, server_environ
from hub_env import hub_venv
from hub_server import COURSE_ID, GRADER, http_status
from postgres_server import create_database
from shared_env import PROBE, is_root, require, run_as

from .hub_flow import (
    ASSIGNMENT,
    NOTEBOOK,
    ClassFlow,
    Shots,
    check_feedback,
    gradebook_scores,
    keep_log,
)
from .lab_views import has_create_assignment, nbgrader_menu, news_pop_up, wait_for_lab

pytestmark = [pytest.mark.browser, pytest.mark.slow]
SERVICE = f"/services/{COURSE_ID}"  # the grader service: the formgrader's server


@pytest.fixture(scope="module")
def flow(postgres_url, artifacts, chromium):
    require(is_root(), "the live hub creates Unix accounts and runs JupyterHub as root")
    venv = hub_venv()
    db_url = create_database(postgres_url, "gradebook_hub")
    # Not under pytest's own temporary folder: that one is root's alone (mode 0700).
    base = Path(tempfile.mkdtemp(prefix="dfe-hub-live-"))
    try:
        with hub_classroom(base, venv, db_url) as room:
            room.db_url = db_url
            story = Shots(artifacts / "hub-live")
            cycle = ClassFlow(room, chromium, SERVICE, shot=story)
            cycle.done = set()
            try:
                yield cycle
            finally:
                cycle.close()
    finally:
        keep_log(base, artifacts, "hub-live")
        shutil.rmtree(base, ignore_errors=True)


def after(flow, step: str) -> None:
    if step not in flow.done:
        pytest.fail(f"an earlier step ({step}) did not complete", pytrace=False)


def test_1_students_get_a_students_lab(flow):
    for n in (1, 2):
        flow.student_logs_in(n)
        page = flow.page(flow.students[n - 1])
        # Nothing is released yet, so the exchange knows no course.
        assert "No courses found" in page.locator("#course_list_default").inner_text()
    flow.first_quiz(1)  # a lesson's quiz works in a student's server
    flow.done.add("students")


def test_2_instructor_releases_from_the_formgrader(flow):
    after(flow, "students")
    # The guide's step 8: the class into the gradebook, in a terminal of the grader's server.
    room = flow.classroom
    csv = room.site.course / "students.csv"
    csv.write_text("id,first_name,last_name,email\n" + "".join(
        f"{s},Student,{s},\n" for s in flow.students))  # the formgrader shows "last, first"
    shutil.chown(csv, GRADER, GRADER)
    in_terminal(room.site, GRADER, server_environ(GRADER), "nbgrader", "db", "student",
                "import", str(csv), cwd=room.site.course)
    flow.instructor_logs_in()
    flow.course_list()
    flow.release()
    flow.students_see_it()
    flow.done.add("released")


def test_3_students_fetch_answer_validate_and_submit(flow):
    after(flow, "released")
    flow.students_submit()
    inbound = flow.classroom.site.exchange / COURSE_ID / "inbound"
    assert len(list(inbound.iterdir())) == 2
    flow.done.add("submitted")


def test_4_instructor_grades_and_releases_feedback(flow):
    after(flow, "submitted")
    flow.grade()
    assert gradebook_scores(flow.classroom.db_url) == pytest.approx(flow.expected_scores())
    flow.done.add("feedback")


def test_5_students_see_their_feedback_without_hidden_tests(flow):
    after(flow, "feedback")
    for n in (1, 2):
        check_feedback(flow, n)


def test_6_students_cannot_reach_the_formgrader_or_each_other(flow):
    after(flow, "students")
    first, second = flow.students
    page = flow.page(first)
    response = page.goto(f"{flow.url}{SERVICE}/formgrader")
    assert response.status == 403, (response.status, page.url)
    flow.shot(page, "student1-refused-formgrader")
    response = page.goto(f"{flow.url}/user/{second}/lab")
    assert response.status == 403, (response.status, page.url)
    cookies = "; ".join(f"{c['name']}={c['value']}" for c in page.context.cookies())
    assert http_status(f"{flow.url}/user/{second}/api/contents", cookies) == 403
    assert http_status(f"{flow.url}{SERVICE}/api/contents", cookies) in (302, 403)
    # On disk, as the student (what their terminal or kernel could do).
    room = flow.classroom
    ops = [["list", str(room.home(second))],
           ["read", str(room.home(second) / COURSE_ID / ASSIGNMENT / NOTEBOOK)],
           ["list", str(room.site.grader_home)],
           ["read", str(room.site.course / "source" / ASSIGNMENT / NOTEBOOK)],
           ["list", str(room.site.exchange / COURSE_ID / "inbound")]]
    outcome = json.loads(run_as(first, "/usr/bin/python3", "-c", PROBE, json.dumps(ops)).stdout)
    assert all(result[0] == "PermissionError" for result in outcome), outcome
    # The gradebook's address reaches the grader service only.
    assert "DEEPFAKE_ETHICS_DB_URL" not in server_environ(first)
    assert server_environ(GRADER).get("DEEPFAKE_ETHICS_DB_URL") == room.db_url


def test_7_the_grader_server_has_the_instructor_tools(flow):
    after(flow, "released")
    page = flow.page(flow.classroom.instructor).context.new_page()
    page.goto(f"{flow.url}{SERVICE}/lab")
    wait_for_lab(page)
    assert not news_pop_up(page)
    menu = nbgrader_menu(page, lambda: flow.shot(page, "grader-server-nbgrader-menu"))
    assert menu >= {"Formgrader", "Assignment List"}, menu
    assert has_create_assignment(page)
    page.close()
