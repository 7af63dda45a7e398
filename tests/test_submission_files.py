"""Only regular files of a submission travel (unit tests of nbgrader_plugins/submission.py and of
the sandbox's copy; the attacks through both grading paths are in
tests/test_grading_paths_attacks.py)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from deepfake_ethics.nbgrader_plugins.sandbox import copy_submission, disk_use
from deepfake_ethics.nbgrader_plugins.submission import (
    NOTE_MARK,
    FileLimits,
    LeaveOutUnsafeFiles,
    left_out_cell,
    read_record,
    survey,
)


def hostile_folder(root: Path) -> Path:
    """A submission folder with one entry of every kind that must not travel."""
    secret = root / "secret.txt"
    secret.write_text("the private key")
    folder = root / "submitted" / "eve" / "a02"
    (folder / "data").mkdir(parents=True)
    (folder / "a02.ipynb").write_text("{}")
    (folder / "timestamp.txt").write_text("2026-11-20 12:00:00.000000 UTC")
    (folder / "data" / "mine.csv").write_text("x\n1\n")
    (folder / "relative.txt").symlink_to("../../../secret.txt")
    (folder / "absolute.txt").symlink_to(secret)
    (folder / "folder-link").symlink_to(root / "submitted")
    (folder / "zero.bin").symlink_to("/dev/zero")
    os.link(secret, folder / "hard.txt")
    os.mkfifo(folder / "pipe")
    (folder / "big.bin").write_bytes(b"x" * 2_000)
    return folder


LIMITS = FileLimits(max_files=10, max_file_bytes=1_000, max_total_bytes=5_000)


def test_survey_keeps_regular_files_and_names_every_other_kind(tmp_path):
    folder = hostile_folder(tmp_path)
    kept, left = survey(folder, LIMITS)
    assert kept == ["a02.ipynb", "data/mine.csv", "timestamp.txt"]
    reasons = {entry.path: entry.reason for entry in left}
    assert set(reasons) == {"relative.txt", "absolute.txt", "folder-link", "zero.bin",
                            "hard.txt", "pipe", "big.bin"}
    for link in ("relative.txt", "absolute.txt", "folder-link", "zero.bin"):
        assert "symbolic link" in reasons[link]
    assert "hard link" in reasons["hard.txt"] and "FIFO" in reasons["pipe"]
    assert "larger than" in reasons["big.bin"]


def test_survey_caps_the_number_of_files_and_their_total_size(tmp_path):
    for i in range(15):
        (tmp_path / f"f{i:02}.txt").write_bytes(b"x" * 100)
    kept, left = survey(tmp_path, LIMITS)
    assert len(kept) == 10 and len(left) == 5
    assert all("more than 10 files" in e.reason for e in left)
    kept, left = survey(tmp_path, FileLimits(max_files=100, max_total_bytes=450))
    assert len(kept) == 4 and all("together are larger" in e.reason for e in left)


def test_survey_does_not_descend_without_end(tmp_path):
    deep = tmp_path / "/".join(["d"] * 12)
    deep.mkdir(parents=True)
    (deep / "x.txt").write_text("x")
    kept, left = survey(tmp_path, FileLimits(max_depth=8))
    assert kept == [] and "nested more than 8" in left[0].reason


def test_the_hook_moves_what_may_not_travel_and_records_it(tmp_path):
    folder = hostile_folder(tmp_path)
    notebooks = [str(folder / "a02.ipynb")]
    LeaveOutUnsafeFiles(tmp_path, LIMITS)(assignment="a02", student="*", notebooks=notebooks)
    assert notebooks == [str(folder / "a02.ipynb")]
    assert sorted(p.name for p in folder.iterdir()) == ["a02.ipynb", "data", "timestamp.txt"]
    kept = tmp_path / "quarantine" / "submitted" / "eve" / "a02"
    assert (kept / "files" / "relative.txt").is_symlink(), "moved, not followed or lost"
    assert os.readlink(kept / "files" / "absolute.txt") == str(tmp_path / "secret.txt")
    assert (tmp_path / "secret.txt").read_text() == "the private key", "target untouched"
    record = json.loads((kept / "left-out.json").read_text())
    assert record["timestamp"] == "2026-11-20 12:00:00.000000 UTC"
    assert {e["path"] for e in record["left_out"]} == {
        "relative.txt", "absolute.txt", "folder-link", "zero.bin", "hard.txt", "pipe",
        "big.bin"}
    # Graded again: the folder is clean now, and the record still says what was left out.
    LeaveOutUnsafeFiles(tmp_path, LIMITS)(notebooks=list(notebooks))
    assert len(read_record(tmp_path, folder)) == 7
    # A new submission (another timestamp) has no record of the old one's files.
    (folder / "timestamp.txt").write_text("2026-11-21 09:00:00.000000 UTC")
    assert read_record(tmp_path, folder) == []


def test_a_notebook_that_is_a_link_is_taken_off_the_list(tmp_path):
    source = tmp_path / "source" / "a02" / "a02.ipynb"
    source.parent.mkdir(parents=True)
    source.write_text('{"the": "answers"}')
    folder = tmp_path / "submitted" / "eve" / "a02"
    folder.mkdir(parents=True)
    (folder / "a02.ipynb").symlink_to("../../../source/a02/a02.ipynb")
    notebooks = [str(folder / "a02.ipynb")]
    LeaveOutUnsafeFiles(tmp_path)(notebooks=notebooks)
    assert notebooks == [] and not (folder / "a02.ipynb").exists()
    assert source.read_text() == '{"the": "answers"}'


def test_a_submission_reached_through_a_link_is_not_converted(tmp_path):
    victim = tmp_path / "submitted" / "victim" / "a02"
    victim.mkdir(parents=True)
    (victim / "a02.ipynb").write_text("{}")
    (tmp_path / "submitted" / "eve").symlink_to("victim")
    notebooks = [str(tmp_path / "submitted" / "eve" / "a02" / "a02.ipynb")]
    LeaveOutUnsafeFiles(tmp_path)(notebooks=notebooks)
    assert notebooks == []
    assert (victim / "a02.ipynb").read_text() == "{}", "the victim's work stays in place"


def test_the_hook_fails_closed(tmp_path, monkeypatch):
    folder = tmp_path / "submitted" / "eve" / "a02"
    folder.mkdir(parents=True)
    notebooks = [str(folder / "a02.ipynb")]
    hook = LeaveOutUnsafeFiles(tmp_path)

    def broken(_folder):
        raise PermissionError("cannot move")

    monkeypatch.setattr(hook, "clean", broken)
    hook(notebooks=notebooks)
    assert notebooks == [], "a hook that fails grades nothing rather than copy blindly"


def test_the_note_names_the_files_as_inert_text():
    from deepfake_ethics.nbgrader_plugins.submission import LeftOut

    cell = left_out_cell([LeftOut("<img src=x onerror=alert(1)>`", "it is a FIFO")])
    assert cell.metadata[NOTE_MARK] is True
    assert "<img" not in cell.source and "`" not in cell.source.split("`", 2)[1]
    assert "it is a FIFO" in cell.source


def test_the_sandbox_copy_takes_regular_files_only(tmp_path):
    folder = hostile_folder(tmp_path)
    dest = tmp_path / "scratch"
    copy_submission(folder, dest, LIMITS)
    copied = sorted(str(p.relative_to(dest)) for p in dest.rglob("*"))
    assert copied == ["data", "data/mine.csv", "timestamp.txt"]
    assert not any(p.is_symlink() for p in dest.rglob("*"))


def test_disk_use_counts_bytes_and_entries_and_stops_counting_at_the_cap(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "big").write_bytes(os.urandom(100_000))
    for i in range(30):
        (tmp_path / f"f{i}").write_text("x")
    used, entries = disk_use((tmp_path,), 1_000)
    assert used >= 100_000 and entries == 32
    _, capped = disk_use((tmp_path,), 5)
    assert capped < 32


def test_no_notebooks_no_work(tmp_path):
    LeaveOutUnsafeFiles(tmp_path)(notebooks=[])
    assert not (tmp_path / "quarantine").exists()
