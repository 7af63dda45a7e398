"""Helpers for the nbgrader tests: a temporary course directory and simulated students."""

from __future__ import annotations

import copy
import re
import shutil
import subprocess
from pathlib import Path

import nbformat
from conftest import ROOT

from deepfake_ethics.instructor.nbgrader_run import run_nbgrader
from deepfake_ethics.layout import assignment_names
from deepfake_ethics.nbgrader_plugins.assignment_format import AssignmentFormat, course_format


def course_markers() -> AssignmentFormat:
    """The assignment format of the course (its nbgrader_config.py applied)."""
    return course_format(ROOT)


def assignments() -> list[str]:
    """The assignments of the course (folders of source/ that hold a notebook)."""
    return assignment_names(ROOT)


def make_course(tmp: Path) -> Path:
    """A fresh course directory: config, source/ and release/ copied, no gradebook."""
    course = tmp / "course"
    course.mkdir()
    shutil.copy(ROOT / "nbgrader_config.py", course)
    shutil.copytree(ROOT / "source", course / "source",
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    if (ROOT / "release").exists():
        shutil.copytree(ROOT / "release", course / "release")
    return course


_GENERATED: Path | None = None  # one course generated per test session, copied from


def generated_course(tmp: Path) -> Path:
    """A course directory like :func:`make_course` whose assignments are all generated
    (release/ and an sqlite gradebook that knows their cells). nbgrader generates them once
    per session; every caller gets its own copy."""
    global _GENERATED
    if _GENERATED is None:
        import atexit
        import tempfile

        holder = Path(tempfile.mkdtemp(prefix="dfe-generated-"))
        atexit.register(shutil.rmtree, holder, ignore_errors=True)
        template = make_course(holder)
        for name in assignments():
            nbgrader(template, "generate_assignment", name, "--force")
        _GENERATED = template
    course = tmp / "course"
    shutil.copytree(_GENERATED, course)
    return course


def nbgrader(course: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """Run one of nbgrader's own commands in the course directory."""
    done = run_nbgrader(*args, cwd=course, check=False)
    if check and done.returncode != 0:
        raise AssertionError(f"nbgrader {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done


def notebook_name(assignment: str) -> str:
    return next((ROOT / "source" / assignment).glob("*.ipynb")).name


def read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def meta(cell) -> dict:
    return cell.metadata.get("nbgrader", {})


def strip_markers(source: str) -> str:
    """A model answer as a student would type it (without nbgrader's markers)."""
    return course_markers().without_solution_markers(source)


def answer_ids(nb: nbformat.NotebookNode) -> list[str]:
    """grade_ids of the autograded answer (solution) code cells, in order."""
    return [meta(c)["grade_id"] for c in nb.cells
            if c.cell_type == "code" and meta(c).get("solution")]


def points_after(nb: nbformat.NotebookNode) -> dict[str, float]:
    """For each answer cell, the points of the autograded tests before the next answer."""
    points: dict[str, float] = {}
    current = None
    for cell in nb.cells:
        m = meta(cell)
        if cell.cell_type == "code" and m.get("solution"):
            current = m["grade_id"]
            points[current] = 0.0
        elif cell.cell_type == "code" and m.get("grade") and current is not None:
            points[current] += float(m.get("points", 0))
    return points


def student_notebook(course: Path, assignment: str, answered: set[str] | None = None,
                     replace: dict[str, str] | None = None,
                     prefix: str = "") -> nbformat.NotebookNode:
    """The released notebook with the model answers typed into ``answered`` cells (all if
    None), each preceded by ``prefix``, and any cell sources in ``replace`` (by grade_id)
    swapped in."""
    name = notebook_name(assignment)
    released = read(course / "release" / assignment / name)
    solutions = {meta(c)["grade_id"]: c.source for c in read(course / "source" / assignment /
                                                             name).cells if meta(c).get("solution")}
    nb = copy.deepcopy(released)
    for cell in nb.cells:
        grade_id = meta(cell).get("grade_id")
        if cell.cell_type == "code" and meta(cell).get("solution") and (
                answered is None or grade_id in answered):
            cell.source = prefix + strip_markers(solutions[grade_id])
        if replace and grade_id in replace:
            cell.source = replace[grade_id]
    return nb


def submit(course: Path, student: str, assignment: str, nb: nbformat.NotebookNode | str) -> Path:
    """Put a submission where `nbgrader collect` would: submitted/<student>/<assignment>/."""
    folder = course / "submitted" / student / assignment
    shutil.copytree(course / "release" / assignment, folder, dirs_exist_ok=True)
    path = folder / notebook_name(assignment)
    if isinstance(nb, str):
        path.write_text(nb, encoding="utf-8")
    else:
        nbformat.write(nb, path)
    (folder / "timestamp.txt").write_text("2026-11-20 12:00:00.000000 UTC")
    return path


def secret_lines(assignment: str) -> set[str]:
    """Lines that appear only inside solutions, hidden tests or mark schemes of the source.

    Lines that also occur in the public part of the notebook (an ``import``, a ``with
    quietly():``, an example in a question) are not secrets, and very short lines
    (brackets) say nothing.
    """
    nb = read(ROOT / "source" / assignment / notebook_name(assignment))
    fmt = course_markers()
    secret, public = set(), []
    for cell in nb.cells:
        regions = fmt.regions(cell.source)
        rest = cell.source
        for region in regions:
            rest = rest.replace(region, "")
        if cell.cell_type == "markdown" and meta(cell).get("solution") and not regions:
            regions, rest = [cell.source], ""
        for region in regions:
            secret.update(line.strip() for line in region.splitlines())
        public.append(rest)
    public_text = _plain("\n".join(public))
    return {line for line in secret if _plain(line) not in public_text
            if len(line) >= 12 and not fmt.is_marker(line)}


def _plain(text: str) -> str:
    """Text without Markdown's code and emphasis marks (they vanish when rendered)."""
    return re.sub(r"[`*]", "", text)


def visible_text(html: str) -> str:
    """The text of an HTML page as a reader sees it (tags removed, entities decoded)."""
    import html as html_lib

    without_tags = re.sub(r"<[^>]+>", "", html)
    return html_lib.unescape(without_tags)


def grades(course: Path, assignment: str) -> dict[tuple[str, str], float | None]:
    """Every grade of an assignment in a course's sqlite gradebook: (student, cell) -> score."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "deepfake-ethics") as gb:
        return {(s.student.id, g.name): g.score
                for s in gb.find_assignment(assignment).submissions
                for nb in s.notebooks for g in nb.grades}
