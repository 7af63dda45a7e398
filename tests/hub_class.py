"""A class on the live hub: real Unix accounts (an instructor, two students by default, the grader
account), the grader's course directory and settings as docs/deployment.md installs them,
and JupyterHub running from deploy/jupyterhub/ (tests/hub_server.py).

``hub_classroom(...)`` is a context manager: everything it creates (accounts, homes, files
in /tmp, the hub and every server) is gone when it exits, also after a failure.
"""

from __future__ import annotations

import contextlib
import pwd
import secrets
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from browser.lab import course_copy
from filelock import FileLock
from hub_server import GRADER, HUB_DEPLOY, Hub, HubSite, in_site, remove_mount_point, set_passwords
from shared_env import (
    SYSTEM_PATH,
    chown_tree,
    remove_leftover_accounts,
    require,
    temporary_accounts,
)

# docs/deployment.md, "Which nbgrader tools each account sees": the instructor tools are
# off for everyone (jupyter/student/ in /etc/jupyter) and on again per account.
GRADER_TOOLS = [
    ["labextension", "enable", "--level=user", "@jupyter/nbgrader:formgrader"],
    ["labextension", "enable", "--level=user", "@jupyter/nbgrader:create-assignment"],
    ["server", "extension", "enable", "--user", "nbgrader.server_extensions.formgrader"],
]
INSTRUCTOR_TOOLS = [
    ["labextension", "enable", "--level=user", "@jupyter/nbgrader:course-list"],
    ["server", "extension", "enable", "--user", "nbgrader.server_extensions.course_list"],
]


@dataclass
class Classroom:
    hub: Hub
    instructor: str
    students: list[str]
    passwords: dict[str, str]
    accounts: dict[str, pwd.struct_passwd]

    @property
    def site(self) -> HubSite:
        return self.hub.site

    @property
    def url(self) -> str:
        return self.site.url

    def home(self, user: str) -> Path:
        return self.site.homes / user


