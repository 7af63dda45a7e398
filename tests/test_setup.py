"""`make lab` and `make test` repair a half-made `.venv` (scripts/ensure_venv.py) and name
what is missing on the machine once, instead of failing at every later run."""

from __future__ import annotations

import os
import runpy
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

SCRIPT = ROOT / "scripts" / "ensure_venv.py"
pytestmark = pytest.mark.slow  # each case makes a virtual environment with pip


def ensure(venv: Path, *python: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SCRIPT), str(venv), *python],
                          capture_output=True, text=True, timeout=300)


def has_pip(venv: Path) -> bool:
    done = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "--version"],
                          capture_output=True)
    return done.returncode == 0


def test_a_venv_without_pip_is_made_again(tmp_path):
    venv = tmp_path / ".venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    assert not has_pip(venv)
    done = ensure(venv)
    assert done.returncode == 0, done.stderr
    assert "half-made" in done.stdout
    assert has_pip(venv)


def test_a_venv_whose_python_is_gone_is_made_again(tmp_path):
    venv = tmp_path / ".venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").symlink_to(tmp_path / "python-that-was-removed")
    (venv / ".installed").touch()  # the stamp of an install that no longer works
    done = ensure(venv)
    assert done.returncode == 0, done.stderr
    assert has_pip(venv)
    assert not (venv / ".installed").exists()  # so make installs the packages again


def test_a_working_venv_is_left_alone(tmp_path):
    venv = tmp_path / ".venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    (venv / ".installed").touch()
    done = ensure(venv)
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert (venv / ".installed").exists()


def test_a_python_without_venv_support_is_named_once_and_leaves_nothing(tmp_path):
    """What Debian's python3 does without python3-venv: it makes bin/python, then stops."""
    fake = tmp_path / "python3"
    fake.write_text(
        "#!/bin/sh\n"
        'mkdir -p "$3/bin" && ln -s /usr/bin/python3 "$3/bin/python"\n'
        "echo 'The virtual environment was not created successfully because ensurepip is "
        "not available.  On Debian/Ubuntu systems, you need to install the python3-venv "
        "package.' >&2\n"
        "exit 1\n")
    fake.chmod(0o755)
    venv = tmp_path / ".venv"
    done = ensure(venv, str(fake))
    assert done.returncode != 0
    assert "ensurepip is not available" in done.stderr
    assert "sudo apt install python3 python3-venv make" in done.stderr
    assert not venv.exists()  # the next make starts clean instead of "No module named pip"


def test_make_lab_and_make_test_check_the_venv_before_installing():
    makefile = (ROOT / "Makefile").read_text()
    for target in ("setup:", "setup-test:"):
        recipe = makefile.split(f"\n{target}\n", 1)[1].split("\n\n", 1)[0]
        assert "scripts/ensure_venv.py $(VENV)" in recipe.splitlines()[0], target
    assert "\nlab: setup\n" in makefile and "\ntest: setup-test\n" in makefile
    assert os.access(SCRIPT, os.R_OK)


def test_the_readme_names_what_the_script_asks_for():
    """One list of prerequisites per platform: the README's table and the script's message."""
    readme = (ROOT / "README.md").read_text()
    spec = runpy.run_path(str(SCRIPT), run_name="ensure_venv")
    for command in ("sudo apt install python3 python3-venv make", "sudo dnf install python3 make",
                    "brew install python", "xcode-select --install"):
        assert command in spec["PREREQUISITES"]
        assert f"`{command}`" in readme, command
