"""Generate the student versions in release/ from source/ with nbgrader (`make release`).

Every folder of source/ that holds a notebook is an assignment. nbgrader's own
``generate_assignment`` does the work (solutions, hidden tests and marking schemes are
removed, the header is put in front, outputs are cleared); the gradebook named in
nbgrader_config.py learns the assignments' cells, as ``autograde`` needs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from deepfake_ethics.instructor.nbgrader_run import run_nbgrader
from deepfake_ethics.layout import assignment_names

ROOT = Path(__file__).resolve().parent.parent


def assignments(course: Path) -> list[str]:
    """Assignment names: the folders of source/ that contain a notebook."""
    return assignment_names(course)


def generate(course: Path, names: list[str] | None = None) -> None:
    """Run ``nbgrader generate_assignment`` for each assignment in ``course``."""
    for name in names or assignments(course):
        run_nbgrader("generate_assignment", name, "--force", "--log-level=WARN", cwd=course,
                     capture=False)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("names", nargs="*", help="assignments (default: all)")
    parser.add_argument("--course", type=Path, default=ROOT, help="course directory")
    args = parser.parse_args()
    generate(args.course, args.names or None)
    print("released: " + ", ".join(args.names or assignments(args.course)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
