"""The class at nine o'clock: thirty students log in to the live hub in the same minute.

JupyterHub runs from deploy/jupyterhub/ as shipped (tests/hub_class.py: real Unix accounts,
PAM log-ins, the grader service). At once, every student does what a browser does at the
start of a lesson, through the hub's and the server's own HTTP APIs:

1. logs in with the hub's form (PAM), which starts the student's server;
2. waits for the server, then opens lesson 02 (a session with a kernel, as JupyterLab does);
3. runs the lesson's first quiz cell, ``quiz("...")``, until the quiz widget is displayed.

Figures: time from the first log-in until every student's quiz is displayed, the slowest and
the median student, errors (the target is 0), and the memory each student's processes use
(server and kernel, resident). Baseline, in the same run: one student alone doing the same.

Needs root (it creates Unix accounts and runs JupyterHub), node and npm. ``--students N``
changes the class size (default 30).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urljoin

from common import save, table
from hub_class import hub_classroom
from hub_env import hub_venv
from hub_server import GRADER
from shared_env import is_root
from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest
from tornado.websocket import websocket_connect

LESSON = "deepfake-ethics-course/notebooks/02-legal-aspects.ipynb"
WIDGET = "application/vnd.jupyter.widget-view+json"
LIMIT_S = 900  # one student gives up after this long (an error, not a figure)


def first_quiz_id() -> str:
    from deepfake_ethics import bank

    return next(q.id for q in bank.quizzes().values() if q.lesson.startswith("02-"))


class Browser:
    """What a browser keeps for one student: cookies, and the hub's address."""

    def __init__(self, hub_url: str):
        self.hub_url = hub_url
        self.cookies: dict[str, str] = {}
        self.client = AsyncHTTPClient(force_instance=True, max_clients=4)

    def _header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    async def fetch(self, path: str, method: str = "GET", body: str | None = None,
                    headers: dict[str, str] | None = None, follow: bool = True):
        """A request with the cookies so far, following redirects as a browser does."""
        url = urljoin(self.hub_url + "/", path.lstrip("/"))
        for _ in range(20):
            request = HTTPRequest(url, method=method, body=body, follow_redirects=False,
                                  headers={"Cookie": self._header(), **(headers or {})},
                                  request_timeout=300)
            response = await self.client.fetch(request, raise_error=False)
            for raw in response.headers.get_list("Set-Cookie"):
                cookie = SimpleCookie()
                cookie.load(raw)
                for key, morsel in cookie.items():
                    self.cookies[key] = morsel.value
            if follow and response.code in (301, 302, 303, 307) and "Location" in response.headers:
                url = urljoin(url, response.headers["Location"])
                method, body = "GET", None
                continue
            return response
        raise RuntimeError(f"too many redirects from {path}")


async def log_in(browser: Browser, user: str, password: str) -> None:
    page = await browser.fetch("/hub/login")
    xsrf = re.search(rb'name="_xsrf" value="([^"]+)"', page.body)
    form = f"username={user}&password={password}"
    if xsrf:
        form += f"&_xsrf={xsrf.group(1).decode()}"
    await browser.fetch("/hub/login?next=", method="POST", body=form, follow=False)
    if not any(k.startswith("jupyterhub-session") or k == "jupyterhub-hub-login"
               for k in browser.cookies):
        raise RuntimeError(f"{user}: the hub did not log in")
    await browser.fetch("/hub/spawn", follow=True)  # starts the server, as the log-in does


async def wait_for_server(browser: Browser, user: str) -> None:
    """Open the user's JupyterLab page (the hub's OAuth hands the server its cookie) until
    the server answers its API."""
    deadline = time.monotonic() + LIMIT_S
    while time.monotonic() < deadline:
        page = await browser.fetch(f"/user/{user}/lab", follow=True)
        if page.code >= 500:  # the hub gave up on the server (its page offers a relaunch)
            raise RuntimeError(f"{user}: the server failed to start ({page.code} at "
                               f"{page.effective_url})")
        response = await browser.fetch(f"/user/{user}/api/status", follow=False)
        if response.code == 200 and response.body.lstrip().startswith(b"{"):
            return
        await asyncio.sleep(1)
    raise RuntimeError(f"{user}: the server did not start")


