"""The class as plain data, read from the nbgrader gradebook through nbgrader's own API
(:class:`nbgrader.api.Gradebook`); a missing gradebook is an error, never an empty class."""

from __future__ import annotations

import datetime as dt
import html
import os
import statistics
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..instructor.course_config import GradebookMissing, find, gradebook_problem
from ..nbgrader_plugins.gradebook_url import ENV_VAR
from ..nbgrader_plugins.gradebook_url import check as check_db_url

if TYPE_CHECKING:  # pragma: no cover
    from nbgrader.api import Gradebook

NO_SUBMISSIONS = "No submissions yet"
MAX_NAMES = 10  # names listed per assignment in a caption before "and N more"


# --- Plain data -----------------------------------------------------------------------
@dataclass(frozen=True)
class AssignmentInfo:
    """One assignment of the course as the gradebook records it."""

    name: str
    duedate: dt.datetime | None  # naive UTC, as nbgrader stores it
    max_score: float
    notebooks: tuple[str, ...]


@dataclass(frozen=True)
class SubmissionRow:
    """One student's submission of one assignment."""

    assignment: str
    student: str
    timestamp: dt.datetime | None  # naive UTC
    score: float
    max_score: float
    seconds_late: float  # after the due date plus any extension; 0 when on time
    needs_manual_grade: bool  # written answers still to be graded by hand

    @property
    def percent(self) -> float:
        """Score as a percentage of the assignment's maximum."""
        return 100.0 * self.score / self.max_score if self.max_score else 0.0

    @property
    def late(self) -> bool:
        """True when submitted after the (extended) due date."""
        return self.seconds_late > 0


@dataclass(frozen=True)
class QuestionRow:
    """How the class did on one graded cell (a test cell or a written answer)."""

    assignment: str
    notebook: str
    name: str
    autograded: bool  # False: graded by hand (written answer or manually graded code)
    max_score: float
    graded: int  # submissions with a score for this cell
    full_marks: int  # of those, how many got every point
    mean_score: float  # mean points over the graded submissions (0 when none)
    pending: int  # submissions still waiting for a grade by hand

    @property
    def share_full(self) -> float | None:
        """Percentage of graded submissions with full marks (None when none is graded)."""
        return 100.0 * self.full_marks / self.graded if self.graded else None

    @property
    def mean_percent(self) -> float | None:
        """Mean score as a percentage of the cell's points (None when none is graded)."""
        if not self.graded or not self.max_score:
            return None
        return 100.0 * self.mean_score / self.max_score


@dataclass(frozen=True)
class ClassData:
    """Everything the dashboard shows, read once from the gradebook."""

    course_id: str
    db_url: str
    assignments: tuple[AssignmentInfo, ...] = ()
    students: tuple[str, ...] = ()
    submissions: tuple[SubmissionRow, ...] = ()
    questions: tuple[QuestionRow, ...] = ()

    @property
    def empty(self) -> bool:
        """True when no submission has been recorded yet."""
        return not self.submissions


@dataclass(frozen=True)
class Notice:
    """A short message shown instead of a figure (for example: no submissions yet)."""

    message: str

    def _repr_html_(self) -> str:
        return f'<p role="status"><strong>{html.escape(self.message)}</strong></p>'

    def __repr__(self) -> str:
        return self.message


# --- Finding and reading the gradebook ------------------------------------------------
# The course, its id and its gradebook come from the one course lookup (course_config),
# shared with `deepfake-ethics autograde`; the URL's checks from gradebook_url.
def load_class(db_url: str | None = None, course_id: str | None = None) -> ClassData:
    """Read assignments, students, submissions and per-question results of the course.

    ``db_url`` and ``course_id`` default to the course's (:func:`~.course_config.find`:
    nbgrader's configuration, system and user folders included). A URL that cannot work
    raises :class:`~deepfake_ethics.nbgrader_plugins.gradebook_url.GradebookURLError` (one
    line, no password); a gradebook that does not exist or lacks the course raises
    :class:`~deepfake_ethics.instructor.course_config.GradebookMissing`, saying where the
    settings came from, and is left untouched.
    """
    where = ""
    if db_url is None or course_id is None:
        course = find()
        db_url, course_id = db_url or course.db_url, course_id or course.course_id
        where = f"; {course.where()}"
    check_db_url(db_url, ENV_VAR if os.environ.get(ENV_VAR) == db_url else "gradebook URL")
    problem = gradebook_problem(db_url, course_id)
    if problem:
        raise GradebookMissing(problem + where)
    from nbgrader.api import Gradebook

    with Gradebook(db_url, course_id) as gb:
        return ClassData(
            course_id=course_id,
            db_url=db_url,
            assignments=tuple(read_assignments(gb, course_id)),
            students=tuple(read_students(gb)),
            submissions=tuple(read_submissions(gb, course_id)),
            questions=tuple(read_questions(gb, course_id)),
        )


def _course_assignments(gb: Gradebook, course_id: str):
    return sorted((a for a in gb.assignments if a.course_id == course_id),
                  key=lambda a: a.name)


def read_assignments(gb: Gradebook, course_id: str) -> list[AssignmentInfo]:
    """The course's assignments, by name, with due date, maximum score and notebooks."""
    return [AssignmentInfo(a.name, a.duedate, float(a.max_score or 0.0),
                           tuple(nb.name for nb in a.notebooks))
            for a in _course_assignments(gb, course_id)]


def read_students(gb: Gradebook) -> list[str]:
    """Ids of every student in the gradebook, sorted."""
    return sorted(s.id for s in gb.students)


def read_submissions(gb: Gradebook, course_id: str) -> list[SubmissionRow]:
    """Every submission of the course's assignments: score, maximum, lateness."""
    rows = []
    for assignment in _course_assignments(gb, course_id):
        for sub in sorted(assignment.submissions, key=lambda s: s.student_id):
            rows.append(SubmissionRow(
                assignment=assignment.name, student=sub.student_id, timestamp=sub.timestamp,
                score=float(sub.score or 0.0), max_score=float(sub.max_score or 0.0),
                seconds_late=float(sub.total_seconds_late),
                needs_manual_grade=bool(sub.needs_manual_grade)))
    return rows


def read_questions(gb: Gradebook, course_id: str) -> list[QuestionRow]:
    """Per graded cell of every notebook: how many got full marks, the mean, what is
    still to grade by hand. Autograded test cells come first, then cells graded by hand."""
    from nbgrader.api import GradeCell

    rows = []
    for assignment in _course_assignments(gb, course_id):
        for notebook in assignment.notebooks:
            solutions = {c.name for c in notebook.solution_cells}  # answer cells graded by hand
            cells = [*notebook.grade_cells, *notebook.task_cells]
            auto = {c.id: isinstance(c, GradeCell) and c.cell_type == "code"
                    and c.name not in solutions for c in cells}
            for cell in sorted(cells, key=lambda c: not auto[c.id]):
                rows.append(_question_row(assignment.name, notebook.name, cell, auto[cell.id]))
    return rows


def _question_row(assignment: str, notebook: str, cell, autograded: bool) -> QuestionRow:
    max_score = float(cell.max_score)
    scores, pending = [], 0
    for grade in cell.grades:
        if grade.manual_score is None and grade.needs_manual_grade:
            pending += 1  # waiting for a grader: not counted as zero
        else:
            scores.append(float(grade.score or 0.0))
    return QuestionRow(
        assignment=assignment, notebook=notebook, name=cell.name, autograded=autograded,
        max_score=max_score, graded=len(scores),
        full_marks=sum(score >= max_score for score in scores),
        mean_score=statistics.fmean(scores) if scores else 0.0, pending=pending)
