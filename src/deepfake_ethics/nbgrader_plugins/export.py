"""``nbgrader export`` that never turns a failed autograde into a silent zero.

nbgrader's CSV export writes a score for every submission in the gradebook, so a
submission whose autograding failed (a notebook that is not JSON, a crash of the grader)
shows as 0, like a blank one. :class:`GradesExport` writes the same columns, properly
quoted, plus ``status``:

* ``graded``: autograded, and every hand-graded answer has a grade;
* ``awaiting manual grading``: autograded; some written answers still need a grade;
* ``NOT GRADED: autograde failed``: submitted, but no autograded notebook exists; the
  score columns are left empty and the log names the student;
* ``not submitted``: no submission (score 0, as in nbgrader).
"""

from __future__ import annotations

import csv

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.plugins.export import ExportPlugin

from ..layout import nbgrader_folder

COLUMNS = ["assignment", "duedate", "timestamp", "student_id", "last_name", "first_name",
           "email", "raw_score", "late_submission_penalty", "score", "max_score", "status"]
FAILED = "NOT GRADED: autograde failed"


class GradesExport(ExportPlugin):
    """CSV grades with a ``status`` column (see module docs)."""

    def _autograded(self, assignment: str, student: str) -> bool | None:
        """True if an autograded notebook exists, None if the course cannot be found."""
        folder = nbgrader_folder(self.config, "autograded", assignment, student)
        if folder is None:
            return None
        return folder.is_dir() and any(folder.glob("*.ipynb"))

    def export(self, gradebook: Gradebook) -> None:
        dest = self.to or "grades.csv"
        students = {str(s) for s in self.student}
        assignments = {str(a) for a in self.assignment}
        failed = []
        with open(dest, "w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, COLUMNS)
            writer.writeheader()
            for assignment in gradebook.assignments:
                if assignments and assignment.name not in assignments:
                    continue
                for student in gradebook.students:
                    if students and student.id not in students:
                        continue
                    row = {"assignment": assignment.name, "duedate": assignment.duedate,
                           "student_id": student.id, "last_name": student.last_name,
                           "first_name": student.first_name, "email": student.email,
                           "max_score": assignment.max_score}
                    row.update(self._scores(gradebook, assignment.name, student.id))
                    if row["status"] == FAILED:
                        failed.append(f"{student.id} ({assignment.name})")
                    writer.writerow({k: "" if v is None else v for k, v in row.items()})
        self.log.info("Exported grades to %s", dest)
        if failed:
            self.log.warning("Not graded (autograde failed), exported without a score: %s",
                             ", ".join(failed))

    def _scores(self, gradebook: Gradebook, assignment: str, student: str) -> dict:
        try:
            submission = gradebook.find_submission(assignment, student)
        except MissingEntry:
            return {"timestamp": "", "raw_score": 0.0, "late_submission_penalty": 0.0,
                    "score": 0.0, "status": "not submitted"}
        if self._autograded(assignment, student) is False:
            return {"timestamp": submission.timestamp, "raw_score": None,
                    "late_submission_penalty": None, "score": None, "status": FAILED}
        penalty = submission.late_submission_penalty
        status = "awaiting manual grading" if submission.needs_manual_grade else "graded"
        return {"timestamp": submission.timestamp, "raw_score": submission.score,
                "late_submission_penalty": penalty,
                "score": max(0.0, submission.score - penalty), "status": status}
