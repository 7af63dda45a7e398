"""The course website against JupyterLab: from opening a lesson to its first quiz being
interactive, and what a lesson page weighs.

Builds the site (``site/build.py``) into a temporary folder, serves it from a sub-path on
127.0.0.1 and opens lesson 02 in Debian's Chromium (headless, through Playwright) at a
phone's size, ``--loads`` times, each in a fresh browser context (nothing cached):

* **Open to first quiz**: from the start of the navigation to the moment the page's first
  quiz has its Check button (drawn with its handlers), timed inside the page with
  ``performance.now()`` by a MutationObserver the browser injects before the page loads.
* **Transfer size**: every byte the page fetched (the page, scripts, styles, fonts,
  figures), as served here without compression, and gzip-compressed as a static host such
  as GitHub Pages sends them.

With ``--lab`` (the default), the same lesson is opened in JupyterLab in the same run
(``bench_browser.cold_start``): from opening the lesson (server already up) to its first
quiz being interactive after Run All Cells. Target: the site takes at most a tenth of it
(exit status 1 above).
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import statistics
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from urllib.parse import urlsplit

from browser.lab import chromium_missing, launch_chromium  # tests/ is on the path
from common import ROOT, save, table

LESSON = "notebooks/02-legal-aspects.html"
SUB_PATH = "/deepfake-ethics/"
PHONE = {"width": 360, "height": 740}
TARGET_RATIO = 0.1
# The moment the first quiz has its Check button, in ms from the navigation's start.
WATCH_FIRST_QUIZ = """
new MutationObserver((changes, observer) => {
  if (document.querySelector('.dfe-quiz [data-action="check"]')) {
    window.__dfeFirstQuiz = performance.now();
    observer.disconnect();
  }
}).observe(document, {childList: true, subtree: true});
"""
SIZES = """() => [performance.getEntriesByType('navigation')[0],
                 ...performance.getEntriesByType('resource')]
  .map(e => [e.name, e.transferSize, e.encodedBodySize])"""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def site_loads(browser, folder: Path, url: str, loads: int) -> tuple[list[float], dict]:
    """Open-to-first-quiz times (ms) of ``loads`` cold loads, and the last load's sizes."""
    times, sizes = [], {}
    for _ in range(loads):
        context = browser.new_context(viewport=PHONE)
        context.add_init_script(script=WATCH_FIRST_QUIZ)
        try:
            page = context.new_page()
            page.goto(url + LESSON)
            page.wait_for_function("() => window.__dfeFirstQuiz !== undefined")
            times.append(page.evaluate("() => window.__dfeFirstQuiz"))
            page.wait_for_load_state("load")
            entries = page.evaluate(SIZES)
        finally:
            context.close()
        served = gzipped = 0
        for name, transferred, body in entries:
            served += transferred or body
            path = folder / urlsplit(name).path.removeprefix(SUB_PATH)
            gzipped += len(gzip.compress(path.read_bytes())) if path.is_file() else body
        sizes = {"files": len(entries), "served": served, "gzipped": gzipped}
    return times, sizes


def lab_open_to_quiz(browser, tmp: Path) -> float:
    """JupyterLab: seconds from opening lesson 02 (server up) to its first quiz."""
    import bench_browser

    times, server, context, _ = bench_browser.cold_start(browser, tmp, 0)
    try:
        return times["first quiz interactive"] - times["server answers"]
    finally:
        context.close()
        server.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--loads", type=int, default=5, help="cold loads of the lesson page")
    parser.add_argument("--no-lab", dest="lab", action="store_false",
                        help="skip JupyterLab (no comparison, no target)")
    parser.add_argument("--no-save", dest="save", action="store_false",
                        help="print only; leave benchmarks/results/latest.json as it is")
    args = parser.parse_args(argv)
    why = chromium_missing()
    if why:
        print(f"cannot run the site benchmark: {why}", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        public = Path(tmp) / "public"
        folder = public / SUB_PATH.strip("/")
        subprocess.run([sys.executable, str(ROOT / "site" / "build.py"), "--out", str(folder),
                        "--work", str(Path(tmp) / "work")], check=True)
        handler = functools.partial(_Quiet, directory=str(public))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_port}{SUB_PATH}"
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            try:
                times, sizes = site_loads(browser, folder, url, args.loads)
                lab = lab_open_to_quiz(browser, Path(tmp)) if args.lab else None
            finally:
                browser.close()
                server.shutdown()
    site_s = statistics.median(times) / 1000
    rows = [{"measure": "site: open lesson 02 to first quiz, median", "seconds": round(site_s, 3)},
            {"measure": "site: lesson 02 page, files", "count": sizes["files"]},
            {"measure": "site: lesson 02 page, bytes served", "bytes": sizes["served"]},
            {"measure": "site: lesson 02 page, bytes gzipped", "bytes": sizes["gzipped"]}]
    lines = [[f"website: open lesson 02 → first quiz interactive (median of {len(times)})",
              f"{site_s:.2f} s"],
             ["website: lesson 02 page with its figures, files fetched", sizes["files"]],
             ["website: lesson 02 page, bytes (uncompressed / gzip)",
              f"{sizes['served'] / 1024:.0f} KiB / {sizes['gzipped'] / 1024:.0f} KiB"]]
    if lab is not None:
        rows.append({"measure": "JupyterLab: open lesson 02 to first quiz", "seconds":
                     round(lab, 2)})
        lines.append(["JupyterLab: open lesson 02 → first quiz interactive (Run All Cells)",
                      f"{lab:.2f} s"])
    if args.save:
        save("site", rows)
    print(f"The course website at a phone's size ({PHONE['width']}×{PHONE['height']}), "
          "headless Chromium, served from 127.0.0.1\n")
    print(table(["measure", "value"], lines))
    if lab is None:
        return 0
    ratio = site_s / lab
    ok = ratio <= TARGET_RATIO
    print(f"\nwebsite / JupyterLab = {ratio:.3f} (target <= {TARGET_RATIO})"
          f"{'' if ok else ': TOO SLOW'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
