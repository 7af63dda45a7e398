"""Class dashboard for instructors: scores, hard questions, missing and late work.

Everything is read from the nbgrader gradebook through nbgrader's own API
(:class:`nbgrader.api.Gradebook`) and returned as plain data; the ``*_figure`` functions
draw it in the course style, each with alt text that states what the figure shows.

``dashboard()`` finds the gradebook of the course it is run in and shows all three views.
A gradebook without submissions gives a short notice instead of empty figures.
"""

from __future__ import annotations

import datetime as dt
import html
import os
import statistics
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .grading.gradebook_url import ENV_VAR, course_db_url, redact  # course_db_url: public API
from .grading.gradebook_url import check as check_db_url
from .plots import MARKERS, PALETTE, FigureOutput, new_figure, render

if TYPE_CHECKING:  # pragma: no cover
    from nbgrader.api import Gradebook

COURSE_ID = "deepfake-ethics"
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
# The lookup (environment, course config, default) and its checks live in one place, shared
# with the course's nbgrader_config.py and `deepfake-ethics autograde`.
def _has_course(db_url: str, course_id: str) -> bool:
    """True when the database is an nbgrader gradebook that knows this course. Checked
    read-only: nbgrader's Gradebook would create a missing sqlite file, the tables of an
    empty database, and a missing course."""
    from sqlalchemy import create_engine, inspect, text
    from sqlalchemy.engine import make_url

    url = make_url(db_url)
    database = url.database or ""
    if url.get_backend_name() == "sqlite" and database not in ("", ":memory:") and \
            not Path(database).exists():
        return False
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            if not {"course", "assignment"} <= set(inspect(conn).get_table_names()):
                return False
            found = conn.execute(text("SELECT id FROM course WHERE id = :id"), {"id": course_id})
            return found.first() is not None
    finally:
        engine.dispose()


def load_class(db_url: str | None = None, course_id: str = COURSE_ID) -> ClassData:
    """Read assignments, students, submissions and per-question results of the course.

    ``db_url`` defaults to :func:`course_db_url`. A URL that cannot work raises
    :class:`~.grading.gradebook_url.GradebookURLError` (one line, no password). A database
    without nbgrader's tables or without this course (or a sqlite file that does not exist)
    is an empty gradebook, and is left untouched.
    """
    db_url = db_url or course_db_url()
    check_db_url(db_url, ENV_VAR if os.environ.get(ENV_VAR) == db_url else "gradebook URL")
    if not _has_course(db_url, course_id):
        return ClassData(course_id, db_url)
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


def read_assignments(gb: Gradebook, course_id: str = COURSE_ID) -> list[AssignmentInfo]:
    """The course's assignments, by name, with due date, maximum score and notebooks."""
    return [AssignmentInfo(a.name, a.duedate, float(a.max_score or 0.0),
                           tuple(nb.name for nb in a.notebooks))
            for a in _course_assignments(gb, course_id)]


def read_students(gb: Gradebook) -> list[str]:
    """Ids of every student in the gradebook, sorted."""
    return sorted(s.id for s in gb.students)


def read_submissions(gb: Gradebook, course_id: str = COURSE_ID) -> list[SubmissionRow]:
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


def read_questions(gb: Gradebook, course_id: str = COURSE_ID) -> list[QuestionRow]:
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


# --- Summaries ------------------------------------------------------------------------
def score_distribution(data: ClassData) -> list[dict]:
    """Per assignment: the submissions' scores as % of the maximum (sorted), with count,
    median, quartiles, range, and how many were late or still need grading by hand."""
    rows = []
    for assignment in data.assignments:
        subs = [s for s in data.submissions if s.assignment == assignment.name]
        percents = sorted(s.percent for s in subs)
        row = {"assignment": assignment.name, "max_score": assignment.max_score,
               "count": len(subs), "percents": percents,
               "late": sum(s.late for s in subs),
               "needs_manual_grade": sum(s.needs_manual_grade for s in subs),
               "median": None, "q1": None, "q3": None, "min": None, "max": None,
               "mean": None}
        if percents:
            q1, _, q3 = _quartiles(percents)
            row.update(median=statistics.median(percents), q1=q1, q3=q3, min=percents[0],
                       max=percents[-1], mean=statistics.fmean(percents))
        rows.append(row)
    return rows


