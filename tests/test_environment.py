"""environment.yml (Binder, conda) and pyproject.toml declare the same dependencies."""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib

import yaml
from conftest import ROOT
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

CONSTRAINTS = "constraints/2026-12.txt"
# Imported by modules that only run where the package is installed on purpose: the hub image
# installs ngshare_exchange (deploy/kubernetes/Dockerfile).
OPTIONAL_IMPORTS = {"ngshare_exchange": "deploy/kubernetes/Dockerfile"}


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


def _project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def _pins() -> dict[str, str]:
    lines = (ROOT / CONSTRAINTS).read_text().splitlines()
    pins = [line.split("==") for line in lines if line.strip() and not line.startswith("#")]
    assert all(len(pin) == 2 for pin in pins), "every line is name==version"
    return {canonicalize_name(name): version.strip() for name, version in pins}


def _third_party_imports() -> set[str]:
    names = set()
    for path in (ROOT / "src").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return {n for n in names if n not in sys.stdlib_module_names and n != "deepfake_ethics"}


def test_every_third_party_import_of_the_package_is_declared():
    declared = {canonicalize_name(Requirement(r).name) for r in _project()["dependencies"]}
    providers = importlib.metadata.packages_distributions()
    missing = {}
    for name in sorted(_third_party_imports() - set(OPTIONAL_IMPORTS)):
        dists = {canonicalize_name(d) for d in providers.get(name, [name])}
        if not dists & declared:
            missing[name] = sorted(dists)
    assert missing == {}, f"imported by src/ but not in pyproject's dependencies: {missing}"


def test_the_constraints_file_pins_every_declared_dependency_within_its_range():
    project = _project()
    pins = _pins()
    wanted = [Requirement(r) for r in project["dependencies"]]
    wanted += [Requirement(r) for extra in project["optional-dependencies"].values()
               for r in extra]
    for req in wanted:
        name = canonicalize_name(req.name)
        assert name in pins, f"{CONSTRAINTS} does not pin {req.name}"
        assert req.specifier.contains(pins[name], prereleases=True), (req, pins[name])


def test_make_binder_and_the_image_install_with_the_constraints_file():
    makefile = (ROOT / "Makefile").read_text()
    assert f"CONSTRAINTS := {CONSTRAINTS}" in makefile
    for target in ("$(STAMP):", "$(TEST_STAMP):"):  # make lab and make test install through these
        recipe = makefile.split(target, 1)[1].split("\n\n", 1)[0]
        installs = [line for line in recipe.splitlines()
                    if "install" in line.lower() and " -e " in line]
        assert installs and all("$(PIP_INSTALL)" in line for line in installs), target
    assert "PIP_INSTALL = " in makefile and "-c $(CONSTRAINTS)" in makefile
    post_build = (ROOT / "postBuild").read_text()
    assert re.search(rf"pip install [^\n]*-c {re.escape(CONSTRAINTS)} \.", post_build)
    dockerfile = (ROOT / "deploy" / "kubernetes" / "Dockerfile").read_text()
    assert f"COPY --chown=${{NB_UID}}:${{NB_GID}} {CONSTRAINTS} " in dockerfile
    assert re.search(r"pip install [^\n]*-c /tmp/deepfake-ethics/constraints\.txt", dockerfile)
    ignore = (ROOT / "deploy" / "kubernetes" / "Dockerfile.dockerignore").read_text()
    assert f"!{CONSTRAINTS}" in ignore.splitlines()


def test_images_have_dated_tags():
    for path in (ROOT / "deploy").rglob("*"):
        if path.is_file() and (path.name.startswith("Dockerfile") or path.suffix == ".yaml"):
            text = path.read_text()
            assert ":latest" not in text and not re.search(r"tag:\s*['\"]?latest", text), path
            for image in re.findall(r"^FROM\s+(\S+)", text, re.M):
                assert re.search(r":\d{4}-\d{2}-\d{2}$", image), (path, image)


def test_binder_installs_the_course_package():
    post_build = (ROOT / "postBuild").read_text()
    assert "pip install" in post_build
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
