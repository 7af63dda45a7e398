"""The ``deepfake-ethics`` command: course tools for instructors.

    deepfake-ethics autograde ASSIGNMENT [--workers N] [nbgrader options...]
    deepfake-ethics new-course DIR [--assignment NAME ...] [--from REPOSITORY]

``autograde`` runs in the course directory, like nbgrader itself: it reads
./nbgrader_config.py and the nbgrader options it does not know (``--force``, ``--student
ID``, ``--Execute.timeout=60``, ``--CourseDirectory.db_url=...``), as ``nbgrader
autograde`` would. ``new-course`` makes a private course directory for a graded class.
"""

from __future__ import annotations

import argparse
import sys

from .grading.parallel import default_workers


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="deepfake-ethics", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    grade = commands.add_parser(
        "autograde", help="autograde every submission of an assignment in parallel",
        description="Share the class among N processes, each grading its own list of "
                    "students with nbgrader's autograde. Unknown options go to nbgrader. "
                    "Logs are kept in logs/autograde/<assignment>/<time>/.")
    grade.add_argument("assignment")
    grade.add_argument("--workers", "-j", type=int, default=default_workers(),
                       help="worker processes (default: one more than the number of cores, "
                            "%(default)s)")
    course = commands.add_parser(
        "new-course", help="set up a private course directory for a graded class",
        description="Copy source/ (solutions, answer keys, marking schemes), header.ipynb "
                    "and nbgrader_config.py from a copy of this repository into DIR, and "
                    "create an empty gradebook there with nbgrader.")
    course.add_argument("directory", help="the new course directory (must not exist, or be "
                                          "empty)")
    course.add_argument("--assignment", "-a", action="append", dest="assignments",
                        metavar="NAME", help="copy only this assignment (repeat for more; "
                                             "default: all)")
    course.add_argument("--from", dest="origin", default=".", metavar="REPOSITORY",
                        help="the copy of the course repository to start from (default: the "
                             "current folder)")
    args, extra = parser.parse_known_args(argv)
    if args.command == "autograde":
        return _autograde(parser, args, extra)
    if extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    return _new_course(args)


def _autograde(parser: argparse.ArgumentParser, args: argparse.Namespace,
               extra: list[str]) -> int:
    from .grading.parallel import Refused, report, run

    if args.workers < 1:
        parser.error("--workers must be at least 1")
    try:
        outcomes, log_dir = run(args.assignment, args.workers, extra)
    except Refused as refused:
        print("deepfake-ethics autograde: nothing was graded:", file=sys.stderr)
        for problem in refused.problems:
            print(f"  - {problem}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # the workers are stopped; where their logs are was printed
        return 130
    return report(outcomes, log_dir=log_dir)


def _new_course(args: argparse.Namespace) -> int:
    from pathlib import Path

    from .grading.course import CourseError, new_course

    try:
        made = new_course(Path(args.directory), Path(args.origin), args.assignments)
    except CourseError as error:
        print(f"deepfake-ethics new-course: {error}", file=sys.stderr)
        return 2
    print(made.summary())
    return 0


if __name__ == "__main__":
    sys.exit(main())
