"""The ``deepfake-ethics`` command: course tools for instructors, as traitlets applications.

    deepfake-ethics autograde ASSIGNMENT [--workers N] [nbgrader autograde options...]
    deepfake-ethics new-course DIR [--assignment NAME ...] [--from REPOSITORY]
    deepfake-ethics lab [jupyter lab options...]
    deepfake-ethics backup [--to FILE]
    deepfake-ethics restore FILE

``autograde`` is nbgrader's ``AutogradeApp`` with a ``workers`` setting: it runs in the
course directory and reads the configuration and options exactly as ``nbgrader autograde``
does (``--force``, ``--student ID``, ``--Execute.timeout=60``, ...), and
``c.ParallelAutogradeApp.workers`` may be set in nbgrader_config.py. ``new-course`` makes a
private course directory for a graded class, and ``lab`` opens an instructor's JupyterLab
in a course directory (its Formgrader and class dashboard).
"""

from __future__ import annotations

import sys

from nbgrader.apps import AutogradeApp
from traitlets import Integer, List, Unicode, default
from traitlets.config import Application


class ParallelAutogradeApp(AutogradeApp):
    """``nbgrader autograde`` with the class graded by several worker processes."""

    name = "deepfake-ethics-autograde"
    description = ("Autograde every submission of an assignment with nbgrader's autograde, "
                   "in a work queue shared by N worker processes. Logs are kept in "
                   "logs/autograde/<assignment>/<time>/.")
    examples = """
        deepfake-ethics autograde a02-legal-aspects --workers 4
        deepfake-ethics autograde a02-legal-aspects --student s001 --force
    """
    aliases = {**AutogradeApp.aliases, ("j", "workers"): "ParallelAutogradeApp.workers"}

    workers = Integer(min=1, config=True, help="Worker processes (default: one more than the "
                                        "number of cores).")

    @default("workers")
    def _default_workers(self) -> int:
        from .instructor.parallel import default_workers

        return default_workers()

    def initialize(self, argv: list[str] | None = None) -> None:
        super().initialize(argv)
        self.deinit_logging()  # no shared logs/nbgrader.log: each run keeps its own logs

    def start(self) -> None:
        """Grade the class (not nbgrader's serial start), report, exit with its code."""
        from .instructor.parallel import CourseSettings, Refused, report, run

        try:
            outcomes, log_dir = run(CourseSettings.of(self), self._assignment(), self.workers)
        except Refused as refused:
            print("deepfake-ethics autograde: nothing was graded:", file=sys.stderr)
            for problem in refused.problems:
                print(f"  - {problem}", file=sys.stderr)
            self.exit(2)
        except KeyboardInterrupt:  # the workers are stopped; where their logs are was printed
            self.exit(130)
        self.exit(report(outcomes, log_dir=log_dir))

    def _assignment(self) -> str:
        """The assignment, given once: as the argument or as ``--assignment``."""
        from .instructor.parallel import Refused

        given = [*self.extra_args, *filter(None, [self.coursedir.assignment_id])]
        if len(given) != 1:
            raise Refused([f"give the assignment once, not {given}"])
        return given[0]


class NewCourseApp(Application):
    """``deepfake-ethics new-course DIR``."""

    name = "deepfake-ethics-new-course"
    description = ("Copy source/ (solutions, answer keys, marking schemes), header.ipynb and "
                   "nbgrader_config.py from a copy of this repository into DIR (which must "
                   "not exist, or be empty), and create an empty gradebook there with "
                   "nbgrader.")
    aliases = {("a", "assignment"): "NewCourseApp.assignments", "from": "NewCourseApp.origin"}

    assignments = List(Unicode(), config=True,
                       help="Copy only these assignments (repeat --assignment; default: all).")
    origin = Unicode(".", config=True, help="The copy of the course repository to start "
                                            "from (default: the current folder).")

    def start(self) -> None:
        from pathlib import Path

        from .instructor.course import CourseError, new_course

        if len(self.extra_args) != 1:
            print(f"deepfake-ethics new-course: give one directory, not {self.extra_args}",
                  file=sys.stderr)
            self.exit(2)
        try:
            made = new_course(Path(self.extra_args[0]), Path(self.origin),
                              list(self.assignments) or None)
        except CourseError as error:
            print(f"deepfake-ethics new-course: {error}", file=sys.stderr)
            self.exit(2)
        print(made.summary())


