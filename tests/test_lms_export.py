"""Grades in the files Canvas and Moodle import (nbgrader_plugins/lms_export.py), through
``nbgrader export --exporter=...`` on a gradebook of a few students.

The gradebook is made with nbgrader's API (no kernel runs): two assignments, and students
whose work was graded, is waiting for a hand grade, failed to autograde (no autograded
notebook) or was never submitted. The files are checked against the columns each LMS
documents for its grade import.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from conftest import ROOT
from nbgrader.api import Gradebook
from nbgrader_course import nbgrader

from deepfake_ethics.instructor.nbgrader_run import put_on_path

pytestmark = pytest.mark.slow  # each `nbgrader export` takes seconds to start

COURSE = "deepfake-ethics"
CANVAS = "deepfake_ethics.nbgrader_plugins.lms_export.CanvasGradesExport"
MOODLE = "deepfake_ethics.nbgrader_plugins.lms_export.MoodleGradesExport"
A1, A2 = "a01-what-is-a-deepfake", "a02-legal-aspects"
STUDENTS = {  # id -> (first, last, email)
    "ada": ("Ada", "Lovelace", "ada@example.edu"),
    "blake": ("Blake", "Jones", "blake@example.edu"),
    "gus": ("Gus", "Grey", "gus@example.edu"),
    "hana": ("Hana", "Sato", "hana@example.edu"),
}


def db(course: Path) -> str:
    return f"sqlite:///{course / 'gradebook.db'}"


def grade(gb: Gradebook, assignment: str, student: str, code: float | None,
          written: float | None, course: Path) -> None:
    """A submission with these scores; ``code=None`` means autograding failed (nothing in
    autograded/), ``written=None`` that the written answer still needs a hand grade."""
    gb.add_submission(assignment, student)
    code_grade = gb.find_grade("code", "answers", assignment, student)
    code_grade.auto_score, code_grade.needs_manual_grade = code or 0, False  # as autograde
    if written is not None:  # as the formgrader records a hand grade
        essay = gb.find_grade("essay", "answers", assignment, student)
        essay.manual_score, essay.needs_manual_grade = written, False
    gb.db.commit()
    if code is not None:
        folder = course / "autograded" / student / assignment
        folder.mkdir(parents=True)
        (folder / "answers.ipynb").write_text("{}")


@pytest.fixture
def course(tmp_path: Path) -> Path:
    """ada: both graded (3+4 of 4+6, then 4+6); blake: a01 blank (0), a02 not submitted;
    gus: a01's autograding failed; hana: a01's essay awaits a hand grade."""
    put_on_path()  # nbgrader runs alembic by name when it creates a gradebook
    course = tmp_path / "course"
    course.mkdir()
    shutil.copy(ROOT / "nbgrader_config.py", course)
    with Gradebook(db(course), COURSE) as gb:
        for name in (A1, A2):
            gb.update_or_create_assignment(name)
            gb.add_notebook("answers", name)
            gb.add_grade_cell("code", "answers", name, max_score=4, cell_type="code")
            gb.add_grade_cell("essay", "answers", name, max_score=6, cell_type="markdown")
        for sid, (first, last, email) in STUDENTS.items():
            gb.add_student(sid, first_name=first, last_name=last, email=email)
        grade(gb, A1, "ada", 3, 4, course)
        grade(gb, A2, "ada", 4, 6, course)
        grade(gb, A1, "blake", 0, 0, course)
        grade(gb, A1, "gus", None, 2, course)
        grade(gb, A1, "hana", 4, None, course)
    return course


def export(course: Path, exporter: str, dest: str, *options: str) -> tuple[list[list[str]], str]:
    done = nbgrader(course, "export", f"--exporter={exporter}", f"--to={dest}",
                    f"--db={db(course)}", *options)
    with open(course / dest, newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh)), done.stdout + done.stderr


def test_canvas_file_has_canvas_columns_points_possible_and_only_final_grades(course):
    rows, log = export(course, CANVAS, "canvas.csv")
    header, points, *students = rows
    # Canvas's gradebook import: these five columns first, then one per assignment.
    assert header == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", A1, A2]
    assert points == ["Points Possible", "", "", "", "", "10", "10"]
    by_login = {row[3]: row for row in students}
    assert by_login["ada"] == ["Lovelace, Ada", "", "", "ada", "", "7", "10"]
    assert by_login["blake"][5:] == ["0", "0"]  # a blank answer, and no submission: 0
    # A failed autograde and an essay awaiting its grade are empty, never 0, and named.
    assert by_login["gus"][5] == "" and by_login["hana"][5] == ""
    assert "gus (a01-what-is-a-deepfake): NOT GRADED: autograde failed" in log
    assert "hana (a01-what-is-a-deepfake): awaiting manual grading" in log


def test_canvas_file_keeps_the_rosters_canvas_ids_matched_by_sis_login_id(course):
    roster = course / "canvas_export.csv"
    roster.write_text(
        "Student,ID,SIS User ID,SIS Login ID,Section,Old quiz (99),Current Score\n"
        "    Points Possible,,,,,5,(read only)\n"
        "\"Lovelace, Ada\",1001,S-1,ADA,DFE101 A,5,100\n"
        "\"Jones, Blake\",1002,S-2,blake,DFE101 B,3,60\n"
        "\"Nobody, Nora\",1003,S-3,nora,DFE101 A,1,20\n"
        "\"Mail, Max\",1004,S-4,max@example.edu,DFE101 A,1,20\n", encoding="utf-8")
    rows, log = export(course, CANVAS, "canvas.csv", f"--CanvasGradesExport.roster={roster}",
                       f'--CanvasGradesExport.assignment_columns={A1}="A01 (2001)"')
    header, points, *students = rows
    assert header == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section",
                      "A01 (2001)", A2]
    assert points[5:] == ["10", "10"]
    assert students == [["Lovelace, Ada", "1001", "S-1", "ADA", "DFE101 A", "7", "10"],
                        ["Jones, Blake", "1002", "S-2", "blake", "DFE101 B", "0", "0"],
                        ["Nobody, Nora", "1003", "S-3", "nora", "DFE101 A", "", ""]]
    # Students missing on either side are named, not dropped silently.
    assert "Not in the Canvas roster canvas_export.csv, so not exported: gus, hana" in log
    assert "In the Canvas roster but not in the gradebook, left empty: nora" in log
    assert "max@example.edu" in log  # a login that cannot be an id is named


def test_a_file_that_is_not_a_canvas_export_is_refused_and_nothing_is_written(course):
    roster = course / "students.csv"
    roster.write_text("id,name\nada,Ada\n", encoding="utf-8")
    done = nbgrader(course, "export", f"--exporter={CANVAS}", "--to=canvas.csv",
                    f"--db={db(course)}", f"--CanvasGradesExport.roster={roster}", check=False)
    assert done.returncode != 0
    assert "not a Canvas gradebook export: no column Student, ID" in done.stdout + done.stderr
    assert not (course / "canvas.csv").exists()


def test_moodle_file_has_a_username_column_grades_and_status_for_feedback(course):
    rows, log = export(course, MOODLE, "moodle.csv", f"--assignment=[{A1!r}]")
    header, *students = rows
    assert header == ["Username", "First name", "Last name", "Email address",
                      A1, f"{A1} status"]
    by_user = {row[0]: row for row in students}
    assert set(by_user) == set(STUDENTS)
    assert by_user["ada"] == ["ada", "Ada", "Lovelace", "ada@example.edu", "7", "graded"]
    assert by_user["blake"][4:] == ["0", "graded"]
    assert by_user["gus"][4:] == ["", "NOT GRADED: autograde failed"]
    assert by_user["hana"][4:] == ["", "awaiting manual grading"]
    assert "gus (a01-what-is-a-deepfake): NOT GRADED: autograde failed" in log
