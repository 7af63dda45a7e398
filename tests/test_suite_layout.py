"""The test suite's own layout: test modules share code through conftest.py and helper
modules (tests/*.py not named test_*), never by importing one another, and the benchmarks
import no test module (they may import the helpers)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from conftest import ROOT

TESTS = ROOT / "tests"
BENCHMARKS = ROOT / "benchmarks"
TEST_MODULES = frozenset(path.stem for path in TESTS.rglob("test_*.py"))


def imported_test_modules(source: str, itself: str = "") -> set[str]:
    """The test modules that ``source`` imports anywhere in it (a module may name itself)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names |= {alias.name.rsplit(".", 1)[-1] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.module:
                names.add(node.module.rsplit(".", 1)[-1])
            names |= {alias.name for alias in node.names}  # from . import test_x
    return (names & TEST_MODULES) - {itself}


def _offenders(folder: Path) -> dict[str, list[str]]:
    found = {}
    for path in sorted(folder.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        if not any(name in source for name in TEST_MODULES - {path.stem}):
            continue  # names no other test module: nothing to parse
        if names := imported_test_modules(source, path.stem):
            found[str(path.relative_to(ROOT))] = sorted(names)
    return found


@pytest.mark.parametrize(("source", "found"), [
    ("import test_schema", {"test_schema"}),
    ("from test_schema import GOOD_QUIZ", {"test_schema"}),
    ("from .test_hub_live import Shots", {"test_hub_live"}),
    ("from . import test_hub_live", {"test_hub_live"}),
    ("import browser.test_hub_live as live", {"test_hub_live"}),
    ("def fixture():\n    from test_schema import GOOD_QUIZ\n", {"test_schema"}),
    ("from content_samples import GOOD_QUIZ\nfrom conftest import ROOT", set()),
])
def test_the_check_finds_a_test_module_however_it_is_imported(source, found):
    assert imported_test_modules(source) == found


def test_no_test_module_or_helper_imports_a_test_module():
    """Shared fixtures live in conftest.py, shared code in helper modules."""
    assert _offenders(TESTS) == {}


def test_benchmarks_import_no_test_module():
    assert _offenders(BENCHMARKS) == {}
