"""The progress store: save, reload, corruption, concurrency, read-only, nbgrader."""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
from pathlib import Path

import pytest

from deepfake_ethics import progress
from deepfake_ethics.progress import ProgressStore, ProgressWarning


def test_save_and_reload(tmp_path):
    path = tmp_path / "deep" / "er" / "progress.json"
    store = ProgressStore(path)
    store.record("q-a", "01-x", False, [2])
    store.record("q-a", "01-x", True, [1])
    store.record("q-b", "02-y", None, [0])
    again = ProgressStore(path).load()["quizzes"]
    assert again["q-a"]["attempts"] == 2
    assert again["q-a"]["first_correct"] is False and again["q-a"]["correct"] is True
    assert again["q-a"]["choice"] == [1]
    assert again["q-b"]["correct"] is None
    assert json.loads(path.read_text())["version"] == progress.FORMAT_VERSION
    assert not list(path.parent.glob(".progress.json.*")), "no temporary files left behind"


def test_default_path_follows_environment(tmp_path, monkeypatch):
    monkeypatch.setenv(progress.ENV_VAR, str(tmp_path / "mine.json"))
    assert progress.default_path() == tmp_path / "mine.json"
    assert progress.default_store().path == tmp_path / "mine.json"
    monkeypatch.delenv(progress.ENV_VAR)
    from jupyter_core.paths import jupyter_data_dir
    assert progress.default_path() == Path(jupyter_data_dir()) / "deepfake-ethics/progress.json"


@pytest.mark.parametrize("garbage", ["{not json", "[1, 2, 3]", '{"version": 99, "quizzes": {}}',
                                     '{"version": 1, "quizzes": {"q": 3}}', ""])
def test_corrupted_file_is_kept_aside_and_replaced(tmp_path, garbage):
    path = tmp_path / "progress.json"
    path.write_text(garbage)
    store = ProgressStore(path)
    with pytest.warns(ProgressWarning, match="could not be read"):
        store.record("q-a", "01-x", True, [0])
    aside = list(tmp_path.glob("progress.json.corrupt-*"))
    assert len(aside) == 1 and aside[0].read_text() == garbage
    assert ProgressStore(path).load()["quizzes"]["q-a"]["correct"] is True


def _writer(path: str, worker: int, count: int) -> None:
    store = ProgressStore(path)
    for i in range(count):
        store.record(f"w{worker}-q{i}", "01-x", i % 2 == 0, [i % 3])


def test_two_concurrent_writers_lose_nothing(tmp_path):
    path = tmp_path / "progress.json"
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(str(path), w, 40)) for w in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    quizzes = ProgressStore(path).load()["quizzes"]
    assert len(quizzes) == 80
    assert {k for k in quizzes if k.startswith("w0-")} == {f"w0-q{i}" for i in range(40)}


def test_unwritable_location_falls_back_to_memory(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    store = ProgressStore(blocker / "progress.json")  # its parent cannot be created
    with pytest.warns(ProgressWarning, match="kept in memory"):
        store.record("q-a", "01-x", True, [0])
    assert store.in_memory
    store.record("q-a", "01-x", False, [1])  # warns only once
    assert store.load()["quizzes"]["q-a"]["attempts"] == 2
    assert blocker.read_text() == "not a directory"


@pytest.fixture
def read_only_dir(tmp_path):
    """A directory nobody can write to: a read-only tmpfs for root, chmod 555 otherwise."""
    folder = tmp_path / "ro"
    folder.mkdir()
    if os.geteuid() == 0:
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", str(folder)],
                              capture_output=True, text=True)
        if done.returncode != 0:
            pytest.skip(f"root cannot mount a read-only tmpfs here: {done.stderr.strip()}")
        try:
            yield folder
        finally:
            subprocess.run(["umount", str(folder)], check=True)
    else:
        folder.chmod(0o555)
        try:
            yield folder
        finally:
            folder.chmod(0o755)


def test_read_only_location_falls_back_to_memory(read_only_dir):
    store = ProgressStore(read_only_dir / "progress.json")
    with pytest.warns(ProgressWarning, match="kept in memory"):
        store.record("q-a", "01-x", True, [0])
    assert store.in_memory
    assert store.load()["quizzes"]["q-a"]["correct"] is True
    assert not (read_only_dir / "progress.json").exists()


def test_nothing_recorded_under_nbgrader(tmp_path, monkeypatch):
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    path = tmp_path / "progress.json"
    ProgressStore(path).record("q-a", "01-x", True, [0])
    assert not path.exists()


def test_summary_and_view(tmp_path):
    from deepfake_ethics import bank

    store = ProgressStore(tmp_path / "progress.json")
    scored = [q for q in bank.quizzes().values() if q.kind != "reflection"]
    first, second = scored[0], scored[1]
    store.record(first.id, first.lesson, True, [0])
    store.record(second.id, second.lesson, False, [0])
    rows = {r["lesson"]: r for r in progress.summary(store)}
    assert sum(r["answered"] for r in rows.values()) == 2
    assert sum(r["first_try_right"] for r in rows.values()) == 1
    assert sum(r["quizzes"] for r in rows.values()) == len(bank.quizzes())
    view = progress.show_progress(store)
    assert view.svg.lstrip().startswith(b"<?xml") and b"<svg" in view.svg
    assert "You have answered 2 of" in view.caption
    assert f"{rows[first.lesson]['title']}: " in view.alt
    assert 'alt="Bar chart of quiz progress' in view._repr_html_()
