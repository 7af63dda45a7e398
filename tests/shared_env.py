"""Helpers for the tests that run programs as other Unix accounts (a PostgreSQL server, an
instructor and students sharing an nbgrader exchange).

* ``require(ok, reason)``: skip outside CI, fail in CI (``CI=true``), where these tests must run.
* ``run_as(user, *cmd)``: run a command as another account, with a clean environment.
* ``shared_venv()``: a virtual environment that every account can read, with the project
  installed (the project's own ``.venv`` lives under /root and is readable by root only).
* ``temporary_accounts(...)``: create Unix accounts and remove them (and their files) again.
* ``PROBE``: a script that tries file operations as an account and says what it was allowed.
"""

from __future__ import annotations

import contextlib
import glob
import grp
import hashlib
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import pytest
from conftest import ROOT
from filelock import FileLock

BASE_PYTHON = "/usr/bin/python3"  # Debian's Python: readable by every account
SHARED_VENV = Path(os.environ.get("DEEPFAKE_ETHICS_SHARED_VENV",
                                  "/opt/deepfake-ethics-shared-venv"))
HASH_FILE = ".deepfake-ethics-source-hash"  # written last: a venv without it is incomplete
INSTALL_HINT = "run `bash .ci/install-server-deps` as root (it apt-get installs them)"
SYSTEM_PATH = "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin"


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() not in ("", "0", "false", "no")


def require(ok: object, reason: str) -> None:
    """Skip the test with ``reason`` when ``ok`` is false, but fail in CI: there it must run."""
    if ok:
        return
    if in_ci():
        pytest.fail(f"{reason} (CI=true: this test must run in CI)", pytrace=False)
    pytest.skip(reason)


def is_root() -> bool:
    return os.geteuid() == 0


