"""The whole nbgrader cycle, through nbgrader's own commands, in a temporary course:
generate -> a simulated class -> autograde -> feedback -> export, with every score asserted.

Twice: with the sqlite gradebook of a course, for every assignment, and with the gradebook
in the suite's own PostgreSQL server (the ``postgres_url`` fixture, tests/postgres_server.py)
for the class assignment, where every expected score is asserted against PostgreSQL too.
"""

from __future__ import annotations

import csv
import os
import re
import secrets

import pytest
from conftest import ROOT
from nbgrader.api import Gradebook
from nbgrader_course import (
    answer_ids,
    assignments,
    generated_course,
    make_course,
    nbgrader,
    notebook_name,
    points_after,
    read,
    secret_lines,
    student_notebook,
    submit,
    visible_text,
)

pytestmark = pytest.mark.slow
CLASS_ASSIGNMENT = "a02-legal-aspects"
STDERR_NOISE = 'import sys\nprint("debugging my answer", file=sys.stderr)\n'


def db_url(course):
    return os.environ.get("DEEPFAKE_ETHICS_DB_URL") or f"sqlite:///{course / 'gradebook.db'}"


def code_scores(course, assignment: str) -> dict[str, tuple[float, float]]:
    """student -> (autograded score, autograded maximum) from the gradebook."""
    with Gradebook(db_url(course), "deepfake-ethics") as gb:
        return {s.student.id: (s.code_score, s.max_code_score)
                for s in gb.find_assignment(assignment).submissions}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def graded_course(request, tmp_path_factory):
    """Generate the assignments, submit a simulated class, autograde and feed back: every
    assignment into the course's sqlite gradebook, or the class assignment into a fresh
    PostgreSQL database (nbgrader reads DEEPFAKE_ETHICS_DB_URL in nbgrader_config.py, and so
    do the checks: `db_url`)."""
    if request.param == "sqlite":
        yield build_graded_course(tmp_path_factory)
        return
    from postgres_server import create_database

    url = create_database(request.getfixturevalue("postgres_url"),
                          f"gradebook_{secrets.token_hex(4)}")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("DEEPFAKE_ETHICS_DB_URL", url)
        yield build_graded_course(tmp_path_factory, [CLASS_ASSIGNMENT])


def build_graded_course(tmp_path_factory, names: list[str] | None = None):
    """The work of `graded_course`, in the gradebook that `db_url` names, for ``names``
    (default: every assignment)."""
    names = names or assignments()
    if os.environ.get("DEEPFAKE_ETHICS_DB_URL"):  # another gradebook: generate into it
        course = make_course(tmp_path_factory.mktemp("nbgrader"))
        for name in names:
            nbgrader(course, "generate_assignment", name, "--force")
    else:  # the sqlite gradebook of the session's generated course
        course = generated_course(tmp_path_factory.mktemp("nbgrader"))

    expected: dict[str, dict[str, float]] = {name: {} for name in names}
    source = read(ROOT / "source" / CLASS_ASSIGNMENT / notebook_name(CLASS_ASSIGNMENT))
    ids = answer_ids(source)
    points = points_after(source)
    full = sum(points.values())
    half = set(ids[::2])  # the partly right student answers every other question
    partly = sum(points[i] for i in half)
    tests = [c.metadata["nbgrader"]["grade_id"] for c in source.cells
             if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code"]

    a = CLASS_ASSIGNMENT
    submit(course, "ada", a, student_notebook(course, a))
    expected[a]["ada"] = full
    submit(course, "blake", a, student_notebook(course, a, answered=set()))
    expected[a]["blake"] = 0
    submit(course, "chen", a, student_notebook(course, a, answered=half))
    expected[a]["chen"] = partly
    # Dana rewrites every test cell so that it always passes: the tests are restored.
    submit(course, "dana", a, student_notebook(course, a, answered=half,
                                               replace={t: "pass" for t in tests}))
    expected[a]["dana"] = partly
    # Emil deletes every test cell: they are put back and graded.
    nb = student_notebook(course, a, answered=half)
    nb.cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id")
                not in tests]
    submit(course, "emil", a, nb)
    expected[a]["emil"] = partly
    # Farah's first answer loops forever: that cell times out, everything else is graded.
    submit(course, "farah", a, student_notebook(course, a, replace={
        ids[0]: "while True:\n    pass"}))
    expected[a]["farah"] = full - points[ids[0]]
    # Gus's notebook is not valid JSON: reported, and nobody else is affected.
    submit(course, "gus", a, '{"cells": [ this is not json')
    # Hana prints to stderr in every answer cell: no penalty.
    submit(course, "hana", a, student_notebook(course, a, prefix=STDERR_NOISE))
    expected[a]["hana"] = full

    # Every other assignment: the model answers and a blank submission.
    for name in names:
        if name == a:
            continue
        submit(course, "ada", name, student_notebook(course, name))
        submit(course, "blake", name, student_notebook(course, name, answered=set()))
        expected[name]["blake"] = 0

    runs = {name: nbgrader(course, "autograde", name, "--force", check=False)
            for name in names}
    feedback = {name: nbgrader(course, "generate_feedback", name, "--force", check=False)
                for name in names}
    export = nbgrader(course, "export", "--to=grades.csv")
    return {"course": course, "expected": expected, "runs": runs, "feedback": feedback,
            "export": export, "tests": tests}


