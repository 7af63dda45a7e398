"""Attacks around the sandbox, on both grading paths, in a private course whose keys differ
from the public source/: a right answer to the changed question proves a leak.

A class of a02 holds a model student, a blank one and one student per attack: files of
the submission that are links (relative to the private source, absolute to the grader's
secrets, to a folder, to /dev/zero), a notebook that is itself a link, a hard link, a
FIFO, a flood of files, a notebook of slow cells, a cell that fills /tmp and /dev/shm, and
a student who prints every candidate answer to learn from the feedback which one vanished.
No attacker may score more than the blank student, no secret or other student's data may
reach anything the student receives, the rest of the class is graded, and grading the
attacker stays within its budget.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook
from nbgrader_course import (
    generated_course,
    nbgrader,
    notebook_name,
    read,
    student_notebook,
    submit,
    visible_text,
)

from deepfake_ethics.instructor.nbgrader_run import nbgrader_env
from deepfake_ethics.nbgrader_plugins.sandbox import find_bwrap

pytestmark = pytest.mark.slow
A = "a02-legal-aspects"
NB = notebook_name(A)
CLI = str(Path(sys.executable).parent / "deepfake-ethics")
PUBLIC, PRIVATE = '"expect": "use"', '"expect": "both"'  # the changed key of answer2_1
BUDGET = 40  # seconds per notebook in this class (the default is 120)
ENV_SECRET = "dfe-grader-secret-91c2"

# Reads a file of its folder and answers with the private key found there, if any.
LINK_READER = """\
import re
answer2_1 = "tool"
for name in ["notes.txt", "hard.txt", "data/notes.txt"]:
    try:
        text = open(name, errors="ignore").read().replace('\\\\"', '"')
    except OSError as error:
        print("missing", name, type(error).__name__)
        continue
    at = text.find('"answer": "answer2_1"')
    found = re.search(r'"expect": "([a-z-]+)"', text[at:]) if at >= 0 else None
    if found:
        answer2_1 = found.group(1)
"""

# Prints, base64-encoded, every linked secret it can read.
SECRETS = ["gradebook.db", "nbgrader_config.py", "environ", "shadow", "model.ipynb"]
SECRET_PRINTER = f"""\
import base64
for name in {SECRETS!r}:
    try:
        print(name, base64.b64encode(open(name, "rb").read(4000)).decode())
    except OSError as error:
        print("missing", name, type(error).__name__)
answer2_1 = "tool"
"""

SLOW = "import time\ntime.sleep(15)\nanswer2_{n} = 'tool'\n"

FILL_TMP = """\
import os
written = 0
try:
    for folder in ["/tmp", "/dev/shm", "/var/tmp"]:
        for i in range(20):
            with open(f"{folder}/fill-{i}", "wb") as out:
                for _ in range(60):
                    out.write(b"x" * 1024 * 1024)
                    written += 1
except OSError as error:
    print("stopped writing:", error)
