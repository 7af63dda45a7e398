"""`deepfake-ethics new-course DIR`: a private course directory that works on its own (its
source/, config and gradebook), made whole or not at all."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from conftest import ROOT
from nbgrader_course import assignments, nbgrader, notebook_name, student_notebook, submit

from deepfake_ethics.instructor.nbgrader_run import nbgrader_env

CLI = str(Path(sys.executable).parent / "deepfake-ethics")
PRIVATE_SCENARIO = "In this term's version, the film student lives in Tartu."

pytestmark = pytest.mark.slow  # runs nbgrader and creates gradebooks


def new_course(cwd: Path, *args: str, env: dict[str, str] | None = None
               ) -> subprocess.CompletedProcess:
    return subprocess.run([CLI, "new-course", *args], cwd=cwd, env=nbgrader_env(env),
                          capture_output=True, text=True, timeout=300)


def leftovers(folder: Path) -> list[str]:
    """Half-made course folders that a failed run would leave."""
    return [p.name for p in folder.iterdir() if ".partial-" in p.name]


def test_private_course_is_complete_and_private(tmp_path):
    done = new_course(tmp_path, "private", "--from", str(ROOT))
    assert done.returncode == 0, done.stdout + done.stderr
    course = tmp_path / "private"
    assert stat.S_IMODE(course.stat().st_mode) == 0o700, "readable by its owner only"
    assert (course / "source" / "header.ipynb").read_bytes() == \
        (ROOT / "source" / "header.ipynb").read_bytes()
    for name in assignments():
        mine = course / "source" / name / notebook_name(name)
        assert mine.read_bytes() == (ROOT / "source" / name / notebook_name(name)).read_bytes()
    assert (course / "source" / "a04-harms-and-consent" / "data").is_dir(), "data files too"
    from deepfake_ethics.instructor.course import PRIVATE_SETTINGS

    assert (course / "nbgrader_config.py").read_text() == \
        (ROOT / "nbgrader_config.py").read_text() + PRIVATE_SETTINGS, "the course's, as a class"
    assert (course / "instructor" / "class-dashboard.ipynb").read_bytes() == \
        (ROOT / "instructor" / "class-dashboard.ipynb").read_bytes()
    assert (course / "jupyter" / "instructor").is_dir()
    ignored = (course / ".gitignore").read_text().split()
    assert {"submitted/", "autograded/", "feedback/", "gradebook.db", "logs/"} <= set(ignored)
    assert "Keep this folder private" in (course / "README.md").read_text()
    assert not (course / "release").exists() and not leftovers(tmp_path)
    assert str(course) in done.stdout and "generate_assignment" in done.stdout

    from nbgrader.api import Gradebook

    assert (course / "gradebook.db").is_file(), "created by nbgrader"
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "deepfake-ethics") as gb:
        assert gb.students == [] and gb.assignments == []


def test_chosen_assignments_only(tmp_path):
    done = new_course(tmp_path, str(tmp_path / "one"), "--from", str(ROOT),
                      "-a", "a02-legal-aspects", "--assignment", "a05-provenance")
    assert done.returncode == 0, done.stdout + done.stderr
    assert sorted(p.name for p in (tmp_path / "one" / "source").iterdir()) == \
        ["a02-legal-aspects", "a05-provenance", "header.ipynb"]


@pytest.mark.parametrize("args, words", [
    (["{tmp}/x", "--from", "{tmp}"], "is not a copy of the course repository"),
    (["{tmp}/x", "--from", "{root}", "-a", "a99-none"], "no assignment 'a99-none'"),
    (["{tmp}/x", "--from", "{root}", "-a", "../source"], "contains a path separator"),
    (["{tmp}/full", "--from", "{root}"], "already exists and is not an empty folder"),
    (["{root}/private-course", "--from", "{root}"], "is inside the course repository"),
])
def test_refused_with_one_line_and_nothing_written(tmp_path, args, words):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "keep.txt").write_text("mine")
    args = [a.format(tmp=tmp_path, root=ROOT) for a in args]
    done = new_course(tmp_path, *args)
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert done.returncode == 2 and len(lines) == 1 and words in lines[0], done.stderr
    assert not (tmp_path / "x").exists() and not (ROOT / "private-course").exists()
    assert (tmp_path / "full" / "keep.txt").read_text() == "mine"
    assert not leftovers(tmp_path)


def test_a_failed_gradebook_leaves_nothing(tmp_path):
    env = {**os.environ, "DEEPFAKE_ETHICS_DB_URL": "postgres://grader:s3cret@127.0.0.1/x"}
    done = new_course(tmp_path, "private", "--from", str(ROOT), env=env)
    assert done.returncode == 2 and "unknown database driver 'postgres'" in done.stderr
    assert "s3cret" not in done.stderr
    assert not (tmp_path / "private").exists() and not leftovers(tmp_path)


def test_private_course_generates_and_grades_its_own_scenarios(tmp_path):
    """The whole point: edit the private source/, generate the student version and grade
    the model answers there, without touching the public repository."""
    done = new_course(tmp_path, "private", "--from", str(ROOT), "-a", "a02-legal-aspects")
    assert done.returncode == 0, done.stdout + done.stderr
    course, name = tmp_path / "private", "a02-legal-aspects"
    path = course / "source" / name / notebook_name(name)
    nb = nbformat.read(path, as_version=4)
    question = next(c for c in nb.cells if c.cell_type == "markdown" and
                    c.metadata.get("nbgrader", {}).get("locked") and "**Question" in c.source)
    question.source += f"\n\n{PRIVATE_SCENARIO}"
    nbformat.write(nb, path)
    public_release = (ROOT / "release" / name / notebook_name(name)).read_bytes()

    nbgrader(course, "generate_assignment", name)
    released = (course / "release" / name / notebook_name(name)).read_text(encoding="utf-8")
    assert PRIVATE_SCENARIO in released and "BEGIN SOLUTION" not in released
    assert (ROOT / "release" / name / notebook_name(name)).read_bytes() == public_release

    submit(course, "model", name, student_notebook(course, name))
    nbgrader(course, "autograde", name)
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "deepfake-ethics") as gb:
        sub = gb.find_submission(name, "model")
        assert sub.max_code_score > 0 and sub.code_score == pytest.approx(sub.max_code_score)
    assert (course / "logs" / "nbgrader.log").is_file(), "nbgrader's log is kept here"


def test_the_private_course_opens_its_own_formgrader_and_dashboard(tmp_path):
    """Issue 19: run from the clone, the formgrader and the dashboard read the clone's
    gradebook; `deepfake-ethics lab` in the private copy serves that copy."""
    import json
    import urllib.request

    from processes import free_port, stop_process_group, wait_until_answering

    done = new_course(tmp_path, "private", "--from", str(ROOT), "--assignment",
                      "a03-ethical-aspects")
    assert done.returncode == 0, done.stdout + done.stderr
    course = tmp_path / "private"
    port, token = free_port(), "private-course-test"
    log = tmp_path / "lab.log"
    with log.open("w") as out:
        lab = subprocess.Popen([CLI, "lab", f"--port={port}", "--no-browser",
                                f"--IdentityProvider.token={token}"], cwd=course,
                               env=nbgrader_env(), stdout=out, stderr=subprocess.STDOUT,
                               start_new_session=True)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_answering(lab, f"{base}/api/status?token={token}", 120, log.read_text)
        with urllib.request.urlopen(f"{base}/formgrader/api/assignments?token={token}",
                                    timeout=60) as response:
            listed = [a["name"] for a in json.load(response)]
        assert listed == ["a03-ethical-aspects"], "the private course's one assignment"
        with urllib.request.urlopen(f"{base}/api/contents/instructor?token={token}",
                                    timeout=60) as response:
            files = [f["name"] for f in json.load(response)["content"]]
        assert "class-dashboard.ipynb" in files
    finally:
        stop_process_group(lab)

    # The dashboard, run where the notebook lives, reads the private course's gradebook.
    code = ("from deepfake_ethics.instructor.course_config import find\n"
            "print(find().root)")
    found = subprocess.run([sys.executable, "-c", code], cwd=course / "instructor",
                           capture_output=True, text=True, env=nbgrader_env())
    assert Path(found.stdout.strip()) == course, found.stderr


def test_lab_outside_a_course_says_where_to_run_it(tmp_path):
    done = subprocess.run([CLI, "lab"], cwd=tmp_path, env=nbgrader_env(), capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 2 and "run it in a course directory" in done.stderr
