"""The ``deepfake-ethics`` command: course tools for instructors.

    deepfake-ethics autograde ASSIGNMENT [--workers N] [nbgrader options...]

Run it in the course directory, like nbgrader itself: it reads ./nbgrader_config.py, and
passes options it does not know (``--force``, ``--Execute.timeout=60``, ...) to every
``nbgrader autograde`` it starts.
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
        description="Share the class among N processes, each running nbgrader's own "
                    "autograde over its share. Unknown options go to nbgrader.")
    grade.add_argument("assignment")
    grade.add_argument("--workers", "-j", type=int, default=default_workers(),
                       help="worker processes (default: one more than the number of cores, "
                            "%(default)s)")
    args, extra = parser.parse_known_args(argv)
    if args.command == "autograde":
        from .grading.parallel import report, run

        if args.workers < 1:
            parser.error("--workers must be at least 1")
        outcomes = run(args.assignment, args.workers, extra)
        return report(outcomes)
    return 2  # pragma: no cover - argparse requires a command


if __name__ == "__main__":
    sys.exit(main())