@pytest.mark.parametrize("graded_course", ["postgresql"], indirect=True)
def test_the_gradebook_is_in_postgresql(graded_course):
    """The scores checked here came from PostgreSQL, not from a sqlite file."""
    import psycopg2
    from postgres_server import libpq

    course = graded_course["course"]
    url = db_url(course)
    assert url.startswith("postgresql+psycopg2://"), url
    assert not (course / "gradebook.db").exists()
    conn = psycopg2.connect(libpq(url))
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


def test_every_expected_score(graded_course):
    course = graded_course["course"]
    for name, students in graded_course["expected"].items():
        scores = code_scores(course, name)
        for student, score in students.items():
            assert scores[student][0] == pytest.approx(score), (name, student, scores[student])


def test_model_answers_get_every_autograded_point(graded_course):
    course = graded_course["course"]
    for name in graded_course["expected"]:
        score, maximum = code_scores(course, name)["ada"]
        assert maximum > 0 and score == pytest.approx(maximum), name


def test_broken_notebook_is_reported_and_the_rest_graded(graded_course):
    run = graded_course["runs"][CLASS_ASSIGNMENT]
    assert run.returncode != 0, "a failed submission makes the command fail visibly"
    log = run.stdout + run.stderr
    assert "gus" in log
    scores = code_scores(graded_course["course"], CLASS_ASSIGNMENT)
    assert "gus" not in scores or scores["gus"][0] == 0
    assert set(graded_course["expected"][CLASS_ASSIGNMENT]) <= set(scores)


def test_other_assignments_autograde_cleanly(graded_course):
    for name, run in graded_course["runs"].items():
        if name != CLASS_ASSIGNMENT:
            assert run.returncode == 0, run.stdout + run.stderr


def test_feedback_for_every_graded_student(graded_course):
    course = graded_course["course"]
    for name, students in graded_course["expected"].items():
        for student in students:
            html = course / "feedback" / student / name / notebook_name(name).replace(
                ".ipynb", ".html")
            assert html.exists(), html


def test_feedback_shows_results_and_own_answers_but_no_secrets(graded_course):
    course = graded_course["course"]
    for name in graded_course["expected"]:
        secrets = secret_lines(name)
        assert secrets, f"{name} has solutions, hidden tests or a rubric to protect"
        for html in (course / "feedback").rglob(f"{name}/*.html"):
            text = visible_text(html.read_text(encoding="utf-8"))
            student = html.parent.parent.name
            own = "\n".join(c.source for c in read(
                course / "submitted" / student / name / notebook_name(name)).cells)
            assert "Hidden tests ran here" in text or "HIDDEN" not in text
            leaked = [line for line in secrets if line in text and line not in own]
            assert not leaked, f"{html}: {leaked[:3]}"
            # the page shows this student's own total, as the gradebook has it
            total = code_scores(course, name).get(student)
            assert total is not None and re.search(
                rf"Score: {total[0]:.1f} / [\d.]+", text), (html, total)
    chen = (course / "feedback" / "chen" / CLASS_ASSIGNMENT /
            notebook_name(CLASS_ASSIGNMENT).replace(".ipynb", ".html")).read_text()
    assert "Hidden tests ran here" in visible_text(chen)


def test_release_has_no_secrets():
    for name in assignments():
        text = "\n".join(p.read_text(encoding="utf-8", errors="ignore")
                         for p in (ROOT / "release" / name).rglob("*") if p.is_file())
        for marker in ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "BEGIN MARK SCHEME"):
            assert marker not in text, name
        for nb_path in (ROOT / "release" / name).glob("*.ipynb"):
            sources = "\n".join(c.source for c in read(nb_path).cells)
            leaked = [line for line in secret_lines(name) if line in sources]
            assert not leaked, f"{nb_path}: {leaked[:3]}"


def test_grades_export(graded_course):
    course = graded_course["course"]
    with open(course / "grades.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    by_key = {(r["assignment"], r["student_id"]): r for r in rows}
    for name, students in graded_course["expected"].items():
        for student, score in students.items():
            assert float(by_key[(name, student)]["raw_score"]) == pytest.approx(score)
            assert by_key[(name, student)]["status"] in {"graded", "awaiting manual grading"}
    # The broken submission is not a silent 0: it is marked and has no score.
    gus = by_key[(CLASS_ASSIGNMENT, "gus")]
    assert gus["status"] == "NOT GRADED: autograde failed" and gus["raw_score"] == ""
    assert "gus" in graded_course["export"].stdout + graded_course["export"].stderr


def test_checksum_warnings_name_only_cells_a_student_changed(graded_course):
    """nbgrader warns that a cell's checksum changed whenever it had hidden tests or a
    mark scheme (students get it without them): a dozen warnings for a student who changed
    nothing. Only a real change warns now (issue 19)."""
    run = graded_course["runs"][CLASS_ASSIGNMENT]
    log = run.stdout + run.stderr
    per_student = {m.group(1): m.group(0) for m in re.finditer(
        r"Sanitizing \S*/submitted/([^/]+)/.*?(?=Sanitizing |\Z)", log, re.S)}
    for student in ("ada", "blake", "chen", "hana"):  # test cells as released
        assert "Attribute 'checksum'" not in per_student[student], per_student[student]
    changed = per_student["dana"]  # rewrote every test cell
    for test in graded_course["tests"]:
        assert f"Attribute 'checksum' for cell {test} has changed" in changed, test
