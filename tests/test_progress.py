"""The progress store: save, reload, invalid files, concurrency, locks, read-only, symlinks."""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
import threading
import warnings
from pathlib import Path

import filelock
import pytest

from deepfake_ethics import progress, progress_chart
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


GOOD_ENTRY = {"lesson": "01-x", "attempts": 2, "first_correct": False, "correct": True,
              "choice": [1], "first_answered": "2025-01-01T00:00:00+00:00",
              "last_answered": "2025-01-02T00:00:00+00:00"}


def record_with(**change) -> bytes:
    """A progress file whose one entry is GOOD_ENTRY with ``change`` applied (None drops)."""
    entry = {k: v for k, v in {**GOOD_ENTRY, **change}.items() if v is not None}
    return json.dumps({"version": 1, "quizzes": {"q-old": entry}}).encode()


INVALID = {
    "not json": (b"{not json", "not valid JSON"),
    "empty": (b"", "not valid JSON"),
    "a list": (b"[1, 2, 3]", "not a progress record"),
    "newer version": (b'{"version": 99, "quizzes": {}}', "format version 99"),
    "version true": (b'{"version": true, "quizzes": {}}', "format version True"),
    "entry not a mapping": (b'{"version": 1, "quizzes": {"q": 3}}', "quiz 'q'"),
    "latin-1": ('{"version": 1, "quizzes": {"q-é": {}}}'.encode("latin-1"), "not UTF-8 text"),
    "utf-16": (record_with().decode().encode("utf-16"), "not UTF-8 text"),
    "attempts many": (record_with(attempts="many"), "'attempts' should be a whole number"),
    "attempts float": (record_with(attempts=2.5), "'attempts' should be a whole number"),
    "attempts NaN": (record_with().replace(b'"attempts": 2', b'"attempts": NaN'),
                     "'attempts' should be a whole number"),
    "attempts true": (record_with(attempts=True), "'attempts' should be a whole number"),
    "attempts zero": (record_with(attempts=0), "'attempts' should be a whole number"),
    "attempts 5000 digits": (record_with().replace(b'"attempts": 2', b'"attempts": ' + b"9" * 5000),
                             "not valid JSON"),
    "choice of text": (record_with(choice=["a"]), "'choice' should be a list of option numbers"),
    "correct as text": (record_with(correct="yes"), "'correct' should be true, false or null"),
    "lesson missing": (record_with(lesson=None), "'lesson' is missing"),
    "unknown field": (record_with(extra=[[1]]), "unknown field 'extra'"),
    "learner a number": (b'{"version": 1, "quizzes": {}, "learner": 7}', "'learner' should be"),
    "notes a list": (b'{"version": 1, "quizzes": {}, "notes": []}', "'notes' should be"),
    "note without text": (b'{"version": 1, "quizzes": {}, "notes": {"q": {"lesson": "x"}}}',
                          "note for 'q'"),
    "unknown top field": (b'{"version": 1, "quizzes": {}, "extra": 1}', "not a progress record"),
    "too deep": (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    "too deep inside": (b'{"version": 1, "quizzes": {"q": {"lesson": ' + b"[" * 100_000
                        + b"]" * 100_000 + b"}}}", "nested too deeply"),
}


@pytest.mark.parametrize("garbage", list(INVALID.values()), ids=list(INVALID))
def test_invalid_file_is_kept_aside_and_replaced(tmp_path, garbage):
    raw, reason = garbage
    path = tmp_path / "progress.json"
    path.write_bytes(raw)
    store = ProgressStore(path)
    with pytest.warns(ProgressWarning, match="could not be read") as told:
        store.record("q-a", "01-x", True, [0])
    assert len(told) == 1 and reason in str(told[0].message)
    assert "kept as" in str(told[0].message) and "a new one was started" in str(told[0].message)
    aside = list(tmp_path.glob("progress.json.corrupt-*"))
    assert len(aside) == 1 and aside[0].read_bytes() == raw
    assert not store.in_memory
    assert ProgressStore(path).load()["quizzes"] == {"q-a": ANY_ENTRY}


class _AnyEntry:
    def __eq__(self, other):
        return isinstance(other, dict) and other.get("correct") is True


ANY_ENTRY = _AnyEntry()


def test_learner_id_and_notes_are_kept_with_the_answers(tmp_path):
    path = tmp_path / "progress.json"
    path.write_bytes(record_with())  # a file from before learner ids: still read as it is
    store = ProgressStore(path)
    learner = store.learner_id()
    store.save_note("q-old", "01-x", "My reasoning.")
    fresh = ProgressStore(path)
    assert fresh.learner_id() == learner and fresh.note("q-old") == "My reasoning."
    assert fresh.load()["quizzes"]["q-old"] == GOOD_ENTRY
    with pytest.raises(ValueError):
        fresh.save_note("q-old", "01-x", "x" * (progress.MAX_NOTE_CHARS + 1))


def test_nothing_is_written_while_nbgrader_runs(tmp_path, monkeypatch):
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    store = ProgressStore(tmp_path / "progress.json")
    assert store.learner_id() == progress.OFFLINE_LEARNER
    store.save_note("q", "01-x", "text")
    assert not (tmp_path / "progress.json").exists()


def test_valid_file_is_kept(tmp_path):
    path = tmp_path / "progress.json"
    path.write_bytes(record_with())
    store = ProgressStore(path)
    assert store.load()["quizzes"]["q-old"] == GOOD_ENTRY
    store.record("q-old", "01-x", False, [2])
    entry = ProgressStore(path).load()["quizzes"]["q-old"]
    assert entry["attempts"] == 3 and entry["choice"] == [2] and entry["first_correct"] is False
    assert not list(tmp_path.glob("progress.json.corrupt-*"))


def test_invalid_file_is_told_once_and_lessons_go_on(tmp_path):
    path = tmp_path / "progress.json"
    path.write_bytes(record_with(attempts="many"))
    store = ProgressStore(path)
    with warnings.catch_warnings(record=True) as told:
        warnings.simplefilter("always")
        assert progress.summary(store)  # what show_progress() reads: no crash
        store.record("q-a", "01-x", True, [0])
        store.load()
        progress_chart.show_progress(store)
    assert [str(w.message).count("could not be read") for w in told] == [1]


def test_too_large_file_is_kept_aside(tmp_path, monkeypatch):
    monkeypatch.setattr(progress, "MAX_BYTES", 100)
    path = tmp_path / "progress.json"
    path.write_bytes(record_with(lesson="x" * 200))
    with pytest.warns(ProgressWarning, match=r"could not be read \(larger than"):
        assert ProgressStore(path).load()["quizzes"] == {}
    assert len(list(tmp_path.glob("progress.json.corrupt-*"))) == 1


def _writer(path: str, worker: int, count: int) -> None:
    store = ProgressStore(path)
    for i in range(count):
        store.record(f"w{worker}-q{i}", "01-x", i % 2 == 0, [i % 3])


def test_two_concurrent_writers_lose_nothing(tmp_path):
    """Two processes (forked: no second start-up of Python) record at the same time."""
    path = tmp_path / "progress.json"
    ctx = multiprocessing.get_context("fork")
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
    """Make a directory holding some files that nobody can write to.

    A read-only tmpfs for root (root may write through permissions), chmod 555 otherwise.
    """
    folder = tmp_path / "ro"
    folder.mkdir()
    mounted = False

    def make(files: dict[str, bytes]) -> Path:
        nonlocal mounted
        if os.geteuid() != 0:
            for name, raw in files.items():
                (folder / name).write_bytes(raw)
            folder.chmod(0o555)
            return folder
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(folder)],
                              capture_output=True, text=True)
        if done.returncode != 0:
            pytest.skip(f"root cannot mount a tmpfs here: {done.stderr.strip()}")
        mounted = True
        for name, raw in files.items():
            (folder / name).write_bytes(raw)
        subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
        return folder

    try:
        yield make
    finally:
        if mounted:
            subprocess.run(["umount", str(folder)], check=True)
        folder.chmod(0o755)