def _quartiles(values: list[float]) -> tuple[float, float, float]:
    """Quartiles by linear interpolation (numpy's default), defined for one value too."""
    if len(values) == 1:
        return values[0], values[0], values[0]
    q1, q2, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return q1, q2, q3


def question_difficulty(data: ClassData, assignment: str | None = None) -> list[QuestionRow]:
    """The per-question rows, for one assignment or all of them."""
    return [q for q in data.questions if assignment is None or q.assignment == assignment]


def submission_status(data: ClassData) -> list[dict]:
    """Per assignment, given the students in the gradebook: how many submitted on time,
    late, or not at all, and who."""
    rows = []
    for assignment in data.assignments:
        subs = {s.student: s for s in data.submissions if s.assignment == assignment.name}
        late = sorted(name for name, s in subs.items() if s.late)
        missing = sorted(set(data.students) - set(subs))
        rows.append({"assignment": assignment.name, "students": len(data.students),
                     "on_time": len(subs) - len(late), "late": len(late),
                     "missing": len(missing), "late_students": late,
                     "missing_students": missing})
    return rows


def overview(data: ClassData) -> Notice:
    """One sentence about the gradebook: what it holds, or that nothing is submitted yet."""
    where = redact(data.db_url)
    counts = (f"{_plural(len(data.assignments), 'assignment')} and "
              f"{_plural(len(data.students), 'student')} in the gradebook {where} "
              f"(course {data.course_id})")
    if data.empty:
        return Notice(f"{NO_SUBMISSIONS}: {counts}. Scores appear here once submissions are "
                      "autograded (nbgrader autograde).")
    late = sum(s.late for s in data.submissions)
    manual = sum(s.needs_manual_grade for s in data.submissions)
    return Notice(f"{_plural(len(data.submissions), 'submission')} ({late} late, {manual} "
                  f"with answers still to grade by hand) from {counts}.")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0f}%"


def _names(names: list[str]) -> str:
    shown = ", ".join(names[:MAX_NAMES])
    return shown + (f" and {len(names) - MAX_NAMES} more" if len(names) > MAX_NAMES else "")


# --- Figures --------------------------------------------------------------------------
def score_distribution_figure(data: ClassData) -> FigureOutput | Notice:
    """Every submission's score per assignment (% of the maximum), with median and the
    middle half of the class; late submissions are hollow squares."""
    if data.empty:
        return Notice(f"{NO_SUBMISSIONS}: no scores to show.")
    rows = score_distribution(data)
    fig = new_figure(8, 1.6 + 0.8 * len(rows))
    ax = fig.add_subplot()
    for y, row in enumerate(rows):
        subs = [s for s in data.submissions if s.assignment == row["assignment"]]
        if not subs:
            ax.text(0, y, "no submissions", va="center", fontsize=9, style="italic")
            continue
        ax.plot([row["min"], row["max"]], [y, y], color="#555555", linewidth=1, zorder=1)
        ax.barh(y, row["q3"] - row["q1"], left=row["q1"], height=0.5, color="#DCEBF7",
                edgecolor="#333333", linewidth=0.8, zorder=2)
        ax.plot([row["median"]] * 2, [y - 0.25, y + 0.25], color="black", linewidth=3,
                zorder=4, solid_capstyle="butt")
        offsets = _jitter(len(subs))
        for late, marker, face, label in ((False, MARKERS[0], PALETTE[0], "on time"),
                                          (True, MARKERS[1], "white", "late")):
            pts = [(s.percent, y + off) for s, off in zip(subs, offsets, strict=True)
                   if s.late == late]
            if pts:
                ax.scatter([p[0] for p in pts], [p[1] for p in pts], marker=marker, s=28,
                           facecolor=face, edgecolor=PALETTE[0] if late is False else PALETTE[1],
                           linewidth=1.2, zorder=5, label=label)
        ax.annotate(f"  median {_pct(row['median'])}, n={row['count']}", (100, y),
                    xytext=(104, y), va="center", fontsize=9)
    ax.set_yticks(range(len(rows)), [r["assignment"] for r in rows])
    ax.set_ylim(len(rows) - 0.4, -0.6)  # first assignment at the top
    ax.set_xlim(-3, 140)
    ax.set_xticks(range(0, 101, 20))
    ax.spines["bottom"].set_bounds(0, 100)
    ax.set_xlabel("Score (% of the assignment's maximum)")
    ax.set_title("Scores per assignment", loc="left")
    handles, labels = ax.get_legend_handles_labels()
    unique = dict(zip(labels, handles, strict=True))
    ax.legend(unique.values(), unique.keys(), loc="lower right", fontsize=8, frameon=False)
    parts = []
    for row in rows:
        if not row["count"]:
            parts.append(f"{row['assignment']}: no submissions")
            continue
        late = f", {row['late']} late" if row["late"] else ""
        parts.append(f"Median score {row['assignment']}: {_pct(row['median'])} "
                     f"({_plural(row['count'], 'submission')}, range {row['min']:.0f}"
                     f"–{_pct(row['max'])}{late})")
    alt = "Score distribution per assignment, as % of the maximum. " + "; ".join(parts) + "."
    caption = ("Each marker is one submission (filled circle: on time, hollow square: late); "
               "the box spans the middle half of the class, the thick line is the median.")
    pending = sum(r["needs_manual_grade"] for r in rows)
    if pending:
        caption += (f" {_plural(pending, 'submission')} still ha{'s' if pending == 1 else 've'}"
                    " answers to grade by hand: their scores may rise.")
    return render(fig, alt, caption)


