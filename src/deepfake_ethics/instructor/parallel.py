"""Autograde a class in parallel with nbgrader's own autograde.

nbgrader grades one submission after another (nbgrader issue #174). ``deepfake-ethics
autograde`` (:mod:`..cli`) is nbgrader's ``AutogradeApp`` with a ``workers`` setting; this
module takes the course it read (:mod:`.course_config`), checks every name and the gradebook
URL before anything runs, puts the students in one work queue (largest submissions first)
that N worker processes (:mod:`.worker`) take from as each becomes free, shows a progress
bar, and reports every student's score and every failure with its reason. Each run keeps its
logs in the course directory: ``logs/autograde/<assignment>/<UTC time>/`` holds
``report.txt``, ``worker-<pid>.log`` and, per student, ``students/<id>.log``.
"""

from __future__ import annotations

import contextlib
import copy
import fnmatch
import multiprocessing
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from ..nbgrader_plugins import gradebook_url, names, preflight
from . import worker
from .course_config import Course
from .nbgrader_run import put_on_path
from .worker import Job, Result

if TYPE_CHECKING:  # pragma: no cover
    from nbgrader.apps import AutogradeApp
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config import Config


def default_workers() -> int:
    """One worker more than there are cores. A grading process spends part of its time
    waiting (for its kernel to start, for the disk, for the gradebook), and the spare
    worker fills those gaps: on 2 cores, 3 workers grade a class of 60 about 10% faster
    than 2 (benchmarks/bench_class.py)."""
    return (os.cpu_count() or 1) + 1


class Refused(Exception):
    """The command cannot start: bad names, no submissions, a gradebook that cannot work.
    Nothing was graded or written."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class CourseSettings:
    """The course as ``nbgrader autograde <assignment> <options>`` sees it."""

    course: Course  # root, course id, gradebook, nbgrader's whole configuration
    coursedir: CourseDirectory  # nbgrader's, for its folder names and format_path
    force: bool = False
    create: bool = True

    @classmethod
    def of(cls, app: AutogradeApp) -> CourseSettings:
        """The settings of an initialized ``AutogradeApp`` (config files, then options)."""
        from nbgrader.converters import Autograde

        converter = Autograde(coursedir=app.coursedir, parent=app)  # force, create as set
        return cls(Course.of(app), app.coursedir, bool(converter.force),
                   bool(converter.create_student))

    @classmethod
    def load(cls, root: Path, argv: list[str]) -> CourseSettings:
        """Read the course in ``root`` as ``nbgrader autograde <argv>`` run there would."""
        from nbgrader.apps import AutogradeApp

        app = AutogradeApp()
        with contextlib.chdir(root):
            app.initialize(argv)
        app.deinit_logging()  # no shared logs/nbgrader.log: this run keeps its own logs
        return cls.of(app)

    @property
    def root(self) -> Path:
        return self.course.root

    @property
    def submitted(self) -> str:
        return self.coursedir.submitted_directory

    @property
    def student_pattern(self) -> str:
        return self.coursedir.student_id or "*"

    @property
    def excluded(self) -> frozenset[str]:
        return frozenset(filter(None, self.coursedir.student_id_exclude.split(",")))

    def path(self, step: str, student: str, assignment: str) -> Path:
        """Where nbgrader keeps a student's assignment at ``step`` (submitted, autograded)."""
        return Path(self.coursedir.format_path(step, student, assignment))

    def submitters(self, assignment: str) -> list[str]:
        """Every folder of submitted/ that holds this assignment (bad names included)."""
        base = self.root / self.submitted
        if not base.is_dir():
            return []
        return sorted(p.name for p in base.iterdir()
                      if p.is_dir() and self.path(self.submitted, p.name, assignment).is_dir())

    def selected(self, everyone: list[str]) -> list[str]:
        """Those ``--student`` (a file pattern, as in nbgrader) selects, minus the excluded."""
        return [s for s in everyone if fnmatch.fnmatchcase(s, self.student_pattern)
                and s not in self.excluded]

    def is_graded(self, student: str, assignment: str) -> bool:
        """True when every submitted notebook has an autograded copy."""
        src = self.path(self.submitted, student, assignment)
        dest = self.path(self.coursedir.autograded_directory, student, assignment)
        notebooks = [p.name for p in src.glob("*.ipynb")]
        return bool(notebooks) and all((dest / n).exists() for n in notebooks)

    @property
    def worker_db_url(self) -> str:
        """The gradebook URL for workers: sqlite waits for a lock instead of failing."""
        url = self.course.db_url
        if url.startswith("sqlite") and "timeout=" not in url:
            return url + ("&" if "?" in url else "?") + "timeout=120"
        return url

    def worker_config(self) -> Config:
        """nbgrader's configuration for the workers: the parent's, with the course root and
        the waiting gradebook URL made explicit."""
        config = copy.deepcopy(self.course.config)
        config.CourseDirectory.root = str(self.root)
        config.CourseDirectory.db_url = self.worker_db_url
        return config


