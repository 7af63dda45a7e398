"""The checks of the safe collect (src/deepfake_ethics/nbgrader_plugins/exchange.py), fast, on
folders of this test's own: the walk that never follows a link, the caps, the copy that
checks each open file again, files received as content (ngshare), and SafeCollect on an
exchange whose only account is the one running the test. tests/test_exchange_attacks.py
runs the same attacks with real Unix accounts."""

from __future__ import annotations

import base64
import datetime
import json
import os
import pwd
import socket
import stat
from pathlib import Path

import pytest
from conftest import ROOT
from nbgrader.coursedir import CourseDirectory
from nbgrader.exchange import ExchangeError
from traitlets.config.loader import PyFileConfigLoader

from deepfake_ethics.nbgrader_plugins.exchange import (
    FOLDER_COLLECT,
    NGSHARE_COLLECT,
    Dest,
    Limits,
    SafeCollect,
    collect_tree,
    copy_survey,
    plan_encoded,
    safe_collect,
    select,
    survey,
)

LIMITS = Limits(max_file_bytes=1000, max_total_bytes=4000, max_files=6,
                ignore=(".ipynb_checkpoints", "__pycache__"))
SECRET = b"the answer key: 42"


def entries(folder: Path) -> dict[str, os.stat_result]:
    """Everything below ``folder``, lstat-ed (nothing followed)."""
    found = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            found[str(path.relative_to(folder))] = os.lstat(path)
    return found


def assert_only_plain_files(folder: Path) -> None:
    for path, st in entries(folder).items():
        assert stat.S_ISDIR(st.st_mode) or (stat.S_ISREG(st.st_mode) and st.st_nlink == 1), \
            (path, oct(st.st_mode), st.st_nlink)
        if stat.S_ISREG(st.st_mode):
            assert SECRET not in (folder / path).read_bytes(), path


def reasons(left) -> dict[str, str]:
    return {item.path: item.reason for item in left}


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    """A submission folder with a notebook, data, and every kind of entry that is not a
    plain file of the student's; the secret it points at lies outside."""
    secret = tmp_path / "private" / "source.ipynb"
    secret.parent.mkdir()
    secret.write_bytes(SECRET)
    src = tmp_path / "inbound" / "student+a01+2026-01-01 10:00:00.000000 UTC+abc"
    (src / "data").mkdir(parents=True)
    (src / "a01.ipynb").write_bytes(b'{"cells": []}')
    (src / "data" / "table.csv").write_bytes(b"a,b\n1,2\n")
    (src / "absolute-link.ipynb").symlink_to(secret)
    (src / "relative-link.ipynb").symlink_to(os.path.relpath(secret, src))
    (src / "folder-link").symlink_to(secret.parent, target_is_directory=True)
    (src / "data" / "deep-link").symlink_to("../../../private/source.ipynb")
    os.mkfifo(src / "pipe")
    os.link(secret, src / "hard-link.ipynb")
    with socket.socket(socket.AF_UNIX) as sock:  # relative: socket paths are short
        cwd = os.getcwd()
        os.chdir(src)
        try:
            sock.bind("socket")
        finally:
            os.chdir(cwd)
    with open(src / "big.bin", "wb") as fh:
        fh.truncate(LIMITS.max_file_bytes + 1)
    (src / ".ipynb_checkpoints").mkdir()
    (src / ".ipynb_checkpoints" / "a01-checkpoint.ipynb").write_bytes(SECRET)
    (src / "timestamp.txt").write_text("2000-01-01 00:00:00.000000 UTC")
    many = src / "many"
    many.mkdir()
    for i in range(8):
        (many / f"f{i}.txt").write_bytes(b"x" * 10)
    return src


