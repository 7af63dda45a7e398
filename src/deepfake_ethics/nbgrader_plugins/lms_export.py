"""``nbgrader export`` in the files Canvas's and Moodle's gradebooks import.

* :class:`CanvasGradesExport` writes Canvas's gradebook CSV: the columns ``Student``,
  ``ID``, ``SIS User ID``, ``SIS Login ID``, ``Section``, then one column per assignment,
  and a ``Points Possible`` row under the header. Given the gradebook CSV that Canvas
  exports (``roster``), each student's row keeps Canvas's own ids, matched by ``SIS Login
  ID``, which is the LMS login the hub's LTI login turns into the nbgrader id
  (``deepfake_ethics.lms.login_name``); without it the ids are the nbgrader ids.
* :class:`MoodleGradesExport` writes a CSV for Moodle's grade import ("CSV file"): a
  ``Username`` column (the nbgrader id is the Moodle login name, as above) to map to
  *username*, name and email columns, one grade column per assignment, and a ``<assignment>
  status`` column per assignment that can be mapped to that item's feedback.

A score that is not a final grade is left empty, never 0: a submission whose autograding
failed, and one whose written answers still wait for a grade (``GradesExport``'s
statuses); the export's log names each student left empty, and why. A missing submission
scores 0, as in nbgrader's export.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from nbgrader.api import Gradebook
from traitlets import Dict, Unicode

from ..lms import NotACourseName, login_name
from ..nbgrader_plugins.export import GradesExport

CANVAS_IDS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
POINTS_POSSIBLE = "Points Possible"
MOODLE_IDS = ["Username", "First name", "Last name", "Email address"]
FINAL = {"graded", "not submitted"}  # statuses whose score is a grade to send


@dataclass
class Result:
    """One student's outcome on one assignment."""

    student: str
    assignment: str
    score: float | None  # None: not a grade to send (see ``status``)
    status: str


class LmsGradesExport(GradesExport):
    """What the LMS exports share: the class's results, the columns' names, the log."""

    assignment_columns = Dict(
        key_trait=Unicode(), value_trait=Unicode(),
        help="The LMS's column name for an assignment (by default its nbgrader name), "
             "e.g. Canvas's 'A02 Legal aspects (1234)' to fill an existing Canvas "
             "assignment").tag(config=True)

    lms = ""  # the LMS's name, for the log

    def column(self, assignment: str) -> str:
        return self.assignment_columns.get(assignment, assignment)

    def results(self, gradebook: Gradebook) -> Iterator[Result]:
        """Every chosen student's outcome on every chosen assignment."""
        students = {str(s) for s in self.student}
        assignments = {str(a) for a in self.assignment}
        for assignment in gradebook.assignments:
            if assignments and assignment.name not in assignments:
                continue
            for student in gradebook.students:
                if students and student.id not in students:
                    continue
                found = self._scores(gradebook, assignment.name, student.id)
                score = found["score"] if found["status"] in FINAL else None
                yield Result(student.id, assignment.name, score, found["status"])

    def chosen_assignments(self, gradebook: Gradebook) -> list:
        chosen = {str(a) for a in self.assignment}
        return [a for a in gradebook.assignments if not chosen or a.name in chosen]

    def report(self, dest: str, left_empty: list[Result]) -> None:
        self.log.info("Exported grades for %s to %s", self.lms, dest)
        if left_empty:
            self.log.warning(
                "Left empty (not a grade yet), the LMS keeps what it has: %s",
                "; ".join(f"{r.student} ({r.assignment}): {r.status}" for r in left_empty))

    @staticmethod
    def cell(score: float | None) -> str:
        return "" if score is None else f"{score:g}"


class CanvasGradesExport(LmsGradesExport):
    """Canvas's gradebook import CSV (see module docs)."""

    lms = "Canvas"
    roster = Unicode(
        "", help="The gradebook CSV exported from Canvas (Grades -> Export): its students' "
                 "Canvas ids are kept, matched by SIS Login ID").tag(config=True)

    def read_roster(self) -> dict[str, dict[str, str]]:
        """nbgrader id -> the roster's row of Canvas ids (a row whose SIS Login ID cannot
        be an id is skipped and named in the log)."""
        rows: dict[str, dict[str, str]] = {}
        with open(self.roster, newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            missing = [c for c in CANVAS_IDS if c not in (reader.fieldnames or [])]
            if missing:
                raise ValueError(f"{self.roster} is not a Canvas gradebook export: no "
                                 f"column {', '.join(missing)}")
            for row in reader:
                if row["Student"].strip() == POINTS_POSSIBLE or not row["SIS Login ID"]:
                    continue
                try:
                    rows[login_name(row["SIS Login ID"])] = {c: row[c] for c in CANVAS_IDS}
                except NotACourseName as error:
                    self.log.warning("Roster row of %s skipped: %s", row["Student"], error)
        return rows

    def export(self, gradebook: Gradebook) -> None:
        dest = self.to or "canvas_grades.csv"
        assignments = self.chosen_assignments(gradebook)
        names = {s.id: f"{s.last_name or ''}, {s.first_name or ''}".strip(", ") or s.id
                 for s in gradebook.students}
        roster = self.read_roster() if self.roster else None
        rows: dict[str, dict[str, str]] = {}
        if roster is not None:  # every Canvas student, in Canvas's order
            rows = {sid: dict(ids) for sid, ids in roster.items()}
        left_empty, unknown = [], []
        for result in self.results(gradebook):
            if result.student not in rows:
                if roster is not None:
                    unknown.append(result.student)
                    continue
                rows[result.student] = {"Student": names[result.student], "ID": "",
                                        "SIS User ID": "", "SIS Login ID": result.student,
                                        "Section": ""}
            rows[result.student][self.column(result.assignment)] = self.cell(result.score)
            if result.score is None:
                left_empty.append(result)
        columns = CANVAS_IDS + [self.column(a.name) for a in assignments]
        with open(dest, "w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, columns, restval="")
            writer.writeheader()
            writer.writerow({"Student": POINTS_POSSIBLE,
                             **{self.column(a.name): f"{a.max_score:g}" for a in assignments}})
            writer.writerows(rows.values())
        self.report(dest, left_empty)
        if unknown:
            self.log.warning("Not in the Canvas roster %s, so not exported: %s",
                             Path(self.roster).name, ", ".join(sorted(set(unknown))))
        if roster is not None:
            absent = sorted(set(roster) - set(names))
            if absent:
                self.log.warning("In the Canvas roster but not in the gradebook, left "
                                 "empty: %s", ", ".join(absent))


class MoodleGradesExport(LmsGradesExport):
    """Moodle's grade import CSV (see module docs)."""

    lms = "Moodle"

    def export(self, gradebook: Gradebook) -> None:
        dest = self.to or "moodle_grades.csv"
        assignments = self.chosen_assignments(gradebook)
        people = {s.id: s for s in gradebook.students}
        rows: dict[str, dict[str, str]] = {}
        left_empty = []
        for result in self.results(gradebook):
            person = people[result.student]
            row = rows.setdefault(result.student, {
                "Username": result.student, "First name": person.first_name or "",
                "Last name": person.last_name or "", "Email address": person.email or ""})
            column = self.column(result.assignment)
            row[column] = self.cell(result.score)
            row[f"{column} status"] = result.status
            if result.score is None:
                left_empty.append(result)
        columns = MOODLE_IDS + [name for a in assignments
                                for name in (self.column(a.name), f"{self.column(a.name)} status")]
        with open(dest, "w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, columns, restval="")
            writer.writeheader()
            writer.writerows(rows.values())
        self.report(dest, left_empty)