@dataclass
class Outcome:
    """How grading went for one student."""

    student: str
    graded: bool
    score: float | None = None
    max_score: float | None = None
    errors: list[str] = field(default_factory=list)
    skipped: bool = False
    notes: list[str] = field(default_factory=list)  # files left out, time budget used up


def queue_order(students: Iterable[str], sizes: dict[str, int]) -> list[str]:
    """Each student once, largest submissions first (size stands in for time), so that the
    last submissions to start are short ones."""
    return sorted(set(students), key=lambda s: (-sizes.get(s, 0), s))


def in_queue(executor: Executor, grade: Callable[[Job], Result], jobs: list[Job]
             ) -> Iterator[tuple[Job, Result | BaseException]]:
    """Hand every job to whichever worker of ``executor`` is free next; yield each job with
    its result (or what stopped it) as it finishes."""
    futures = {executor.submit(grade, job): job for job in jobs}
    for future in as_completed(futures):
        error = future.exception()
        yield futures[future], error if error is not None else future.result()


def prepare(settings: CourseSettings, assignment: str) -> tuple[list[str], dict[str, str]]:
    """The students to grade and the students refused for an unsafe id (with the reason),
    after every check; raises :class:`Refused` when nothing can be graded."""
    problems = names.bad_names("assignment", [assignment])
    if settings.student_pattern != "*":
        problems += names.bad_names("--student", [settings.student_pattern], pattern=True)
    if problems:
        raise Refused(problems)
    everyone = settings.submitters(assignment)
    selected = settings.selected(everyone)
    unsafe = {s: f"not graded: the student id {s!r} {names.problem(s)}; rename the folder "
                 f"{settings.submitted}/{s}/ (and the student in the gradebook), then grade "
                 "it again" for s in selected if names.problem(s)}
    students = [s for s in selected if s not in unsafe]
    if not selected:
        which = "" if settings.student_pattern == "*" else \
            f" by a student matching {settings.student_pattern!r}"
        raise Refused([f"no submissions of {assignment!r}{which} in "
                       f"{settings.root / settings.submitted}"])
    try:
        gradebook_url.check(settings.course.db_url, "gradebook URL (CourseDirectory.db_url)")
    except gradebook_url.GradebookURLError as error:
        raise Refused([str(error)]) from None
    found = preflight.problems(settings.course.config)  # once, before any worker starts
    if found:
        raise Refused(["nothing was graded and no earlier grading was removed", *found])
    if not _knows_assignment(settings, assignment):
        raise Refused([f"the gradebook {gradebook_url.redact(settings.course.db_url)} has no "
                       f"assignment {assignment!r}: run `nbgrader generate_assignment "
                       f"{assignment}` first (it records the assignment's cells)"])
    return students, unsafe


def _knows_assignment(settings: CourseSettings, assignment: str) -> bool:
    """True when the gradebook holds the assignment (nbgrader's Gradebook creates an empty
    gradebook if there is none, as nbgrader autograde would)."""
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(settings.worker_db_url, settings.course.course_id) as gb:
        try:
            gb.find_assignment(assignment)
        except MissingEntry:
            return False
    return True