def test_read_only_location_falls_back_to_memory(read_only_dir):
    folder = read_only_dir({})
    store = ProgressStore(folder / "progress.json")
    with pytest.warns(ProgressWarning, match="kept in memory"):
        store.record("q-a", "01-x", True, [0])
    assert store.in_memory
    assert store.load()["quizzes"]["q-a"]["correct"] is True
    assert not (folder / "progress.json").exists()


def test_read_only_file_is_read_and_answers_are_kept(read_only_dir):
    folder = read_only_dir({"progress.json": record_with()})
    store = ProgressStore(folder / "progress.json")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # reading says nothing
        assert store.load()["quizzes"]["q-old"] == GOOD_ENTRY
        assert not store.in_memory
    with pytest.warns(ProgressWarning, match="cannot be saved.*kept in memory") as told:
        store.record("q-a", "01-x", True, [0])
        store.record("q-old", "01-x", True, [0])
    assert len(told) == 1, "told once"
    quizzes = store.load()["quizzes"]
    assert quizzes["q-a"]["correct"] is True and quizzes["q-old"]["attempts"] == 3
    assert (folder / "progress.json").read_bytes() == record_with()
    assert "kept in memory only" in progress_chart.show_progress(store).caption


def test_read_only_invalid_file_is_left_alone(read_only_dir):
    folder = read_only_dir({"progress.json": b"\xff\xfe not text"})
    store = ProgressStore(folder / "progress.json")
    with pytest.warns(ProgressWarning, match=r"could not be read \(not UTF-8 text\)"):
        assert store.load()["quizzes"] == {}
    with pytest.warns(ProgressWarning, match="kept in memory"):
        store.record("q-a", "01-x", True, [0])
    assert store.load()["quizzes"]["q-a"]["correct"] is True
    assert (folder / "progress.json").read_bytes() == b"\xff\xfe not text"