class InstructorLabApp(Application):
    """``deepfake-ethics lab``: an instructor's JupyterLab in the course directory."""

    name = "deepfake-ethics-lab"
    description = ("Open JupyterLab in the course directory (the current folder, which holds "
                   "nbgrader_config.py) with an instructor's settings: Nbgrader -> Formgrader "
                   "grades this course, and the class dashboard opens first. Other options "
                   "go to `jupyter lab` (e.g. --port=8890 --no-browser).")
    examples = """
        cd ~/deepfake-ethics-2026 && deepfake-ethics lab
        deepfake-ethics lab --port=8890 --no-browser
    """

    def parse_command_line(self, argv: list[str] | None = None) -> None:
        self.lab_args = list(sys.argv[2:] if argv is None else argv)  # for `jupyter lab`

    def start(self) -> None:
        import os
        from pathlib import Path

        from .instructor.course import CONFIG, DASHBOARD, LAB_CONFIG

        course = Path.cwd()
        if not (course / CONFIG).is_file():
            print(f"deepfake-ethics lab: no {CONFIG} here: run it in a course directory (the "
                  "course repository, or a private copy made by new-course)", file=sys.stderr)
            self.exit(2)
        paths = [str(course / LAB_CONFIG), os.environ.get("JUPYTER_CONFIG_PATH", "")]
        env = {**os.environ, "JUPYTER_CONFIG_PATH": os.pathsep.join(filter(None, paths))}
        argv = [sys.executable, "-m", "jupyter", "lab", f"--ServerApp.root_dir={course}",
                "--ip=127.0.0.1"]
        if (course / DASHBOARD).is_file():
            argv.append(f"--LabApp.default_url=/lab/tree/{DASHBOARD.as_posix()}")
        if os.geteuid() == 0:
            argv.append("--allow-root")  # containers and CI machines run as root
        os.execve(sys.executable, [*argv, *self.lab_args], env)


class BackupApp(Application):
    """``deepfake-ethics backup [--to FILE]``."""

    name = "deepfake-ethics-backup"
    description = ("Back up the course's gradebook (the one nbgrader's configuration names, "
                   "SQLite or PostgreSQL) to a file, by default backups/gradebook-<time> in "
                   "the course directory.")
    aliases = {"to": "BackupApp.to"}
    to = Unicode("", config=True, help="The backup file (default: in backups/).")

    def start(self) -> None:
        from pathlib import Path

        from .instructor.backup import BackupError, backup
        from .instructor.course_config import find

        try:
            made = backup(find(), Path(self.to) if self.to else None)
        except BackupError as error:
            print(f"deepfake-ethics backup: {error}", file=sys.stderr)
            self.exit(2)
        print(f"gradebook backed up to {made}")


class RestoreApp(Application):
    """``deepfake-ethics restore FILE``."""

    name = "deepfake-ethics-restore"
    description = ("Put a backup made by `deepfake-ethics backup` back as the course's "
                   "gradebook; the gradebook it replaces is backed up first.")

    def start(self) -> None:
        from pathlib import Path

        from .instructor.backup import BackupError, restore
        from .instructor.course_config import find

        if len(self.extra_args) != 1:
            print("deepfake-ethics restore: give one backup file", file=sys.stderr)
            self.exit(2)
        try:
            kept = restore(find(), Path(self.extra_args[0]))
        except BackupError as error:
            print(f"deepfake-ethics restore: {error}; the gradebook is unchanged",
                  file=sys.stderr)
            self.exit(2)
        print(f"gradebook restored from {self.extra_args[0]}"
              + (f"; the one it replaced is kept in {kept}" if kept else ""))


class DeepfakeEthicsApp(Application):
    """``deepfake-ethics``: one of the subcommands."""

    name = "deepfake-ethics"
    description = __doc__
    subcommands = {
        "autograde": (ParallelAutogradeApp, "autograde every submission of an assignment "
                                            "in parallel"),
        "new-course": (NewCourseApp, "set up a private course directory for a graded class"),
        "lab": (InstructorLabApp, "an instructor's JupyterLab in the course directory "
                                  "(Formgrader, class dashboard)"),
        "backup": (BackupApp, "back up the course's gradebook to a file"),
        "restore": (RestoreApp, "put a gradebook backup back (the current one is kept)"),
    }

    def start(self) -> None:
        if self.subapp is None:
            self.print_subcommands()
            self.exit(2)
        self.subapp.start()


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the subcommand; its exit code."""
    try:
        DeepfakeEthicsApp.launch_instance(argv)
    except SystemExit as stop:
        if stop.code is None or isinstance(stop.code, int):
            return stop.code or 0
        raise
    return 0


if __name__ == "__main__":
    sys.exit(main())
