"""The live hub stops a server nobody uses (jupyterhub-idle-culler, as
deploy/jupyterhub/jupyterhub_config.py ships it), and keeps the grader service running.

JupyterHub runs as in tests/browser/test_hub_live.py (real Unix accounts, the shipped
config; only paths, ports and the idle timeout differ). A test service with its own token
starts a student's server through the hub's REST API, as the hub does at log-in.
"""

from __future__ import annotations

import json
import secrets
import shutil
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest
from hub_class import hub_classroom, server_environ
from hub_env import hub_venv
from hub_server import GRADER
from shared_env import is_root, require

pytestmark = pytest.mark.slow
IDLE_TIMEOUT = 20  # seconds, instead of the shipped hour
TOKEN = secrets.token_hex(24)
DRIVER = """
c.JupyterHub.services.append({{"name": "dfe-test-driver", "api_token": {token!r}}})
c.JupyterHub.load_roles.append({{"name": "dfe-test-driver", "services": ["dfe-test-driver"],
                                 "scopes": ["admin:users", "admin:servers", "list:users"]}})
"""


def api(hub_url: str, method: str, path: str) -> dict:
    request = urllib.request.Request(f"{hub_url}/hub/api{path}", method=method,
                                     headers={"Authorization": f"token {TOKEN}"})
    with urllib.request.urlopen(request, timeout=60) as response:
        body = response.read()
    return json.loads(body) if body else {}


def wait_for(condition, what: str, limit: float, log) -> float:
    """Seconds until ``condition()`` holds (polled); fails naming ``what`` after ``limit``."""
    start = time.monotonic()
    while time.monotonic() - start < limit:
        if condition():
            return time.monotonic() - start
        time.sleep(1)
    raise AssertionError(f"{what} did not happen within {limit:.0f} s\n{log()[-4000:]}")


def test_an_idle_students_server_is_stopped_and_the_grader_keeps_running():
    require(is_root(), "the live hub creates Unix accounts and runs JupyterHub as root")
    venv = hub_venv()
    base = Path(tempfile.mkdtemp(prefix="dfe-hub-idle-"))
    db_url = f"sqlite:///{base}/home/{GRADER}/course/gradebook.db"
    try:
        with hub_classroom(base, venv, db_url,
                           extra_config=lambda site, instructor: DRIVER.format(token=TOKEN),
                           hub_env={"DEEPFAKE_ETHICS_IDLE_TIMEOUT": str(IDLE_TIMEOUT)}) as room:
            url, student = room.url, room.students[0]
            log = room.hub.log

            def servers() -> dict:
                return api(url, "GET", f"/users/{student}")["servers"]

            api(url, "POST", f"/users/{student}/server")
            wait_for(lambda: servers().get("", {}).get("ready"), "the student's server start",
                     180, log)
            server_environ(student)  # its process runs as the student
            idle_for = wait_for(lambda: not servers(), "stopping the idle server", 180, log)
            assert "Culling server" in log(), log()[-4000:]
            # Stopped for being idle, not at once: the culler waited out the timeout (the
            # server's last activity is its start, a few seconds before it was ready).
            assert idle_for >= IDLE_TIMEOUT - 10
            with pytest.raises(AssertionError, match="no running server"):
                server_environ(student)
            server_environ(GRADER)  # the grader service is not a user server: still running
    finally:
        shutil.rmtree(base, ignore_errors=True)
