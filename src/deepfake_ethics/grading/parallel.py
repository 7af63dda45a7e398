"""Autograde a class in parallel with nbgrader's own autograde.

nbgrader grades one submission after another (nbgrader issue #174). This module reads the
course's configuration as ``nbgrader autograde`` does, checks every name and the gradebook
URL before anything runs, shares the students among N worker processes (each gets an
explicit list: :mod:`.worker`), shows a progress bar, and reports every student's score
and every failure with its reason. Each run keeps its logs in the course directory:
``logs/autograde/<assignment>/<UTC time>/`` holds ``report.txt``, ``worker-<n>.log`` and,
per student, ``students/<id>.log`` and ``students/<id>.json``.
"""

from __future__ import annotations

import contextlib
import fnmatch
import multiprocessing
import os
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from . import gradebook_url, names
from .nbgrader_run import put_on_path
from .worker import Job, read_result

if TYPE_CHECKING:  # pragma: no cover
    from nbgrader.coursedir import CourseDirectory


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

    root: Path
    db_url: str
    submitted: str
    autograded: str
    course_id: str
    student_pattern: str = "*"
    excluded: frozenset[str] = frozenset()
    force: bool = False
    create: bool = True
    formatter: CourseDirectory | None = None  # nbgrader's, for its format_path

    @classmethod
    def load(cls, root: Path, assignment: str, extra_args: list[str]) -> CourseSettings:
        """Read the configuration with nbgrader's own AutogradeApp: config files, the
        course's nbgrader_config.py in ``root``, then ``extra_args`` (``--force``,
        ``--student X``, ``--CourseDirectory.db_url=...``, ...)."""
        from nbgrader.apps import AutogradeApp
        from nbgrader.converters import Autograde

        app = AutogradeApp()
        with contextlib.chdir(root):  # as if run there: nbgrader also reads ./nbgrader_config.py
            app.initialize([assignment, *extra_args], root=str(root))
        app.deinit_logging()
        if app.extra_args != [assignment]:
            unexpected = [a for a in app.extra_args if a != assignment]
            raise Refused([f"unexpected argument(s) {unexpected}: give the assignment once, "
                           "before the options"])
        coursedir = app.coursedir
        converter = Autograde(coursedir=coursedir, parent=app)  # force, create as configured
        excluded = frozenset(filter(None, coursedir.student_id_exclude.split(",")))
        return cls(Path(coursedir.root), coursedir.db_url or
                   f"sqlite:///{Path(coursedir.root) / 'gradebook.db'}",
                   coursedir.submitted_directory, coursedir.autograded_directory,
                   coursedir.course_id, coursedir.student_id or "*", excluded,
                   bool(converter.force), bool(converter.create_student), coursedir)

    def path(self, step: str, student: str, assignment: str) -> Path:
        """Where nbgrader keeps a student's assignment at ``step`` (submitted, autograded)."""
        if self.formatter is not None:
            return Path(self.formatter.format_path(step, student, assignment))
        return self.root / step / student / assignment

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
        dest = self.path(self.autograded, student, assignment)
        notebooks = [p.name for p in src.glob("*.ipynb")]
        return bool(notebooks) and all((dest / n).exists() for n in notebooks)

    @property
    def worker_db_url(self) -> str:
        """The gradebook URL for workers: sqlite waits for a lock instead of failing."""
        if self.db_url.startswith("sqlite") and "timeout=" not in self.db_url:
            return self.db_url + ("&" if "?" in self.db_url else "?") + "timeout=120"
        return self.db_url


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


def share(students: list[str], sizes: dict[str, int], workers: int) -> list[list[str]]:
    """Split students into balanced shares, each student in exactly one: largest
    submissions first, each to the least-loaded worker (size stands in for time)."""
    shares: list[list[str]] = [[] for _ in range(max(1, workers))]
    load = [0] * len(shares)
    for student in sorted(set(students), key=lambda s: (-sizes.get(s, 0), s)):
        i = load.index(min(load))
        shares[i].append(student)
        load[i] += sizes.get(student, 0) + 1
    return [s for s in shares if s]


def prepare(assignment: str, extra_args: list[str], root: Path
            ) -> tuple[CourseSettings, list[str], dict[str, str]]:
    """The course, the students to grade and the students refused for an unsafe id (with
    the reason), after every check; raises :class:`Refused` when nothing can be graded."""
    problems = names.bad_names("assignment", [assignment])
    problems += names.bad_names("--student", _student_options(extra_args), pattern=True)
    if problems:
        raise Refused(problems)
    try:
        course = CourseSettings.load(root, assignment, extra_args)
    except gradebook_url.GradebookURLError as error:
        raise Refused([str(error)]) from None
    everyone = course.submitters(assignment)
    selected = course.selected(everyone)
    unsafe = {s: f"not graded: the student id {s!r} {names.problem(s)}; rename the folder "
                 f"{course.submitted}/{s}/ (and the student in the gradebook), then grade "
                 "it again" for s in selected if names.problem(s)}
    students = [s for s in selected if s not in unsafe]
    if not selected:
        which = "" if course.student_pattern == "*" else \
            f" by a student matching {course.student_pattern!r}"
        raise Refused([f"no submissions of {assignment!r}{which} in "
                       f"{course.root / course.submitted}"])
    try:
        gradebook_url.check(course.db_url, "gradebook URL (CourseDirectory.db_url)")
    except gradebook_url.GradebookURLError as error:
        raise Refused([str(error)]) from None
    if not _knows_assignment(course, assignment):
        raise Refused([f"the gradebook {gradebook_url.redact(course.db_url)} has no assignment "
                       f"{assignment!r}: run `nbgrader generate_assignment {assignment}` "
                       "first (it records the assignment's cells)"])
    return course, students, unsafe


