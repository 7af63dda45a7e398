"""`deepfake-ethics autograde`: parallel workers give the same grades as serial nbgrader."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from nbgrader_course import (
    answer_ids,
    grades,
    make_course,
    nbgrader,
    notebook_name,
    read,
    student_notebook,
    submit,
)

from deepfake_ethics.grading.nbgrader_run import nbgrader_env
from deepfake_ethics.grading.parallel import Outcome, _errors_by_student, report, share

ASSIGNMENT = "a02-legal-aspects"
CLI = str(Path(sys.executable).parent / "deepfake-ethics")


def test_share_balances_work_and_keeps_everyone():
    students = [f"s{i}" for i in range(7)]
    sizes = {s: 10 * (i + 1) for i, s in enumerate(students)}
    shares = share(students, sizes, 3)
    assert sorted(s for part in shares for s in part) == students
    loads = [sum(sizes[s] for s in part) for part in shares]
    assert max(loads) - min(loads) <= max(sizes.values())
    assert share(students[:1], sizes, 4) == [["s0"]], "no idle workers"


def test_errors_are_attributed_to_the_right_student():
    log = "\n".join([
        "[AutogradeApp | INFO] Sanitizing /c/submitted/ann/a02/a02.ipynb",
        "[AutogradeApp | INFO] Sanitizing /c/submitted/bob/a02/a02.ipynb",
        "    nbformat.reader.NotJSONError: Notebook does not appear to be JSON: '{x'",
        "[AutogradeApp | ERROR] There was an error processing assignment 'a02' for student 'bob'",
    ])
    errors = _errors_by_student(log, ["ann", "bob"])
    assert set(errors) == {"bob"} and "NotJSONError" in errors["bob"][0]


def test_report_lists_scores_and_failures():
    out = io.StringIO()
    code = report([Outcome("ann", True, 9, 13), Outcome("bob", False, None, 13,
                                                        ["NotJSONError: not JSON"])], out)
    text = out.getvalue()
    assert code == 1
    assert "ann" in text and "9" in text and "graded" in text
    assert "bob" in text and "FAILED" in text and "NotJSONError" in text
    assert report([Outcome("ann", True, 9, 13)], io.StringIO()) == 0


@pytest.fixture(scope="module")
def class_courses(tmp_path_factory):
    """Two identical courses holding the same simulated class of 9 submissions."""
    base = make_course(tmp_path_factory.mktemp("parallel"))
    nbgrader(base, "generate_assignment", ASSIGNMENT, "--force")
    ids = answer_ids(read(base / "source" / ASSIGNMENT / notebook_name(ASSIGNMENT)))
    for i in range(8):  # answers vary: student i answers the first i questions
        submit(base, f"student{i:02d}", ASSIGNMENT,
               student_notebook(base, ASSIGNMENT, answered=set(ids[:i])))
    submit(base, "zz-broken", ASSIGNMENT, "{ not a notebook")
    serial, parallel = base.parent / "serial", base.parent / "parallel"
    shutil.copytree(base, serial)
    shutil.copytree(base, parallel)
    return serial, parallel


@pytest.mark.slow
def test_parallel_grades_equal_serial_grades(class_courses):
    serial, parallel = class_courses
    serial_run = nbgrader(serial, "autograde", ASSIGNMENT, check=False)
    run = subprocess.run([CLI, "autograde", ASSIGNMENT, "--workers", "3"], cwd=parallel,
                         env=nbgrader_env(), capture_output=True, text=True)
    assert serial_run.returncode != 0 and run.returncode == 1, "the broken notebook fails both"
    expected, got = grades(serial, ASSIGNMENT), grades(parallel, ASSIGNMENT)
    assert len({s for s, _ in expected}) == 9
    assert got == expected
    totals = {s: sum(v or 0 for (who, _), v in expected.items() if who == s)
              for s, _ in expected}
    assert totals["student00"] == 0 < totals["student03"] < totals["student07"], \
        "the class has different scores, so the comparison means something"
    assert "zz-broken" in run.stdout and "FAILED" in run.stdout and "NotJSONError" in run.stdout
    assert "8/9 graded" in run.stderr, "the progress bar counts graded submissions"
    for i in range(8):
        assert f"student{i:02d}" in run.stdout


@pytest.mark.slow
def test_make_grade_passes_nbgrader_options_through(class_courses, tmp_path):
    _, parallel = class_courses
    course = tmp_path / "again"
    shutil.copytree(parallel, course)
    shutil.rmtree(course / "submitted" / "zz-broken")
    before = grades(course, ASSIGNMENT)
    # --force regrades students already graded; without it nbgrader would skip them all.
    run = subprocess.run([CLI, "autograde", ASSIGNMENT, "-j", "2", "--force"], cwd=course,
                         env=nbgrader_env(), capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "all 8 submissions graded" in run.stdout
    assert grades(course, ASSIGNMENT) == before