def _jitter(n: int) -> list[float]:
    """Vertical offsets that spread n markers over the box without randomness."""
    if n == 1:
        return [0.0]
    return [-0.18 + 0.36 * ((i * 7) % n) / (n - 1) for i in range(n)]


def question_difficulty_figure(data: ClassData) -> FigureOutput | Notice:
    """Per assignment, the share of graded submissions with full marks on each question,
    and the mean score; questions graded by hand are hatched."""
    if data.empty:
        return Notice(f"{NO_SUBMISSIONS}: no questions graded.")
    groups = [(a.name, question_difficulty(data, a.name)) for a in data.assignments]
    groups = [(name, qs) for name, qs in groups if qs]
    heights = [0.8 + 0.28 * len(qs) for _, qs in groups]
    fig = new_figure(8, 1.0 + sum(heights))
    axes = fig.subplots(len(groups), 1, sharex=True, squeeze=False,
                        gridspec_kw={"height_ratios": heights})[:, 0]
    for ax, (name, qs) in zip(axes, groups, strict=True):
        ys = range(len(qs))
        for y, q in zip(ys, qs, strict=True):
            if q.share_full is None:
                ax.text(1, y, "not graded yet", va="center", fontsize=8, style="italic")
                continue
            ax.barh(y, q.share_full, height=0.6, color=PALETTE[0] if q.autograded else
                    PALETTE[2], hatch="" if q.autograded else "..", edgecolor="#333333",
                    linewidth=0.6, label="full marks: autograded" if q.autograded else
                    "full marks: graded by hand")
            ax.scatter(q.mean_percent, y, marker="D", s=22, color="black", zorder=4,
                       label="mean score")
            waiting = f", {q.pending} to grade" if q.pending else ""
            ax.annotate(f"{q.full_marks}/{q.graded}{waiting}", (100, y), xytext=(103, y),
                        va="center", fontsize=8)
        ax.set_yticks(list(ys), [q.name + ("" if q.autograded else " (by hand)") for q in qs],
                      fontsize=8)
        ax.set_ylim(len(qs) - 0.5, -0.5)
        ax.set_xlim(0, 128)
        ax.set_xticks(range(0, 101, 20))
        ax.spines["bottom"].set_bounds(0, 100)
        n_subs = sum(s.assignment == name for s in data.submissions)
        ax.set_title(f"{name} ({_plural(n_subs, 'submission')})", loc="left", fontsize=10)
    fig.supylabel("Question (graded cell)", fontsize=10)
    axes[-1].set_xlabel("Submissions with full marks (%); diamond: mean score (% of points)")
    fig.suptitle("Difficulty of each question", x=0.01, ha="left", fontweight="bold")
    legend = {}
    for ax in axes:
        legend.update(zip(*reversed(ax.get_legend_handles_labels()), strict=True))
    order = sorted(legend, key=lambda label: label == "mean score")  # bars first
    fig.legend([legend[label] for label in order], order, loc="outside upper right",
               fontsize=8, frameon=False, ncols=3)
    parts = []
    for name, qs in groups:
        graded = [q for q in qs if q.share_full is not None]
        if not graded:
            parts.append(f"{name}: nothing graded yet")
            continue
        hardest = min(graded, key=lambda q: (q.share_full, q.mean_percent or 0))
        easiest = max(graded, key=lambda q: (q.share_full, q.mean_percent or 0))
        below = sum(q.share_full < 50 for q in graded)
        parts.append(f"{name}: hardest {hardest.name}, full marks in {hardest.full_marks} of "
                     f"{hardest.graded} ({_pct(hardest.share_full)}); easiest {easiest.name}, "
                     f"{easiest.full_marks} of {easiest.graded} ({_pct(easiest.share_full)}); "
                     f"{below} of {len(graded)} questions below half")
    alt = ("Bar chart of the share of submissions with full marks on each question. "
           + "; ".join(parts) + ".")
    caption = ("Bars: share of graded submissions with every point on the question; diamonds: "
               "mean score as % of its points; numbers: full marks / graded. Hatched bars are "
               "answers graded by hand.")
    return render(fig, alt, caption)


