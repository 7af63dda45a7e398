"""`make lab` sets up and serves JupyterLab at the start page (on 127.0.0.1 only)."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import urllib.request

import pytest
from conftest import ROOT
from processes import free_port, stop_process_group, wait_until_answering


@pytest.mark.slow
def test_make_lab_serves_the_start_page(tmp_path):
    port, token = free_port(), secrets.token_hex(16)
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"), BROWSER="true")
    log_path = tmp_path / "lab.log"
    log = log_path.open("w")
    proc = subprocess.Popen(
        ["make", "lab", "HOST=127.0.0.1", f"PORT={port}",
         f"LAB_ARGS=--no-browser --IdentityProvider.token={token}"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_answering(proc, f"{base}/api/status?token={token}", 120,
                             log_path.read_text)
        with urllib.request.urlopen(
                f"{base}/lab/tree/notebooks/00-start-here.ipynb?token={token}") as page:
            html = page.read().decode()
        assert page.status == 200 and "jupyter-config-data" in html
        with urllib.request.urlopen(
                f"{base}/api/contents/notebooks/00-start-here.ipynb?token={token}") as api:
            model = json.load(api)
        assert model["type"] == "notebook"
        assert model["content"]["cells"][0]["source"].startswith("# Start here")
        # The server's front door (what the browser opens) leads to the start page.
        with urllib.request.urlopen(f"{base}/?token={token}") as front:
            assert front.url.split("?")[0] == f"{base}/lab/tree/notebooks/00-start-here.ipynb"
        with pytest.raises(urllib.error.HTTPError):  # and it wants the token
            urllib.request.urlopen(f"{base}/api/contents/notebooks", timeout=5)
    finally:
        stop_process_group(proc, grace=30)
        log.close()

