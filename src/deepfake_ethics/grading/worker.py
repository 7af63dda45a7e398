"""One worker of ``deepfake-ethics autograde``: a process that grades its own list of
students, one after another, with nbgrader's API in-process.

The worker loads the course's nbgrader configuration exactly as ``nbgrader autograde``
would (system and user config, the course's nbgrader_config.py, the options given on the
command line), then calls :meth:`nbgrader.apps.NbGraderAPI.autograde` for each student of
its list. For each student it writes, in the run's log folder, ``students/<id>.log`` (what
nbgrader logged, with any traceback) and ``students/<id>.json`` (the outcome); its own
output, including the kernels', goes to ``worker-<n>.log``.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .nbgrader_run import put_on_path

if TYPE_CHECKING:  # pragma: no cover
    from nbgrader.apps import NbGraderAPI

LOCKED = re.compile(r"database is locked", re.I)
EXCEPTION = re.compile(r"^\s*[\w.]+(Error|Exception|Exit): ")
SKIPPED = re.compile(r"Skipping existing assignment", re.I)
OWN_EXCEPTION = "NbGraderException: "  # nbgrader's summary, never the cause itself
NOTE = re.compile(r"^\[WARNING\] (Time budget: .*)$", re.M)  # logged by GradeExecute


@dataclass
class Job:
    """What one worker is asked to do (sent to the worker process, so plain data only)."""

    index: int
    root: str
    assignment: str
    argv: list[str]
    students: list[str]
    log_dir: str
    db_url: str
    force: bool
    create: bool
    retries: int = 2


@dataclass
class Result:
    """The outcome of one student's grading, as the worker saw it."""

    student: str
    success: bool
    skipped: bool = False
    reason: str = ""
    attempts: int = 1
    seconds: float = 0.0
    worker: int = 0
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def result_path(log_dir: Path, student: str, suffix: str) -> Path:
    """``<log_dir>/students/<student><suffix>`` (ids are checked: they are plain names)."""
    return log_dir / "students" / f"{student}{suffix}"


def read_result(log_dir: Path, student: str) -> Result | None:
    """The result a worker wrote for ``student``, or None if there is none (yet)."""
    path = result_path(log_dir, student, ".json")
    try:
        return Result(**json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None


def reason(log: str) -> str:
    """The most telling line of a failed grading: the last exception nbgrader met (not its
    own summary), else the first error line, else the last line."""
    lines = [line.strip() for line in log.splitlines() if line.strip()]
    causes = [line for line in lines if EXCEPTION.match(line) and OWN_EXCEPTION not in line]
    if causes:
        return causes[-1]
    errors = [line for line in lines if line.startswith("[ERROR]")]
    if errors:
        return errors[0]
    return lines[-1] if lines else "nbgrader gave no reason"


def main(job: Job) -> None:
    """Entry point of the worker process."""
    log_dir = Path(job.log_dir)
    (log_dir / "students").mkdir(parents=True, exist_ok=True)
    _redirect_output(log_dir / f"worker-{job.index}.log")
    os.chdir(job.root)
    put_on_path()
    print(f"worker {job.index}: {len(job.students)} student(s): {job.students}", flush=True)
    api = _api(job)
    for student in job.students:
        _write(log_dir, grade_one(api, job, student))


def _redirect_output(path: Path) -> None:
    """Send this process's stdout and stderr (and its children's) to ``path``."""
    log = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    sys.stdout.flush()
    sys.stderr.flush()
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.close(log)


def _api(job: Job) -> NbGraderAPI:
    """nbgrader's API, configured as ``nbgrader autograde <assignment> <argv>`` would be."""
    from nbgrader.apps import AutogradeApp, NbGraderAPI

    app = AutogradeApp()
    app.initialize([job.assignment, *job.argv], root=job.root)
    app.deinit_logging()  # no shared logs/nbgrader.log: this run keeps its own logs
    app.coursedir.db_url = job.db_url
    return NbGraderAPI(coursedir=app.coursedir, parent=app)


def grade_one(api: NbGraderAPI, job: Job, student: str) -> Result:
    """Autograde one student, again after a pause if the gradebook was locked."""
    started = time.monotonic()
    texts: list[str] = []
    outcome: dict[str, Any] = {}
    for attempt in range(1, job.retries + 2):
        print(f"worker {job.index}: grading {student!r} (attempt {attempt})", flush=True)
        try:
            outcome = api.autograde(job.assignment, student, force=job.force,
                                    create=job.create)
        except Exception as error:  # nbgrader's API catches its own; anything else is ours
            import traceback

            outcome = {"success": False, "error": traceback.format_exc(),
                       "log": f"[ERROR] {type(error).__name__}: {error}"}
        text = "\n".join(part for part in (outcome.get("log"), outcome.get("error")) if part)
        texts.append(f"--- attempt {attempt} ---\n{text}")
        if outcome.get("success") or not LOCKED.search(text):
            break
        time.sleep(attempt)
    log = "\n".join(texts)
    result_path(Path(job.log_dir), student, ".log").write_text(log + "\n", encoding="utf-8")
    success = bool(outcome.get("success"))
    last = texts[-1]
    return Result(student, success, notes=notes(api, job, student, last),
                  skipped=success and bool(SKIPPED.search(last)),
                  reason="" if success else reason(last), attempts=len(texts),
                  seconds=round(time.monotonic() - started, 1), worker=job.index,
                  errors=[] if success else [line for line in last.splitlines()
                                             if "[ERROR]" in line][:20])


def notes(api: NbGraderAPI, job: Job, student: str, log: str) -> list[str]:
    """What the report should say besides the score: the files left out of the
    submission (from their record, see :mod:`.submission`) and a time budget used up."""
    from .submission import read_record

    folder = Path(api.coursedir.format_path(api.coursedir.submitted_directory, student,
                                            job.assignment))
    found = [f"left out {entry.path}: {entry.reason}"
             for entry in read_record(Path(api.coursedir.root), folder)]
    return found + sorted(set(NOTE.findall(log)))


def _write(log_dir: Path, result: Result) -> None:
    """Write a result atomically: the parent counts finished students by these files."""
    path = result_path(log_dir, result.student, ".json")
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(asdict(result), indent=1), encoding="utf-8")
    tmp.replace(path)
