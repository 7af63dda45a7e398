"""The class on a live JupyterHub, timed: the figures of issue 11.

Runs the class of tests/browser/test_hub_live.py once (JupyterHub from deploy/jupyterhub/,
real Unix accounts logging in, the grader service, a PostgreSQL gradebook of its own,
Chromium) and measures, each against a baseline taken in the same run:

* **start-up**: from starting `jupyterhub` to a logged-in student's first quiz being
  interactive in lesson 02 (log-in, the student's server spawned, the lesson opened and
  run); baseline: a plain JupyterLab started on its own to the same point
  (benchmarks/bench_browser.py's measure);
* **release**: from the instructor's click on *Release* in the formgrader to both students
  seeing the assignment in their *Assignments* panel (they refresh it, as a person does);
  baseline: both students' `nbgrader list` on the command line right after;
* **grading**: autograding the two-student class and generating and releasing its
  feedback with the formgrader's buttons, through the hub; baseline: the same three
  nbgrader commands run by the grader account on the command line (collection and the
  grading of the essays by hand are reported, not compared).

Needs root (it creates Unix accounts and runs JupyterHub), Chromium and Playwright,
bubblewrap, PostgreSQL, node and npm. Takes about four minutes.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

from bench_browser import cold_start  # noqa: E402
from browser.hub_flow import ASSIGNMENT, ClassFlow  # noqa: E402
from browser.lab import chromium_missing, launch_chromium  # noqa: E402
from common import save, table
from hub_class import hub_classroom, in_terminal, server_environ  # noqa: E402
from hub_env import hub_venv  # noqa: E402
from hub_server import COURSE_ID, GRADER  # noqa: E402
from postgres_server import PostgresServer, create_database  # noqa: E402
from shared_env import is_root, postgres_bin_dir  # noqa: E402


def nbgrader_times(room, flow: ClassFlow) -> dict[str, float]:
    """The command-line baselines: both students' `nbgrader list`; the grader's autograde,
    generate_feedback and release_feedback of the class."""
    site, times = room.site, {}
    start = time.monotonic()
    for student in room.students:
        done = in_terminal(site, student, server_environ(student), "nbgrader", "list",
                           f"--course={COURSE_ID}")
        assert ASSIGNMENT in done.stdout + done.stderr, done.stdout + done.stderr
    times["list"] = time.monotonic() - start
    grader_env = server_environ(GRADER)
    start = time.monotonic()
    for step in (["autograde", ASSIGNMENT, "--force"],
                 ["generate_feedback", ASSIGNMENT, "--force"],
                 ["release_feedback", ASSIGNMENT]):
        in_terminal(site, GRADER, grader_env, "nbgrader", *step, cwd=site.course)
    times["grade"] = time.monotonic() - start
    return times


def run_class(browser, tmp: Path, db_url: str) -> dict[str, float]:
    base = Path(tempfile.mkdtemp(prefix="dfe-bench-hub-"))
    try:
        with hub_classroom(base, hub_venv(), db_url) as room:
            flow = ClassFlow(room, browser, f"/services/{COURSE_ID}")
            try:
                flow.student_logs_in(1)
                flow.first_quiz(1)
                figures = {"hub start to first quiz": time.monotonic() - room.hub.started_at}
                flow.student_logs_in(2)
                flow.instructor_logs_in()
                clicked = flow.release()
                figures["release to both students"] = flow.students_see_it() - clicked
                flow.students_submit(validate=False)
                parts = flow.grade()
                figures["grading through the hub"] = parts["autograde"] + parts["feedback"]
                figures["collect"] = parts["collect"]
                figures["grade essays by hand"] = parts["grade by hand"]
                baselines = nbgrader_times(room, flow)
                figures["nbgrader list, both students"] = baselines["list"]
                figures["nbgrader autograde + feedback"] = baselines["grade"]
            finally:
                flow.close()
    finally:
        shutil.rmtree(base, ignore_errors=True)
    times, server, context, _lesson = cold_start(browser, tmp, 0)
    context.close()
    server.stop()
    figures["JupyterLab start to first quiz"] = times["first quiz interactive"]
    return figures


def main(argv: list[str] | None = None) -> int:
    argparse.ArgumentParser(description=__doc__,
                            formatter_class=argparse.RawDescriptionHelpFormatter).parse_args(argv)
    why = chromium_missing() or (None if is_root() else "it must run as root") or (
        None if postgres_bin_dir() else "PostgreSQL is not installed") or (
        None if shutil.which("bwrap") else "bubblewrap is not installed")
    if why:
        print(f"cannot run the hub benchmark: {why}", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    folder = Path(tempfile.mkdtemp(prefix="dfe-bench-pg-"))
    account = "postgres" if _exists("postgres") else "nobody"
    server = PostgresServer(postgres_bin_dir(), folder, account)
    try:
        server.init()
        server.start()
        db_url = create_database(server.url, "gradebook_bench")
        with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            try:
                f = run_class(browser, Path(tmp), db_url)
            finally:
                browser.close()
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)
    rows = [
        {"measure": "hub start to first quiz", "seconds": round(f["hub start to first quiz"], 1),
         "baseline": "JupyterLab start to first quiz",
         "baseline_seconds": round(f["JupyterLab start to first quiz"], 1)},
        {"measure": "release to both students", "seconds": round(f["release to both students"], 1),
         "baseline": "nbgrader list, both students",
         "baseline_seconds": round(f["nbgrader list, both students"], 1)},
        {"measure": "grading through the hub", "seconds": round(f["grading through the hub"], 1),
         "baseline": "nbgrader autograde + feedback",
         "baseline_seconds": round(f["nbgrader autograde + feedback"], 1)},
    ]
    for row in rows:
        row["ratio"] = round(row["seconds"] / row["baseline_seconds"], 2)
    rows.append({"measure": "collect", "seconds": round(f["collect"], 1)})
    rows.append({"measure": "grade essays by hand", "seconds": round(f["grade essays by hand"], 1)})
    save("hub", rows)
    print(table(["measure", "seconds", "baseline", "seconds", "ratio"],
                [[r["measure"], f"{r['seconds']:.1f}", r.get("baseline", ""),
                  f"{r['baseline_seconds']:.1f}" if "baseline_seconds" in r else "",
                  f"{r['ratio']:.2f}" if "ratio" in r else ""] for r in rows]))
    return 0


def _exists(name: str) -> bool:
    import pwd

    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True

if __name__ == "__main__":
    sys.exit(main())
