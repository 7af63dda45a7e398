"""Self-study never judges a class with another course's keys (issue 19, item 2).

On a shared server the course package is often installed editable from a clone of the
public course, so a student's self-study cell can always reach the *public* source/. A
released notebook's set-up cell therefore names the keys it was generated with
(nbgrader_plugins/self_study.py): a fingerprint, or "instructor" in a private course.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from conftest import ROOT

from deepfake_ethics import practice
from deepfake_ethics.nbgrader_plugins.self_study import CLASS_KEYS, SETUP_ID, keys_fingerprint
from deepfake_ethics.practice import CLASS_NOTE, questions

ASSIGNMENT = "a02-legal-aspects"
SOURCE = ROOT / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
RELEASE = ROOT / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"


@pytest.fixture(autouse=True)
def fresh_session(monkeypatch):
    monkeypatch.setattr(practice, "_class_note_shown", False)


def setup_cell(path: Path) -> str:
    nb = nbformat.read(path, as_version=4)
    return next(c.source for c in nb.cells
                if c.metadata.get("nbgrader", {}).get("grade_id") == SETUP_ID)


def test_the_fingerprint_follows_the_keys_and_nothing_else():
    nb = nbformat.read(SOURCE, as_version=4)
    before = keys_fingerprint(nb)
    prose = next(c for c in nb.cells if c.cell_type == "markdown"
                 and not c.metadata.get("nbgrader", {}).get("task"))
    prose.source += "\n\nA new paragraph of explanation."
    assert keys_fingerprint(nb) == before
    test = next(c for c in nb.cells if "BEGIN HIDDEN TESTS" in c.source)
    test.source = test.source.replace('"expect": "', '"expect": "x', 1)
    assert keys_fingerprint(nb) != before


def test_the_public_release_names_the_keys_of_the_public_source():
    fingerprint = keys_fingerprint(nbformat.read(SOURCE, as_version=4))
    assert f'keys="{fingerprint}"' in setup_cell(RELEASE)
    assert setup_cell(RELEASE) == setup_cell(SOURCE)


def test_keys_that_are_not_the_notebooks_never_judge(ipython_shell, capsys):
    """The public source is reachable (the editable install), but the notebook was made
    from other keys: the class note, never "Right" and never a model answer."""
    assert practice.find_source(ASSIGNMENT) is not None  # the editable install's source/
    ipython_shell.user_ns["answer2_1"] = "use"
    q = questions(ASSIGNMENT, keys="0123456789abcdef")
    q["2.1"].check()
    q["2.1"].solution()
    out = capsys.readouterr().out
    assert CLASS_NOTE in out and "Right" not in out and "answer2_1 =" not in out


def test_a_class_notebook_says_the_instructor_grades(ipython_shell, capsys):
    ipython_shell.user_ns["answer2_1"] = "use"
    questions(ASSIGNMENT, keys=CLASS_KEYS)["2.1"].check()
    assert capsys.readouterr().out.strip() == CLASS_NOTE


def test_the_notebooks_own_keys_judge(ipython_shell, capsys):
    fingerprint = keys_fingerprint(nbformat.read(SOURCE, as_version=4))
    ipython_shell.user_ns["answer2_1"] = "not an option"
    questions(ASSIGNMENT, keys=fingerprint)["2.1"].check()
    assert CLASS_NOTE not in capsys.readouterr().out


def _keys(path: Path) -> list[dict]:
    from deepfake_ethics.nbgrader_plugins.keys import split_key

    nb = nbformat.read(path, as_version=4)
    found = []
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and meta.get("grade"):
            _, key = split_key(cell.source, meta["grade_id"])
            if key is not None:
                found.append(key)
    return found


# -- the case, end to end: a private course on a machine with the public clone ------

def _run_cells(notebook: Path, cwd: Path, extra: str) -> str:
    """Run the notebook's set-up cell and ``extra`` in a fresh Python, as a kernel would,
    from ``cwd``; the package is the editable install of this clone."""
    code = setup_cell(notebook) + "\n" + extra
    done = subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.slow
def test_a_private_courses_students_never_hear_the_public_keys(tmp_path):
    from deepfake_ethics.instructor.course import new_course
    from deepfake_ethics.instructor.nbgrader_run import run_nbgrader

    private = tmp_path / "private-course"
    new_course(private, ROOT, [ASSIGNMENT])
    public_answer = next(k["expect"] for k in _keys(SOURCE) if k.get("answer") == "answer2_1")
    run_nbgrader("generate_assignment", ASSIGNMENT, "--force", cwd=private)
    released = private / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    assert f'keys="{CLASS_KEYS}"' in setup_cell(released)

    student = tmp_path / "home" / "student" / ASSIGNMENT  # fetched, outside both courses
    student.mkdir(parents=True)
    shutil.copy(released, student)
    check = (f"answer2_1 = {public_answer!r}\n"
             'q["2.1"].check()\nq["2.1"].solution()\n')
    out = _run_cells(released, student, check)
    assert CLASS_NOTE in out and "Right" not in out, out

    # The same student folder with the public course's release: its own keys judge.
    public = tmp_path / "self-learner" / ASSIGNMENT
    public.mkdir(parents=True)
    shutil.copy(RELEASE, public)
    out = _run_cells(RELEASE, public, 'answer2_1 = "not an option"\nq["2.1"].check()\n')
    assert CLASS_NOTE not in out, out
