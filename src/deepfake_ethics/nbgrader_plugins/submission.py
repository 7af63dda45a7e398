"""Only regular files of a submission travel: links, FIFOs, devices and floods stay behind.

nbgrader's ``init_assignment`` copies every file of ``submitted/<student>/<assignment>/``
into ``autograded/`` with ``shutil.copy``, which follows symbolic links with the grader's
rights, before any sandbox starts; ``generate_feedback`` does the same from ``autograded/``
into ``feedback/``. :class:`LeaveOutUnsafeFiles` is nbgrader's ``pre_convert_hook`` for both
steps: before nbgrader copies anything, it moves every entry that is not a plain file of the
student's (a symbolic link, a hard link, a FIFO, a socket, a device, a file above the size
cap, a file beyond the count cap) out of the folder into ``quarantine/`` in the course
directory, without following it, and writes what it left out and why to ``left-out.json``
there. :class:`NoteLeftOutFiles` turns that record into a note at the top of the autograded
notebook, so the formgrader and the student's feedback say what was left out. The sandbox
copies a folder with :func:`survey` too.
"""

from __future__ import annotations

import json
import os
import stat
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from nbformat import NotebookNode
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets.log import get_logger

QUARANTINE = "quarantine"
RECORD = "left-out.json"
NOTE_MARK = "deepfake_ethics_left_out"  # cell metadata key of the note


@dataclass(frozen=True)
class FileLimits:
    """What one submission folder may hold (checked before anything is copied)."""

    max_files: int = 200
    max_file_bytes: int = 20 * 1024**2
    max_total_bytes: int = 50 * 1024**2
    max_depth: int = 8


@dataclass(frozen=True)
class LeftOut:
    """One entry of a submission that was not copied, and why."""

    path: str  # relative to the submission folder, '/'-separated
    reason: str


def kind(mode: int) -> str:
    """What an entry that is not a regular file or folder is, in words (shared with the
    exchange's collect, :mod:`.exchange`)."""
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def _kind(mode: int) -> str | None:
    """Why an entry of this mode may not travel (None for a regular file or a folder)."""
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    suffix = " (links are never followed)" if stat.S_ISLNK(mode) else ""
    return f"it is {kind(mode)}{suffix}"


def survey(folder: Path, limits: FileLimits = FileLimits()
           ) -> tuple[list[str], list[LeftOut]]:
    """The regular files of ``folder`` that may travel (relative paths, sorted) and the
    entries that may not. Nothing is followed or opened: every entry is judged by
    ``lstat``; files beyond the count or size caps are left out in name order."""
    kept: list[str] = []
    left: list[LeftOut] = []
    total = 0

    def walk(current: Path, prefix: str, depth: int) -> None:
        nonlocal total
        try:
            entries = sorted(os.scandir(current), key=lambda e: e.name)
        except OSError as error:
            left.append(LeftOut(prefix or ".", f"it cannot be read ({error.strerror})"))
            return
        for entry in entries:
            rel = f"{prefix}{entry.name}"
            info = entry.stat(follow_symlinks=False)
            reason = _kind(info.st_mode)
            if reason:
                left.append(LeftOut(rel, reason))
            elif stat.S_ISDIR(info.st_mode):
                if depth >= limits.max_depth:
                    left.append(LeftOut(rel, f"it is nested more than {limits.max_depth} "
                                              "folders deep"))
                else:
                    walk(Path(entry.path), rel + "/", depth + 1)
            elif info.st_nlink > 1:
                left.append(LeftOut(rel, "it is a hard link (the same file has another "
                                         "name elsewhere)"))
            elif info.st_size > limits.max_file_bytes:
                left.append(LeftOut(rel, f"it is larger than {_mb(limits.max_file_bytes)}"))
            elif len(kept) >= limits.max_files:
                left.append(LeftOut(rel, f"the submission has more than {limits.max_files} "
                                         "files"))
            elif total + info.st_size > limits.max_total_bytes:
                left.append(LeftOut(rel, "the submission's files together are larger than "
                                         f"{_mb(limits.max_total_bytes)}"))
            else:
                kept.append(rel)
                total += info.st_size

    walk(folder, "", 0)
    return kept, left


def _mb(size: int) -> str:
    return f"{size / 1024**2:g} MB"


def quarantine_folder(root: Path, folder: Path) -> Path:
    """Where entries left out of ``folder`` (inside the course ``root``) are kept."""
    try:
        rel = folder.absolute().relative_to(root.absolute())
    except ValueError:
        rel = Path("outside") / folder.name
    return root / QUARANTINE / rel


def _timestamp(folder: Path) -> str | None:
    """The submission's ``timestamp.txt``, if it is a small regular file."""
    path = folder / "timestamp.txt"
    try:
        info = path.lstat()
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode) or info.st_size > 200:
        return None
    return path.read_text(encoding="utf-8", errors="replace").strip()


def read_record(root: Path, folder: Path) -> list[LeftOut]:
    """What was left out of the submission now in ``folder`` (its own timestamp's record)."""
    path = quarantine_folder(root, folder) / RECORD
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    if record.get("timestamp") != _timestamp(folder):
        return []  # a record of an earlier submission
    return [LeftOut(str(e["path"]), str(e["reason"])) for e in record.get("left_out", [])]


