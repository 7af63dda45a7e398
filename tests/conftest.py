"""Shared fixtures: paths of the repository, and a private progress file for every test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from deepfake_ethics.layout import (
    alternative_notebooks,
    closing_notebook,
    lesson_notebooks,
    reference_notebooks,
)

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"


@pytest.fixture(autouse=True)
def private_progress(tmp_path_factory, monkeypatch) -> Path:
    """Every test (and every kernel it starts) records progress in its own file."""
    path = tmp_path_factory.mktemp("progress") / "progress.json"
    monkeypatch.setenv("DEEPFAKE_ETHICS_PROGRESS", str(path))
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    return path


@pytest.fixture(autouse=True)
def private_figure_cache(tmp_path_factory, monkeypatch) -> Path:
    """Every test (and every kernel it starts) keeps drawn figures in its own cache folder."""
    path = tmp_path_factory.mktemp("figure-cache")
    monkeypatch.setenv("DEEPFAKE_ETHICS_CACHE", str(path))
    return path


def lesson_paths() -> list[Path]:
    """The lesson notebooks in course order."""
    return lesson_notebooks(ROOT)


def reference_paths() -> list[Path]:
    """The optional reference notebooks (``02r-...`` goes with lesson 02): not lessons."""
    return reference_notebooks(ROOT)


def alternative_paths() -> list[Path]:
    """The alternative activities (``alternatives/04-alternative-...``): not lessons."""
    return alternative_notebooks(ROOT)


def closing_path() -> Path:
    """The closing notebook after the last lesson (the diagnostic's second form)."""
    path = closing_notebook(ROOT)
    assert path is not None, "notebooks/06-closing.ipynb is missing"
    return path


# Test files that autograde student code: they need the grading sandbox (bubblewrap).
GRADING_MODULES = {"test_nbgrader_pipeline", "test_nbgrader_pipeline_postgres",
                   "test_parallel_autograde", "test_grading_attacks", "test_dashboard",
                   "test_multiuser_exchange", "test_new_course", "test_hub_live",
                   "test_hub_ngshare"}


def pytest_collection_modifyitems(config, items):
    """Without bubblewrap, the grading tests say what to install instead of failing."""
    if shutil.which("bwrap"):
        return
    skip = pytest.mark.skip(reason="grading runs student code in a bubblewrap sandbox: "
                                   "install it (apt-get install bubblewrap; `make test` does "
                                   "as root, and CI does)")
    for item in items:
        if item.module.__name__.rsplit(".", 1)[-1] in GRADING_MODULES or \
                "browser" in str(item.path.parent.name) and "assignments" in item.path.name:
            item.add_marker(skip)
