"""Autograding one submission as a ratio to a plain headless run of the same notebook.

In a temporary course directory, the model answers of an assignment are submitted by one
student. Both measurements run in this process: nbgrader's own API autograding that
submission with the course's configuration (``NbGraderAPI.autograde``: sanitize, restore
tests, execute in the bubblewrap sandbox with the keys kept out, judge, save grades), and
nbclient executing the very same submitted notebook without a sandbox. Median of
``--repeat`` runs (default 3). Target: ratio <= 1.3.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

import nbformat
from common import ROOT, median_time, save, table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--assignment", default="a02-legal-aspects")
    args = parser.parse_args(argv)
    from nbclient import NotebookClient
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from nbgrader_course import make_course, notebook_name, student_notebook, submit
    from traitlets.config.loader import PyFileConfigLoader

    from deepfake_ethics.instructor.nbgrader_run import nbgrader_env, run_nbgrader

    os.environ.update(nbgrader_env())  # nbgrader runs `alembic` by name

    name = args.assignment
    with tempfile.TemporaryDirectory() as tmp:
        course = make_course(Path(tmp))
        run_nbgrader("generate_assignment", name, "--force", cwd=course)
        path = submit(course, "bench", name, student_notebook(course, name))
        os.chdir(course)
        config = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
        config.Application.log_level = "ERROR"
        api = NbGraderAPI(CourseDirectory(config=config), config=config)

        def plain() -> None:
            nb = nbformat.read(path, as_version=4)
            NotebookClient(nb, timeout=60, kernel_name="python3",
                           resources={"metadata": {"path": str(path.parent)}}).execute()

        def autograde() -> None:
            result = api.autograde(name, "bench", force=True)
            assert result["success"], result.get("log")

        plain()
        autograde()  # warm-up both
        base = median_time(plain, args.repeat)
        graded = median_time(autograde, args.repeat)
        shutil.rmtree(course / "autograded", ignore_errors=True)
        os.chdir(ROOT)
    ratio = graded / base
    save("autograde", [{"assignment": name, "plain_s": round(base, 3),
                        "autograde_s": round(graded, 3), "ratio": round(ratio, 2)}])
    print(f"Autograding one submission of {notebook_name(name)}, median of {args.repeat}\n")
    print(table(["run", "seconds"], [["plain headless execution (nbclient)", f"{base:.2f}"],
                                     ["nbgrader autograde (API)", f"{graded:.2f}"]]))
    print(f"\nratio {ratio:.2f} (target <= 1.3)")
    return 0 if ratio <= 1.3 else 1


if __name__ == "__main__":
    sys.exit(main())
