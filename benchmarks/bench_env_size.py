"""What `make lab` installs, against the bare stack the course is built on.

Two fresh virtual environments, built the same way in a temporary folder:

* ``make lab``: `make setup` (what `make lab` runs first) in a copy of the repository: the
  course package and its runtime dependencies, no test tools;
* the bare stack: `pip install jupyterlab ipywidgets nbgrader==0.9.6 matplotlib`.

Size is the sum of the files' sizes (pip's caches are outside both). Target: ``make lab``'s
environment within 1.1x of the bare stack (exit status 1 above it). pip's cache makes the
second and later runs quick; the sizes do not depend on it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from common import ROOT, save, table

TARGET = 1.1
BARE_STACK = ["jupyterlab", "ipywidgets", "nbgrader==0.9.6", "matplotlib"]


def tree_bytes(folder: Path) -> int:
    total = 0
    for dirpath, _dirs, files in os.walk(folder):
        for name in files:
            path = os.path.join(dirpath, name)
            if not os.path.islink(path):
                total += os.path.getsize(path)
    return total


def run(cmd: list[str], cwd: Path) -> None:
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{done.stdout}\n{done.stderr}")


def repository_copy(dest: Path) -> Path:
    """The committed files of the repository (what a fresh clone has)."""
    names = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True,
                           check=True).stdout.decode().split("\0")
    for name in filter(None, names):
        if (ROOT / name).is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, dest / name)
    return dest


def make_lab_env(tmp: Path, python: str) -> Path:
    repo = repository_copy(tmp / "repo")
    run(["make", "setup", f"PYTHON={python}"], cwd=repo)
    return repo / ".venv"


def bare_env(tmp: Path, python: str) -> Path:
    venv = tmp / "bare"
    run([python, "-m", "venv", str(venv)], cwd=tmp)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet",
           "--disable-pip-version-check"]
    run([*pip, "--upgrade", "pip"], cwd=tmp)  # as `make setup` does
    run([*pip, *BARE_STACK], cwd=tmp)
    return venv


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--python", default=shutil.which("python3") or sys.executable)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="dfe-env-size-") as tmp:
        lab = tree_bytes(make_lab_env(Path(tmp), args.python))
        bare = tree_bytes(bare_env(Path(tmp), args.python))
    ratio = lab / bare
    save("env_size", [{"environment": "make lab", "mb": round(lab / 1e6, 1),
                       "ratio": round(ratio, 3)},
                      {"environment": "bare stack", "mb": round(bare / 1e6, 1), "ratio": 1.0}])
    print(table(["environment", "MB", "ratio"],
                [["`make lab` (.venv)", f"{lab / 1e6:.0f}", f"{ratio:.2f}×"],
                 ["bare stack: " + " ".join(BARE_STACK), f"{bare / 1e6:.0f}", "1.00×"]]))
    ok = ratio <= TARGET
    print(f"\n`make lab` environment {ratio:.2f}x the bare stack (target <= {TARGET}x)"
          f"{'' if ok else ': TOO LARGE'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