def jupyter_as(site: HubSite, user: str, *args: str) -> None:
    """A `jupyter` command as ``user``, seeing the site's /etc/jupyter as the user's server
    does (`labextension enable` records only what it turns back on)."""
    account = pwd.getpwnam(user)
    env = {"HOME": account.pw_dir, "USER": user, "LOGNAME": user, "LANG": "C.UTF-8",
           "PATH": f"{site.venv}/bin:{SYSTEM_PATH}"}
    argv = in_site(site, "runuser", "-u", user, "--", "env", "-i",
                   *(f"{k}={v}" for k, v in env.items()), str(site.venv / "bin" / "jupyter"),
                   *args)
    done = subprocess.run(argv, cwd=account.pw_dir, capture_output=True, text=True,
                          timeout=300, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, f"as {user}: jupyter {' '.join(args)}:\n{done.stderr}"


def _account_free(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return True
    return False


def prepare_grader(site: HubSite, account: pwd.struct_passwd) -> None:
    """The grader's course directory (a copy of the course, as a clone would be) and its
    ~/.jupyter/nbgrader_config.py, then the instructor tools for this account only."""
    course_copy(site.course)
    jupyter = site.grader_home / ".jupyter"
    jupyter.mkdir()
    shutil.copy(HUB_DEPLOY / "grader_nbgrader_config.py", jupyter / "nbgrader_config.py")
    chown_tree(site.grader_home, account)
    for command in GRADER_TOOLS:
        jupyter_as(site, GRADER, *command)


def give_lessons(site: HubSite, account: pwd.struct_passwd) -> None:
    """The lessons in a student's home, as a clone (or nbgitpuller) puts them there."""
    home = site.homes / account.pw_name
    course_copy(home / "deepfake-ethics-course")
    chown_tree(home / "deepfake-ethics-course", account)


@contextlib.contextmanager
def hub_classroom(base: Path, venv: Path, db_url: str, *,
                  extra_config: Callable[[HubSite, str], str] | None = None,
                  global_nbgrader_config: Path | None = None,
                  hub_env: dict[str, str] | None = None,
                  students: int = 2) -> Iterator[Classroom]:
    # One class at a time on a machine (the grader account has one name): a second test
    # run, or a benchmark, waits for the first to finish.
    with FileLock(str(Path(tempfile.gettempdir()) / "dfe-hub-class.lock")):
        yield from _classroom(base, venv, db_url, extra_config, global_nbgrader_config,
                              hub_env, students)


def _classroom(base: Path, venv: Path, db_url: str,
               extra_config: Callable[[HubSite, str], str] | None,
               global_nbgrader_config: Path | None, hub_env: dict[str, str] | None,
               students: int) -> Iterator[Classroom]:
    remove_leftover_accounts()
    require(_account_free(GRADER), f"an account named {GRADER} exists on this machine: "
                                   "the test will not touch a real deployment's grader")
    suffix = secrets.token_hex(2)
    instructor = f"dfe-teach-{suffix}"
    learners = [f"dfe-stu{n}-{suffix}" for n in range(1, students + 1)]
    base.chmod(0o755)
    (base / "home").mkdir(mode=0o755)
    with temporary_accounts([instructor, *learners, GRADER], base / "home") as accounts:
        passwords = {user: secrets.token_urlsafe(12) for user in [instructor, *learners]}
        set_passwords(passwords)
        site = HubSite(base, [instructor], learners, venv)
        if extra_config is not None:
            site.extra_config = extra_config(site, instructor)
        if global_nbgrader_config is not None:
            site.global_nbgrader_config = global_nbgrader_config
        site.install_etc_jupyter()
        try:
            prepare_grader(site, accounts[GRADER])
            for command in INSTRUCTOR_TOOLS:
                jupyter_as(site, instructor, *command)
            for student in learners:
                give_lessons(site, accounts[student])
            env = {"DEEPFAKE_ETHICS_DB_URL": db_url, **(hub_env or {})}
            with Hub(site, env=env) as hub:
                yield Classroom(hub, instructor, learners, passwords, accounts)
        finally:
            remove_mount_point(site)


def in_terminal(site: HubSite, user: str, server_env: dict[str, str], *argv: str,
                cwd: Path | None = None) -> subprocess.CompletedProcess:
    """A command as if typed in a terminal of ``user``'s running server (its token, its
    NGSHARE_URL, its gradebook URL), with the site's /etc/jupyter."""
    keep = ("JUPYTERHUB_API_TOKEN", "JUPYTERHUB_API_URL", "JUPYTERHUB_USER", "NGSHARE_URL",
            "JUPYTER_CONFIG_PATH", "DEEPFAKE_ETHICS_DB_URL", "DEEPFAKE_ETHICS_COURSE_ROOT")
    account = pwd.getpwnam(user)
    env = {"HOME": account.pw_dir, "USER": user, "LOGNAME": user, "LANG": "C.UTF-8",
           "PATH": f"{site.venv}/bin:{SYSTEM_PATH}",
           **{k: v for k, v in server_env.items() if k in keep}}
    done = subprocess.run(in_site(site, "runuser", "-u", user, "--", "env", "-i",
                                  *(f"{k}={v}" for k, v in env.items()), *argv),
                          cwd=cwd or account.pw_dir, capture_output=True, text=True,
                          timeout=300, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, f"as {user}: {' '.join(argv)}:\n{done.stdout}\n{done.stderr}"
    return done


def server_environ(user: str) -> dict[str, str]:
    """The environment of a running process of ``user`` whose command is a Jupyter server."""
    uid = pwd.getpwnam(user).pw_uid
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            if entry.stat().st_uid != uid:
                continue
            cmdline = (entry / "cmdline").read_bytes()
            if b"jupyterhub-singleuser" not in cmdline:
                continue
            raw = (entry / "environ").read_bytes()
        except OSError:
            continue
        return dict(item.split("=", 1) for item in raw.decode(errors="replace").split("\0")
                    if "=" in item)
    raise AssertionError(f"no running server of {user}")

