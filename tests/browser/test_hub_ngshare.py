"""The same class on the live hub with ngshare, the exchange of the Kubernetes deployment.

ngshare 0.6.0 (PyPI) runs as a hub service and ngshare_exchange 0.5.3 is installed with
``--no-deps``, as deploy/kubernetes/Dockerfile does (its ``jupyter-core<4.11.2`` pin
conflicts with JupyterLab 4): tests/hub_env.py. The hub applies deploy/kubernetes/values.yaml
(tests/hub_ngshare.py) and every server reads deploy/kubernetes/nbgrader_config.py. As the
guide's Kubernetes section says: the ngshare administrator creates the course, an
instructor starts the grader's server (a JupyterHub user there), the grader adds the
students; then release, fetch, submit, collect, autograde, grading by hand and feedback go
through ngshare. A student can list nothing of the course in ngshare beyond their own.
Screenshots: test-artifacts/browser/hub-ngshare/.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from hub_class import hub_classroom, in_terminal, server_environ
from hub_env import hub_venv
from hub_ngshare import NGSHARE_CONFIG, ngshare_config, ngshare_url
from hub_server import COURSE_ID, GRADER
from postgres_server import create_database
from processes import free_port
from shared_env import is_root, require

from . import hub_pages as hp
from .hub_flow import ASSIGNMENT, ClassFlow, Shots, check_feedback, gradebook_scores, keep_log
from .lab_views import wait_for_lab

pytestmark = [pytest.mark.browser, pytest.mark.slow]
GRADER_SERVER = f"/user/{GRADER}"  # the grader's server: a JupyterHub user on Kubernetes


@pytest.fixture(scope="module")
def flow(postgres_url, artifacts, chromium):
    require(is_root(), "the live hub creates Unix accounts and runs JupyterHub as root")
    venv = hub_venv()
    db_url = create_database(postgres_url, "gradebook_ngshare")
    port = free_port()
    base = Path(tempfile.mkdtemp(prefix="dfe-hub-ngshare-"))
    try:
        with hub_classroom(base, venv, db_url, global_nbgrader_config=NGSHARE_CONFIG,
                           extra_config=lambda site, admin: ngshare_config(site, admin, port)
                           ) as room:
            room.db_url, room.ngshare_port = db_url, port
            cycle = ClassFlow(room, chromium, GRADER_SERVER,
                              shot=Shots(artifacts / "hub-ngshare"))
            cycle.done = set()
            try:
                yield cycle
            finally:
                cycle.close()
    finally:
        keep_log(base, artifacts, "hub-ngshare")
        shutil.rmtree(base, ignore_errors=True)


def after(flow, step: str) -> None:
    if step not in flow.done:
        pytest.fail(f"an earlier step ({step}) did not complete", pytrace=False)


def test_1_the_course_is_set_up_in_ngshare(flow):
    room = flow.classroom
    flow.instructor_logs_in()
    # The ngshare administrator creates the course, in a terminal of their server.
    in_terminal(room.site, room.instructor, server_environ(room.instructor),
                "ngshare-course-management", "create_course", COURSE_ID, room.instructor,
                GRADER)
    # An instructor starts the grader's server (the instructors' role allows it).
    page = flow.page(room.instructor)
    page.goto(f"{flow.url}/hub/spawn/{GRADER}")
    # Another user's server: JupyterHub asks the instructor to authorize the access once.
    page.wait_for_url(re.compile(r"/hub/api/oauth2/authorize"), timeout=hp.SPAWN_MS)
    flow.shot(page, "instructor-authorizes-the-grader-server")
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(re.compile(rf"{GRADER_SERVER}/lab"))
    wait_for_lab(page)
    flow.shot(page, "instructor-in-the-grader-server")
    # The grader adds the students, in ~/course: to ngshare and to the gradebook.
    csv = room.site.course / "students.csv"
    csv.write_text("student_id,first_name,last_name,email\n" + "".join(
        f"{s},Student,{s},\n" for s in flow.students))  # the formgrader shows "last, first"
    shutil.chown(csv, GRADER, GRADER)
    in_terminal(room.site, GRADER, server_environ(GRADER), "ngshare-course-management",
                "add_students", COURSE_ID, str(csv), cwd=room.site.course)
    flow.done.add("course")


def test_2_release_through_ngshare(flow):
    after(flow, "course")
    flow.release()
    for n in (1, 2):
        flow.student_logs_in_after_release(n)
    flow.students_see_it()
    flow.done.add("released")


def test_3_students_submit_through_ngshare(flow):
    after(flow, "released")
    flow.students_submit(validate=False)
    flow.done.add("submitted")


def test_4_grading_and_feedback_through_ngshare(flow):
    after(flow, "submitted")
    flow.grade()
    assert gradebook_scores(flow.classroom.db_url) == pytest.approx(flow.expected_scores())
    for n in (1, 2):
        check_feedback(flow, n)


def test_5_a_student_cannot_see_the_class_in_ngshare(flow):
    after(flow, "submitted")
    first, second = flow.students
    token = server_environ(first)["JUPYTERHUB_API_TOKEN"]
    base = ngshare_url(flow.classroom.ngshare_port)
    for path in (f"/submissions/{COURSE_ID}/{ASSIGNMENT}",  # every submission
                 f"/submissions/{COURSE_ID}/{ASSIGNMENT}/{second}",  # another's
                 f"/students/{COURSE_ID}"):  # the class list
        request = urllib.request.Request(base + path,
                                         headers={"Authorization": f"token {token}"})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=30)
        assert refused.value.code == 403, (path, refused.value.code)
    # Without a token, nothing at all.
    with pytest.raises(urllib.error.HTTPError):
        urllib.request.urlopen(f"{base}/courses", timeout=30)
