"""ngshare_exchange's collect, with the checks of :mod:`.exchange` on what it writes.

ngshare (the exchange of deploy/kubernetes) receives a submission as content over HTTP,
sent by the student's own server under the student's hub login: links in the student's
folder are read with the student's rights only, and nobody can submit in another's name.
ngshare_exchange 0.5.3's collect is careless with what it gets back, though:

* it writes each file at ``os.path.join(submitted/<student>/<assignment>, path)`` and
  relies on ngshare to have refused absolute paths and ``..`` (ngshare 0.6.0 does when a
  student submits; nothing checks again here);
* it decides whether to make a file's folder by looking for that folder in the grader's
  *current* folder: a path such as ``source/x`` (any name in the course directory), or an
  honest ``.ipynb_checkpoints/...`` when the grader's folder has one, makes it write into
  a folder that does not exist, the collect stops with a traceback, and every student
  after that one is left uncollected; so does a file that is also a folder
  (``a`` and ``a/b``);
* it caps nothing: ``CourseDirectory.max_file_size`` is applied by the student's own
  ``nbgrader submit`` only, which a student can skip (ngshare takes up to 100 MB).

:class:`SafeNgshareCollect` checks every path (relative, no ``.``/``..``/empty parts),
applies the course's ignore patterns and the caps of :class:`.exchange.CollectChecks`
before writing, writes below the submission's folder only (``O_NOFOLLOW``, never over a
file), writes ``timestamp.txt`` from ngshare's time, skips a student id that is unsafe
(:func:`deepfake_ethics.nbgrader_plugins.names.problem`) or a time that is not a date, and goes on
with the next student whatever one submission holds. What it leaves out is reported as
:class:`.exchange.SafeCollect` does. Importing this module needs ngshare_exchange.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from nbgrader.utils import parse_utc
from ngshare_exchange.collect import ExchangeCollect as NgshareCollect

from .exchange import TIMESTAMP, CollectChecks, Dest, LeftOut, describe, plan_encoded, show
from .names import problem


def _parsed(timestamp: object) -> object:
    """ngshare's time as nbgrader parses it; ValueError if it is not a date."""
    if not isinstance(timestamp, str):
        raise ValueError("not a string")
    try:
        return parse_utc(timestamp)
    except Exception as error:  # also dateutil's DeprecatedTzKeyWarning for a zone '..'
        raise ValueError(str(error)) from error


class SafeNgshareCollect(CollectChecks, NgshareCollect):
    """ngshare_exchange's collect, with the checks of :mod:`.exchange`."""

    def _get_submission_list(self, course_id: str, assignment_id: str) -> list[dict] | None:
        """ngshare's list of submissions, without unsafe ids and times that are not dates
        (reported)."""
        response = self.ngshare_api_get(f"/submissions/{course_id}/{assignment_id}")
        if response is None:
            return None
        records = []
        for entry in response.get("submissions") or []:
            student = entry.get("student_id") if isinstance(entry, dict) else None
            if not isinstance(student, str):
                self.leave_out(repr(student), "", "ngshare listed a submission without a "
                                                  "student id")
                continue
            reason = problem(student)
            if reason:
                self.leave_out(student, "", f"student id {student!r} {reason}")
                continue
            try:
                when = _parsed(entry.get("timestamp"))
            except ValueError as error:
                self.leave_out(student, "", f"its time, {entry.get('timestamp')!r}, is not a "
                                            f"date ({error})")
                continue
            records.append({"student_id": student, "timestamp": when})
        return records

    def init_src(self) -> None:
        self.check_assignment()
        super().init_src()

    def copy_files(self) -> None:
        course, assignment = self.coursedir.course_id, self.coursedir.assignment_id
        if not self.src_records:
            self.log.warning('No submissions of "%s" for course "%s" to collect',
                             assignment, course)
        else:
            self.log.info('Processing %d submissions of "%s" for course "%s"',
                          len(self.src_records), assignment, course)
        for record in self.src_records:
            student = record["student_id"]
            dest = Path(self.coursedir.format_path(self.coursedir.submitted_directory,
                                                   student, assignment))
            dest.parent.mkdir(parents=True, exist_ok=True)
            if dest.is_dir():
                existing = self.coursedir.get_existing_timestamp(str(dest))
                if not (self.update and (existing is None or record["timestamp"] > existing)):
                    message = ("No newer submission to collect: %s %s" if self.update else
                               "Submission already exists, use --update to update: %s %s")
                    self.log.info(message, student, assignment)
                    continue
                self.log.info("Updating submission: %s %s", student, assignment)
                shutil.rmtree(dest)
            else:
                self.log.info("Collecting submission: %s %s", student, assignment)
            response = self.ngshare_api_get(f"/submission/{course}/{assignment}/{student}")
            if response is None:
                self.leave_out(student, "", "ngshare did not send the submission")
                continue
            try:
                self._write(student, response, dest)
            except OSError as error:
                shutil.rmtree(dest, ignore_errors=True)
                self.leave_out(student, "", f"not collected: {describe(error)}")
        self.finish_report()

    def _write(self, student: str, response: dict, dest: Path) -> None:
        """Write one submission received from ngshare into the new folder ``dest``."""
        timestamp = response.get("timestamp")
        try:
            _parsed(timestamp)
        except ValueError as error:
            self.leave_out(student, "", f"ngshare's time of the submission, {timestamp!r}, "
                                        f"is not a date ({error})")
            return
        files = response.get("files")
        if isinstance(files, list):  # the student's own timestamp.txt is replaced
            files = [f for f in files if not (isinstance(f, dict) and f.get("path") == TIMESTAMP)]
        chosen, left = plan_encoded(files, self.limits())
        with Dest(dest, self.coursedir.groupshared) as out:
            for item in chosen:
                try:
                    out.write(item.parts, item.data)
                except OSError as error:
                    left.append(LeftOut(show(item.parts), f"not written: {describe(error)}"))
            out.write((TIMESTAMP,), str(timestamp).encode())
        for item in left:
            self.leave_out(student, item.path, item.reason)