def submission_status_figure(data: ClassData) -> FigureOutput | Notice:
    """Per assignment: students who submitted on time, late, or not at all."""
    from matplotlib.ticker import MaxNLocator

    if data.empty:
        return Notice(f"{NO_SUBMISSIONS}: {_plural(len(data.students), 'student')} in the "
                      "gradebook, nothing submitted.")
    rows = submission_status(data)
    fig = new_figure(8, 1.6 + 0.6 * len(rows))
    ax = fig.add_subplot()
    kinds = (("on_time", "on time", PALETTE[0], ""), ("late", "late", PALETTE[4], "//"),
             ("missing", "missing", "white", "xx"))
    total = max(1, len(data.students))
    for y, row in enumerate(rows):
        left = 0
        for key, label, colour, hatch in kinds:
            ax.barh(y, row[key], left=left, height=0.6, color=colour, hatch=hatch,
                    edgecolor="#555555", linewidth=0.8, label=label)
            left += row[key]
        ax.annotate(f"  {row['on_time']} on time, {row['late']} late, {row['missing']} missing",
                    (total, y), va="center", fontsize=9)
    ax.set_yticks(range(len(rows)), [r["assignment"] for r in rows])
    ax.set_ylim(len(rows) - 0.4, -0.6)
    ax.set_xlim(0, total * 1.5)
    ax.spines["bottom"].set_bounds(0, total)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xticks([t for t in ax.get_xticks() if 0 <= t <= total])
    ax.set_xlabel(f"Students (all {len(data.students)} in the gradebook)")
    ax.set_title("Submitted on time, late, or missing", loc="left")
    handles, labels = ax.get_legend_handles_labels()
    fig.legend(handles[:3], labels[:3], loc="outside lower center", ncols=3, fontsize=8,
               frameon=False)
    alt = (f"Stacked bars of the {len(data.students)} students per assignment. " + "; ".join(
        f"{r['assignment']}: {r['on_time']} on time, {r['late']} late, {r['missing']} missing"
        for r in rows) + ".")
    notes = [f"Missing {r['assignment']}: {_names(r['missing_students'])}."
             for r in rows if r["missing_students"]]
    notes += [f"Late {r['assignment']}: {_names(r['late_students'])}."
              for r in rows if r["late_students"]]
    caption = "Late means after the due date plus any extension. " + " ".join(notes)
    return render(fig, alt, caption)


def views(data: ClassData) -> list[FigureOutput | Notice]:
    """The overview and the three views, in the order the dashboard shows them."""
    return [overview(data), score_distribution_figure(data),
            question_difficulty_figure(data), submission_status_figure(data)]


def dashboard(db_url: str | None = None, course_id: str = COURSE_ID) -> None:
    """Show the overview, scores, question difficulty and missing/late work of the class.

    ``db_url`` defaults to :func:`course_db_url` (``$DEEPFAKE_ETHICS_DB_URL``, the course's
    nbgrader_config.py, or ``gradebook.db``).
    """
    from IPython.display import display

    for view in views(load_class(db_url, course_id)):
        display(view)
