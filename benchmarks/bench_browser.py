"""Quizzes in a real browser: start-up time and click-to-feedback latency.

Starts JupyterLab on 127.0.0.1 in a temporary copy of the course and drives it with
Debian's Chromium (headless, through Playwright), as tests/browser/ does.

* Start-up: from starting JupyterLab to the first quiz of lesson 02 being interactive
  (server answering, lesson open with its kernel idle, Run > Run All Cells, the first quiz
  drawn as a widget with an enabled Check button). Median of ``--starts`` cold starts.
* Latency: from the click on a quiz's Check button to its feedback appearing in the page,
  timed inside the page with ``performance.now()`` (a MutationObserver armed before the
  click), so Playwright's round-trips do not count. Median of ``--clicks`` clicks
  (default 25, after 3 warm-up clicks), alternating a wrong and the right answer;
  each click goes through the kernel and saves progress, as it does for a student.

Target: median click-to-feedback latency <= 150 ms (exit status 1 above it).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from browser.lab import (  # noqa: E402 - tests/ must be on the path first
    ARM_LATENCY_JS,
    VIEWPORT,
    LabServer,
    LessonPage,
    check_button,
    chromium_missing,
    course_copy,
    expect,
    feedback,
    launch_chromium,
    option,
    quiz_ids,
    retry_button,
)
from common import save, table

from deepfake_ethics.bank import get_quiz  # noqa: E402

LESSON = "notebooks/02-legal-aspects.ipynb"
TARGET_MS = 150.0
VERDICTS = ["✔ Correct.", "✘ Not quite.", "✘ Partly right."]


def cold_start(browser, tmp: Path, n: int):
    """Start JupyterLab, open the lesson, run it; stage times in seconds from the start.

    Returns (times, server, context, lesson page); the caller stops the server."""
    course = course_copy(tmp / f"course-{n}")
    server = LabServer(course, tmp / f"state-{n}")
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    server.start()
    t0 = server.started_at
    times = {"server answers": time.monotonic() - t0}
    lesson = LessonPage(page, server)
    lesson.goto(LESSON)
    times["lesson open, kernel idle"] = time.monotonic() - t0
    lesson.run_all()  # returns when every cell has run; the widgets draw right after
    lesson.wait_for_quizzes(1)
    times["first quiz interactive"] = time.monotonic() - t0
    return times, server, context, lesson


def click_latencies(lesson: LessonPage, clicks: int, warmup: int = 3) -> list[float]:
    """Milliseconds from the click on Check to the feedback, for ``clicks`` clicks."""
    ids = quiz_ids(lesson.server.root / LESSON)
    index = next(i for i, q in enumerate(ids) if get_quiz(q).kind == "single")
    quiz = get_quiz(ids[index])
    box = lesson.quizzes.nth(index)
    right = min(quiz.correct_indices)
    wrong = next(i for i in range(len(quiz.options)) if i != right)
    results = []
    for n in range(warmup + clicks):
        option(box, quiz, wrong if n % 2 else right).click()
        lesson.page.evaluate(ARM_LATENCY_JS, [index, VERDICTS])
        check_button(box).click()
        ms = lesson.page.evaluate("() => window.__dfeLatency")
        if n >= warmup:
            results.append(ms)
        retry_button(box).click()
        expect(feedback(box)).to_have_text("")
        expect(check_button(box)).to_be_enabled()  # the kernel has cleared the answer
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clicks", type=int, default=25, help="timed clicks (at least 20)")
    parser.add_argument("--starts", type=int, default=3, help="cold starts of JupyterLab")
    args = parser.parse_args(argv)
    if args.clicks < 20:
        parser.error("--clicks must be at least 20")
    why = chromium_missing()
    if why:
        print(f"cannot run the browser benchmark: {why}", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    starts: list[dict[str, float]] = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            for n in range(args.starts):
                times, server, context, lesson = cold_start(browser, Path(tmp), n)
                try:
                    starts.append(times)
                    if n == args.starts - 1:
                        latencies = click_latencies(lesson, args.clicks)
                finally:
                    context.close()
                    server.stop()
        finally:
            browser.close()

    stages = list(starts[0])
    startup = {s: statistics.median(t[s] for t in starts) for s in stages}
    median_ms = statistics.median(latencies)
    p90_ms = statistics.quantiles(latencies, n=10)[-1]
    rows = [{"measure": f"start-up: {s}", "seconds": round(v, 2)} for s, v in startup.items()]
    rows += [{"measure": "click to feedback, median", "ms": round(median_ms, 1)},
             {"measure": "click to feedback, 90th percentile", "ms": round(p90_ms, 1)},
             {"measure": "click to feedback, min", "ms": round(min(latencies), 1)},
             {"measure": "click to feedback, max", "ms": round(max(latencies), 1)}]
    save("browser", rows)

    print(f"JupyterLab start-up to the first interactive quiz (median of {args.starts} cold "
          f"starts, lesson 02, Run All Cells), and click-to-feedback latency (median of "
          f"{len(latencies)} clicks), headless Chromium\n")
    print(table(["measure", "value"],
                [[f"JupyterLab start → {s}", f"{v:.2f} s"] for s, v in startup.items()]
                + [["click on Check → feedback shown, median", f"{median_ms:.0f} ms"],
                   ["click on Check → feedback shown, 90th percentile", f"{p90_ms:.0f} ms"],
                   ["click on Check → feedback shown, min / max",
                    f"{min(latencies):.0f} / {max(latencies):.0f} ms"]]))
    ok = median_ms <= TARGET_MS
    print(f"\nmedian click-to-feedback latency {median_ms:.0f} ms (target <= {TARGET_MS:.0f} ms)"
          f"{'' if ok else ': TOO SLOW'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
