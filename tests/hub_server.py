"""A live JupyterHub for the tests, run from deploy/jupyterhub/ as shipped.

``HubSite`` lays out what docs/deployment.md installs, in a temporary folder instead of
/etc/jupyterhub, /srv and /home: the hub's config with the class lists beside it, the
exchange folder, the accounts' homes; and what goes to /etc/jupyter (the global nbgrader
config, a student's JupyterLab from jupyter/student/). /etc/jupyter has to be that very
folder, because Jupyter ranks it below each user's ~/.jupyter (where the grader and the
instructors turn their tools back on) and above nothing else: the hub, and every command
run for the site, runs in a mount namespace of its own where the site's folder is
bind-mounted on /etc/jupyter (``in_site``); the machine's /etc/jupyter is untouched (an
empty mount point is created if there is none, and removed again).

Only paths and ports differ from the shipped files: a small config file loads the shipped
jupyterhub_config.py and then sets them (``OVERRIDES``). ``Hub`` starts JupyterHub as root
on 127.0.0.1 (it starts each user's server, and the grader service, as that Unix account)
and stops it with everything it started.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from conftest import ROOT
from hub_env import proxy_command
from processes import ServerDidNotStart, free_port, stop_process_group, wait_until_answering
from shared_env import SYSTEM_PATH

COURSE_ID = "deepfake-ethics"
GRADER = f"grader-{COURSE_ID}"
HUB_DEPLOY = ROOT / "deploy" / "jupyterhub"
STUDENT_LAB = ROOT / "jupyter" / "student"

# Loads the shipped config, then moves what lives in /etc, /srv and /home into the test's
# folder and picks free ports. Nothing else is changed.
OVERRIDES = """\
c = get_config()  # noqa: F821
load_subconfig({shipped!r})  # noqa: F821 - deploy/jupyterhub/jupyterhub_config.py, unchanged

c.JupyterHub.bind_url = "http://127.0.0.1:{port}"
c.JupyterHub.hub_bind_url = "http://127.0.0.1:{hub_port}"
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{proxy_port}"
c.ConfigurableHTTPProxy.command = {proxy!r}
c.ConfigurableHTTPProxy.pid_file = {state!r} + "/proxy.pid"
c.JupyterHub.db_url = "sqlite:///" + {state!r} + "/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = {state!r} + "/jupyterhub_cookie_secret"
# The exchange's folder instead of /srv/nbgrader/exchange (exchange-paths/nbgrader_config.py)
c.Spawner.environment = {{"JUPYTER_CONFIG_PATH": {config_path!r}}}
for service in c.JupyterHub.services:
    if service["name"] == {course!r}:
        service["url"] = "http://127.0.0.1:{grader_port}"
        service["cwd"] = {grader_home!r}
        service["environment"]["JUPYTER_CONFIG_PATH"] = {config_path!r}
        service["environment"]["DEEPFAKE_ETHICS_COURSE_ROOT"] = {grader_home!r} + "/course"
{extra}"""


@dataclass
class HubSite:
    """The installed files of the guide's one-server hub, under ``base``."""

    base: Path
    instructors: list[str]
    students: list[str]
    venv: Path
    extra_config: str = ""  # appended to the overrides (the ngshare service)
    global_nbgrader_config: Path = HUB_DEPLOY / "global_nbgrader_config.py"
    ports: dict[str, int] = field(default_factory=dict)
    created_etc_jupyter: bool = False  # /etc/jupyter was made as a mount point, by us

    @property
    def etc_hub(self) -> Path:
        return self.base / "etc-jupyterhub"

    @property
    def etc_jupyter(self) -> Path:
        return self.base / "etc-jupyter"

    @property
    def exchange(self) -> Path:
        return self.base / "exchange"

    @property
    def state(self) -> Path:
        return self.base / "hub-state"

    @property
    def homes(self) -> Path:
        return self.base / "home"

    @property
    def grader_home(self) -> Path:
        return self.homes / GRADER

    @property
    def course(self) -> Path:
        return self.grader_home / "course"

    @property
    def config_path(self) -> str:
        return str(self.base / "exchange-paths")

    def install_etc_jupyter(self) -> None:
        """/etc/jupyter of the guide: the global nbgrader config, a student's JupyterLab;
        and the exchange's folder in place of /srv/nbgrader/exchange."""
        for folder in (self.etc_jupyter, self.base / "exchange-paths"):
            folder.mkdir(parents=True, exist_ok=True)
        shutil.copy(self.global_nbgrader_config, self.etc_jupyter / "nbgrader_config.py")
        shutil.copytree(STUDENT_LAB, self.etc_jupyter, dirs_exist_ok=True)
        (self.base / "exchange-paths" / "nbgrader_config.py").write_text(
            f"c = get_config()  # noqa: F821\nc.Exchange.root = {str(self.exchange)!r}\n")

    def install(self) -> Path:
        """Lay out the files; returns the config file to start JupyterHub with."""
        self.base.chmod(0o755)
        for folder in (self.etc_hub, self.state, self.homes):
            folder.mkdir(parents=True, exist_ok=True)
        self.state.chmod(0o700)
        self.exchange.mkdir(exist_ok=True)
        self.exchange.chmod(0o1777)  # created by root, writable by everyone, sticky (the guide)
        for shipped in ("jupyterhub_config.py", "lti13_config.py"):  # beside each other
            shutil.copy(HUB_DEPLOY / shipped, self.etc_hub)
        (self.etc_hub / "instructors.txt").write_text("\n".join(self.instructors) + "\n")
        (self.etc_hub / "students.txt").write_text("\n".join(self.students) + "\n")
        self.install_etc_jupyter()
        for name in ("port", "hub_port", "proxy_port", "grader_port"):
            self.ports[name] = free_port()
        config = self.etc_hub / "test_overrides.py"
        config.write_text(OVERRIDES.format(
            shipped=str(self.etc_hub / "jupyterhub_config.py"), state=str(self.state),
            proxy=proxy_command(self.venv), config_path=self.config_path, course=COURSE_ID,
            grader_home=str(self.grader_home), extra=self.extra_config, **self.ports))
        return config

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.ports['port']}"


