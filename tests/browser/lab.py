"""JupyterLab and Chromium for the browser tests and benchmarks/bench_browser.py.

``course_copy`` makes a temporary copy of the course, ``LabServer`` serves it with
JupyterLab on 127.0.0.1 with a random token (no news, no update check, no "build
recommended" dialog, progress in a temporary file), and ``launch_chromium`` starts Debian's
Chromium through Playwright. ``LessonPage`` holds the steps every browser test takes in a
notebook: open it, wait for the kernel, run all cells, find a quiz, answer it.

This module imports nothing from pytest, so the benchmark can use it too.
"""

from __future__ import annotations

import contextlib
import html
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from processes import ServerDidNotStart, free_port, stop_process_group, wait_until_answering

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("DEEPFAKE_ETHICS_CHROMIUM", "/usr/bin/chromium"))
# Without the background-networking flags Chromium keeps trying to reach Google's services,
# and on a closed network (CI) those connections are refused.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-dev-shm-usage"]
VIEWPORT = {"width": 1366, "height": 900}

KERNEL_START_MS = 60_000  # a cold kernel on a busy 2-core machine
RUN_ALL_MS = 180_000  # a whole lesson, figures included
UI_MS = 30_000  # anything else the page has to draw

COURSE_PARTS = ("notebooks", "source", "release", "nbgrader_config.py")
QUIZ_CALL = re.compile(r"""^\s*quiz\(\s*["']([^"']+)["']\s*\)\s*$""")


# -- the course and the server -------------------------------------------------------------
def course_copy(dest: Path) -> Path:
    """A fresh copy of the course (lessons, assignments, nbgrader config) in ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    skip = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__", "gradebook.db*")
    for name in COURSE_PARTS:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=skip)
        elif src.is_file():
            shutil.copy(src, dest / name)
    return dest


def _write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1))


@dataclass
class LabServer:
    """JupyterLab serving ``root`` on 127.0.0.1, with its own config, data and runtime dirs.

    ``state`` holds those directories and the log. Use it as a context manager, or call
    ``start()`` and ``stop()``; ``stop()`` ends the server's whole process group (the
    server, its kernels and anything they started).
    """

    root: Path
    state: Path
    env: dict[str, str] = field(default_factory=dict)
    port: int = 0
    token: str = field(default_factory=lambda: secrets.token_hex(16))
    proc: subprocess.Popen | None = None
    started_at: float = 0.0  # time.monotonic() when the process was started

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.state / "jupyterlab.log"

    def url(self, path: str = "lab") -> str:
        sep = "&" if "?" in path else "?"
        return f"{self.base}/{path.lstrip('/')}{sep}token={self.token}"

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def _configure(self) -> dict[str, str]:
        config, data, runtime = (self.state / d for d in ("config", "data", "runtime"))
        for d in (config, data, runtime):
            d.mkdir(parents=True, exist_ok=True)
        settings = config / "lab" / "user-settings" / "@jupyterlab"
        # No "receive official Jupyter news?" toast and no update check.
        _write_json(settings / "apputils-extension" / "notification.jupyterlab-settings",
                    {"fetchNews": "false", "checkForUpdates": False})
        # No "build recommended" dialog: the extensions used here are all prebuilt.
        _write_json(config / "labconfig" / "page_config.json",
                    {"buildCheck": False, "buildAvailable": False})
        env = dict(os.environ)
        for name in ("JUPYTER_PATH", "JUPYTER_CONFIG_PATH", "NBGRADER_EXECUTION"):
            env.pop(name, None)
        env.update(JUPYTER_CONFIG_DIR=str(config), JUPYTER_DATA_DIR=str(data),
                   JUPYTER_RUNTIME_DIR=str(runtime), BROWSER="true",
                   DEEPFAKE_ETHICS_PROGRESS=str(self.state / "progress.json"),
                   PYTHONUNBUFFERED="1")
        env.update(self.env)
        return env

    def start(self, timeout: float = 120) -> LabServer:
        env = self._configure()
        self.port = self.port or free_port()
        cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1",
               f"--port={self.port}", "--port-retries=0",
               f"--ServerApp.root_dir={self.root}",
               f"--IdentityProvider.token={self.token}",
               "--LabApp.news_url=None",
               f"--LabApp.workspaces_dir={self.state / 'workspaces'}",
               "--ServerApp.open_browser=False"]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            cmd.append("--allow-root")  # CI runs as root, in a throw-away container
        log = self.log_path.open("w")
        self.started_at = time.monotonic()
        self.proc = subprocess.Popen(cmd, cwd=self.root, env=env, stdout=log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        try:
            wait_until_answering(self.proc, self.url("api/status"), timeout, self.log)
        except ServerDidNotStart:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop the server (its process group), then any kernel it left behind."""
        proc, self.proc = self.proc, None
        if proc is None:
            return
        stop_process_group(proc, grace=20)
        # Kernels run in sessions of their own; the server shuts them down on SIGTERM, but
        # not if it had to be killed. Any left are found by this server's runtime directory
        # in their environment and ended by process id.
        for pid in self._kernel_pids():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)

    def _kernel_pids(self) -> list[int]:
        marker = f"\0JUPYTER_RUNTIME_DIR={self.state / 'runtime'}\0".encode()
        pids = []
        for entry in Path("/proc").glob("[0-9]*"):
            try:
                if marker in b"\0" + (entry / "environ").read_bytes():
                    pids.append(int(entry.name))
            except OSError:
                continue
        return [pid for pid in pids if pid != os.getpid()]

    def api(self, path: str, method: str = "GET", body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url(f"api/{path}"), data=data, method=method)
        with urllib.request.urlopen(req, timeout=30) as resp:
            text = resp.read()
        return json.loads(text) if text else None

    def shutdown_kernels(self) -> None:
        """End every notebook session (and its kernel), as File > Shut Down would."""
        for session in self.api("sessions"):
            self.api(f"sessions/{session['id']}", method="DELETE")

    def __enter__(self) -> LabServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