class LeaveOutUnsafeFiles:
    """nbgrader's ``pre_convert_hook`` (autograde and feedback): see the module docs.

    nbgrader calls it with the paths of the notebooks it is about to convert, before it
    copies the folder. A left-out notebook is also taken off that list (nbgrader then
    grades it as missing). A submission folder that is itself reached through a link is
    not converted at all. The hook never raises (nbgrader would log the error and copy
    anyway): if it fails, it takes every notebook off the list, so nothing is graded.
    """

    def __init__(self, root: str | os.PathLike, limits: FileLimits = FileLimits()) -> None:
        self.root = Path(root)
        self.limits = limits

    def __call__(self, assignment: str = "", student: str = "",
                 notebooks: list[str] | None = None, **_: Any) -> None:
        if not notebooks:
            return
        log = get_logger()
        folder = Path(notebooks[0]).parent
        try:
            if self._reached_through_link(folder):
                log.error("Left out the whole submission %s: the folder is reached through "
                          "a symbolic link", folder)
                notebooks.clear()
                return
            left = self.clean(folder)
        except Exception:  # fail closed: grade nothing rather than copy blindly
            log.error("Could not check the files of %s; not graded", folder, exc_info=True)
            notebooks.clear()
            return
        gone = {str(folder / entry.path) for entry in left}
        notebooks[:] = [nb for nb in notebooks if nb not in gone]
        for entry in left:
            log.warning("Left out %s of %s: %s", entry.path, folder, entry.reason)

    def _reached_through_link(self, folder: Path) -> bool:
        """True if the folder, or a folder between it and the course root, is a link."""
        folder = folder.absolute()
        root = self.root.absolute()
        parts = folder.relative_to(root).parts if folder.is_relative_to(root) else folder.parts
        current = root if folder.is_relative_to(root) else Path(folder.anchor)
        for part in parts:
            current = current / part
            if current.is_symlink() or not current.is_dir():
                return True
        return False

    def clean(self, folder: Path) -> list[LeftOut]:
        """Move every entry that may not travel out of ``folder``; record and return them."""
        _, left = survey(folder, self.limits)
        target = quarantine_folder(self.root, folder)
        timestamp = _timestamp(folder) if not any(
            e.path == "timestamp.txt" for e in left) else None
        for entry in left:
            _move(folder / entry.path, target / "files" / entry.path)
        if left or (target / RECORD).exists():
            earlier = read_record(self.root, folder) if timestamp else []
            known = {e.path for e in left}
            merged = left + [e for e in earlier if e.path not in known]
            target.mkdir(parents=True, exist_ok=True)
            (target / RECORD).write_text(json.dumps(
                {"timestamp": timestamp, "left_out": [asdict(e) for e in merged]},
                indent=1), encoding="utf-8")
            return merged
        return left


def _move(source: Path, dest: Path) -> None:
    """Move one entry without following it (a rename); an entry that cannot be renamed
    (another file system) is removed if it holds no data of its own (a link, a FIFO...)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    if dest.is_symlink() or dest.exists():
        dest = dest.with_name(f"{dest.name}.{os.getpid()}-{id(source)}")
    try:
        os.rename(source, dest)
    except OSError:
        mode = source.lstat().st_mode
        if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
            raise
        source.unlink()


class NoteLeftOutFiles(NbGraderPreprocessor):
    """Put a note at the top of the autograded notebook naming every file left out of the
    submission (see :class:`LeaveOutUnsafeFiles`), for the formgrader and the feedback."""

    def preprocess(self, nb: NotebookNode, resources: dict[str, Any]
                   ) -> tuple[NotebookNode, dict[str, Any]]:
        from ..layout import nbgrader_folder, nbgrader_root

        info = resources.get("nbgrader", {})
        root = nbgrader_root(self.config)
        folder = nbgrader_folder(self.config, "submitted", info.get("assignment", ""),
                                 info.get("student", ""))
        if root is None or folder is None:
            return nb, resources
        left = read_record(root, folder)
        nb.cells = [c for c in nb.cells if not c.metadata.get(NOTE_MARK)]
        if left:
            nb.cells.insert(0, left_out_cell(left))
        return nb, resources


def left_out_cell(left: list[LeftOut]) -> NotebookNode:
    """A Markdown cell that lists the left-out entries (names shown as code, escaped)."""
    from nbformat.v4 import new_markdown_cell

    lines = ["**Files left out of this submission.** They were not copied, not run and not "
             "graded:", ""]
    for entry in left[:50]:
        lines.append(f"- `{_code_text(entry.path)}`: {entry.reason}.")
    if len(left) > 50:
        lines.append(f"- … and {len(left) - 50} more.")
    cell = new_markdown_cell("\n".join(lines))
    cell.metadata[NOTE_MARK] = True
    return cell


def _code_text(name: str) -> str:
    """A student's file name, safe inside a Markdown code span."""
    cleaned = "".join(ch if ch.isprintable() else "?" for ch in name)[:120]
    return cleaned.replace("`", "'").replace("<", "‹").replace(">", "›")
