"""`make lab` opens a student's JupyterLab, `make lab-instructor` an instructor's.

A student or self-learner sees nbgrader's Assignments panel but no Formgrader, no course
list and no Create Assignment sidebar; an instructor sees all of them; nobody is asked
about "official Jupyter news". Both servers are started with `make`, as a person would, with
a fresh Jupyter configuration folder (a first-time user). A plain `jupyter lab` with the
same fresh folder is the control: there the news question does appear, so the check for
it can fail. Screenshots: test-artifacts/browser/lab-audiences/.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from processes import free_port, stop_process_group

from .lab import ROOT, course_copy
from .lab_views import (
    INSTRUCTOR_ITEMS,
    STUDENT_ITEMS,
    has_create_assignment,
    nbgrader_menu,
    news_pop_up,
    wait_for_lab,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]
START = "lab/tree/notebooks/00-start-here.ipynb"


class Served:
    """A JupyterLab started by a command, on 127.0.0.1 with a token and fresh config."""

    def __init__(self, name: str, cmd: list[str], state: Path, port: int, token: str):
        self.name, self.port, self.token = name, port, token
        state.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ, JUPYTER_CONFIG_DIR=str(state / "config"),
                   JUPYTER_RUNTIME_DIR=str(state / "runtime"), BROWSER="true")
        env.pop("JUPYTER_CONFIG_PATH", None)
        self.log = state / "lab.log"
        with self.log.open("w") as log:
            self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log,
                                         stderr=subprocess.STDOUT, start_new_session=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}/{path}?token={self.token}"

    def wait(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while True:
            assert self.proc.poll() is None, self.log.read_text()
            try:
                with urllib.request.urlopen(self.url("api/status"), timeout=2):
                    return
            except OSError:
                assert time.monotonic() < deadline, self.log.read_text()
                time.sleep(0.3)


@pytest.fixture(scope="module")
def labs(tmp_path_factory) -> Iterator[dict[str, Served]]:
    """`make lab`, `make lab-instructor` and a plain `jupyter lab`, started together."""
    base = tmp_path_factory.mktemp("lab-audiences")
    servers: dict[str, Served] = {}
    try:
        for name, target in (("student", "lab"), ("instructor", "lab-instructor"),
                             ("plain", None)):
            port, token = free_port(), secrets.token_hex(16)
            # A copy of the course is served, so that nothing the page does (an autosave)
            # reaches the repository.
            course = course_copy(base / name / "course")
            args = f"--no-browser --IdentityProvider.token={token} --port-retries=0"
            if target:
                cmd = ["make", target, "HOST=127.0.0.1", f"PORT={port}",
                       f"LAB_ROOT={course}", f"LAB_ARGS={args}"]
            else:
                cmd = [str(Path(sys.executable).parent / "jupyter"), "lab",
                       "--ip=127.0.0.1", f"--port={port}", *args.split(),
                       f"--ServerApp.root_dir={course}"]
                if os.geteuid() == 0:
                    cmd.append("--allow-root")
            servers[name] = Served(name, cmd, base / name, port, token)
        for server in servers.values():
            server.wait()
        yield servers
    finally:
        for server in servers.values():
            stop_process_group(server.proc, grace=30)


def open_lab(page, server: Served) -> None:
    page.goto(server.url(START), wait_until="domcontentloaded")
    wait_for_lab(page)


def test_make_lab_is_a_students_lab(labs, page, story):
    shots = story("lab-audiences")
    open_lab(page, labs["student"])
    assert not news_pop_up(page), "the news pop-up appeared in `make lab`"
    menu = nbgrader_menu(page, lambda: shots.shot("make-lab-student-nbgrader-menu"))
    assert menu >= STUDENT_ITEMS, menu
    assert not INSTRUCTOR_ITEMS & menu, menu
    assert not has_create_assignment(page)
    # Nor are the instructor tools' server parts there: the formgrader is not served.
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(labs["student"].url("formgrader"), timeout=10)
    assert refused.value.code == 404


def test_make_lab_instructor_has_the_instructor_tools(labs, page, story):
    shots = story("lab-audiences")
    open_lab(page, labs["instructor"])
    assert not news_pop_up(page), "the news pop-up appeared in `make lab-instructor`"
    menu = nbgrader_menu(page, lambda: shots.shot("make-lab-instructor-nbgrader-menu"))
    assert menu >= (STUDENT_ITEMS | INSTRUCTOR_ITEMS), menu
    assert has_create_assignment(page)
    with urllib.request.urlopen(labs["instructor"].url("formgrader"), timeout=30) as resp:
        assert resp.status == 200


def test_plain_jupyter_lab_asks_about_news(labs, page, story):
    """The control: without the course's configuration, a first-time user is asked."""
    shots = story("lab-audiences")
    open_lab(page, labs["plain"])
    assert news_pop_up(page, wait_ms=20_000)
    shots.shot("plain-jupyter-lab-asks-about-news")
