"""Shared fixtures: paths of the repository, and a private progress file for every test."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"


@pytest.fixture(autouse=True)
def private_progress(tmp_path_factory, monkeypatch) -> Path:
    """Every test (and every kernel it starts) records progress in its own file."""
    path = tmp_path_factory.mktemp("progress") / "progress.json"
    monkeypatch.setenv("DEEPFAKE_ETHICS_PROGRESS", str(path))
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    return path


def lesson_paths() -> list[Path]:
    """The lesson notebooks in course order."""
    return sorted(NOTEBOOKS.glob("[0-9][0-9]-*.ipynb"))