def run(settings: CourseSettings, assignment: str, workers: int | None = None,
        out: TextIO = sys.stderr, retries: int = 2, students: list[str] | None = None
        ) -> tuple[list[Outcome], Path]:
    """Autograde the submissions of ``assignment`` with ``workers`` processes; returns the
    outcomes and the run's log folder. ``students`` skips the discovery and the checks of
    :func:`prepare` (for tests of the work queue)."""
    put_on_path()
    unsafe: dict[str, str] = {}
    if students is None:
        students, unsafe = prepare(settings, assignment)
    log_dir = _new_log_dir(settings.root, assignment)
    (log_dir / "students").mkdir()
    refused = [Outcome(s, False, errors=[reason]) for s, reason in unsafe.items()]
    if not students:
        return refused, log_dir
    workers = max(1, min(workers or default_workers(), len(set(students))))
    _register_students(settings, students)
    sizes = {s: sum(p.lstat().st_size for p in
                    settings.path(settings.submitted, s, assignment).glob("*.ipynb"))
             for s in students}
    jobs = [Job(assignment, s, settings.force, settings.create, retries)
            for s in queue_order(students, sizes)]
    results = _grade(jobs, settings, log_dir, workers, out)
    return sorted(_outcomes(settings, assignment, results) + refused,
                  key=lambda o: o.student), log_dir


def _new_log_dir(root: Path, assignment: str) -> Path:
    """``logs/autograde/<assignment>/<UTC time>[-n]``, new for every run."""
    base = root / "logs" / "autograde" / assignment
    base.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H-%M-%SZ")
    for n in range(1, 1000):
        path = base / (stamp if n == 1 else f"{stamp}-{n}")
        try:
            path.mkdir()
        except FileExistsError:
            continue
        return path
    raise RuntimeError(f"cannot create a log folder in {base}")  # pragma: no cover


def _register_students(settings: CourseSettings, students: list[str]) -> None:
    """Create missing students before the workers start, so they do not race to."""
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(settings.worker_db_url, settings.course.course_id) as gb:
        for s in students:
            try:
                gb.find_student(s)
            except MissingEntry:
                if settings.create:
                    gb.add_student(s)


def _grade(jobs: list[Job], settings: CourseSettings, log_dir: Path, workers: int,
           out: TextIO) -> dict[str, Result | BaseException]:
    """Grade every job in a pool of worker processes, showing progress as each finishes."""
    context = multiprocessing.get_context("spawn")  # a fresh interpreter: no shared sockets
    pool = ProcessPoolExecutor(workers, mp_context=context, initializer=worker.start,
                               initargs=(settings.worker_config(), str(settings.root),
                                         str(log_dir)))
    results: dict[str, Result | BaseException] = {}
    started, graded = time.monotonic(), 0
    _progress(out, 0, 0, len(jobs), workers, 0.0)
    try:
        for job, result in in_queue(pool, worker.grade, jobs):
            results[job.student] = result
            graded += isinstance(result, Result) and result.success
            _progress(out, graded, len(results) - graded, len(jobs), workers,
                      time.monotonic() - started)
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        for proc in list((getattr(pool, "_processes", None) or {}).values()):
            proc.terminate()  # Python 3.14 has pool.terminate_workers() for this
        out.write(f"\ninterrupted; the logs so far are in {log_dir}\n")
        raise
    pool.shutdown()
    out.write("\n")
    return results


