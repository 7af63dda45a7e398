"""`deepfake-ethics autograde`: parallel workers give the same grades as serial nbgrader, each
student is graded once by whichever worker is free, bad names and bad gradebook URLs are
refused before anything runs, and a submission that cannot be graded is reported with its
reason on both grading paths, its log kept in the course directory."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from nbgrader_course import (
    answer_ids,
    generated_course,
    grades,
    nbgrader,
    notebook_name,
    read,
    student_notebook,
    submit,
)
from processes import free_port

from deepfake_ethics.instructor.nbgrader_run import nbgrader_command, nbgrader_env
from deepfake_ethics.instructor.parallel import (
    CourseSettings,
    Outcome,
    in_queue,
    queue_order,
    report,
    run,
)
from deepfake_ethics.instructor.worker import Job, Result, reason
from deepfake_ethics.nbgrader_plugins import gradebook_url, names

ASSIGNMENT = "a02-legal-aspects"
CLI = str(Path(sys.executable).parent / "deepfake-ethics")
PASSWORD = "s3cret-Pa55"


def cli(course: Path, *args: str, env: dict[str, str] | None = None
        ) -> subprocess.CompletedProcess:
    """Run `deepfake-ethics <args>` in the course directory."""
    return subprocess.run([CLI, *args], cwd=course, env=nbgrader_env(env), capture_output=True,
                          text=True, timeout=600)


def copy(course: Path, where: Path) -> Path:
    shutil.copytree(course, where)
    return where


def runs(course: Path) -> list[Path]:
    """The log folders of the parallel runs in a course."""
    base = course / "logs" / "autograde" / ASSIGNMENT
    return sorted(base.iterdir()) if base.exists() else []


# --- Pure functions ---------------------------------------------------------------------
def test_queue_gives_work_to_whichever_worker_is_free_and_each_student_once():
    """One submission keeps its worker busy until the other worker has graded everyone
    else: fixed shares (round-robin or balanced by size) would leave part of the class
    waiting behind it, and this test would fail."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    students = queue_order([f"s{i}" for i in range(7)] + ["s3", "slow"],
                           {"slow": 10_000, "s0": 5})
    assert students[:2] == ["slow", "s0"] and len(students) == 8, "largest first, once each"
    others_done, graded = threading.Event(), []

    def grade(job: Job) -> Result:
        if job.student == "slow":
            assert others_done.wait(timeout=60), "the rest of the class waited for 'slow'"
        graded.append(job.student)
        if set(graded) == set(students) - {"slow"}:
            others_done.set()
        return Result(job.student, True)

    with ThreadPoolExecutor(2) as pool:
        done = list(in_queue(pool, grade, [Job("a", s, False, True) for s in students]))
    assert all(isinstance(result, Result) for _, result in done), done
    assert sorted(job.student for job, _ in done) == sorted(students)
    assert graded[-1] == "slow" and sorted(graded) == sorted(students)


def test_a_job_that_raises_is_reported_and_the_rest_are_graded():
    from concurrent.futures import ThreadPoolExecutor

    def grade(job: Job) -> Result:
        if job.student == "b":
            raise RuntimeError("worker lost")
        return Result(job.student, True)

    with ThreadPoolExecutor(2) as pool:
        done = {job.student: result for job, result in
                in_queue(pool, grade, [Job("a", s, False, True) for s in "abc"])}
    assert isinstance(done["b"], RuntimeError)
    assert done["a"].success and done["c"].success


