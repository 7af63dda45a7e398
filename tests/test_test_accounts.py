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
