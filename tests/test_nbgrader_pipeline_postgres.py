"""The nbgrader cycle of test_nbgrader_pipeline.py again, for its class assignment (a class
of eight, every kind of submission), with the gradebook in a real PostgreSQL server: every
expected score is asserted against PostgreSQL too.

The server is the test suite's own: ``initdb`` in a temporary folder, listening on 127.0.0.1
only (a free port, password authentication) and on a Unix socket inside that folder; it is
stopped and the folder removed at the end of the session. initdb and postgres refuse to run as
root, so as root they run as the ``postgres`` account (Debian's package creates it) or
``nobody``. Needs Debian's PostgreSQL (``apt-get install postgresql``, or
``bash .ci/install-server-deps``) and psycopg2 (``pip install -e '.[postgres]'``).
"""

from __future__ import annotations

import importlib.util
import os
import pwd
import secrets
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import test_nbgrader_pipeline as pipeline
from processes import free_port
from shared_env import SYSTEM_PATH, is_root, postgres_bin_dir, require, run_as

# The pipeline's checks, collected here a second time: in this module, `graded_course` is the
# fixture below, whose gradebook is a fresh PostgreSQL database.
from test_nbgrader_pipeline import (  # noqa: F401
    test_broken_notebook_is_reported_and_the_rest_graded,
    test_every_expected_score,
    test_feedback_for_every_graded_student,
    test_feedback_shows_results_and_own_answers_but_no_secrets,
    test_grades_export,
    test_model_answers_get_every_autograded_point,
    test_other_assignments_autograde_cleanly,
)

pytestmark = pytest.mark.slow
SUPERUSER = "grader"
SERVER_ACCOUNTS = ("postgres", "nobody")  # who runs the server when the tests run as root