def test_the_walk_copies_plain_files_and_leaves_out_everything_else(hostile, tmp_path):
    dest = tmp_path / "submitted"
    left = reasons(collect_tree(hostile, dest, os.getuid(), LIMITS))

    assert (dest / "a01.ipynb").read_bytes() == b'{"cells": []}'
    assert (dest / "data" / "table.csv").read_bytes() == b"a,b\n1,2\n"
    assert_only_plain_files(dest)
    for link in ("absolute-link.ipynb", "relative-link.ipynb", "folder-link",
                 "data/deep-link"):
        assert "symbolic link" in left[link] and "never followed" in left[link], left
    assert "source.ipynb" in left["absolute-link.ipynb"]  # the report shows the target
    assert "FIFO" in left["pipe"]
    assert "socket" in left["socket"]
    assert "hard link" in left["hard-link.ipynb"]
    assert "per file" in left["big.bin"]
    assert "CourseDirectory.ignore" in left[".ipynb_checkpoints"]
    # max_files = 6: the notebook first, then data/table.csv and four of many/ by path
    copied = sorted(p for p, st in entries(dest).items() if stat.S_ISREG(st.st_mode))
    assert copied == ["a01.ipynb", "data/table.csv", "many/f0.txt", "many/f1.txt",
                      "many/f2.txt", "many/f3.txt"]
    assert {p for p, r in left.items() if "cap of 6 files" in r} == {
        "many/f4.txt", "many/f5.txt", "many/f6.txt", "many/f7.txt"}
    assert "timestamp.txt" not in left and not (dest / "timestamp.txt").exists()


