"""docs/architecture.md stays true: every module and folder it names exists, every module of
the package is named in it (a sub-package's module with its folder), and the packages keep
to where their code runs: the student's kernel imports only the standard library, the
nbgrader plugins never import the instructor's tools, nothing imports upwards."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

DOC = ROOT / "docs" / "architecture.md"
PACKAGE = ROOT / "src" / "deepfake_ethics"
SUBPACKAGES = ("kernel", "nbgrader_plugins", "instructor", "dashboard", "grading")
# What each part of the package must never import (its own parts excepted). "learner" is
# the package's top-level modules (lessons, quizzes, progress, self-study).
NEVER = {
    "kernel": {"learner", "nbgrader_plugins", "instructor", "dashboard", "cli", "grading"},
    "grading": {"learner", "nbgrader_plugins", "instructor", "dashboard", "cli"},
    "nbgrader_plugins": {"instructor", "dashboard", "cli", "grading"},
    "instructor": {"dashboard", "cli", "grading"},
    "dashboard": {"cli", "grading"},
    "learner": {"instructor", "dashboard", "grading"},
}


def _named_paths() -> set[str]:
    return set(re.findall(r"`([\w./-]+(?:\.py|/))`", DOC.read_text(encoding="utf-8")))


def test_every_named_module_and_folder_exists():
    text = DOC.read_text(encoding="utf-8")
    missing = []
    for name in _named_paths():
        candidates = [ROOT / name, PACKAGE / name] + [PACKAGE / sub / name
                                                      for sub in SUBPACKAGES]
        if not any(p.exists() for p in candidates):
            missing.append(name)
    assert not missing, f"docs/architecture.md names what does not exist: {missing}"
    for folder in ("kernel/", "nbgrader_plugins/", "instructor/", "dashboard/"):
        assert folder in text, folder


def test_every_module_of_the_package_is_named():
    text = DOC.read_text(encoding="utf-8")
    unnamed = []
    for path in PACKAGE.rglob("*.py"):
        name = path.relative_to(PACKAGE).as_posix()  # "kernel/checks.py", "bank.py"
        if f"`{name}`" not in text:
            unnamed.append(name)
    assert not unnamed, f"add these modules to docs/architecture.md: {unnamed}"


def _part(module: str) -> str:
    """Which part of the package a module (dotted name) belongs to."""
    parts = module.split(".")
    if len(parts) > 1 and parts[1] in SUBPACKAGES + ("cli",):
        return parts[1]
    return "learner"


def _module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every module a file imports, lazy imports included, relative ones resolved."""
    package = _module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            found.add(module)
            if not node.module:  # "from . import worker": the names are modules
                found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def test_no_part_imports_what_runs_after_it():
    wrong = []
    for path in PACKAGE.rglob("*.py"):
        here = _part(_module_name(path))
        for module in _imports(path):
            if module.split(".")[0] != "deepfake_ethics":
                continue
            there = _part(module) if module != "deepfake_ethics" else "learner"
            if there != here and there in NEVER.get(here, set()):
                wrong.append(f"{path.relative_to(PACKAGE)} imports {module}")
    assert not wrong, wrong


# Imported inside a function of the kernel's code, when an answer is recorded: the kernel's
# own IPython, and Matplotlib for an answer that is a figure (already loaded then).
WHEN_RECORDING = {"IPython", "matplotlib"}


def test_the_kernels_code_imports_only_the_standard_library():
    for path in (PACKAGE / "kernel").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        lazy = {node.module if isinstance(node, ast.ImportFrom) else alias.name
                for fn in ast.walk(tree) if isinstance(fn, ast.FunctionDef)
                for node in ast.walk(fn) if isinstance(node, ast.Import | ast.ImportFrom)
                for alias in node.names}
        outside = {m for m in _imports(path) if m.split(".")[0] not in sys.stdlib_module_names
                   and not m.startswith("deepfake_ethics.kernel")}
        assert not outside - lazy, (path.name, outside - lazy)
        assert {m.split(".")[0] for m in outside} <= WHEN_RECORDING, (path.name, outside)


@pytest.mark.parametrize("statement", [
    "import deepfake_ethics.kernel, deepfake_ethics.kernel.recording",
    "from deepfake_ethics.grading import check_choices"])
def test_importing_the_kernels_code_loads_nothing_heavy(statement):
    """What an assignment's first cell costs: the standard library and this package's own
    kernel modules, nothing else (no nbgrader, nbformat, traitlets, yaml, matplotlib)."""
    probe = (f"import sys; before = set(sys.modules); {statement}; "
             "print('\\n'.join(sorted(set(sys.modules) - before)))")
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            check=True).stdout.split()
    foreign = [m for m in loaded if m.split(".")[0] not in sys.stdlib_module_names
               and m not in ("deepfake_ethics", "deepfake_ethics.grading")
               and not m.startswith("deepfake_ethics.kernel")]
    assert not foreign, foreign


def test_the_kernels_code_holds_no_copy_of_the_graders_constants():
    """The feedback's notes and safe error names live in the grader's feedback module
    only; a copy in the kernel's code would drift."""
    from deepfake_ethics.nbgrader_plugins import feedback

    constants = {n: v for n, v in vars(feedback).items() if n.isupper()}
    for path in (PACKAGE / "kernel").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        assigned = {t.id for node in ast.parse(source).body if isinstance(node, ast.Assign)
                    for t in node.targets if isinstance(t, ast.Name)}
        assert not assigned & constants.keys(), (path.name, assigned & constants.keys())
        texts = [v for v in constants.values() if isinstance(v, str) and len(v) > 20]
        assert not [t for t in texts if t in source], path.name
