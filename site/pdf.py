"""Print the course website to PDF with Chromium: ``python site/pdf.py [--site _site]
[--out _pdf]`` (``make pdf``, after ``make site``).

Each page of the course's notebooks (the lessons, the optional reference, the alternative
activity and the closing notebook) is served from ``--site`` on 127.0.0.1, opened in
Debian's Chromium through Playwright and printed with the site's print stylesheet, so
that its quizzes are questions with their key at the end (docs/site.md). Writes one PDF
per page, named after its notebook, and ``course.pdf``, all of them in course order with
a bookmark for each.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
COURSE_PDF = "course.pdf"


def course_pages(site: Path) -> list[str]:
    """The notebook pages of the site in course order: each lesson, then its optional
    reference and its alternative activity, and the closing notebook last."""
    from deepfake_ethics import layout

    def page(notebook: Path) -> str:
        return notebook.relative_to(ROOT).with_suffix(".html").as_posix()

    extras = layout.reference_notebooks(ROOT) + layout.alternative_notebooks(ROOT)
    pages = []
    for lesson in layout.lesson_notebooks(ROOT):
        pages.append(page(lesson))
        pages += [page(extra) for extra in extras if extra.name[:2] == lesson.name[:2]]
    closing = layout.closing_notebook(ROOT)
    pages += [page(closing)] if closing else []
    missing = [p for p in pages if not (site / p).is_file()]
    if missing:
        raise SystemExit(f"{site} has no {', '.join(missing)}: run `make site` first")
    return pages


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@contextlib.contextmanager
def serve(folder: Path) -> Iterator[str]:
    """``folder`` on a local static server for as long as the block runs: its URL."""
    handler = functools.partial(_Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()


def print_pages(site: Path, out: Path) -> list[Path]:
    """One PDF per course page of ``site`` in ``out``, then ``course.pdf``; returns them
    in course order (the course's last)."""
    from playwright.sync_api import sync_playwright
    from pypdf import PdfWriter

    if not CHROMIUM.exists():
        raise SystemExit(f"make pdf prints with Chromium, which is not at {CHROMIUM} "
                         "(on Debian or Ubuntu: apt-get install chromium)")
    pages = course_pages(site)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with serve(site) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM))
        try:
            page = browser.new_page()
            page.emulate_media(media="print")
            for name in pages:
                page.goto(url + name)
                page.wait_for_load_state("load")
                if page.locator(".dfe-site-quiz").count():  # drawn, with their key
                    page.locator(".dfe-print-key").wait_for(state="attached")
                target = out / f"{Path(name).stem}.pdf"
                page.pdf(path=str(target), format="A4", outline=True,
                         margin={"top": "15mm", "bottom": "15mm", "left": "15mm",
                                 "right": "15mm"})
                written.append((target, page.title().split(" — ")[0]))
        finally:
            browser.close()
    course = PdfWriter()
    for target, title in written:
        course.append(str(target), outline_item=title)
    with open(out / COURSE_PDF, "wb") as file:
        course.write(file)
    return [target for target, _ in written] + [out / COURSE_PDF]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=ROOT / "_site",
                        help="the built site (default: _site, from make site)")
    parser.add_argument("--out", type=Path, default=ROOT / "_pdf",
                        help="the folder to write the PDFs to (default: _pdf)")
    args = parser.parse_args(argv)
    written = print_pages(args.site.resolve(), args.out.resolve())
    print(f"{len(written) - 1} pages and the whole course ({COURSE_PDF}) are in {args.out}/")


if __name__ == "__main__":
    sys.exit(main())