def test_a_device_is_left_out(tmp_path):
    src, dest = tmp_path / "src", tmp_path / "dest"
    src.mkdir()
    try:
        os.mknod(src / "null", stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("making a device file needs CAP_MKNOD")
    left = reasons(collect_tree(src, dest, os.getuid(), LIMITS))
    assert "device" in left["null"], left
    assert entries(dest) == {}


def test_caps_take_notebooks_first_then_files_in_order_of_path(tmp_path):
    src, dest = tmp_path / "src", tmp_path / "dest"
    (src / "a").mkdir(parents=True)
    for name in ("a/1.txt", "a/2.txt", "a/3.txt", "z.ipynb"):
        (src / name).write_bytes(b"y" * 900)
    limits = Limits(max_file_bytes=1000, max_total_bytes=2000, max_files=10)
    left = reasons(collect_tree(src, dest, os.getuid(), limits))
    assert sorted(entries(dest)) == ["a", "a/1.txt", "z.ipynb"]
    assert set(left) == {"a/2.txt", "a/3.txt"}
    assert all("over 2000 bytes" in reason for reason in left.values())


def test_a_file_swapped_or_grown_after_the_walk_is_not_copied(hostile, tmp_path):
    fd = os.open(hostile, os.O_RDONLY | os.O_DIRECTORY)
    try:
        found = survey(fd, os.getuid(), LIMITS)
        chosen, _ = select(found.files, LIMITS)
        notebook = hostile / "a01.ipynb"
        notebook.unlink()
        notebook.symlink_to(hostile.parent.parent / "private" / "source.ipynb")
        with open(hostile / "data" / "table.csv", "ab") as fh:
            fh.write(b"3,4\n")
        with Dest(tmp_path / "dest") as out:
            left = reasons(copy_survey(fd, found, chosen, out))
    finally:
        os.close(fd)
    assert "not copied" in left["a01.ipynb"] and "changed" in left["data/table.csv"], left
    assert not (tmp_path / "dest" / "a01.ipynb").exists()
    assert not (tmp_path / "dest" / "data" / "table.csv").exists()
    assert_only_plain_files(tmp_path / "dest")


def test_entries_of_another_owner_are_refused(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("giving a file to another account needs root")
    nobody = pwd.getpwnam("nobody").pw_uid
    src, dest = tmp_path / "src", tmp_path / "dest"
    src.mkdir()
    (src / "mine.ipynb").write_bytes(b"{}")
    (src / "theirs.ipynb").write_bytes(b"{}")
    os.chown(src / "theirs.ipynb", nobody, -1)
    left = reasons(collect_tree(src, dest, os.getuid(), LIMITS))
    assert "owned by nobody" in left["theirs.ipynb"], left
    assert sorted(entries(dest)) == ["mine.ipynb"]


def encoded(path: str, data: bytes) -> dict:
    return {"path": path, "content": base64.encodebytes(data).decode()}


def test_files_received_as_content_stay_below_the_folder(tmp_path):
    files = [encoded("a01.ipynb", b"{}"), encoded("sub/notes.txt", b"notes"),
             encoded("../escape.txt", SECRET), encoded(str(tmp_path / "abs.txt"), SECRET),
             encoded("sub//x", SECRET), encoded("./x", SECRET), encoded("a\nb", SECRET),
             encoded("a01.ipynb", SECRET), encoded("clash", SECRET),
             encoded("clash/inside", SECRET), encoded(".ipynb_checkpoints/c.ipynb", SECRET),
             encoded("big.bin", b"z" * 1001), {"path": "bad", "content": "!!!x"},
             {"path": 7, "content": ""}, "not a file"]
    chosen, left_list = plan_encoded(files, LIMITS)
    left = reasons(left_list)
    assert sorted(item.parts for item in chosen) == [("a01.ipynb",), ("clash", "inside"),
                                                     ("sub", "notes.txt")]
    assert left["../escape.txt"].startswith("an empty, '.' or '..'")
    assert left[str(tmp_path / "abs.txt")] == "an absolute path"
    assert "'..'" in left["sub//x"] and "'..'" in left["./x"]
    assert "control character" in left["a\nb"]
    assert left["a01.ipynb"] == "a second file with the same path"
    assert "both a file and a folder" in left["clash"]
    assert "CourseDirectory.ignore" in left[".ipynb_checkpoints/c.ipynb"]
    assert "per file" in left["big.bin"]
    assert "base64" in left["bad"] and "no path" in left["7"] and "no path" in left["None"]
    with Dest(tmp_path / "dest") as out:
        for item in chosen:
            out.write(item.parts, item.data)
    assert sorted(entries(tmp_path / "dest")) == ["a01.ipynb", "clash", "clash/inside", "sub",
                                                  "sub/notes.txt"]
    assert not (tmp_path / "escape.txt").exists() and not (tmp_path / "abs.txt").exists()


def test_dest_never_writes_through_a_link_or_over_a_file(tmp_path):
    with Dest(tmp_path / "dest") as out:
        out.write(("a.txt",), b"first")
        with pytest.raises(FileExistsError):
            out.write(("a.txt",), b"second")
        (tmp_path / "dest" / "link").symlink_to(tmp_path)
        with pytest.raises(OSError):
            out.write(("link", "x.txt"), b"through the link")
    assert (tmp_path / "dest" / "a.txt").read_bytes() == b"first"
    assert not (tmp_path / "x.txt").exists()


def test_the_course_config_picks_the_safe_collect_of_its_exchange(tmp_path, monkeypatch):
    assert safe_collect({}) == FOLDER_COLLECT
    assert safe_collect({"NGSHARE_URL": "http://ngshare/services/ngshare"}) == NGSHARE_COLLECT
    monkeypatch.setenv("DEEPFAKE_ETHICS_DB_URL", f"sqlite:///{tmp_path / 'gradebook.db'}")
    for url, expected in ((None, FOLDER_COLLECT), ("http://x/services/ngshare", NGSHARE_COLLECT)):
        if url is None:
            monkeypatch.delenv("NGSHARE_URL", raising=False)
        else:
            monkeypatch.setenv("NGSHARE_URL", url)
        c = PyFileConfigLoader("nbgrader_config.py", path=str(ROOT)).load_config()
        assert c.ExchangeFactory.collect == expected


# --- SafeCollect on an exchange of this test's own account ------------------------------

ME = pwd.getpwuid(os.getuid()).pw_name
OTHER = "nobody" if ME != "nobody" else "root"


def stamp(when: datetime.datetime) -> str:
    return when.strftime("%Y-%m-%d %H:%M:%S.%f UTC")


def run_collect(course: Path, exchange: Path, assignment: str) -> dict:
    """SafeCollect as `nbgrader collect <assignment>` runs it; returns its JSON report."""
    coursedir = CourseDirectory(root=str(course), course_id="c1", assignment_id=assignment,
                                db_url=f"sqlite:///{course / 'gradebook.db'}",
                                max_file_size=1)
    SafeCollect(coursedir=coursedir, authenticator=None, root=str(exchange)).start()
    (report,) = (course / "logs" / "collect").glob(f"{assignment}-*.json")
    return json.loads(report.read_text())


@pytest.fixture
def exchange(tmp_path: Path) -> tuple[Path, Path, Path]:
    """An exchange (root, the course's inbound) and a course directory."""
    root = tmp_path / "exchange"
    inbound = root / "c1" / "inbound"
    inbound.mkdir(parents=True)
    root.chmod(0o1777)
    course = tmp_path / "course"
    course.mkdir()
    return root, inbound, course


def submission(inbound: Path, student: str, assignment: str, when: str, tag: str,
               notebook: bytes) -> Path:
    folder = inbound / f"{student}+{assignment}+{when}+{tag}"
    folder.mkdir()
    (folder / f"{assignment}.ipynb").write_bytes(notebook)
    (folder / "timestamp.txt").write_text("2000-01-01 00:00:00.000000 UTC")
    return folder


def test_safe_collect_takes_the_latest_own_folder_and_reports_the_others(exchange):
    NOW = datetime.datetime.now(datetime.UTC)  # at the test's own time, not collection's
    root, inbound, course = exchange
    early = stamp(NOW - datetime.timedelta(minutes=2))
    submission(inbound, ME, "a01", early, "old", b"older")
    submission(inbound, ME, "a01", stamp(NOW), "new", b"newest")
    (inbound / f"{ME}+a01+{stamp(NOW)}+new" / "leak").symlink_to(course)
    submission(inbound, ME, "a01", "notadate", "x", b"bad time")
    submission(inbound, ME, "a01", "2026-01-01 10:00:00 ..", "x", b"dateutil raises a warning")
    submission(inbound, "..", "a01", stamp(NOW), "x", b"unsafe id")
    submission(inbound, OTHER, "a01", stamp(NOW), "forged", b"forged")
    submission(inbound, "no-such-account-dfe", "a01", stamp(NOW), "x", b"nobody's")
    (inbound / f"{ME}+a01+{stamp(NOW + datetime.timedelta(minutes=1))}+lnk").symlink_to(
        inbound / f"{ME}+a01+{early}+old")

    report = run_collect(course, root, "a01")

    collected = course / "submitted" / ME / "a01"
    assert (collected / "a01.ipynb").read_bytes() == b"newest"
    assert (collected / "timestamp.txt").read_text() == stamp(NOW)  # the name's, not the file's
    assert sorted(p.name for p in (course / "submitted").iterdir()) == [ME]
    assert_only_plain_files(course / "submitted")
    mine = {item["path"]: item["reason"] for item in report[ME]}
    assert "not a date" in mine[f"{ME}+a01+notadate+x"]
    assert "not a date" in mine[f"{ME}+a01+2026-01-01 10:00:00 ..+x"]
    assert "symbolic link" in mine[f"{ME}+a01+{stamp(NOW)}+new/leak"]
    assert "not a folder" in mine[f"{ME}+a01+{stamp(NOW + datetime.timedelta(minutes=1))}+lnk"]
    assert "'..'" in report[".."][0]["reason"]
    assert f"not by the student's account {OTHER}" in report[OTHER][0]["reason"]
    assert "no Unix account" in report["no-such-account-dfe"][0]["reason"]


def test_a_backdated_folder_gets_the_time_its_files_changed(exchange):
    NOW = datetime.datetime.now(datetime.UTC)  # at the test's own time, not collection's
    root, inbound, course = exchange
    submission(inbound, ME, "a02", "2020-01-01 09:00:00.000000 UTC", "old", b"late work")

    report = run_collect(course, root, "a02")

    written = (course / "submitted" / ME / "a02" / "timestamp.txt").read_text()
    assert written.startswith(NOW.strftime("%Y-%m-%d")), written
    assert "after the time in its name" in report[ME][0]["reason"]


def test_safe_collect_refuses_an_inbound_folder_it_did_not_make(exchange):
    NOW = datetime.datetime.now(datetime.UTC)  # at the test's own time, not collection's
    if os.geteuid() != 0:
        pytest.skip("giving a folder to another account needs root")
    root, inbound, course = exchange
    submission(inbound, ME, "a01", stamp(NOW), "x", b"{}")
    os.chown(inbound, pwd.getpwnam("nobody").pw_uid, -1)
    with pytest.raises(ExchangeError, match="is owned by nobody"):
        run_collect(course, root, "a01")
    assert not (course / "submitted").exists()
