"""Autograde a class in parallel with nbgrader's own ``autograde`` command.

nbgrader grades one submission after another (nbgrader issue #174). This module shares
the students among N worker processes, each running ``nbgrader autograde`` on its share
(the other students are excluded with ``--CourseDirectory.student_id_exclude``), shows a
progress bar, retries a student whose grading lost a race for a sqlite gradebook
("database is locked"), and reports every student's score and every failure.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from .nbgrader_run import nbgrader_command, nbgrader_env


def default_workers() -> int:
    """One worker more than there are cores. A grading process spends part of its time
    waiting (for its kernel to start, for the disk, for the gradebook), and the spare
    worker fills those gaps: on 2 cores, 3 workers grade a class of 60 about 10% faster
    than 2 (benchmarks/bench_class.py)."""
    return (os.cpu_count() or 1) + 1


LOCKED = re.compile(r"database is locked", re.I)
EXCEPTION = re.compile(r"^\s*[\w.]+(Error|Exception): ")


@dataclass
class Course:
    """What the workers need to know about the course directory."""

    root: Path
    db_url: str
    submitted: str
    autograded: str
    course_id: str

    @classmethod
    def load(cls, root: Path, extra_args: list[str]) -> Course:
        """Read ./nbgrader_config.py (and any --Class.trait=value overrides)."""
        from nbgrader.coursedir import CourseDirectory
        from traitlets.config import Config
        from traitlets.config.loader import KVArgParseConfigLoader, PyFileConfigLoader

        config = Config()
        if (root / "nbgrader_config.py").exists():
            config.merge(PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config())
        overrides = [a for a in extra_args if a.startswith("--") and "=" in a and "." in a]
        if overrides:
            config.merge(KVArgParseConfigLoader(overrides).load_config())
        coursedir = CourseDirectory(config=config)
        if not coursedir.root:
            coursedir.root = str(root)
        db_url = coursedir.db_url or f"sqlite:///{Path(coursedir.root) / 'gradebook.db'}"
        return cls(Path(coursedir.root), db_url, coursedir.submitted_directory,
                   coursedir.autograded_directory, coursedir.course_id)

    def students(self, assignment: str) -> list[str]:
        """Students with a submission of this assignment in submitted/."""
        base = self.root / self.submitted
        return sorted(p.parent.name for p in base.glob(f"*/{assignment}") if p.is_dir()) \
            if base.exists() else []

    def is_graded(self, student: str, assignment: str) -> bool:
        """True when every submitted notebook has an autograded copy."""
        src = self.root / self.submitted / student / assignment
        dest = self.root / self.autograded / student / assignment
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


def share(students: list[str], sizes: dict[str, int], workers: int) -> list[list[str]]:
    """Split students into balanced shares: largest submissions first, each to the
    least-loaded worker (submission size stands in for grading time)."""
    shares: list[list[str]] = [[] for _ in range(max(1, workers))]
    load = [0] * len(shares)
    for student in sorted(students, key=lambda s: (-sizes.get(s, 0), s)):
        i = load.index(min(load))
        shares[i].append(student)
        load[i] += sizes.get(student, 0) + 1
    return [s for s in shares if s]


def _command(assignment: str, course: Course, everyone: list[str], mine: list[str],
             extra_args: list[str]) -> list[str]:
    excluded = sorted(set(everyone) - set(mine))
    cmd = nbgrader_command("autograde", assignment,
                           f"--CourseDirectory.db_url={course.worker_db_url}")
    if excluded:
        cmd.append(f"--CourseDirectory.student_id_exclude={','.join(excluded)}")
    return cmd + extra_args


def _errors_by_student(log: str, students: list[str]) -> dict[str, list[str]]:
    """Error lines of an nbgrader log, each given to the student whose folder was named
    last (nbgrader names the submission it is working on before it reports an error)."""
    alternatives = "|".join(map(re.escape, students))
    named = re.compile(rf"[/\\]({alternatives})[/\\]")
    found: dict[str, list[str]] = {}
    current = None
    for line in log.splitlines():
        match = named.search(line + "/")
        if match:
            current = match.group(1)
        quoted = re.search(r"for student '([^']+)'", line)
        if quoted and quoted.group(1) in students:
            current = quoted.group(1)
        if current and ("ERROR" in line or LOCKED.search(line) or EXCEPTION.match(line)):
            found.setdefault(current, []).append(line.strip())
    return found


def _reason(errors: list[str]) -> str:
    """The most telling line: the exception nbgrader met, else its first error line."""
    exceptions = [e for e in errors if EXCEPTION.match(e)]
    if exceptions:
        return exceptions[-1]
    return errors[0] if errors else "unknown error"


def run(assignment: str, workers: int | None = None, extra_args: list[str] | None = None,
        root: Path | None = None, out: TextIO = sys.stderr, retries: int = 2) -> list[Outcome]:
    """Autograde every submission of ``assignment`` with ``workers`` processes."""
    extra = list(extra_args or [])
    root = (root or Path.cwd()).resolve()
    course = Course.load(root, extra)
    students = course.students(assignment)
    if not students:
        raise SystemExit(f"no submissions of '{assignment}' in {root / course.submitted}")
    workers = max(1, min(workers or default_workers(), len(students)))
    _register_students(course, students)
    sizes = {s: sum(p.stat().st_size for p in
                    (root / course.submitted / s / assignment).rglob("*.ipynb"))
             for s in students}
    logs: dict[str, str] = {}
    todo = students
    for attempt in range(retries + 1):
        shares = share(todo, sizes, workers if attempt == 0 else 1)
        logs_now = _run_workers(assignment, course, students, shares, extra, out)
        for text in logs_now:
            for s, lines in _errors_by_student(text, students).items():
                logs[s] = "\n".join(lines)
        locked = [s for s in todo if not course.is_graded(s, assignment)
                  and LOCKED.search(logs.get(s, ""))]
        if not locked:
            break
        out.write(f"retrying {len(locked)} submission(s) that met a locked gradebook\n")
        todo = locked
    return _outcomes(course, assignment, students, logs)


def _register_students(course: Course, students: list[str]) -> None:
    """Create missing students before the workers start, so they do not race to."""
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(course.worker_db_url, course.course_id) as gb:
        for s in students:
            try:
                gb.find_student(s)
            except MissingEntry:
                gb.add_student(s)


def _run_workers(assignment: str, course: Course, everyone: list[str],
                 shares: list[list[str]], extra: list[str], out: TextIO) -> list[str]:
    total = sum(len(s) for s in shares)
    mine = [s for part in shares for s in part]
    with tempfile.TemporaryDirectory(prefix="autograde-logs-") as tmp:
        procs = []
        for i, part in enumerate(shares):
            log = open(Path(tmp) / f"worker-{i}.log", "w+", encoding="utf-8")  # noqa: SIM115
            procs.append((subprocess.Popen(
                _command(assignment, course, everyone, part, extra), cwd=course.root,
                env=nbgrader_env(), stdout=log, stderr=subprocess.STDOUT), log))
        started, shown = time.monotonic(), -1
        while True:
            running = any(p.poll() is None for p, _ in procs)
            done = sum(course.is_graded(s, assignment) for s in mine)
            if done != shown or not running:
                _progress(out, done, total, len(procs), time.monotonic() - started)
                shown = done
            if not running:
                break
            time.sleep(0.5)
        out.write("\n")
        texts = []
        for _, log in procs:
            log.seek(0)
            texts.append(log.read())
            log.close()
    return texts


def _progress(out: TextIO, done: int, total: int, workers: int, seconds: float) -> None:
    """One progress line: redrawn in place on a terminal, a new line otherwise."""
    width = 30
    filled = int(width * done / total) if total else width
    line = (f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total} graded "
            f"({workers} worker{'s' if workers != 1 else ''}, {seconds:.0f} s)")
    out.write(f"\r{line}" if out.isatty() else f"{line}\n")
    out.flush()


def _outcomes(course: Course, assignment: str, students: list[str],
              logs: dict[str, str]) -> list[Outcome]:
    from nbgrader.api import Gradebook, MissingEntry

    outcomes = []
    with Gradebook(course.worker_db_url, course.course_id) as gb:
        for s in students:
            graded = course.is_graded(s, assignment)
            outcome = Outcome(s, graded, errors=logs.get(s, "").splitlines() if not graded
                              else [])
            try:
                sub = gb.find_submission(assignment, s)
                outcome.score, outcome.max_score = sub.score, sub.max_score
            except MissingEntry:
                pass
            if not graded and not outcome.errors:
                outcome.errors = ["no autograded notebook was written (see nbgrader's log)"]
            outcomes.append(outcome)
    return outcomes


def report(outcomes: list[Outcome], out: TextIO = sys.stdout) -> int:
    """Print the per-student summary and the failures; return the exit code."""
    width = max([len(o.student) for o in outcomes] + [7])
    out.write(f"{'student':<{width}}  {'score':>7}  {'max':>5}  status\n")
    for o in outcomes:
        score = f"{o.score:g}" if o.graded and o.score is not None else "-"
        maximum = f"{o.max_score:g}" if o.max_score is not None else "-"
        out.write(f"{o.student:<{width}}  {score:>7}  {maximum:>5}  "
                  f"{'graded' if o.graded else 'FAILED'}\n")
    failed = [o for o in outcomes if not o.graded]
    if failed:
        out.write(f"\n{len(failed)} submission(s) could not be graded:\n")
        for o in failed:
            out.write(f"  - {o.student}: {_reason(o.errors)}\n")
    else:
        out.write(f"\nall {len(outcomes)} submissions graded\n")
    return 1 if failed else 0
