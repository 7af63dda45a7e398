"""Running nbgrader's own commands from Python, in this environment.

nbgrader starts the ``alembic`` program by name when it creates or upgrades a gradebook,
so the environment's ``bin`` folder must be on ``PATH`` even when nbgrader itself is
started as ``python -m nbgrader`` from a virtual environment that is not activated.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def nbgrader_env(base: dict[str, str] | None = None) -> dict[str, str]:
    """A copy of the environment with this Python's ``bin`` folder first on PATH."""
    env = dict(os.environ if base is None else base)
    bin_dir = str(Path(sys.executable).parent)
    env["PATH"] = os.pathsep.join([bin_dir, env.get("PATH", "")])
    return env


def put_on_path() -> None:
    """Put this Python's ``bin`` folder first on this process's PATH (for in-process
    nbgrader, which starts ``alembic`` by name), unless it is there already."""
    bin_dir = str(Path(sys.executable).parent)
    if os.environ.get("PATH", "").split(os.pathsep)[:1] != [bin_dir]:
        os.environ["PATH"] = nbgrader_env()["PATH"]


def nbgrader_command(*args: str) -> list[str]:
    """The command line that runs ``nbgrader <args>`` with this Python."""
    return [sys.executable, "-m", "nbgrader", *args]


def run_nbgrader(*args: str, cwd: Path | str, check: bool = True,
                 capture: bool = True) -> subprocess.CompletedProcess:
    """Run one nbgrader command in a course directory."""
    return subprocess.run(nbgrader_command(*args), cwd=cwd, env=nbgrader_env(), check=check,
                          capture_output=capture, text=True)