print("written MB", written)
answer2_1 = "tool"
"""

# Prints every candidate answer of every choice question: if feedback removed the lines
# that match a key, the gaps would give the keys away.
CANDIDATES = ["tool", "use", "both", "neither"]
ORACLE = (f"for candidate in {CANDIDATES!r}:\n    print('candidate', candidate)\n"
          "answer2_1 = 'tool'\n")


def private_course(tmp: Path) -> Path:
    """A generated course whose answer key (and model answer) for 2.1 is changed."""
    course = generated_course(tmp)
    path = course / "source" / A / NB
    nb = read(path)
    for cell in nb.cells:
        if PUBLIC in cell.source:  # "both" is right now, so its reason is for "use"
            cell.source = cell.source.replace(PUBLIC, PRIVATE).replace('"both": (', '"use": (')
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "answer2_1":
            cell.source = cell.source.replace('answer2_1 = "use"', 'answer2_1 = "both"')
    nbformat.write(nb, path)
    nbgrader(course, "generate_assignment", A, "--force")
    return course


def build_class(course: Path) -> dict[str, float]:
    """Submit the class; return the autograded score each student should get."""
    source_nb = course / "source" / A / NB
    submit(course, "model", A, student_notebook(course, A))
    submit(course, "blank", A, student_notebook(course, A, answered=set()))
    blank = student_notebook(course, A, answered=set())
    expected = {"model": 9.0, "blank": 0.0}

    def attacker(name: str, cells: dict[str, str]) -> Path:
        expected[name] = 0.0
        nb = student_notebook(course, A, answered=set(), replace=cells)
        return submit(course, name, A, nb).parent

    folder = attacker("linker", {"answer2_1": LINK_READER})
    (folder / "notes.txt").symlink_to(f"../../../source/{A}/{NB}")
    (folder / "data").mkdir()
    (folder / "data" / "notes.txt").symlink_to(source_nb)
    (folder / "whole-source").symlink_to(course / "source")

    folder = attacker("hardlink", {"answer2_1": LINK_READER})
    os.link(source_nb, folder / "hard.txt")

    folder = attacker("secrets", {"answer2_1": SECRET_PRINTER})
    (folder / "gradebook.db").symlink_to(course / "gradebook.db")
    (folder / "nbgrader_config.py").symlink_to(course / "nbgrader_config.py")
    (folder / "environ").symlink_to("/proc/self/environ")
    (folder / "shadow").symlink_to("/etc/shadow")
    (folder / "model.ipynb").symlink_to(course / "submitted" / "model" / A / NB)

    folder = attacker("devices", {})
    (folder / "zero.bin").symlink_to("/dev/zero")
    os.mkfifo(folder / "pipe")

    folder = attacker("flood", {})
    for i in range(400):
        (folder / f"f{i:03}.txt").write_text("x" * 10)

    # A notebook that is a link to the private source notebook: not graded at all.
    folder = submit(course, "nblink", A, blank).parent
    (folder / NB).unlink()
    (folder / NB).symlink_to(source_nb)

    attacker("slow", {f"answer2_{n}": SLOW.format(n=n) for n in range(1, 10)})
    attacker("filler", {"answer2_1": FILL_TMP})
    attacker("oracle", {"answer2_1": ORACLE})
    return expected


@pytest.fixture(scope="module", params=["nbgrader", "parallel"])
def graded(request, tmp_path_factory):
    """The class graded by one of the two paths, with feedback generated."""
    try:
        find_bwrap()
    except RuntimeError as error:
        pytest.skip(str(error))
    course = private_course(tmp_path_factory.mktemp(f"files-{request.param}"))
    expected = build_class(course)
    env = nbgrader_env()
    env["DFE_TEST_SECRET"] = ENV_SECRET
    scratch = tmp_path_factory.mktemp("scratch")  # the sandboxes of this run live here
    env["TMPDIR"] = str(scratch)
    options = [A, "--force", f"--GradeExecute.time_budget={BUDGET}"]
    cmd = ([sys.executable, "-m", "nbgrader", "autograde", *options]
           if request.param == "nbgrader" else [CLI, "autograde", *options])
    started = time.monotonic()
    run = subprocess.run(cmd, cwd=course, env=env, capture_output=True, text=True,
                         timeout=1800)
    seconds = time.monotonic() - started
    feedback = nbgrader(course, "generate_feedback", A, "--force", check=False)
    return {"course": course, "expected": expected, "run": run, "feedback": feedback,
            "path": request.param, "seconds": seconds, "scratch": scratch}


def scores(course: Path) -> dict[str, float]:
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "deepfake-ethics") as gb:
        return {s.student.id: s.code_score for s in gb.find_assignment(A).submissions}


def autograded(course: Path, student: str) -> nbformat.NotebookNode:
    return read(course / "autograded" / student / A / NB)


def outputs(nb: nbformat.NotebookNode) -> str:
    return json.dumps([c.get("outputs", []) for c in nb.cells])


def feedback_html(course: Path, student: str) -> str:
    return (course / "feedback" / student / A / NB.replace(".ipynb", ".html")).read_text(
        encoding="utf-8")


def test_no_attacker_scores_more_than_the_blank_student(graded):
    got = scores(graded["course"])
    log = graded["run"].stdout + graded["run"].stderr
    for student, score in graded["expected"].items():
        assert student in got, f"{student} was not graded:\n{log[-3000:]}"
        assert got[student] == pytest.approx(score), (student, got[student], log[-3000:])
    assert got["model"] == 9, "the private key is the one that counts"


def test_links_are_never_followed_and_their_targets_never_reach_the_student(graded):
    course = graded["course"]
    assert "missing notes.txt" in outputs(autograded(course, "linker"))
    assert "missing hard.txt" in outputs(autograded(course, "hardlink"))
    printed = outputs(autograded(course, "secrets"))
    for name in SECRETS:
        assert f"missing {name}" in printed, name
    for student in ("linker", "hardlink", "secrets", "devices"):
        for step in ("autograded", "feedback"):
            folder = course / step / student / A
            for path in folder.rglob("*"):
                info = path.lstat()
                assert path.is_dir() or (path.is_file() and not path.is_symlink()
                                         and info.st_nlink == 1), (step, path)
            names = {p.name for p in folder.rglob("*")}
            assert not names & {"notes.txt", "hard.txt", "whole-source", "gradebook.db",
                                "environ", "shadow", "zero.bin", "pipe"}, (step, names)
        html = feedback_html(course, student)
        assert PRIVATE not in html and ENV_SECRET not in html and "root:" not in html


def test_what_was_left_out_is_kept_and_said(graded):
    course = graded["course"]
    kept = course / "quarantine" / "submitted" / "linker" / A / "files"
    assert (kept / "notes.txt").is_symlink() and (kept / "data" / "notes.txt").is_symlink()
    first = autograded(course, "linker").cells[0]
    assert first.cell_type == "markdown" and "notes.txt" in first.source
    text = visible_text(feedback_html(course, "linker"))
    assert "Files left out of this submission" in text and "symbolic link" in text
    assert "FIFO" in visible_text(feedback_html(course, "devices"))
    flood = visible_text(feedback_html(course, "flood"))
    assert "more than 200 files" in flood
    log = graded["run"].stdout + graded["run"].stderr
    if graded["path"] == "parallel":
        assert "linker: left out notes.txt: it is a symbolic link" in log
    else:
        assert "Left out notes.txt" in log


def test_a_notebook_that_is_a_link_is_not_graded_and_reported(graded):
    course = graded["course"]
    log = graded["run"].stdout + graded["run"].stderr
    assert graded["run"].returncode == 1, "a submission that cannot be graded is reported"
    assert not (course / "autograded" / "nblink" / A / NB).exists()
    assert "nblink" in log
    assert scores(course).get("nblink") in (None, 0)


def test_a_slow_notebook_stops_at_its_budget_and_the_rest_is_graded(graded):
    course = graded["course"]
    nb = autograded(course, "slow")
    text = outputs(nb)
    assert "time budget of 40 s" in text
    assert "This cell was not run" in text, "cells after the budget are not run"
    assert graded["seconds"] < 600, "the class, slow student included, stays bounded"
    if graded["path"] == "parallel":  # the worker times each student; the report says why
        runs = sorted((course / "logs" / "autograde" / A).iterdir())
        took = re.search(r"--- took ([\d.]+) s", (runs[-1] / "students" / "slow.log").read_text())
        assert took and float(took[1]) < BUDGET + 30, took
        report = (runs[-1] / "report.txt").read_text()
        assert any(line.strip().startswith("- slow: Time budget") for line in
                   report.splitlines()), report


def test_filling_tmp_is_stopped_and_costs_the_cell(graded):
    text = outputs(autograded(graded["course"], "filler"))
    assert "wrote more than 256 MB" in text, text[-2000:]
    left = list(graded["scratch"].glob("dfe-sandbox-*"))
    assert left == [], "what the sandboxes wrote is deleted after grading"


def test_feedback_is_no_oracle(graded):
    """The student's own output is shown whole, whether or not a line matches a key."""
    course = graded["course"]
    text = visible_text(feedback_html(course, "oracle"))
    for candidate in CANDIDATES:
        assert f"candidate {candidate}" in text, candidate
    assert "removed from the feedback" not in text


