"""environment.yml (Binder, conda) and pyproject.toml declare the same dependencies."""

from __future__ import annotations

import re
import tomllib

import yaml
from conftest import ROOT


def _split(requirement: str) -> tuple[str, str]:
    name, spec = re.match(r"\s*([A-Za-z0-9_.\-]+)\s*(.*)", requirement).groups()
    return name.lower().replace("_", "-"), spec.replace(" ", "")


def test_environment_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_side = dict(_split(r) for r in project["dependencies"])
    conda_side = dict(_split(d) for d in env["dependencies"] if isinstance(d, str))
    python = conda_side.pop("python")
    conda_side.pop("pip")
    assert conda_side == pip_side
    assert env["channels"] == ["conda-forge"]
    # nbgrader 0.9.6 needs Python 3.11+, and repo2docker would otherwise pick 3.10.
    assert python.startswith("=3.1") and int(python.split(".")[1]) >= 11
    assert project["requires-python"] == ">=3.11"


def test_binder_installs_the_course_package():
    post_build = (ROOT / "postBuild").read_text()
    assert "pip install" in post_build and "--no-deps" in post_build
    assert (ROOT / "postBuild").stat().st_mode & 0o111, "postBuild is executable"


def test_lint_runs_outside_pytest_at_a_pinned_version():
    """ruff is pinned in the test tools, and CI runs `make lint` before `make test`."""
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"]["test"]
    assert any(re.fullmatch(r"ruff==[\d.]+", d.split(";")[0].strip()) for d in extras)
    steps = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()
             if line.strip().startswith("make ")]
    assert steps[-2:] == ["make lint", "make test"]
    assert "ruff" not in "".join(p.read_text() for p in (ROOT / "tests").glob("test_*.py")
                                 if p.name != "test_environment.py")
