"""A worker process of ``deepfake-ethics autograde``: grades one student at a time, as the
work queue of :mod:`.parallel` hands them out, with nbgrader's API in-process.

:func:`start` runs once in each worker process: it takes the configuration the parent read
(nbgrader's own, files and command line: :mod:`.course_config`), so nothing is read twice,
and builds :class:`nbgrader.apps.NbGraderAPI` from it. :func:`grade` then calls
:meth:`~nbgrader.apps.NbGraderAPI.autograde` for one student and returns a :class:`Result`.
Each student's log (what nbgrader logged, with any traceback) is kept in the run's log folder
as ``students/<id>.log``; the process's own output, the kernels' included, goes to
``worker-<pid>.log``.
"""

from __future__ import annotations

import os
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .nbgrader_run import put_on_path

if TYPE_CHECKING:  # pragma: no cover
    from nbgrader.apps import NbGraderAPI
    from traitlets.config import Config

LOCKED = re.compile(r"database is locked", re.I)
EXCEPTION = re.compile(r"^\s*[\w.]+(Error|Exception|Exit): ")
SKIPPED = re.compile(r"Skipping existing assignment", re.I)
OWN_EXCEPTION = "NbGraderException: "  # nbgrader's summary, never the cause itself
NOTE = re.compile(r"^\[WARNING\] (Time budget: .*)$", re.M)  # logged by GradeExecute

_api: NbGraderAPI | None = None  # this worker process's, made by start()
_log_dir = Path()


@dataclass(frozen=True)
class Job:
    """One student to grade (sent to a worker process, so plain data only)."""

    assignment: str
    student: str
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
    worker: int = 0  # the worker's process id
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def student_log(log_dir: Path, student: str) -> Path:
    """``<log_dir>/students/<student>.log`` (ids are checked: they are plain names)."""
    return log_dir / "students" / f"{student}.log"


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


def start(config: Config, root: str, log_dir: str) -> None:
    """Set up a worker process: its own log, the course directory, nbgrader's API built from
    the parent's configuration."""
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    global _api, _log_dir
    _log_dir = Path(log_dir)
    _redirect_output(_log_dir / f"worker-{os.getpid()}.log")
    os.chdir(root)
    put_on_path()
    _api = NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)


def _redirect_output(path: Path) -> None:
    """Send this process's stdout and stderr (and its children's) to ``path``."""
    log = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    sys.stdout.flush()
    sys.stderr.flush()
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.close(log)


def grade(job: Job) -> Result:
    """Grade ``job`` with this process's API (made by :func:`start`)."""
    if _api is None:  # pragma: no cover - start() is the pool's initializer
        raise RuntimeError("worker.start() was not called in this process")
    return grade_one(_api, job, _log_dir)


def grade_one(api: NbGraderAPI, job: Job, log_dir: Path) -> Result:
    """Autograde one student, again after a pause if the gradebook was locked."""
    started = time.monotonic()
    texts: list[str] = []
    outcome: dict[str, Any] = {}
    for attempt in range(1, job.retries + 2):
        print(f"grading {job.student!r} (attempt {attempt})", flush=True)
        try:
            outcome = api.autograde(job.assignment, job.student, force=job.force,
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
    seconds = round(time.monotonic() - started, 1)
    student_log(log_dir, job.student).write_text(
        "\n".join(texts) + f"\n--- took {seconds} s (worker {os.getpid()}) ---\n",
        encoding="utf-8")
    success = bool(outcome.get("success"))
    last = texts[-1]
    return Result(job.student, success, notes=notes(api, job, last),
                  skipped=success and bool(SKIPPED.search(last)),
                  reason="" if success else reason(last), attempts=len(texts),
                  seconds=seconds, worker=os.getpid(),
                  errors=[] if success else [line for line in last.splitlines()
                                             if "[ERROR]" in line][:20])


def notes(api: NbGraderAPI, job: Job, log: str) -> list[str]:
    """What the report should say besides the score: the files left out of the
    submission (from their record, see :mod:`deepfake_ethics.nbgrader_plugins.submission`)
    and a time budget used up."""
    from ..nbgrader_plugins.submission import read_record

    folder = Path(api.coursedir.format_path(api.coursedir.submitted_directory, job.student,
                                            job.assignment))
    found = [f"left out {entry.path}: {entry.reason}"
             for entry in read_record(Path(api.coursedir.root), folder)]
    return found + sorted(set(NOTE.findall(log)))