SMALL_DISK = r"""
set -e
mount -t tmpfs -o size=64m tmpfs "$0"
cp -a "$1" "$0/course"
cd "$0/course"
status=0
"$2" -m nbgrader autograde a02-legal-aspects --force > "$3/log.txt" 2>&1 || status=$?
echo "$status" > "$3/status"
df -B1 --output=avail "$0" | tail -1 > "$3/avail"
cp gradebook.db "$3/"
find autograded -printf '%y %s %p\n' > "$3/autograded.txt"
"""


def test_a_link_to_dev_zero_cannot_fill_a_small_disk(tmp_path):
    """The course on a 64 MB file system: a student whose submission holds a link to
    /dev/zero is graded (without it) beside a model student, and the disk stays free."""
    from shared_env import is_root, require

    require(is_root(), "mounting a small file system needs root")
    try:
        find_bwrap()
    except RuntimeError as error:
        pytest.skip(str(error))
    course = generated_course(tmp_path / "made")
    submit(course, "model", A, student_notebook(course, A))
    folder = submit(course, "zero", A, student_notebook(course, A, answered=set())).parent
    (folder / "zero.bin").symlink_to("/dev/zero")
    (folder / "data").mkdir()
    (folder / "data" / "more.bin").symlink_to("/dev/urandom")
    disk, out = tmp_path / "disk", tmp_path / "out"
    disk.mkdir()
    out.mkdir()
    done = subprocess.run(["unshare", "--mount", "--propagation", "private", "--", "sh", "-c",
                           SMALL_DISK, disk, course, sys.executable, out],
                          env=nbgrader_env(), capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-2000:]
    log = (out / "log.txt").read_text()
    assert (out / "status").read_text().strip() == "0", log[-3000:]
    assert int((out / "avail").read_text()) > 32 * 1024**2, "the small disk filled up"
    with Gradebook(f"sqlite:///{out / 'gradebook.db'}", "deepfake-ethics") as gb:
        got = {s.student.id: s.code_score for s in gb.find_assignment(A).submissions}
    assert got == {"model": 9.0, "zero": 0.0}
    listing = (out / "autograded.txt").read_text()
    assert "zero.bin" not in listing and "more.bin" not in listing
    assert "Left out zero.bin" in log