HOLD_LOCK = """
import sys
from filelock import FileLock
lock = FileLock(sys.argv[1])
lock.acquire()
print("locked", flush=True)
sys.stdin.readline()
lock.release()
"""


@pytest.fixture
def hold_lock():
    """Start another program that holds a progress file's lock until told (a line on its
    standard input)."""
    procs: list[subprocess.Popen] = []

    def start(path: Path) -> subprocess.Popen:
        proc = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, f"{path}.lock"],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        procs.append(proc)
        assert proc.stdout.readline().strip() == "locked"
        return proc

    yield start
    for proc in procs:
        proc.kill()
        proc.wait()


def test_lock_held_briefly_delays_the_save(tmp_path, hold_lock, monkeypatch):
    """A save waits while another program holds the lock (within LOCK_TIMEOUT_S), then
    saves: seen waiting while the lock is held, finished once it is released (no clock)."""
    monkeypatch.setattr(progress, "LOCK_TIMEOUT_S", 600.0)  # released long before that
    asked = threading.Event()

    class SeenLock(filelock.FileLock):
        def acquire(self, *args, **kwargs):
            asked.set()
            return super().acquire(*args, **kwargs)

    monkeypatch.setattr(filelock, "FileLock", SeenLock)
    path = tmp_path / "progress.json"
    holder = hold_lock(path)
    store = ProgressStore(path)
    told: list[warnings.WarningMessage] = []

    def save() -> None:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            store.record("q-a", "01-x", True, [0])
        told.extend(caught)

    saver = threading.Thread(target=save)
    saver.start()
    while saver.is_alive() and not asked.is_set():
        asked.wait(0.01)
    assert saver.is_alive(), "waits for the lock instead of saving or giving up"
    assert not path.exists(), "nothing written under another's lock"
    holder.stdin.write("\n")
    holder.stdin.flush()
    holder.wait(60)
    saver.join(60)
    assert not saver.is_alive()
    assert told == [] and not store.in_memory
    assert json.loads(path.read_text())["quizzes"]["q-a"]["correct"] is True


