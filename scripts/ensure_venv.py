"""Make sure ``.venv`` is a working virtual environment, repairing a half-made one.

``make lab`` and ``make test`` run this with the system's Python before installing anything.
A ``.venv`` left half-made (``python -m venv`` stopped because ``ensurepip`` is missing, an
interrupted first install, a Python that was upgraded or removed) is removed and made again,
instead of failing at every later ``make`` with "No module named pip". What is missing on
the machine is named once, with the package to install on each platform.

Usage: ``python3 scripts/ensure_venv.py VENV [PYTHON]`` (standard library only); ``PYTHON``
makes the environment (default: the Python running this script).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

MINIMUM = (3, 11)

PREREQUISITES = """\
Install Python {minimum} or later with its venv module, then run make again:
  Debian, Ubuntu:  sudo apt install python3 python3-venv make
  Fedora:          sudo dnf install python3 make
  macOS:           install Python from python.org or `brew install python`; make comes with
                   the Command Line Tools (`xcode-select --install`)
  Windows:         use WSL (Ubuntu), then the Debian/Ubuntu line above"""


def say(message: str) -> None:
    print(f"[setup] {message}", flush=True)


def works(venv: Path) -> bool:
    """Whether ``venv``'s Python starts, is recent enough and has pip."""
    python = venv / "bin" / "python"
    if not python.exists():
        return False
    probe = ("import sys, pip; "
             f"sys.exit(0 if sys.version_info[:2] >= {MINIMUM!r} else 3)")
    try:
        done = subprocess.run([str(python), "-c", probe], capture_output=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def create(venv: Path, python: str) -> None:
    """Make ``venv`` with ``python``; on failure remove what was made and explain."""
    say(f"creating {venv} with {python} ...")
    try:
        done = subprocess.run([python, "-m", "venv", str(venv)], capture_output=True,
                              text=True)
    except OSError as error:
        done = subprocess.CompletedProcess([python], 127, "", str(error))
    if done.returncode != 0 or not works(venv):
        shutil.rmtree(venv, ignore_errors=True)
        reason = (done.stderr or done.stdout).strip().splitlines()
        detail = reason[-1] if reason else f"{venv} has no pip after creation"
        raise SystemExit(f"[setup] could not create {venv}: {detail}\n"
                         + PREREQUISITES.format(minimum=".".join(map(str, MINIMUM))))


def main(argv: list[str]) -> int:
    if len(argv) not in (2, 3):
        print(__doc__, file=sys.stderr)
        return 2
    venv = Path(argv[1])
    python = argv[2] if len(argv) == 3 else sys.executable
    if sys.version_info[:2] < MINIMUM:
        raise SystemExit(f"[setup] {python} is Python {sys.version.split()[0]}; the course "
                         "needs " + ".".join(map(str, MINIMUM)) + " or later "
                         "(make PYTHON=python3.12 lab picks another one).\n"
                         + PREREQUISITES.format(minimum=".".join(map(str, MINIMUM))))
    if works(venv):
        return 0
    if venv.exists() or venv.is_symlink():
        say(f"{venv} is half-made or broken (no working Python with pip): making it again")
        if venv.is_symlink() or venv.is_file():
            venv.unlink()
        else:
            shutil.rmtree(venv)
    create(venv, python)
    say(f"{venv} is ready; installing the course's packages next "
        "(the first time takes a few minutes)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
