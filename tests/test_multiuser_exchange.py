"""One nbgrader exchange shared by real Unix accounts: an instructor and two students, each
running nbgrader as themselves, as on a shared server or a JupyterHub.

release_assignment -> fetch_assignment -> submit -> collect -> autograde -> generate_feedback
-> release_feedback -> fetch_feedback, then what a student can and cannot do to the others'
work and to the released files. Needs root (it creates and removes the accounts); everyone runs
the project from a shared venv (tests/shared_env.py), as the project's .venv is root's only.

nbgrader's exchange keeps submissions apart by permissions *and* names: the inbound and
feedback folders can be written and entered but not listed, and a submission's folder name ends
in a random string (a feedback file's name is a hash of a per-submission secret). The files
themselves are world-readable, so the checks here are that no student can list, find or guess
another's submission or feedback, nor read anything in another's home or the instructor's.
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
import tempfile
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook
from nbgrader_course import (
    answer_ids,
    make_course,
    notebook_name,
    points_after,
    read,
    student_notebook,
    visible_text,
)
from shared_env import (
    PROBE,
    SYSTEM_PATH,
    chown_tree,
    is_root,
    require,
    run_as,
    shared_venv,
    temporary_accounts,
)

pytestmark = pytest.mark.slow
COURSE = "deepfake-ethics"
ASSIGNMENT = "a02-legal-aspects"
STUDENT_CONFIG = """\
c = get_config()  # noqa: F821
c.CourseDirectory.course_id = {course!r}
c.Exchange.root = {exchange!r}
c.Exchange.path_includes_course = True
c.Exchange.timezone = "UTC"
"""

def nbgrader_as(cls: dict, user: str, *args: str, check: bool = True, cwd: Path | None = None):
    env = {"PATH": f"{cls['venv']}/bin:{SYSTEM_PATH}"}
    if user == cls["instructor"]:
        env["DEEPFAKE_ETHICS_EXCHANGE"] = str(cls["exchange"])
    return run_as(user, cls["venv"] / "bin" / "python", "-m", "nbgrader", *args,
                  cwd=cwd or cls["homes"][user], env=env, check=check)


def probe(cls: dict, user: str, *ops: tuple[str, Path | str]) -> list[tuple[str, object]]:
    done = run_as(user, "/usr/bin/python3", "-c", PROBE,
                  json.dumps([[op, str(path)] for op, path in ops]))
    return [tuple(result) for result in json.loads(done.stdout)]


@pytest.fixture(scope="module")
def exchange_class():
    """The accounts, their homes and the exchange, with the whole cycle run through once.
    Everything is removed afterwards, also when a step fails."""
    require(is_root(), "this test creates Unix accounts: run it as root")
    venv = shared_venv()
    suffix = secrets.token_hex(3)
    instructor = f"dfe-instructor-{suffix}"
    students = [f"dfe-student1-{suffix}", f"dfe-student2-{suffix}"]
    base = Path(tempfile.mkdtemp(prefix="dfe-multiuser-"))
    try:
        base.chmod(0o755)
        exchange = base / "exchange"
        exchange.mkdir()
        exchange.chmod(0o1777)  # nbgrader: root's, writable by everyone and sticky (the guide)
        (base / "home").mkdir(mode=0o755)
        with temporary_accounts([instructor, *students], base / "home") as accounts:
            cls = {"venv": venv, "exchange": exchange, "instructor": instructor,
                   "students": students, "accounts": accounts,
                   "homes": {name: base / "home" / name for name in accounts},
                   "course_exchange": exchange / COURSE}
            run_cycle(cls)
            yield cls
    finally:
        shutil.rmtree(base, ignore_errors=True)


def run_cycle(cls: dict) -> None:
    instructor, (first, second) = cls["instructor"], cls["students"]
    course = make_course(cls["homes"][instructor])  # config, source/ and release/
    chown_tree(course, cls["accounts"][instructor])
    cls["course"] = course
    for student in cls["students"]:
        config = cls["homes"][student] / "nbgrader_config.py"
        config.write_text(STUDENT_CONFIG.format(course=COURSE, exchange=str(cls["exchange"])))
        chown_tree(config, cls["accounts"][student])

    nbgrader_as(cls, instructor, "generate_assignment", ASSIGNMENT, "--force", cwd=course)
    nbgrader_as(cls, instructor, "release_assignment", ASSIGNMENT, cwd=course)

    source = read(course / "source" / ASSIGNMENT / notebook_name(ASSIGNMENT))
    points = points_after(source)
    half = set(answer_ids(source)[::2])
    answers = {first: None, second: half}  # all model answers; every other one
    cls["expected"] = {first: sum(points.values()), second: sum(points[i] for i in half)}
    assert cls["expected"][first] > cls["expected"][second] > 0
    for student in cls["students"]:
        nbgrader_as(cls, student, "fetch_assignment", ASSIGNMENT)
        fetched = cls["homes"][student] / COURSE / ASSIGNMENT / notebook_name(ASSIGNMENT)
        assert fetched.exists(), fetched
        nbformat.write(student_notebook(course, ASSIGNMENT, answered=answers[student]),
                       fetched)
        chown_tree(fetched, cls["accounts"][student])
        nbgrader_as(cls, student, "submit", ASSIGNMENT)

    cls["inbound"] = sorted(p.name for p in (cls["course_exchange"] / "inbound").iterdir())
    nbgrader_as(cls, instructor, "collect", ASSIGNMENT, cwd=course)
    nbgrader_as(cls, instructor, "autograde", ASSIGNMENT, "--force", cwd=course)
    nbgrader_as(cls, instructor, "generate_feedback", ASSIGNMENT, "--force", cwd=course)
    nbgrader_as(cls, instructor, "release_feedback", ASSIGNMENT, cwd=course)
    cls["released_feedback"] = sorted(
        p.name for p in (cls["course_exchange"] / "feedback").iterdir())
    for student in cls["students"]:
        nbgrader_as(cls, student, "fetch_feedback", ASSIGNMENT)


def fetched_feedback(cls: dict, student: str) -> list[Path]:
    return sorted((cls["homes"][student] / COURSE / ASSIGNMENT / "feedback").glob("*/*.html"))


def submission_secrets(cls: dict, student: str) -> list[Path]:
    """The student's own record of a submission (nbgrader's cache in their home)."""
    return sorted(cls["homes"][student].glob(
        f".local/share/jupyter/nbgrader_cache/{COURSE}/*/submission_secret.txt"))


def test_every_step_ran_as_its_own_account(exchange_class):
    cls = exchange_class
    uid = {name: account.pw_uid for name, account in cls["accounts"].items()}
    released = cls["course_exchange"] / "outbound" / ASSIGNMENT
    assert released.stat().st_uid == uid[cls["instructor"]]
    assert oct((cls["course_exchange"] / "inbound").stat().st_mode & 0o7777) == "0o2733"
    assert len(cls["inbound"]) == 2, cls["inbound"]
    for student in cls["students"]:
        mine = [n for n in cls["inbound"] if n.startswith(f"{student}+{ASSIGNMENT}+")]
        assert len(mine) == 1, cls["inbound"]
        assert (cls["course_exchange"] / "inbound" / mine[0]).stat().st_uid == uid[student]
        assert (cls["course"] / "submitted" / student / ASSIGNMENT).is_dir()
        assert submission_secrets(cls, student)
    assert len(cls["released_feedback"]) == 2, cls["released_feedback"]


def test_each_student_scored_as_expected(exchange_class):
    cls = exchange_class
    with Gradebook(f"sqlite:///{cls['course'] / 'gradebook.db'}", COURSE) as gb:
        scores = {s.student.id: s.code_score
                  for s in gb.find_assignment(ASSIGNMENT).submissions}
    assert set(scores) == set(cls["students"])
    for student, expected in cls["expected"].items():
        assert scores[student] == pytest.approx(expected), (student, scores)


def test_each_student_gets_their_own_feedback(exchange_class):
    cls = exchange_class
    texts = {}
    for student in cls["students"]:
        files = fetched_feedback(cls, student)
        assert len(files) == 1, files  # their own notebook's feedback, nobody else's
        assert files[0].stat().st_uid == cls["accounts"][student].pw_uid
        graded = (cls["course"] / "feedback" / student / ASSIGNMENT /
                  notebook_name(ASSIGNMENT).replace(".ipynb", ".html"))
        assert files[0].read_bytes() == graded.read_bytes()
        texts[student] = visible_text(files[0].read_text(encoding="utf-8"))
        score = re.search(r"\(Score: ([\d.]+) / ([\d.]+)\)", texts[student])
        assert score, texts[student][:500]
        assert float(score.group(1)) == pytest.approx(cls["expected"][student]), student
    assert len(set(texts.values())) == 2


def test_students_cannot_list_or_find_each_others_work(exchange_class):
    cls = exchange_class
    inbound = cls["course_exchange"] / "inbound"
    feedback = cls["course_exchange"] / "feedback"
    first, second = cls["students"]
    for me, other in ((first, second), (second, first)):
        timestamp = (cls["course"] / "submitted" / other / ASSIGNMENT /
                     "timestamp.txt").read_text().strip()
        other_home = cls["homes"][other]
        ops = [
            ("list", inbound),  # submissions can be made but not listed
            ("glob", inbound / f"{other}+*"),
            # the folder's name without its random ending (all another student can know)
            ("exists", inbound / f"{other}+{ASSIGNMENT}+{timestamp}"),
            ("list", feedback),  # released feedback: reachable only by its secret hash
            ("glob", feedback / "*.html"),
            ("list", other_home),  # the other's copies, feedback and submission secret
            ("read", submission_secrets(cls, other)[0]),
            ("read", fetched_feedback(cls, other)[0]),
            ("read", other_home / COURSE / ASSIGNMENT / notebook_name(ASSIGNMENT)),
        ]
        outcome = probe(cls, me, *ops)
        report = list(zip(ops, outcome, strict=True))
        assert outcome[0][0] == "PermissionError", report
        assert outcome[1] == ("ok", []), report
        assert outcome[2] == ("ok", False), report
        assert outcome[3][0] == "PermissionError", report
        assert outcome[4] == ("ok", []), report
        assert all(result[0] == "PermissionError" for result in outcome[5:]), report


def test_students_cannot_read_the_instructors_course(exchange_class):
    cls = exchange_class
    course = cls["course"]
    outcome = probe(cls, cls["students"][0],
                    ("list", course),
                    ("read", course / "source" / ASSIGNMENT / notebook_name(ASSIGNMENT)),
                    ("read", course / "gradebook.db"))
    assert all(result[0] == "PermissionError" for result in outcome), outcome


def test_students_cannot_change_the_released_files(exchange_class):
    cls = exchange_class
    outbound = cls["course_exchange"] / "outbound"
    released = outbound / ASSIGNMENT / notebook_name(ASSIGNMENT)
    before = released.read_bytes()
    for student in cls["students"]:
        outcome = probe(cls, student,
                        ("create", outbound / "extra.ipynb"),
                        ("mkdir", outbound / "a99-fake"),
                        ("rename", outbound / ASSIGNMENT),
                        ("create", outbound / ASSIGNMENT / "extra.ipynb"),
                        ("append", released),
                        ("unlink", released),
                        ("rename", released),
                        ("chmod", released),
                        ("create", cls["course_exchange"] / "outbound2"),
                        ("read", released))
        assert all(result[0] == "PermissionError" for result in outcome[:-1]), outcome
        assert outcome[-1] == ("ok", len(before)), outcome  # but they can fetch them
    assert released.read_bytes() == before
    assert sorted(p.name for p in outbound.iterdir()) == [ASSIGNMENT]