def test_lock_held_long_keeps_the_answer_and_saves_it_later(tmp_path, hold_lock, monkeypatch):
    monkeypatch.setattr(progress, "LOCK_TIMEOUT_S", 0.3)
    path = tmp_path / "progress.json"
    path.write_bytes(record_with())
    holder = hold_lock(path)
    store = ProgressStore(path)
    with pytest.warns(ProgressWarning, match="busy") as told:
        store.record("q-a", "01-x", True, [0])
        store.record("q-b", "01-x", False, [1])
    assert len(told) == 1, "told once"
    assert not store.in_memory
    assert set(store.load()["quizzes"]) == {"q-old", "q-a", "q-b"}, "shown while waiting"
    assert path.read_bytes() == record_with(), "nothing written under another's lock"
    holder.stdin.write("\n")
    holder.stdin.flush()
    holder.wait(10)
    store.record("q-c", "01-x", True, [2])
    saved = ProgressStore(path).load()["quizzes"]
    assert set(saved) == {"q-old", "q-a", "q-b", "q-c"}
    assert saved["q-b"]["correct"] is False and saved["q-old"]["attempts"] == 2
    assert not store.in_memory


def test_symlinked_path_writes_to_the_target(tmp_path):
    target = tmp_path / "real" / "progress.json"
    target.parent.mkdir()
    target.write_bytes(record_with())
    link = tmp_path / "link.json"
    link.symlink_to(target)
    store = ProgressStore(link)
    store.record("q-a", "01-x", True, [0])
    assert link.is_symlink() and link.resolve() == target
    assert set(json.loads(target.read_text())["quizzes"]) == {"q-old", "q-a"}
    store.reset()
    assert link.is_symlink() and json.loads(target.read_text())["quizzes"] == {}


def test_dangling_symlink_creates_its_target(tmp_path):
    target = tmp_path / "real" / "progress.json"
    link = tmp_path / "link.json"
    link.symlink_to(target)
    ProgressStore(link).record("q-a", "01-x", True, [0])
    assert link.is_symlink()
    assert json.loads(target.read_text())["quizzes"]["q-a"]["correct"] is True


def test_symlinked_invalid_file_is_set_aside_beside_its_target(tmp_path):
    target = tmp_path / "real" / "progress.json"
    target.parent.mkdir()
    target.write_bytes(b"{not json")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    with pytest.warns(ProgressWarning, match="could not be read"):
        ProgressStore(link).record("q-a", "01-x", True, [0])
    assert link.is_symlink() and link.resolve() == target
    assert [p.read_bytes() for p in target.parent.glob("progress.json.corrupt-*")] == [b"{not json"]
    assert json.loads(target.read_text())["quizzes"]["q-a"]["correct"] is True


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
    store.record(first.id, first.lesson, True, [0], first.version)
    store.record(second.id, second.lesson, False, [0], second.version)
    rows = {r["lesson"]: r for r in progress.summary(store)}
    assert sum(r["answered"] for r in rows.values()) == 2
    assert sum(r["first_try_right"] for r in rows.values()) == 1
    assert sum(r["quizzes"] for r in rows.values()) == len(bank.quizzes())
    view = progress_chart.show_progress(store)
    assert view.svg.lstrip().startswith(b"<?xml") and b"<svg" in view.svg
    assert "You have answered 2 of" in view.caption
    assert f"{rows[first.lesson]['title']}: " in view.alt
    assert 'alt="Bar chart of quiz progress' in view._repr_html_()


def test_reset_progress_starts_the_course_again(tmp_path):
    from deepfake_ethics import reset_progress

    store = ProgressStore(tmp_path / "p.json")
    store.record("q-a", "01-x", True, [0])
    store.save_note("q-a", "01-x", "my view")
    reset_progress(store)
    assert store.load()["quizzes"] == {} and store.note("q-a") == ""
