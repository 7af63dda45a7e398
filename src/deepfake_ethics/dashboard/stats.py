"""Summaries of the class: score distributions, per-question results, who is missing."""

from __future__ import annotations

import statistics

from ..nbgrader_plugins.gradebook_url import redact
from .gradebook import MAX_NAMES, NO_SUBMISSIONS, ClassData, Notice, QuestionRow


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


def question_rows(data: ClassData, assignment: str | None = None) -> list[QuestionRow]:
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
