"""Binder, checked: repo2docker reads the repository as mybinder.org would and prints the
build it would run (``--no-build --debug``: no Docker needed, no image built).

It must pick Python 3.11+ (nbgrader 0.9.6 needs it; repo2docker's default is older),
install environment.yml, copy the repository and run postBuild (which installs the course
package and a student's JupyterLab configuration); the README's Binder badge must open the
start page, which exists.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import urllib.parse
from pathlib import Path

import pytest
from conftest import ROOT
from shared_env import require

START_PAGE = "notebooks/00-start-here.ipynb"
BADGE = re.compile(r"\(https://mybinder\.org/v2/gh/([^/]+/[^/]+)/([^?)]+)\?([^)]+)\)")


def repo2docker() -> str | None:
    found = Path(sys.executable).parent / "repo2docker"
    return str(found) if found.exists() else shutil.which("repo2docker")


@pytest.fixture(scope="module")
def build_plan() -> str:
    """What `repo2docker --no-build --debug` prints for a copy of the repository."""
    program = repo2docker()
    require(program, "repo2docker is not installed: `.venv/bin/pip install -e '.[test]'`")
    done = subprocess.run([program, "--no-build", "--debug", "--user-id", "1000",
                           "--user-name", "jovyan", str(ROOT)], capture_output=True,
                          text=True, timeout=300, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


@pytest.mark.slow  # runs repo2docker (a subprocess of several seconds)
def test_repo2docker_picks_python_311_and_installs_environment_yml(build_plan):
    version = re.search(r"Building conda environment for python=(3\.\d+)", build_plan)
    assert version, build_plan[:2000]
    assert int(version.group(1).split(".")[1]) >= 11
    assert re.search(r"COPY .*environment\.yml \$\{REPO_DIR\}/environment\.yml", build_plan)
    assert re.search(r'env update -p \$\{NB_PYTHON_PREFIX\} --file "environment\.yml"',
                     build_plan)


@pytest.mark.slow  # runs repo2docker (a subprocess of several seconds)
def test_repo2docker_runs_post_build_after_copying_the_repository(build_plan):
    copied = build_plan.index("COPY --chown=1000:1000 src/ ${REPO_DIR}/")
    post_build = build_plan.index("RUN ./postBuild")
    assert copied < post_build
    script = (ROOT / "postBuild").read_text()
    assert "pip install" in script and "-c constraints/" in script  # at the term's versions
    assert "jupyter/student/." in script and "etc/jupyter" in script  # a student's lab


def test_badge_opens_the_start_page():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    badges = BADGE.findall(readme)
    assert len(badges) == 1, badges
    _repo, ref, query = badges[0]
    assert ref == "HEAD"
    urlpath = urllib.parse.parse_qs(query)["urlpath"][0]
    assert urlpath == f"lab/tree/{START_PAGE}"
    assert (ROOT / START_PAGE).is_file()


@pytest.mark.slow
def test_post_build_installs_the_course_and_a_students_lab(tmp_path):
    """postBuild as repo2docker runs it (in a copy of the repository, with NB_PYTHON_PREFIX
    set to the environment it installs into)."""
    repo = tmp_path / "repo"
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True,
                           check=True).stdout.decode().split("\0")
    for name in filter(None, files):
        if (ROOT / name).is_file():
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, repo / name)
    prefix = tmp_path / "notebook"
    subprocess.run([sys.executable, "-m", "venv", str(prefix)], check=True)
    env = {"PATH": f"{prefix / 'bin'}:/usr/bin:/bin", "NB_PYTHON_PREFIX": str(prefix),
           "HOME": str(tmp_path)}
    done = subprocess.run(["bash", "./postBuild"], cwd=repo, env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    etc = prefix / "etc" / "jupyter"
    for path in (ROOT / "jupyter" / "student").rglob("*.json"):
        installed = etc / path.relative_to(ROOT / "jupyter" / "student")
        assert installed.read_text() == path.read_text()
    show = subprocess.run([str(prefix / "bin" / "python"), "-m", "pip", "show",
                           "deepfake-ethics"], capture_output=True, text=True)
    assert show.returncode == 0, show.stderr