def _outcomes(settings: CourseSettings, assignment: str,
              results: dict[str, Result | BaseException]) -> list[Outcome]:
    """Each student's outcome: the worker's result, the autograded files, the gradebook."""
    from nbgrader.api import Gradebook, MissingEntry

    outcomes = []
    with Gradebook(settings.worker_db_url, settings.course.course_id) as gb:
        for s, result in sorted(results.items()):
            outcome = Outcome(s, False, notes=list(getattr(result, "notes", [])))
            if not isinstance(result, Result):
                outcome.errors = [f"a worker process stopped before this submission was "
                                  f"graded ({type(result).__name__}: {result}): see the "
                                  "worker-*.log files"]
            elif not result.success:
                outcome.errors = [result.reason, *result.errors]
            elif not settings.is_graded(s, assignment):
                outcome.errors = ["nbgrader reported success but wrote no autograded "
                                  f"notebook: see students/{s}.log"]
            else:
                outcome.graded, outcome.skipped = True, result.skipped
            try:
                sub = gb.find_submission(assignment, s)
                outcome.score, outcome.max_score = sub.score, sub.max_score
            except MissingEntry:
                pass
            outcomes.append(outcome)
    return outcomes


def _progress(out: TextIO, graded: int, failed: int, total: int, workers: int,
              seconds: float) -> None:
    """One progress line: redrawn in place on a terminal, a new line otherwise."""
    width = 30
    done = graded + failed
    filled = int(width * done / total) if total else width
    line = (f"[{'#' * filled}{'.' * (width - filled)}] {graded}/{total} graded"
            f"{f', {failed} failed' if failed else ''} "
            f"({workers} worker{'s' if workers != 1 else ''}, {seconds:.0f} s)")
    out.write(f"\r{line}" if out.isatty() else f"{line}\n")
    out.flush()


def report(outcomes: list[Outcome], out: TextIO = sys.stdout,
           log_dir: Path | None = None) -> int:
    """Print the per-student summary and the failures (and save it as report.txt in the
    run's log folder); return the exit code."""
    lines = _report_lines(outcomes, log_dir)
    text = "\n".join(lines) + "\n"
    out.write(text)
    if log_dir is not None:
        (log_dir / "report.txt").write_text(text, encoding="utf-8")
    return 1 if any(not o.graded for o in outcomes) else 0


def graded_line(outcomes: list[Outcome]) -> str:
    """What this run really graded: those graded now, apart from those left as they were."""
    before = sum(o.skipped for o in outcomes)
    now = len(outcomes) - before
    if not before:
        return f"all {now} submission{'s' if now != 1 else ''} graded"
    return (f"{now} submission{'s' if now != 1 else ''} graded now; {before} graded before "
            "and not regraded (--force regrades)")


def _report_lines(outcomes: list[Outcome], log_dir: Path | None) -> list[str]:
    width = max([len(o.student) for o in outcomes] + [7])
    lines = [f"{'student':<{width}}  {'score':>7}  {'max':>5}  status"]
    for o in outcomes:
        score = f"{o.score:g}" if o.graded and o.score is not None else "-"
        maximum = f"{o.max_score:g}" if o.max_score is not None else "-"
        status = ("graded before (not regraded; --force regrades)" if o.skipped else "graded") \
            if o.graded else "FAILED"
        lines.append(f"{o.student:<{width}}  {score:>7}  {maximum:>5}  {status}")
    noted = [o for o in outcomes if o.notes]
    if noted:
        lines += ["", "Notes (the student's feedback says the same):"]
        lines += [f"  - {o.student}: {note}" for o in noted for note in o.notes[:10]]
    failed = [o for o in outcomes if not o.graded]
    if failed:
        lines += ["", f"{len(failed)} submission(s) could not be graded:"]
        lines += [f"  - {o.student}: {o.errors[0] if o.errors else 'unknown error'}"
                  for o in failed]
        lines += ["They have no grade (`nbgrader export` marks them NOT GRADED; a 0 in the "
                  "formgrader is not a grade).", "Fix each one (or grade it by hand), then "
                  "grade it again: deepfake-ethics autograde <assignment> --student <id> "
                  "--force"]
        if log_dir is not None:
            lines.append(f"Each one's full log: {log_dir / 'students'}/<id>.log")
    else:
        lines += ["", graded_line(outcomes)]
    if log_dir is not None:
        lines.append(f"logs of this run: {log_dir}")
    return lines