async def open_quiz(browser: Browser, user: str, quiz_id: str) -> None:
    """Open the lesson with a kernel and run its first quiz cell until the widget shows."""
    xsrf = browser.cookies.get("_xsrf", "")
    session = await browser.fetch(
        f"/user/{user}/api/sessions", method="POST",
        body=json.dumps({"path": LESSON, "type": "notebook", "name": Path(LESSON).name,
                         "kernel": {"name": "python3"}}),
        headers={"X-XSRFToken": xsrf, "Content-Type": "application/json"})
    if session.code not in (200, 201):
        raise RuntimeError(f"{user}: no session ({session.code}) {session.body[:200]!r}")
    kernel = json.loads(session.body)["kernel"]["id"]
    ws_url = browser.hub_url.replace("http", "ws", 1) + \
        f"/user/{user}/api/kernels/{kernel}/channels?session_id={uuid.uuid4().hex}"
    socket = await websocket_connect(HTTPRequest(ws_url, headers={"Cookie": browser._header()}))
    msg_id = uuid.uuid4().hex
    socket.write_message(json.dumps({
        "header": {"msg_id": msg_id, "msg_type": "execute_request", "username": user,
                   "session": uuid.uuid4().hex, "version": "5.3",
                   "date": time.strftime("%Y-%m-%dT%H:%M:%SZ")},
        "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
        "content": {"code": f"from deepfake_ethics import quiz\nquiz({quiz_id!r})",
                    "silent": False, "store_history": True, "user_expressions": {},
                    "allow_stdin": False, "stop_on_error": True}}))
    shown = replied = False
    deadline = time.monotonic() + LIMIT_S
    while not (shown and replied):
        if time.monotonic() > deadline:
            raise RuntimeError(f"{user}: the quiz did not show")
        raw = await asyncio.wait_for(socket.read_message(), LIMIT_S)
        if raw is None:
            raise RuntimeError(f"{user}: the kernel's channel closed")
        if isinstance(raw, bytes):
            continue
        msg = json.loads(raw)
        if msg.get("parent_header", {}).get("msg_id") != msg_id:
            continue
        kind = msg["header"]["msg_type"]
        if kind == "display_data" and WIDGET in msg["content"].get("data", {}):
            shown = True
        elif kind == "error":
            raise RuntimeError(f"{user}: {msg['content'].get('ename')}: "
                               f"{msg['content'].get('evalue')}")
        elif kind == "execute_reply":
            replied = True
    socket.close()


async def student(room, user: str, quiz_id: str, start: float) -> dict:
    browser = Browser(room.url)
    try:
        await log_in(browser, user, room.passwords[user])
        await wait_for_server(browser, user)
        await open_quiz(browser, user, quiz_id)
        return {"user": user, "seconds": time.monotonic() - start}
    except (TimeoutError, RuntimeError, HTTPClientError, OSError) as error:
        return {"user": user, "error": str(error)[:300]}
    finally:
        browser.client.close()


def memory_mb(users: list[str]) -> list[float]:
    """Resident memory of each user's processes (server, kernel), in MB."""
    import pwd

    uids = {pwd.getpwnam(u).pw_uid: u for u in users}
    per_user = dict.fromkeys(users, 0.0)
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        uid = int(re.search(r"^Uid:\s+(\d+)", text, re.M).group(1))
        rss = re.search(r"^VmRSS:\s+(\d+) kB", text, re.M)
        if uid in uids and rss:
            per_user[uids[uid]] += int(rss.group(1)) / 1024
    return list(per_user.values())


async def the_class(room, users: list[str], quiz_id: str) -> list[dict]:
    start = time.monotonic()
    return list(await asyncio.gather(*(student(room, u, quiz_id, start) for u in users)))


def run(n: int) -> dict:
    base = Path(tempfile.mkdtemp(prefix="dfe-bench-class-"))
    quiz_id = first_quiz_id()
    try:
        db_url = f"sqlite:///{base}/home/{GRADER}/course/gradebook.db"
        with hub_classroom(base, hub_venv(), db_url, students=n + 1) as room:
            alone, *rest = room.students
            baseline = asyncio.run(the_class(room, [alone], quiz_id))
            results = asyncio.run(the_class(room, rest, quiz_id))
            memory = memory_mb([r["user"] for r in results if "seconds" in r])
    finally:
        shutil.rmtree(base, ignore_errors=True)
    done = [r["seconds"] for r in results if "seconds" in r]
    errors = [r for r in results if "error" in r]
    if "seconds" not in baseline[0]:
        raise SystemExit(f"the single student failed: {baseline[0]['error']}")
    return {"students": n, "ready": len(done), "errors": errors,
            "all ready s": max(done) if done else float("nan"),
            "median s": statistics.median(done) if done else float("nan"),
            "alone s": baseline[0]["seconds"],
            "memory mean MB": statistics.mean(memory) if memory else float("nan"),
            "memory max MB": max(memory) if memory else float("nan")}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=30)
    args = parser.parse_args(argv)
    if not is_root():
        print("cannot run the class benchmark: it must run as root", file=sys.stderr)
        return 2
    f = run(args.students)
    for error in f["errors"]:
        print(f"  {error['user']}: {error['error']}", file=sys.stderr)
    if not f["ready"]:
        print(f"no student of {f['students']} got to the quiz", file=sys.stderr)
        return 1
    rows = [{"measure": f"{f['students']} students: first log-in to every quiz shown",
             "seconds": round(f["all ready s"], 1), "baseline": "one student alone",
             "baseline_seconds": round(f["alone s"], 1),
             "ratio": round(f["all ready s"] / f["alone s"], 2)},
            {"measure": "median student", "seconds": round(f["median s"], 1)},
            {"measure": "errors", "count": len(f["errors"])},
            {"measure": "memory per student (server + kernel)",
             "mean_mb": round(f["memory mean MB"]), "max_mb": round(f["memory max MB"])}]
    save("class_login", rows)
    print(table(["measure", "figure"], [
        [rows[0]["measure"], f"{rows[0]['seconds']} s ({rows[0]['ratio']}× one student "
                             f"alone, {rows[0]['baseline_seconds']} s)"],
        [rows[1]["measure"], f"{rows[1]['seconds']} s"],
        ["errors", str(len(f["errors"]))],
        [rows[3]["measure"], f"{rows[3]['mean_mb']} MB mean, {rows[3]['max_mb']} MB max"]]))
    return 1 if f["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