def _knows_assignment(course: CourseSettings, assignment: str) -> bool:
    """True when the gradebook holds the assignment (nbgrader's Gradebook creates an empty
    gradebook if there is none, as nbgrader autograde would)."""
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(course.worker_db_url, course.course_id) as gb:
        try:
            gb.find_assignment(assignment)
        except MissingEntry:
            return False
    return True


def _student_options(args: list[str]) -> list[str]:
    """Values given to ``--student`` / ``--CourseDirectory.student_id`` on the command line."""
    keys = ("--student", "--CourseDirectory.student_id")
    found = []
    for i, arg in enumerate(args):
        key, eq, value = arg.partition("=")
        if key in keys:
            found.append(value if eq else (args[i + 1] if i + 1 < len(args) else ""))
    return found


def run(assignment: str, workers: int | None = None, extra_args: list[str] | None = None,
        root: Path | None = None, out: TextIO = sys.stderr, retries: int = 2,
        students: list[str] | None = None) -> tuple[list[Outcome], Path]:
    """Autograde the submissions of ``assignment`` with ``workers`` processes; returns the
    outcomes and the run's log folder. ``students`` skips the discovery and the checks of
    :func:`prepare` (for tests of the worker lists)."""
    extra = list(extra_args or [])
    root = (root or Path.cwd()).resolve()
    put_on_path()
    unsafe: dict[str, str] = {}
    if students is None:
        course, students, unsafe = prepare(assignment, extra, root)
    else:
        course = CourseSettings.load(root, assignment, extra)
    log_dir = _new_log_dir(course.root, assignment)
    refused = [Outcome(s, False, errors=[reason]) for s, reason in unsafe.items()]
    if not students:
        return refused, log_dir
    workers = max(1, min(workers or default_workers(), len(students)))
    _register_students(course, students)
    sizes = {s: sum(p.lstat().st_size for p in
                    course.path(course.submitted, s, assignment).glob("*.ipynb"))
             for s in students}
    shares = share(students, sizes, workers)
    jobs = [Job(i, str(course.root), assignment, extra, part, str(log_dir),
                course.worker_db_url, course.force, course.create, retries)
            for i, part in enumerate(shares)]
    exit_codes = _run_workers(jobs, course, assignment, out)
    outcomes = _outcomes(course, assignment, jobs, exit_codes, log_dir)
    return sorted(outcomes + refused, key=lambda o: o.student), log_dir


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


def _register_students(course: CourseSettings, students: list[str]) -> None:
    """Create missing students before the workers start, so they do not race to."""
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(course.worker_db_url, course.course_id) as gb:
        for s in students:
            try:
                gb.find_student(s)
            except MissingEntry:
                if course.create:
                    gb.add_student(s)


def _run_workers(jobs: list[Job], course: CourseSettings, assignment: str,
                 out: TextIO) -> dict[int, int | None]:
    """Start one process per job, show progress until all have ended; their exit codes."""
    from . import worker

    context = multiprocessing.get_context("spawn")  # a fresh interpreter: no shared sockets
    procs = [context.Process(target=worker.main, args=(job,), name=f"autograde-{job.index}")
             for job in jobs]
    log_dir = Path(jobs[0].log_dir)
    total = sum(len(job.students) for job in jobs)
    started, shown = time.monotonic(), None
    try:
        for proc in procs:
            proc.start()
        while True:
            running = any(p.is_alive() for p in procs)
            results = [read_result(log_dir, s) for job in jobs for s in job.students]
            done = [r for r in results if r is not None]
            state = (sum(r.success for r in done), len(done) - sum(r.success for r in done))
            if state != shown:  # read after `running`: the last reading is final
                _progress(out, *state, total, len(procs), time.monotonic() - started)
                shown = state
            if not running:
                break
            time.sleep(0.5)
    except BaseException:
        for proc in procs:
            if proc.is_alive():
                proc.terminate()
        for proc in procs:
            proc.join(timeout=30)
        out.write(f"\ninterrupted; the logs so far are in {log_dir}\n")
        raise
    for proc in procs:
        proc.join()
    out.write("\n")
    return {job.index: proc.exitcode for job, proc in zip(jobs, procs, strict=True)}


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


def _outcomes(course: CourseSettings, assignment: str, jobs: list[Job],
              exit_codes: dict[int, int | None], log_dir: Path) -> list[Outcome]:
    """Each student's outcome: the worker's result, the autograded files, the gradebook."""
    from nbgrader.api import Gradebook, MissingEntry

    outcomes = []
    with Gradebook(course.worker_db_url, course.course_id) as gb:
        for job in jobs:
            for s in job.students:
                result = read_result(log_dir, s)
                outcome = Outcome(s, False, notes=list(result.notes) if result else [])
                if result is None:
                    outcome.errors = [f"worker {job.index} stopped (exit code "
                                      f"{exit_codes.get(job.index)}) before grading this "
                                      f"submission: see worker-{job.index}.log"]
                elif not result.success:
                    outcome.errors = [result.reason, *result.errors]
                elif not course.is_graded(s, assignment):
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
    return sorted(outcomes, key=lambda o: o.student)


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
        lines += ["", f"all {len(outcomes)} submissions graded"]
    if log_dir is not None:
        lines.append(f"logs of this run: {log_dir}")
    return lines