class PostgresServer:
    """A throwaway PostgreSQL cluster in ``folder``, run by ``account`` (None: this user)."""

    def __init__(self, bin_dir: Path, folder: Path, account: str | None):
        self.bin_dir, self.folder, self.account = bin_dir, folder, account
        self.data = folder / "data"
        self.password = secrets.token_urlsafe(24)
        self.port: int | None = None

    def run(self, program: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        cmd = [str(self.bin_dir / program), *args]
        env = {"PATH": f"{self.bin_dir}:{SYSTEM_PATH}", "LANG": "C.UTF-8"}
        if self.account:
            return run_as(self.account, *cmd, cwd=self.folder, home=self.folder, env=env,
                          check=check, timeout=120)
        done = subprocess.run(cmd, cwd=self.folder, capture_output=True, text=True,
                              env={**env, "HOME": str(self.folder)}, timeout=120,
                              stdin=subprocess.DEVNULL)
        if check and done.returncode != 0:
            raise AssertionError(f"{' '.join(cmd)} failed:\n{done.stdout}\n{done.stderr}")
        return done

    def init(self) -> None:
        pwfile = self.folder / "pwfile"
        pwfile.write_text(self.password + "\n")
        if self.account:
            account = pwd.getpwnam(self.account)
            for path in (self.folder, pwfile):
                os.chown(path, account.pw_uid, account.pw_gid)
        pwfile.chmod(0o600)
        self.run("initdb", "--pgdata", str(self.data), "--username", SUPERUSER,
                 f"--pwfile={pwfile}", "--auth-host=scram-sha-256",
                 "--auth-local=scram-sha-256", "--encoding=UTF8", "--no-locale")
        pwfile.unlink()

    def start(self) -> None:
        last = None
        for _ in range(3):  # another program may take the free port before the server does
            self.port = free_port()
            options = " ".join([
                "-c listen_addresses=127.0.0.1", f"-c port={self.port}",
                f"-c unix_socket_directories={self.folder}",
                # A test database: speed over durability.
                "-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"])
            last = self.run("pg_ctl", "--pgdata", str(self.data), "--log",
                            str(self.folder / "server.log"), "--wait", "--timeout=60",
                            "-o", options, "start", check=False)
            if last.returncode == 0:
                return
            self.stop()
        log = self.folder / "server.log"
        raise AssertionError(f"PostgreSQL did not start:\n{last.stdout}\n{last.stderr}\n"
                             f"{log.read_text() if log.exists() else ''}")

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self.run("pg_ctl", "--pgdata", str(self.data), "--mode=fast", "--wait",
                     "stop", check=False)

    @property
    def url(self) -> str:
        # The driver is named: SQLAlchemy 2.1 reads a bare postgresql:// as psycopg (3), while
        # the `postgres` extra installs psycopg2.
        return f"postgresql+psycopg2://{SUPERUSER}:{self.password}@127.0.0.1:{self.port}"


@pytest.fixture(scope="session")
def postgres_url():
    """``postgresql+psycopg2://grader:<password>@127.0.0.1:<port>``: a server of its own, for
    the session (no database in the URL: add ``/<name>`` of one made by create_database)."""
    bin_dir = postgres_bin_dir()
    require(bin_dir, "the PostgreSQL server is not installed (no /usr/lib/postgresql/*/bin/"
                     "initdb): `apt-get install postgresql` or `bash .ci/install-server-deps`")
    require(importlib.util.find_spec("psycopg2"),
            "psycopg2 is not installed: `.venv/bin/pip install -e '.[test,postgres]'`")
    account = None
    if is_root():
        account = next((a for a in SERVER_ACCOUNTS if _account_exists(a)), None)
        require(account, "initdb refuses to run as root and there is no `postgres` or "
                         "`nobody` account to run it")
        require(shutil.which("runuser"), "`runuser` (util-linux) is missing")
    folder = Path(tempfile.mkdtemp(prefix="dfe-postgres-"))
    server = PostgresServer(bin_dir, folder, account)
    try:
        server.init()
        server.start()
        yield server.url
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


def _account_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def _libpq(url: str) -> str:
    """The URL as libpq (psycopg2.connect) spells it."""
    return url.replace("postgresql+psycopg2://", "postgresql://", 1)


def create_database(server_url: str, name: str) -> str:
    """A new, empty database on the server; returns its URL."""
    import psycopg2

    conn = psycopg2.connect(_libpq(f"{server_url}/postgres"))
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(f'CREATE DATABASE "{name}"')
    finally:
        conn.close()
    return f"{server_url}/{name}"


@pytest.fixture(scope="module")
def graded_course(postgres_url, tmp_path_factory):
    """The pipeline's simulated class, graded into a fresh PostgreSQL database: nbgrader reads
    DEEPFAKE_ETHICS_DB_URL (nbgrader_config.py), and so do the checks (`pipeline.db_url`)."""
    url = create_database(postgres_url, f"gradebook_{secrets.token_hex(4)}")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("DEEPFAKE_ETHICS_DB_URL", url)
        yield pipeline.build_graded_course(tmp_path_factory, [pipeline.CLASS_ASSIGNMENT])


def test_the_gradebook_is_in_postgresql(graded_course):
    """The scores checked above came from PostgreSQL, not from a sqlite file."""
    import psycopg2

    course = graded_course["course"]
    url = pipeline.db_url(course)
    assert url.startswith("postgresql+psycopg2://"), url
    assert not (course / "gradebook.db").exists()
    conn = psycopg2.connect(_libpq(url))
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT count(*) FROM submitted_assignment")
            submissions = cur.fetchone()[0]
            cur.execute("SELECT count(*) FROM grade WHERE auto_score IS NOT NULL")
            grades = cur.fetchone()[0]
    finally:
        conn.close()
    expected = sum(len(students) for students in graded_course["expected"].values())
    assert submissions >= expected and grades > 0, (submissions, grades)


def test_parallel_autograde_loses_no_grade_on_postgresql(postgres_url, tmp_path):
    """`deepfake-ethics autograde` with three workers writing to one PostgreSQL gradebook:
    every student graded, every score as expected."""
    from nbgrader.api import Gradebook
    from nbgrader_course import (
        answer_ids,
        make_course,
        nbgrader,
        notebook_name,
        points_after,
        read,
        student_notebook,
        submit,
    )

    from deepfake_ethics.instructor.nbgrader_run import nbgrader_env

    name = pipeline.CLASS_ASSIGNMENT
    url = create_database(postgres_url, f"parallel_{secrets.token_hex(4)}")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("DEEPFAKE_ETHICS_DB_URL", url)
        course = make_course(tmp_path)
        nbgrader(course, "generate_assignment", name, "--force")
        source = read(course / "source" / name / notebook_name(name))
        ids, points = answer_ids(source), points_after(source)
        expected = {}
        for i in range(7):
            submit(course, f"p{i}", name, student_notebook(course, name, answered=set(ids[:i])))
            expected[f"p{i}"] = sum(points[a] for a in ids[:i])
        cli = str(Path(sys.executable).parent / "deepfake-ethics")
        run = subprocess.run([cli, "autograde", name, "--workers", "3"], cwd=course,
                             env=nbgrader_env(), capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    assert not (course / "gradebook.db").exists()
    with Gradebook(url, "deepfake-ethics") as gb:
        scores = {s.student.id: s.code_score for s in gb.find_assignment(name).submissions}
    assert scores == pytest.approx(expected)