# -- the browser --------------------------------------------------------------------------
def chromium_missing() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    if not CHROMIUM.exists():
        return (f"Chromium is not installed at {CHROMIUM} (on Debian/Ubuntu: "
                "`apt-get install chromium`; .ci/run installs it in CI)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the Python package `playwright` is missing (pip install -e '.[test]')"
    return None


def expect(*args, **kwargs):
    """Playwright's ``expect``, imported when first used: without Playwright the tests are
    still collected, and the ``chromium`` fixture says why they cannot run."""
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(*args, **kwargs)


def launch_chromium(playwright):
    """Debian's Chromium, headless, through Playwright (no browser download needed)."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                      args=CHROMIUM_ARGS)


# -- lessons in the page ----------------------------------------------------------------------
def quiz_ids(notebook: Path) -> list[str]:
    """The ids of the quizzes a lesson shows, in order (from its ``quiz("...")`` cells)."""
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    ids = []
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        for line in source.splitlines():
            match = QUIZ_CALL.match(line)
            if match:
                ids.append(match.group(1))
    return ids


def plain(markdown_text: str) -> str:
    """Course Markdown as the text a reader sees (tags dropped, spaces collapsed)."""
    from deepfake_ethics.quiz_widget import markdown

    return squash(html.unescape(re.sub(r"<[^>]+>", "", markdown(markdown_text))))


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


class LessonPage:
    """A notebook open in JupyterLab, driven the way a student drives it."""

    def __init__(self, page, server: LabServer):
        self.page = page
        self.server = server

    # -- opening and running --------------------------------------------------------------
    def goto(self, path: str) -> None:
        """Open JupyterLab with the notebook at ``path`` (relative to the server root).

        Each page gets a workspace of its own, so JupyterLab does not reopen (and start
        kernels for) the notebooks that earlier pages had open."""
        workspace = f"test-{secrets.token_hex(4)}"
        self.page.goto(self.server.url(f"lab/workspaces/{workspace}/tree/{path}"),
                       wait_until="domcontentloaded")
        self.wait_for_notebook()

    def wait_for_notebook(self) -> None:
        """The current notebook is shown and its kernel has started and is idle."""
        self.panel.locator(".jp-Notebook .jp-Cell").first.wait_for(timeout=UI_MS)
        self.wait_for_kernel_idle()

    @property
    def panel(self):
        """The notebook in the current (visible) tab."""
        return self.page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)").first

    def wait_for_kernel_idle(self, timeout: float = KERNEL_START_MS) -> None:
        """The status bar reads "<kernel name> | Idle" (not "No Kernel", "Connecting")."""
        status = self.page.locator(
            "#jp-main-statusbar .jp-StatusBar-TextItem[title^='Change kernel for']")
        expect(status).to_have_text(re.compile(r"^(?!No Kernel).+\|\s*Idle\s*$"),
                                    timeout=timeout)

    def menu(self, menu: str, item: str) -> None:
        """Choose an item from the menu bar with the mouse (e.g. Run > Run All Cells)."""
        menu_bar(self.page, menu, item)

    def run_all(self, timeout: float = RUN_ALL_MS) -> None:
        """Run > Run All Cells, then wait until every code cell has run."""
        self.menu("Run", "Run All Cells")
        self.wait_until_run(timeout)

    def wait_until_run(self, timeout: float = RUN_ALL_MS) -> None:
        """Every code cell shows an execution count and the kernel is idle again, or the
        run stopped at an error (nothing queued, error output shown: the caller checks
        ``error_outputs()``, so a broken lesson fails at once instead of timing out)."""
        self.page.wait_for_function(
            """() => {
              const nb = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
              if (!nb) return false;
              const prompts = [...nb.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]
                  .map(p => p.textContent);
              if (prompts.length > 0 && prompts.every(p => /\\[\\d+\\]/.test(p))) {
                return true;
              }
              const errors = nb.querySelectorAll(
                  ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']");
              return errors.length > 0 && !prompts.some(p => p.includes('*'));
            }""", timeout=timeout, polling=250)
        self.wait_for_kernel_idle(timeout)

    def outputs(self):
        return self.panel.locator(".jp-OutputArea-output")

    def error_outputs(self) -> list[str]:
        """The text of every error traceback and stderr output in the notebook."""
        return self.panel.locator(
            ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
        ).all_text_contents()

    def code_cell(self, source_start: str):
        """The code cell whose source starts with ``source_start``."""
        return self.panel.locator(".jp-CodeCell").filter(
            has=self.page.locator(".cm-content", has_text=source_start)).first

    # -- quizzes ----------------------------------------------------------------------------
    @property
    def quizzes(self):
        """The quizzes drawn as widgets (the text fallback has no .dfe-quiz class)."""
        return self.panel.locator(".dfe-quiz")

    def wait_for_quizzes(self, count: int, timeout: float = UI_MS) -> None:
        """Wait until ``count`` quizzes are drawn as widgets with an enabled Check button."""
        self.page.wait_for_function(
            """(n) => {
              const nb = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
              return nb && [...nb.querySelectorAll('.dfe-quiz')].filter(q =>
                q.querySelector('[data-action=check]:not(:disabled)')).length >= n;
            }""", arg=count, timeout=timeout, polling=200)


def menu_bar(page, menu: str, item: str) -> None:
    """Click ``menu`` in JupyterLab's menu bar, then its item labelled ``item``."""
    page.locator(".lm-MenuBar-item", has_text=re.compile(f"^{re.escape(menu)}$")).click()
    page.locator(".lm-Menu .lm-Menu-item:not(.lm-mod-disabled)",
                 has=page.locator(".lm-Menu-itemLabel",
                                  has_text=re.compile(f"^{re.escape(item)}$"))).click()


def option(quiz_box, quiz, index: int):
    """The control (radio button or checkbox) of option ``index`` in a quiz widget."""
    role = "checkbox" if quiz.kind == "multiple" else "radio"
    return quiz_box.get_by_role(role, name=quiz.options[index].text, exact=True)


# Found as a person finds them, by role and accessible name (the quiz itself never reads
# its labels: its buttons act by their data-action attribute).
def check_button(quiz_box):
    return quiz_box.get_by_role("button", name="Check", exact=True)


def retry_button(quiz_box):
    return quiz_box.get_by_role("button", name="Try again", exact=True)


def answer_button(quiz_box):
    return quiz_box.get_by_role("button", name="Show the answer", exact=True)


def feedback(quiz_box):
    """The quiz's feedback area: a live region, empty until Check."""
    return quiz_box.locator(".dfe-feedback-area").first


def shown_options(quiz_box):
    """The option controls of a quiz in the order the learner sees them."""
    return quiz_box.locator(".dfe-options input")


def option_labels(quiz_box) -> list[str]:
    """The option texts in the order the learner sees them (each learner has their own)."""
    return shown_options(quiz_box).evaluate_all(
        "inputs => inputs.map(i => i.closest('label').textContent.trim())")


def active_cell(page) -> int:
    """The index of JupyterLab's active cell in the visible notebook."""
    return page.evaluate("""() => [...document.querySelectorAll(
        '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell')]
        .findIndex(c => c.classList.contains('jp-mod-active'))""")


# Arms a timer in the page for one quiz: window.__dfeLatency resolves with the milliseconds
# from the click on the quiz's Check button to feedback text appearing in the quiz, both
# taken with performance.now() in the page, so Playwright's round-trips do not count.
ARM_LATENCY_JS = """
([index, expected]) => {
  const quiz = document.querySelectorAll(
      '.jp-NotebookPanel:not(.lm-mod-hidden) .dfe-quiz')[index];
  const button = quiz.querySelector('[data-action=check]');
  window.__dfeLatency = new Promise((resolve, reject) => {
    let clicked = null;
    const observer = new MutationObserver(() => {
      if (clicked !== null && expected.some(e => quiz.textContent.includes(e))) {
        const ms = performance.now() - clicked;
        observer.disconnect();
        clearTimeout(timer);
        resolve(ms);
      }
    });
    const timer = setTimeout(() => {
      observer.disconnect();
      reject(new Error('no feedback within 30 s of the click'));
    }, 30000);
    observer.observe(quiz, {subtree: true, childList: true, characterData: true});
    button.addEventListener('click', () => { clicked = performance.now(); },
                            {capture: true, once: true});
  });
  return true;
}
"""


# -- accessibility (axe-core) --------------------------------------------------------------
AXE_VERSION = "4.10.3"
AXE_CACHE = ROOT / ".cache" / "axe-core"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_script() -> str:
    """The source of axe-core's ``axe.min.js`` from the npm registry, installed once into
    ``.cache/axe-core`` (git-ignored). Raises ``RuntimeError`` if npm cannot install it."""
    path = AXE_CACHE / "node_modules" / "axe-core" / "axe.min.js"
    if not path.exists():
        npm = shutil.which("npm")
        if not npm:
            raise RuntimeError("npm is not installed, so axe-core cannot be installed")
        AXE_CACHE.mkdir(parents=True, exist_ok=True)
        done = subprocess.run([npm, "install", "--no-save", "--no-audit", "--no-fund",
                               "--prefix", str(AXE_CACHE), f"axe-core@{AXE_VERSION}"],
                              capture_output=True, text=True, timeout=300)
        if done.returncode != 0 or not path.exists():
            raise RuntimeError(f"npm install axe-core failed: {done.stderr[-500:]}")
    return path.read_text(encoding="utf-8")


def axe_violations(page, selector: str) -> list[str]:
    """axe-core's WCAG 2.1 A/AA violations inside the elements matching ``selector``, one
    line each (rule, impact, the first offending element)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=axe_script())
    result = page.evaluate(
        """async ([selector, tags]) => {
            const include = Array.from(document.querySelectorAll(selector));
            if (!include.length) return [];
            const r = await axe.run(include, {runOnly: {type: 'tag', values: tags},
                                              resultTypes: ['violations']});
            return r.violations.map(v => `${v.id} (${v.impact}): ${v.help} -- ` +
                                         (v.nodes[0] ? v.nodes[0].html.slice(0, 160) : ''));
        }""", [selector, WCAG_TAGS])
    return list(result)
