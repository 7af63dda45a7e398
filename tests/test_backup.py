"""A term ends and starts (issue 19, item 7): the gradebook backed up and restored with
`deepfake-ethics backup` / `restore` (SQLite and PostgreSQL), grades surviving the round
trip, and a new term's private course made from the last one."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from nbgrader.api import Gradebook
from nbgrader_course import generated_course, make_course, nbgrader, student_notebook, submit

from deepfake_ethics.instructor.nbgrader_run import nbgrader_env

CLI = str(Path(sys.executable).parent / "deepfake-ethics")
ASSIGNMENT = "a02-legal-aspects"
COURSE_ID = "deepfake-ethics"
pytestmark = pytest.mark.slow  # nbgrader, autograding, a PostgreSQL server


def cli(course: Path, *args: str, env: dict[str, str] | None = None
        ) -> subprocess.CompletedProcess:
    return subprocess.run([CLI, *args], cwd=course, env=nbgrader_env(env),
                          capture_output=True, text=True, timeout=600)


def score(url: str, student: str) -> float | None:
    with Gradebook(url, COURSE_ID) as gb:
        try:
            return gb.find_submission(ASSIGNMENT, student).score
        except Exception:  # noqa: BLE001 - nbgrader's MissingEntry: no such submission
            return None


def test_grades_survive_a_backup_and_restore_in_sqlite(tmp_path):
    course = generated_course(tmp_path)
    submit(course, "ada", ASSIGNMENT, student_notebook(course, ASSIGNMENT))
    nbgrader(course, "autograde", ASSIGNMENT)
    url = f"sqlite:///{course / 'gradebook.db'}"
    graded = score(url, "ada")
    assert graded and graded > 0

    done = cli(course, "backup")
    assert done.returncode == 0, done.stderr
    made = Path(done.stdout.split(" to ")[-1].strip())
    assert made.parent == course / "backups" and made.is_file()
    assert stat.S_IMODE(made.stat().st_mode) == 0o600, "grades: readable by their owner only"

    nbgrader(course, "db", "student", "remove", "ada", "--force")  # a term's grades lost
    assert score(url, "ada") is None
    done = cli(course, "restore", str(made))
    assert done.returncode == 0, done.stderr
    assert score(url, "ada") == graded, "the grade came back"
    kept = next((course / "backups").glob("gradebook-before-restore-*"))
    assert score(f"sqlite:///{kept}", "ada") is None, "the replaced gradebook is kept as it was"


def test_a_file_that_is_not_a_gradebook_is_refused_and_nothing_changes(tmp_path):
    course = generated_course(tmp_path)
    before = (course / "gradebook.db").read_bytes()
    junk = tmp_path / "not-a-backup.sqlite"
    junk.write_text("these are not grades")
    done = cli(course, "restore", str(junk))
    assert done.returncode == 2 and "not an SQLite gradebook" in done.stderr
    assert "unchanged" in done.stderr
    assert (course / "gradebook.db").read_bytes() == before
    assert not (course / "backups").exists()


def test_a_postgresql_gradebook_round_trips(tmp_path, postgres_url):
    from postgres_server import create_database

    url = create_database(postgres_url, "gradebook_backup")
    env = {**os.environ, "DEEPFAKE_ETHICS_DB_URL": url}
    course = make_course(tmp_path)
    done = subprocess.run([sys.executable, "-m", "nbgrader", "db", "student", "add", "s001",
                           "--first-name=Ana", "--last-name=Silva"], cwd=course,
                          env=nbgrader_env(env), capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    done = cli(course, "backup", env=env)
    assert done.returncode == 0, done.stderr
    made = Path(done.stdout.split(" to ")[-1].strip())
    assert made.suffix == ".pgdump" and made.stat().st_size > 0
    password = url.split(":")[2].split("@")[0]
    assert password not in done.stdout + done.stderr

    with Gradebook(url, COURSE_ID) as gb:
        gb.remove_student("s001")
        assert gb.students == []
    done = cli(course, "restore", str(made), env=env)
    assert done.returncode == 0, done.stderr
    with Gradebook(url, COURSE_ID) as gb:
        assert [s.id for s in gb.students] == ["s001"]
        assert gb.find_student("s001").first_name == "Ana"


def test_a_new_term_starts_from_the_last_ones_private_course(tmp_path):
    from deepfake_ethics.instructor.course import PRIVATE_SETTINGS

    root = Path(__file__).resolve().parent.parent
    done = cli(tmp_path, "new-course", "term1", "--from", str(root), "--assignment",
               ASSIGNMENT)
    assert done.returncode == 0, done.stderr
    term1 = tmp_path / "term1"
    notebook = term1 / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    notebook.write_text(notebook.read_text().replace("Bethany", "Bettina"))  # this term's edit
    done = cli(tmp_path, "new-course", "term2", "--from", str(term1))
    assert done.returncode == 0, done.stderr
    term2 = tmp_path / "term2"
    assert "Bettina" in (term2 / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text()
    assert (term2 / "nbgrader_config.py").read_text().count(PRIVATE_SETTINGS) == 1
    with Gradebook(f"sqlite:///{term2 / 'gradebook.db'}", COURSE_ID) as gb:
        assert gb.students == [], "a new term starts with an empty gradebook"
    assert "backups/" in (term2 / ".gitignore").read_text().split()
