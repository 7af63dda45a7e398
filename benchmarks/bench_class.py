"""A simulated class: serial `nbgrader autograde` against `deepfake-ethics autograde`.

Builds a temporary course with ``--students`` submissions (default 60, answers varying
from blank to complete), grades it once with nbgrader's own serial command and then with
the parallel command for each worker count, each in a fresh copy of the course, in the
same run. Prints the times and the speed-up, checks that grades are identical, and draws
time against workers (benchmarks/results/class-autograde.svg). Target: >= 1.7x on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, save, table

ASSIGNMENT = "a02-legal-aspects"


def timed(cmd: list[str], cwd: Path) -> float:
    from deepfake_ethics.instructor.nbgrader_run import nbgrader_env

    start = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, env=nbgrader_env(), check=True, capture_output=True)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--students", type=int, default=60)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 3, 4])
    args = parser.parse_args(argv)
    from nbgrader_course import (
        answer_ids,
        grades,
        make_course,
        nbgrader,
        notebook_name,
        read,
        student_notebook,
        submit,
    )

    from deepfake_ethics.instructor.nbgrader_run import nbgrader_command
    from deepfake_ethics.instructor.parallel import default_workers

    with tempfile.TemporaryDirectory() as tmp:
        base = make_course(Path(tmp))
        nbgrader(base, "generate_assignment", ASSIGNMENT, "--force")
        ids = answer_ids(read(base / "source" / ASSIGNMENT / notebook_name(ASSIGNMENT)))
        for i in range(args.students):
            submit(base, f"s{i:03d}", ASSIGNMENT, student_notebook(
                base, ASSIGNMENT, answered=set(ids[: i % (len(ids) + 1)])))

        def fresh(name: str) -> Path:
            course = Path(tmp) / name
            shutil.copytree(base, course)
            return course

        serial_course = fresh("serial")
        serial = timed(nbgrader_command("autograde", ASSIGNMENT), serial_course)
        reference = grades(serial_course, ASSIGNMENT)
        cli = str(Path(sys.executable).parent / "deepfake-ethics")
        rows = []
        for n in args.workers:
            course = fresh(f"parallel-{n}")
            seconds = timed([cli, "autograde", ASSIGNMENT, "--workers", str(n)], course)
            same = grades(course, ASSIGNMENT) == reference
            rows.append({"workers": n, "seconds": round(seconds, 1),
                         "speedup": round(serial / seconds, 2), "identical_grades": same})
    save("class", [{"serial_nbgrader_s": round(serial, 1), "students": args.students}] + rows)
    _plot(serial, rows, args.students)
    print(f"Autograding {args.students} submissions of {ASSIGNMENT} on {os.cpu_count()} cores; "
          f"serial nbgrader autograde: {serial:.1f} s\n")
    print(table(["workers", "seconds", "speed-up vs serial nbgrader", "identical grades"],
                [[r["workers"], f"{r['seconds']:.1f}", f"{r['speedup']:.2f}x",
                  "yes" if r["identical_grades"] else "NO"] for r in rows]))
    default = min(default_workers(), max(args.workers))
    best = max(r["speedup"] for r in rows if r["workers"] == default)
    ok = all(r["identical_grades"] for r in rows) and best >= 1.7
    print(f"\nspeed-up with the default {default} workers: {best:.2f}x (target >= 1.7x)")
    return 0 if ok else 1


def _plot(serial: float, rows: list[dict], students: int) -> None:
    from deepfake_ethics.plots import PALETTE, course_style, new_figure

    with course_style():  # the course's look, without changing anyone's settings
        fig = new_figure(6.5, 3.6)
        ax = fig.add_subplot()
        workers = [r["workers"] for r in rows]
        ax.plot(workers, [r["seconds"] for r in rows], marker="o", color=PALETTE[0],
                label="deepfake-ethics autograde")
        ax.axhline(serial, color=PALETTE[1], linestyle="--", label="serial nbgrader autograde")
        for r in rows:
            ax.annotate(f"{r['seconds']:.0f} s", (r["workers"], r["seconds"]),
                        textcoords="offset points", xytext=(0, 7), ha="center", fontsize=8)
        ax.set_xticks(workers)
        ax.set_xlabel("Worker processes")
        ax.set_ylabel("Seconds to grade the class")
        ax.set_ylim(0, serial * 1.15)
        ax.set_title(f"Autograding {students} submissions on {os.cpu_count()} cores",
                     loc="left")
        ax.legend(frameon=False, fontsize=8, loc="lower left")
        fig.savefig(ROOT / "benchmarks" / "results" / "class-autograde.svg",
                    metadata={"Date": None})


if __name__ == "__main__":
    sys.exit(main())