@pytest.mark.slow
def test_workers_is_an_nbgrader_setting_and_an_option(tmp_path, monkeypatch):
    from deepfake_ethics.cli import ParallelAutogradeApp

    (tmp_path / "nbgrader_config.py").write_text(
        "c = get_config()\nc.ParallelAutogradeApp.workers = 5\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(tmp_path / "no-user-config"))

    def workers(*argv: str) -> int:
        app = ParallelAutogradeApp()
        app.initialize(["a02", *argv])
        return app.workers

    assert workers() == 5
    assert workers("--workers", "2") == 2 and workers("-j", "3") == 3


def test_reason_is_the_exception_nbgrader_met_not_its_summary():
    log = "\n".join([
        "[INFO] Sanitizing /c/submitted/bob/a02/a02.ipynb",
        "[ERROR] There was an error processing assignment: /c/submitted/bob/a02",
        "    nbformat.reader.NotJSONError: Notebook does not appear to be JSON: '{x'",
        "[ERROR] There was an error processing assignment 'a02' for student 'bob'",
        "Traceback (most recent call last):",
        "nbgrader.converters.base.NbGraderException: Please see the the above traceback",
    ])
    assert reason(log) == "nbformat.reader.NotJSONError: Notebook does not appear to be JSON: '{x'"
    assert reason("[INFO] x\n[ERROR] No assignment with ID 'a02' exists") == \
        "[ERROR] No assignment with ID 'a02' exists"


def test_report_lists_scores_and_failures_and_is_kept(tmp_path):
    out = io.StringIO()
    code = report([Outcome("ann", True, 9, 13), Outcome("bob", False, None, 13,
                                                        ["NotJSONError: not JSON"])], out,
                  log_dir=tmp_path)
    text = out.getvalue()
    assert code == 1
    assert "ann" in text and "9" in text and "graded" in text
    assert "bob" in text and "FAILED" in text and "NotJSONError" in text
    assert "They have no grade" in text and "NOT GRADED" in text, "no silent 0"
    assert (tmp_path / "report.txt").read_text(encoding="utf-8") == text
    assert report([Outcome("ann", True, 9, 13)], io.StringIO()) == 0


@pytest.mark.parametrize("name", ["a/b", "..", "a..b", "a,b", "-rf", "", " ", "\t", " ann",
                                  ".hidden", "a*", "s[0]", "line\nbreak"])
def test_unsafe_names_are_refused_with_a_reason(name):
    assert names.problem(name), name


@pytest.mark.parametrize("name", ["s001", "ana.silva", "José Núñez", "a-b_c", "a02-legal"])
def test_ordinary_names_pass(name):
    assert names.problem(name) is None


def test_student_option_is_a_pattern_as_in_nbgrader():
    assert names.problem("s0*", pattern=True) is None
    assert names.problem("s0*") is not None
    assert names.problem("a,b", pattern=True) is not None


@pytest.mark.parametrize("url, words", [
    ("", "set but empty"),
    (f"no url at all {PASSWORD}", "is not a database URL"),
    (f"postgres://grader:{PASSWORD}@127.0.0.1/x", "unknown database driver 'postgres'"),
    (f"postgresql+nodriver://grader:{PASSWORD}@127.0.0.1/x", "unknown database driver"),
    (f"mysql+mysqldb://grader:{PASSWORD}@127.0.0.1/x", "is not installed"),
    (f"postgresql+psycopg2://grader:{PASSWORD}@127.0.0.1:{{port}}/x", "Connection refused"),
    (f"postgresql+psycopg2://grader:{PASSWORD}@no-such-host.invalid/x", "no-such-host"),
    (f"postgresql+psycopg2://grader:{PASSWORD}@extra@127.0.0.1/x", "%40"),
    ("sqlite://", "in-memory"),
    ("sqlite:////no/such/folder/gradebook.db", "does not exist"),
])
def test_bad_gradebook_url_is_one_line_without_the_password(url, words):
    url = url.replace("{port}", str(free_port()))
    with pytest.raises(gradebook_url.GradebookURLError) as error:
        gradebook_url.check(url)
    message = str(error.value)
    assert "\n" not in message and words in message and PASSWORD not in message
    assert "Pa55" not in message and "extra" not in message


# --- A simulated class ------------------------------------------------------------------
@pytest.fixture(scope="module")
def class_courses(tmp_path_factory) -> dict[str, Path]:
    """The same simulated class of 9 submissions (one not a notebook) in three identical
    courses: `base` (never graded), `serial` and `parallel`."""
    base = generated_course(tmp_path_factory.mktemp("parallel"))
    ids = answer_ids(read(base / "source" / ASSIGNMENT / notebook_name(ASSIGNMENT)))
    for i in range(8):  # answers vary: student i answers the first i questions
        submit(base, f"student{i:02d}", ASSIGNMENT,
               student_notebook(base, ASSIGNMENT, answered=set(ids[:i])))
    submit(base, "zz-broken", ASSIGNMENT, "{ not a notebook")
    return {"base": base, "serial": copy(base, base.parent / "serial"),
            "parallel": copy(base, base.parent / "parallel")}


def _untouched(course: Path, gradebook: bytes) -> None:
    """Nothing ran: no log folder of a run, nothing autograded, the gradebook unchanged."""
    assert runs(course) == [] and not (course / "autograded").exists()
    assert (course / "gradebook.db").read_bytes() == gradebook


UNSAFE_FOLDERS = ["a,b", "-rf", " ", "x*", ".hidden"]


@pytest.mark.slow
def test_submission_folders_with_unsafe_names_skip_only_those_students(class_courses, tmp_path):
    """A folder name nbgrader would misread (a comma, an option, a glob...) is reported with
    its reason; everyone else is graded, as the serial path does."""
    course = copy(class_courses["base"], tmp_path / "course")
    for folder in (course / "submitted").iterdir():
        if folder.name != "student01":
            shutil.rmtree(folder)
    for folder in UNSAFE_FOLDERS:
        shutil.copytree(course / "submitted" / "student01", course / "submitted" / folder)
    done = cli(course, "autograde", ASSIGNMENT, "-j", "2")
    assert done.returncode == 1, done.stdout + done.stderr
    report = done.stdout
    assert re.search(r"^student01\s+\S+\s+\S+\s+graded$", report, re.M), report
    for folder in UNSAFE_FOLDERS:
        assert f"student id {folder!r}" in report, (folder, report)
    assert {s for s, _ in grades(course, ASSIGNMENT)} == {"student01"}
    assert sorted(p.name for p in (course / "autograded").iterdir()) == ["student01"]


@pytest.mark.slow
@pytest.mark.parametrize("args, words", [
    (["../a02-legal-aspects"], "assignment '../a02-legal-aspects' contains a path separator"),
    (["a02..x"], "contains '..'"),
    ([""], "assignment '' is empty"),
    (["   "], "is only whitespace"),
    (["a02,a03"], "contains ','"),
    ([ASSIGNMENT, "--student=-x"], "--student '-x' starts with '-'"),
    ([ASSIGNMENT, "--student", "-x"], "student_id: expected one argument"),
    ([ASSIGNMENT, "a03"], "give the assignment once"),
    ([ASSIGNMENT, "--student=a,b"], "--student 'a,b' contains ','"),
    ([ASSIGNMENT, "--student", "../student01"], "contains a path separator"),
    ([ASSIGNMENT, "--student", "nobody"], "no submissions of 'a02-legal-aspects' by a student"),
])
def test_bad_arguments_are_refused_before_anything_runs(class_courses, tmp_path, args, words):
    course = copy(class_courses["base"], tmp_path / "course")
    before = (course / "gradebook.db").read_bytes()
    done = cli(course, "autograde", *args)
    assert done.returncode == 2, done.stdout + done.stderr
    assert words in done.stderr
    _untouched(course, before)


@pytest.mark.slow
@pytest.mark.parametrize("url, words", [
    (f"not a url {PASSWORD}", "is not a database URL"),
    (f"postgres://grader:{PASSWORD}@127.0.0.1/x", "unknown database driver 'postgres'"),
    (f"postgresql+psycopg2://grader:{PASSWORD}@127.0.0.1:{{port}}/x", "Connection refused"),
])
def test_bad_db_url_variable_is_one_line_on_both_grading_paths(class_courses, tmp_path, url,
                                                                words):
    course = copy(class_courses["base"], tmp_path / "course")
    before = (course / "gradebook.db").read_bytes()
    env = {"DEEPFAKE_ETHICS_DB_URL": url.replace("{port}", str(free_port()))}
    for command in ([CLI, "autograde", ASSIGNMENT], nbgrader_command("autograde", ASSIGNMENT)):
        done = subprocess.run(command, cwd=course, env=nbgrader_env({**os.environ, **env}),
                              capture_output=True, text=True, timeout=300)
        lines = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
        assert done.returncode != 0 and len(lines) == 1, (command, lines)
        assert "DEEPFAKE_ETHICS_DB_URL" in lines[0] and words in lines[0]
        assert PASSWORD not in lines[0]
    _untouched(course, before)


@pytest.mark.slow
def test_wrong_password_is_one_line_without_the_password(class_courses, tmp_path,
                                                         postgres_url):
    course = copy(class_courses["base"], tmp_path / "course")
    user_and_password, host = postgres_url.split("://", 1)[1].split("@", 1)
    wrong = postgres_url.replace(user_and_password, f"grader:{PASSWORD}") + "/postgres"
    done = cli(course, "autograde", ASSIGNMENT,
               env={**os.environ, "DEEPFAKE_ETHICS_DB_URL": wrong})
    lines = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
    assert done.returncode != 0 and len(lines) == 1, lines
    assert "password authentication failed" in lines[0] and PASSWORD not in lines[0]
    assert f"grader:***@{host}" in lines[0], "the URL is named, its password hidden"


# --- Grading --------------------------------------------------------------------------
@pytest.mark.slow
def test_parallel_grades_equal_serial_grades_and_failures_are_reported(class_courses):
    serial, parallel = class_courses["serial"], class_courses["parallel"]
    serial_run = nbgrader(serial, "autograde", ASSIGNMENT, check=False)
    done = cli(parallel, "autograde", ASSIGNMENT, "--workers", "3")
    expected, got = grades(serial, ASSIGNMENT), grades(parallel, ASSIGNMENT)
    assert len({s for s, _ in expected}) == 9
    assert got == expected
    totals = {s: sum(v or 0 for (who, _), v in expected.items() if who == s)
              for s, _ in expected}
    assert totals["student00"] == 0 < totals["student03"] < totals["student07"], \
        "the class has different scores, so the comparison means something"
    assert "8/9 graded, 1 failed" in done.stderr, "the progress bar counts both"
    for i in range(8):
        assert f"student{i:02d}" in done.stdout

    # nbgrader's own autograde: a non-zero exit, the student and the reason in its output
    # and in the course's logs/nbgrader.log (nbgrader_config.py keeps it).
    assert serial_run.returncode != 0, "the broken notebook fails the serial command"
    for text in (serial_run.stdout + serial_run.stderr,
                 (serial / "logs" / "nbgrader.log").read_text(encoding="utf-8")):
        assert "for student 'zz-broken'" in text and "NotJSONError" in text

    # The parallel command: exit code 1, the reason in the report, every log kept.
    assert done.returncode == 1
    assert "zz-broken" in done.stdout and "FAILED" in done.stdout and \
        "NotJSONError" in done.stdout
    [log_dir] = runs(parallel)
    assert str(log_dir) in done.stdout
    assert (log_dir / "report.txt").read_text(encoding="utf-8") == done.stdout
    assert "NotJSONError" in (log_dir / "students" / "zz-broken.log").read_text()
    assert len(list((log_dir / "students").glob("*.log"))) == 9
    assert len(list(log_dir.glob("worker-*.log"))) == 3


@pytest.mark.slow
def test_parallel_autograde_loses_no_grade_on_postgresql(postgres_url, tmp_path):
    """`deepfake-ethics autograde` with three workers writing to one PostgreSQL gradebook:
    every student graded, every score as expected."""
    import secrets

    from nbgrader.api import Gradebook
    from nbgrader_course import make_course, points_after
    from postgres_server import create_database

    url = create_database(postgres_url, f"parallel_{secrets.token_hex(4)}")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("DEEPFAKE_ETHICS_DB_URL", url)
        course = make_course(tmp_path)
        nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
        source = read(course / "source" / ASSIGNMENT / notebook_name(ASSIGNMENT))
        ids, points = answer_ids(source), points_after(source)
        expected = {}
        for i in range(7):
            submit(course, f"p{i}", ASSIGNMENT,
                   student_notebook(course, ASSIGNMENT, answered=set(ids[:i])))
            expected[f"p{i}"] = sum(points[a] for a in ids[:i])
        done = subprocess.run([CLI, "autograde", ASSIGNMENT, "--workers", "3"], cwd=course,
                              env=nbgrader_env(), capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert not (course / "gradebook.db").exists()
    with Gradebook(url, "deepfake-ethics") as gb:
        scores = {s.student.id: s.code_score for s in gb.find_assignment(ASSIGNMENT).submissions}
    assert scores == pytest.approx(expected)


@pytest.mark.slow
def test_make_grade_passes_nbgrader_options_through(class_courses, tmp_path):
    course = copy(class_courses["parallel"], tmp_path / "again")
    shutil.rmtree(course / "submitted" / "zz-broken")
    before = grades(course, ASSIGNMENT)
    done = cli(course, "autograde", ASSIGNMENT, "-j", "2")
    assert done.returncode == 0 and done.stdout.count("graded before (not regraded") == 8, \
        "without --force, nbgrader skips graded students and the report says so"
    assert "0 submissions graded now; 8 graded before and not regraded" in done.stdout, \
        "the summary counts what this run graded"
    # --force regrades students already graded.
    done = cli(course, "autograde", ASSIGNMENT, "-j", "2", "--force",
               "--Execute.timeout=30")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "all 8 submissions graded" in done.stdout and "not regraded" not in done.stdout
    assert grades(course, ASSIGNMENT) == before


@pytest.mark.slow
def test_one_student_with_the_db_url_option(class_courses, tmp_path):
    """--CourseDirectory.db_url on the command line reaches the checks and every worker
    (the config's own URL is not used), and --student X --force grades and reports only X."""
    from nbgrader.api import Gradebook

    course = copy(class_courses["parallel"], tmp_path / "course")
    elsewhere = tmp_path / "elsewhere.db"
    (course / "gradebook.db").rename(elsewhere)
    url = f"sqlite:///{elsewhere}"
    done = cli(course, "autograde", ASSIGNMENT, "--student", "student03", "--force", "-j", "3",
               f"--CourseDirectory.db_url={url}")
    assert done.returncode == 0, done.stdout + done.stderr
    rows = [line.split()[0] for line in done.stdout.splitlines()[1:] if line.strip()]
    assert rows[0] == "student03" and "all 1 submission graded" in done.stdout
    assert not any(r.startswith(("student0", "zz-")) for r in rows[1:]), done.stdout
    assert not (course / "gradebook.db").exists(), "the config's gradebook was not used"
    log_dir = runs(course)[-1]
    assert [p.name for p in (log_dir / "students").iterdir()] == ["student03.log"]
    with Gradebook(url, "deepfake-ethics") as gb:
        assert gb.find_submission(ASSIGNMENT, "student03").code_score > 0


@pytest.mark.slow
def test_a_student_id_with_a_comma_is_graded_once(class_courses, tmp_path):
    """The bug of comma-separated exclusions: with the students a, b and "a,b" in three
    workers, "a,b" was graded by all three. Each job now names one student. (The command
    refuses such an id; the work queue is tested here without that check.)"""
    course = copy(class_courses["base"], tmp_path / "course")
    students = ["a", "b", "a,b"]
    for s in students:
        shutil.copytree(course / "submitted" / "student02", course / "submitted" / s)
    outcomes, log_dir = run(CourseSettings.load(course, [ASSIGNMENT]), ASSIGNMENT, 3,
                            out=io.StringIO(), students=students)
    assert {o.student: o.graded for o in outcomes} == {s: True for s in students}
    logs = "\n".join(p.read_text(encoding="utf-8") for p in log_dir.rglob("*.log"))
    for s in students:
        graded_here = f"Autograding {course / 'autograded' / s / ASSIGNMENT}/"
        assert logs.count(graded_here) == 1, s
    assert {s for s, _ in grades(course, ASSIGNMENT)} == set(students)


def _without_bwrap() -> dict[str, str]:
    """The environment of a machine where bubblewrap is not installed (not on PATH)."""
    return {**os.environ, "PATH": str(Path(sys.executable).parent)}


def _graded_copies(course: Path) -> dict[str, float]:
    return {str(p.relative_to(course)): p.stat().st_mtime
            for p in (course / "autograded").rglob("*.ipynb")}


@pytest.mark.slow
@pytest.mark.parametrize("command", ["nbgrader", "deepfake-ethics"])
def test_without_a_sandbox_nothing_is_graded_or_removed_and_it_is_said_once(
        class_courses, tmp_path, command):
    """Issue 19: with bwrap missing, every student failed one by one, and --force had
    already removed each one's earlier graded copy. Both grading paths now check first."""
    course = copy(class_courses["serial"], tmp_path / "course")  # graded by the serial run
    before = _graded_copies(course)
    assert len(before) >= 8
    argv = ([sys.executable, "-m", "nbgrader"] if command == "nbgrader" else [CLI])
    done = subprocess.run([*argv, "autograde", ASSIGNMENT, "--force"], cwd=course,
                          env=_without_bwrap(), capture_output=True, text=True, timeout=600)
    output = done.stdout + done.stderr
    assert done.returncode != 0, output
    assert output.count("the grading sandbox cannot start") == 1, output
    assert "no earlier grading was removed" in output.lower(), output
    assert _graded_copies(course) == before, "graded work was removed or rewritten"