def run_as(user: str, *cmd: str | os.PathLike, cwd: str | os.PathLike | None = None,
           env: Mapping[str, str] | None = None, home: str | os.PathLike | None = None,
           check: bool = True, timeout: float = 600) -> subprocess.CompletedProcess:
    """Run ``cmd`` as ``user`` (via runuser) with only the variables of ``env`` set, plus HOME,
    USER, LOGNAME, LANG and PATH; ``check`` raises an AssertionError that shows the output."""
    home = str(home if home is not None else pwd.getpwnam(user).pw_dir)
    variables = {"HOME": home, "USER": user, "LOGNAME": user, "LANG": "C.UTF-8",
                 "PATH": SYSTEM_PATH, **(env or {})}
    argv = ["runuser", "-u", user, "--", "env", "-i",
            *(f"{k}={v}" for k, v in variables.items()), *map(str, cmd)]
    done = subprocess.run(argv, cwd=cwd or home, capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)
    if check and done.returncode != 0:
        raise AssertionError(f"as {user}: {' '.join(map(str, cmd))} failed "
                             f"({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done


# --- A virtual environment that every account can use ----------------------------------

def _project_files() -> list[Path]:
    """The files that decide what `pip install .` installs (metadata, sources, content)."""
    files = [ROOT / name for name in ("pyproject.toml", "README.md", "LICENSE",
                                      "LICENSE-CONTENT.md") if (ROOT / name).exists()]
    for path in sorted((ROOT / "src").rglob("*")):
        parts = set(path.relative_to(ROOT).parts)
        if path.is_file() and "__pycache__" not in parts and not any(
                p.endswith(".egg-info") for p in parts) and path.suffix != ".pyc":
            files.append(path)
    return files


def source_hash(extra: str = "") -> str:
    """A hash of the project's installable files, of the base Python's version and of
    ``extra`` (what else a venv installs)."""
    digest = hashlib.sha256()
    version = subprocess.run([BASE_PYTHON, "-c", "import sys; print(sys.version)"],
                             capture_output=True, text=True, check=True).stdout
    digest.update(version.encode() + extra.encode())
    for path in _project_files():
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def _readable_by_all(root: Path) -> None:
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + [""]:
            path = os.path.join(dirpath, name)
            os.chmod(path, os.lstat(path).st_mode | 0o555)
        for name in filenames:
            path = os.path.join(dirpath, name)
            if not os.path.islink(path):
                os.chmod(path, os.lstat(path).st_mode | 0o444)


def shared_venv() -> Path:
    """The shared environment (``SHARED_VENV``), built from Debian's Python with the project
    installed (not editable); reused while the hash of pyproject.toml + src/ is unchanged.

    It is a cache kept between runs (building it takes a minute or two); remove the folder to
    rebuild it. Only root may build it."""
    return cached_venv(SHARED_VENV)


def cached_venv(folder: Path, extras: str = "", steps: Sequence[Sequence[str]] = (),
                project: bool = True) -> Path:
    """A venv in ``folder`` that every account can read: Debian's Python, the project
    installed (not editable, with ``extras`` such as "[postgres]"; not at all if not
    ``project``), then ``steps`` (commands, where "{venv}" stands for the folder). Rebuilt
    when the project, ``extras`` or ``steps`` change; kept otherwise."""
    require(os.path.exists(BASE_PYTHON), f"{BASE_PYTHON} is missing: {INSTALL_HINT}")
    check = subprocess.run([BASE_PYTHON, "-c", "import venv, ensurepip"], capture_output=True)
    require(check.returncode == 0, f"{BASE_PYTHON} has no venv module (python3-venv): "
                                   f"{INSTALL_HINT}")
    # (The shared venv's hash is the project's alone, as it always was.)
    wanted = source_hash(repr((extras, [list(step) for step in steps]))
                         if extras or steps else "")
    if not project:  # the project's files do not matter
        wanted = hashlib.sha256(repr([list(step) for step in steps]).encode()).hexdigest()
    python = folder / "bin" / "python"
    folder.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(folder) + ".lock", timeout=1800):
        stamp = folder / HASH_FILE
        if python.exists() and stamp.exists() and stamp.read_text().strip() == wanted:
            return folder
        if folder.exists():
            shutil.rmtree(folder)
        with tempfile.TemporaryDirectory(prefix="dfe-shared-venv-src-") as tmp:
            # Build from a copy: pip would otherwise write build/ and *.egg-info into the tree.
            src = Path(tmp) / "project"
            for path in _project_files():
                target = src / path.relative_to(ROOT)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, target)
            install = [[str(python), "-m", "pip", "install", "--quiet",
                        "--disable-pip-version-check", f"{src}{extras}"]] if project else []
            todo = [[BASE_PYTHON, "-m", "venv", str(folder)], *install,
                    *([part.replace("{venv}", str(folder)) for part in step]
                      for step in steps)]
            for step in todo:
                done = subprocess.run(step, capture_output=True, text=True, cwd=tmp,
                                      stdin=subprocess.DEVNULL)
                if done.returncode != 0:
                    shutil.rmtree(folder, ignore_errors=True)
                    raise AssertionError(f"building {folder} failed: {step}\n"
                                         f"{done.stdout}\n{done.stderr}")
        _readable_by_all(folder)
        stamp.write_text(wanted + "\n")
        stamp.chmod(0o644)
    return folder


# --- What an account may do -------------------------------------------------------------

# Run as an account, ``run_as(user, "/usr/bin/python3", "-c", PROBE, json.dumps(ops))`` with
# ``ops`` a list of [operation, path], it prints each operation's outcome as JSON: ["ok",
# result] or [the OSError's name, its message].
PROBE = r"""
import glob, json, os, sys
out = []
for op, path in json.loads(sys.argv[1]):
    try:
        if op == "list":
            result = sorted(os.listdir(path))
        elif op == "glob":
            result = sorted(glob.glob(path))
        elif op == "exists":
            result = os.path.exists(path)
        elif op == "read":
            with open(path, "rb") as fh:
                result = len(fh.read())
        elif op == "append":
            with open(path, "ab") as fh:
                fh.write(b"changed")
            result = "appended"
        elif op == "create":
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
            result = "created"
        elif op == "mkdir":
            os.mkdir(path)
            result = "made"
        elif op == "unlink":
            os.unlink(path)
            result = "removed"
        elif op == "rename":
            os.rename(path, path + ".moved")
            result = "renamed"
        elif op == "chmod":
            os.chmod(path, 0o666)
            result = "changed"
        else:
            raise ValueError(op)
        out.append(["ok", result])
    except OSError as error:
        out.append([type(error).__name__, str(error)])
print(json.dumps(out))
"""


# --- Temporary Unix accounts -----------------------------------------------------------

def _pids_of(uid: int) -> list[int]:
    done = subprocess.run(["ps", "-o", "pid=", "-u", str(uid)], capture_output=True,
                          text=True)
    return [int(p) for p in done.stdout.split()]


