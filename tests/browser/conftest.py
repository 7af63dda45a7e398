"""Fixtures for the browser tests: Chromium, JupyterLab in a course copy, screenshots.

Every test here is marked ``browser`` and ``slow``. Screenshots of each step go to
``test-artifacts/browser/<story>/NN-<step>.png`` (emptied at the start of a run that uses
them); the folder is printed in pytest's terminal summary, with the JupyterLab logs.
Without Chromium the tests are skipped with the reason, except in CI (``CI`` set), where
a missing browser is an error: CI must run them.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from .lab import ROOT, UI_MS, VIEWPORT, LabServer, chromium_missing, course_copy, launch_chromium

ARTIFACTS = ROOT / "test-artifacts" / "browser"
_used: dict[str, int] = {}  # what this run wrote to ARTIFACTS, for the terminal summary


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "browser: drives JupyterLab in Chromium through Playwright "
        "(needs /usr/bin/chromium and the playwright package)")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def pytest_terminal_summary(terminalreporter) -> None:
    if not _used:
        return
    terminalreporter.write_sep("-", "browser tests: screenshots and logs")
    terminalreporter.write_line(f"{ARTIFACTS}  ({_used.get('png', 0)} screenshots, "
                                f"{_used.get('log', 0)} JupyterLab logs)")


# -- artifacts ------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def artifacts() -> Path:
    """test-artifacts/browser/, emptied once per run (it is git-ignored)."""
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    _used.setdefault("png", 0)
    return ARTIFACTS


class Story:
    """Numbered screenshots of one story: ``shot("lesson-02-opened")`` -> 02-lesson-...png."""

    def __init__(self, folder: Path, page):
        self.folder, self.page, self.step = folder, page, 0
        folder.mkdir(parents=True, exist_ok=True)

    def shot(self, name: str, show=None, where: str = "start", numbered: bool = True) -> Path:
        """Screenshot the whole window, after scrolling ``show`` (a locator) to ``where``
        ("start", "center" or "end") of the notebook's view. Numbered NN-<name>.png unless
        the name already orders itself."""
        if show is not None:
            show.evaluate("(e, where) => e.scrollIntoView({block: where})", where)
        # Let the browser lay out and paint what scrolled into view (content-visibility).
        self.page.evaluate("() => new Promise(r => requestAnimationFrame("
                           "() => requestAnimationFrame(r)))")
        self.step += 1
        path = self.folder / (f"{self.step:02d}-{name}.png" if numbered else f"{name}.png")
        self.page.screenshot(path=path, animations="disabled")
        _used["png"] = _used.get("png", 0) + 1
        return path


# -- browser ------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium, launched once per run through Playwright."""
    why = chromium_missing()
    if why:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"the browser tests must run in CI, but {why}")
        pytest.skip(f"browser tests need Chromium and Playwright: {why}")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=UI_MS)  # a busy 2-core machine draws slowly
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(chromium, request, artifacts):
    """A fresh browser context and page; a screenshot is kept when the test fails."""
    context = chromium.new_context(viewport=VIEWPORT)
    context.set_default_timeout(30_000)
    pg = context.new_page()
    console: list[str] = []
    pg.on("console", lambda m: console.append(f"{m.type}: {m.text}")
          if m.type == "error" else None)
    pg.on("pageerror", lambda e: console.append(f"pageerror: {e}"))
    try:
        yield pg
    finally:
        report = getattr(request.node, "rep_call", None)
        if report is not None and report.failed:
            name = re.sub(r"[^\w.-]+", "_", request.node.name)
            folder = artifacts / "failures"
            folder.mkdir(exist_ok=True)
            try:
                pg.screenshot(path=folder / f"{name}.png")
                _used["png"] = _used.get("png", 0) + 1
            except Exception:  # noqa: BLE001 - a broken page must not hide the failure
                pass
            (folder / f"{name}.console.txt").write_text("\n".join(console))
        context.close()


@pytest.fixture
def story(page, artifacts) -> Callable[[str], Story]:
    """``story("student-lessons")``: numbered screenshots in that folder."""
    return lambda name: Story(artifacts / name, page)


# -- JupyterLab ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def start_lab(tmp_path_factory, artifacts) -> Iterator[Callable[..., LabServer]]:
    """``start_lab(name, env=..., prepare=...)``: JupyterLab in a fresh copy of the course.

    ``prepare(course)`` runs before the server starts (e.g. to release an assignment).
    Servers are stopped (process group) when the module's tests are done, and their logs
    are kept in test-artifacts/browser/.
    """
    servers: list[tuple[str, LabServer]] = []

    def start(name: str, env: dict[str, str] | None = None,
              prepare: Callable[[Path], None] | None = None) -> LabServer:
        base = tmp_path_factory.mktemp(name)
        course = course_copy(base / "course")
        if prepare is not None:
            prepare(course)
        server = LabServer(course, base / "state", env=dict(env or {}))
        servers.append((name, server))
        return server.start()

    try:
        yield start
    finally:
        for name, server in servers:
            server.stop()
            if server.log_path.exists():
                shutil.copy(server.log_path, artifacts / f"jupyterlab-{name}.log")
                _used["log"] = _used.get("log", 0) + 1
