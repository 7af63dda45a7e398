"""The temporary Unix accounts of the multi-user tests: a run that was killed half-way
(a session that ended, a CI timeout) leaves its accounts behind, and the next run must
remove them rather than refuse to start, while never touching a real account."""

from __future__ import annotations

import pwd
import subprocess
import tempfile
from pathlib import Path

import pytest
from shared_env import is_root, remove_leftover_accounts, temporary_accounts

pytestmark = pytest.mark.skipif(not is_root(), reason="creating Unix accounts needs root")


def _useradd(name: str, home: Path) -> None:
    subprocess.run(["useradd", "--system", "--user-group", "--no-create-home",
                    "--home-dir", str(home), "--shell", "/usr/sbin/nologin", name],
                   check=True, capture_output=True)


def _exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def test_a_killed_runs_accounts_are_removed_and_real_ones_kept(tmp_path):
    left = "dfe-left-test"
    real = "dfe-real-test"
    killed_run = Path(tempfile.mkdtemp(prefix="dfe-killed-"))
    _useradd(left, killed_run / "home" / left)
    _useradd(real, Path("/home") / real)  # a real deployment's home, though its name looks alike
    try:
        removed = remove_leftover_accounts()
        assert left in removed
        assert not _exists(left)
        assert real not in removed
        assert _exists(real)
    finally:
        for name in (left, real):
            if _exists(name):
                subprocess.run(["userdel", name], capture_output=True)
        killed_run.rmdir()


def test_the_accounts_of_a_run_going_on_beside_this_one_are_kept(tmp_path):
    """Two test runs at once (two terminals): neither removes the other's accounts."""
    base = Path(tempfile.mkdtemp(prefix="dfe-beside-"))
    other_run = subprocess.Popen(["sleep", "60"])
    try:
        started = Path(f"/proc/{other_run.pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
        subprocess.run(["useradd", "--system", "--user-group", "--no-create-home",
                        "--home-dir", str(base / "dfe-live-test"), "--comment",
                        f"deepfake-ethics test run {other_run.pid}/{started}", "dfe-live-test"],
                       check=True, capture_output=True)
        assert "dfe-live-test" not in remove_leftover_accounts()
        assert _exists("dfe-live-test")
        other_run.kill()
        other_run.wait()
        assert "dfe-live-test" in remove_leftover_accounts()  # that run has ended
    finally:
        other_run.kill()
        if _exists("dfe-live-test"):
            subprocess.run(["userdel", "dfe-live-test"], capture_output=True)
        subprocess.run(["rm", "-rf", str(base)])


def test_new_accounts_start_after_a_killed_run(tmp_path):
    """A leftover of the same name no longer stops the next run."""
    base = Path(tempfile.mkdtemp(prefix="dfe-accounts-"))
    try:
        _useradd("dfe-again-test", base / "old" / "dfe-again-test")
        with temporary_accounts(["dfe-again-test"], base / "new") as accounts:
            assert accounts["dfe-again-test"].pw_dir == str(base / "new" / "dfe-again-test")
        assert not _exists("dfe-again-test")
    finally:
        if _exists("dfe-again-test"):
            subprocess.run(["userdel", "dfe-again-test"], capture_output=True)
        subprocess.run(["rm", "-rf", str(base)])