@dataclass
class Hub:
    """JupyterHub, run as root from ``site``'s config, in a process group of its own."""

    site: HubSite
    env: dict[str, str] = field(default_factory=dict)
    proc: subprocess.Popen | None = None
    started_at: float = 0.0

    @property
    def log_path(self) -> Path:
        return self.site.base / "jupyterhub.log"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def start(self, timeout: float = 120) -> Hub:
        config = self.site.install()
        venv = self.site.venv
        env = {"PATH": f"{venv / 'bin'}:{SYSTEM_PATH}", "LANG": "C.UTF-8", "HOME": "/root",
               "PYTHONUNBUFFERED": "1", **self.env}
        with self.log_path.open("w") as log:
            self.started_at = time.monotonic()
            self.proc = subprocess.Popen(
                in_site(self.site, str(venv / "bin" / "jupyterhub"), "-f", str(config)),
                cwd=self.site.state,
                env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                stdin=subprocess.DEVNULL)
        try:
            wait_until_answering(self.proc, f"{self.site.url}/hub/api/", timeout, self.log,
                                 check=json.loads, interval=0.3)
        except ServerDidNotStart:
            self.stop()  # the proxy it may have started, the mount point
            raise
        return self

    def stop(self) -> None:
        """Stop JupyterHub; it stops the proxy, the servers and the services it started
        (the accounts' leftover processes are ended when the accounts are removed)."""
        proc, self.proc = self.proc, None
        if proc is not None:
            stop_process_group(proc, grace=60)
        self._stop_proxy()
        remove_mount_point(self.site)

    def _stop_proxy(self) -> None:
        """The proxy runs in a session of its own; JupyterHub stops it when it shuts down
        cleanly, but not when it dies during start-up. Its pid file says which it is."""
        pid_file = self.site.state / "proxy.pid"
        try:
            pid = int(pid_file.read_text().strip())
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except (OSError, ValueError):
            return
        if b"configurable-http-proxy" in cmdline:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)

    def __enter__(self) -> Hub:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


ETC_JUPYTER = Path("/etc/jupyter")
_MOUNT = 'mount --bind "$0" /etc/jupyter && exec "$@"'


def in_site(site: HubSite, *argv: str) -> list[str]:
    """``argv`` run in a mount namespace where the site's folder is /etc/jupyter."""
    if not ETC_JUPYTER.exists():
        ETC_JUPYTER.mkdir()  # an empty mount point: no settings for anyone
        site.created_etc_jupyter = True
    return ["unshare", "--mount", "--propagation", "private", "--", "sh", "-c", _MOUNT,
            str(site.etc_jupyter), *argv]


def remove_mount_point(site: HubSite) -> None:
    if site.created_etc_jupyter:
        with contextlib.suppress(OSError):
            ETC_JUPYTER.rmdir()  # only if still empty (and no other test's mount point)


def set_passwords(passwords: dict[str, str]) -> None:
    """Give the accounts passwords, so that they log in through PAM as people do."""
    lines = "".join(f"{user}:{password}\n" for user, password in passwords.items())
    subprocess.run(["chpasswd"], input=lines, text=True, check=True, capture_output=True)


def http_status(url: str, cookies: str | None = None) -> int:
    """The status of a GET without following redirects (a refusal is 403 or a redirect)."""
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    request = urllib.request.Request(url, headers={"Cookie": cookies} if cookies else {})
    try:
        with urllib.request.build_opener(NoRedirect).open(request, timeout=30) as resp:
            return resp.status
    except urllib.error.HTTPError as error:
        return error.code