def _remove_account(name: str) -> None:
    try:
        uid = pwd.getpwnam(name).pw_uid
    except KeyError:
        return
    # Processes the test started as this account (a kernel that outlived its command).
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in _pids_of(uid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)
        for _ in range(50):
            if not _pids_of(uid):
                break
            time.sleep(0.1)
    # Files it may have left in the shared temporary folders.
    for folder in ("/tmp", "/var/tmp", "/dev/shm"):
        if os.path.isdir(folder):
            subprocess.run(["find", folder, "-xdev", "-mindepth", "1", "-maxdepth", "1",
                            "-uid", str(uid), "-exec", "rm", "-rf", "{}", "+"],
                           capture_output=True)
    done = subprocess.run(["userdel", name], capture_output=True, text=True)
    if done.returncode not in (0, 6):  # 6: removed meanwhile (by its own run)
        raise AssertionError(f"userdel {name}: {done.stderr}")
    with contextlib.suppress(KeyError):
        grp.getgrnam(name)
        subprocess.run(["groupdel", name], capture_output=True)


def _test_folder(home: str) -> bool:
    """Whether ``home`` lies in a folder these tests make (``<tmp>/dfe-…``)."""
    parts = Path(home).parts
    tmp = Path(tempfile.gettempdir()).parts
    return (len(parts) > len(tmp) and parts[:len(tmp)] == tmp
            and parts[len(tmp)].startswith("dfe-"))


RUN_MARK = "deepfake-ethics test run "  # the comment of an account a test run made


def _process_start(pid: int) -> str | None:
    """When process ``pid`` started (clock ticks since boot), or None if it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[19]  # field 22, after the command's name


def this_run() -> str:
    """The mark of this test run: its process and when it started (a pid can be reused)."""
    return f"{RUN_MARK}{os.getpid()}/{_process_start(os.getpid())}"  # no colon in a comment


def _run_alive(comment: str) -> bool:
    if not comment.startswith(RUN_MARK):
        return False
    pid, _, started = comment[len(RUN_MARK):].partition("/")
    return pid.isdigit() and _process_start(int(pid)) == started


def remove_leftover_accounts() -> list[str]:
    """Remove the accounts a test run that was killed left behind (their homes lie in the
    tests' own temporary folders, never in a real deployment's, and the run that made them
    is gone: a test run going on beside this one keeps its accounts); return their names."""
    leftovers = [entry.pw_name for entry in pwd.getpwall()
                 if _test_folder(entry.pw_dir) and not _run_alive(entry.pw_gecos)]
    for name in leftovers:
        _remove_account(name)
    return leftovers


@contextlib.contextmanager
def temporary_accounts(names: Sequence[str], homes: Path) -> Iterator[dict[str, pwd.struct_passwd]]:
    """System accounts ``names`` with private homes (mode 0700) under ``homes``; on exit
    their processes are ended and the accounts, their groups and their files in /tmp go."""
    require(is_root(), "creating Unix accounts needs root (run the tests as root)")
    for tool in ("useradd", "userdel", "runuser"):
        require(shutil.which(tool), f"`{tool}` is missing (Debian: passwd / util-linux)")
    remove_leftover_accounts()
    created: list[str] = []
    try:
        accounts = {}
        for name in names:
            home = homes / name
            subprocess.run(["useradd", "--system", "--user-group", "--no-create-home",
                            "--home-dir", str(home), "--shell", "/usr/sbin/nologin",
                            "--comment", this_run(), name],
                           check=True, capture_output=True)
            created.append(name)
            account = pwd.getpwnam(name)
            home.mkdir(parents=True)
            os.chown(home, account.pw_uid, account.pw_gid)
            home.chmod(0o700)
            accounts[name] = account
        yield accounts
    finally:
        for name in reversed(created):
            _remove_account(name)


def chown_tree(path: Path, account: pwd.struct_passwd) -> None:
    os.chown(path, account.pw_uid, account.pw_gid)
    for item in path.rglob("*"):
        os.lchown(item, account.pw_uid, account.pw_gid)


def postgres_bin_dir() -> Path | None:
    """Debian's PostgreSQL server programs (the newest version installed), if any."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: [int(x) if x.isdigit() else 0 for x in p.split("/")[4].split(".")])
    return Path(found[-1]).parent if found else None
