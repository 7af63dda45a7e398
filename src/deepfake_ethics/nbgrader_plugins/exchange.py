"""``nbgrader collect`` that a student cannot abuse (``c.ExchangeFactory.collect``).

nbgrader's folder exchange lets every student write into ``<exchange>/<course>/inbound``
(docs/deployment.md), and ``nbgrader collect`` copies what it finds there with the grader's
rights. nbgrader's own collect follows symbolic links (a link to ``source/`` or to the
gradebook is copied as the file it points at), takes a folder named after another student
when its time is later (it only logs "cheating attempt?"), stops for the whole class at a
folder whose time is not a date, and copies FIFOs, devices and hard links.

:class:`SafeCollect` collects each student's latest submission (or the latest before the
due date, as nbgrader does) and:

* takes it only from a folder owned by the Unix account named by the student id
  (``check_owner``, on by default); every entry must be owned by the folder's owner;
* never follows a link: folders are walked with ``O_NOFOLLOW`` descriptors, each file is
  opened with ``O_NOFOLLOW`` and the open descriptor is checked again (still the same
  regular file, owner and one link) before a byte is copied, so nothing can be swapped in;
* copies regular files and folders only: links, FIFOs, sockets and devices are left out,
  and so are hard links (``st_nlink > 1``): ``nbgrader submit`` writes fresh copies, so a
  file with a second name was put there by hand, and its other name may belong to
  anyone or change while it is copied;
* caps every submission before copying: a file above ``CourseDirectory.max_file_size``
  (kB), more than ``max_files`` files, more than ``max_total_size`` (kB) in all
  (notebooks are taken first), folders nested deeper than ``MAX_DEPTH``;
* skips, and reports, a folder whose time is not a date or whose student id is unsafe
  (:func:`deepfake_ethics.nbgrader_plugins.names.problem`), and collects everyone else;
* writes ``timestamp.txt`` from the time in the folder's name, not from the student's
  file; if the folder's files were changed (``st_ctime``, set by the kernel) more than
  ``CHANGE_GRACE`` after that time, the time of the change is used and reported.

Everything left out is logged as a warning (student, path, reason), listed again at the
end, and written to ``logs/collect/<assignment>-<UTC time>.json`` in the course directory
as ``{student: [{"path": ..., "reason": ...}]}``. Paths are relative to the exchange's
inbound folder (a whole submission is its folder's name); for ngshare
(:mod:`deepfake_ethics.nbgrader_plugins.ngshare_collect`) they are the paths the submission names,
and an empty path stands for the whole submission. The checks on files received as
content (:func:`plan_encoded`) live here too, so that both exchanges share them.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import datetime
import fnmatch
import json
import os
import pwd
import shutil
import stat
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Protocol, TypeVar

from dateutil.tz import gettz
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.exchange.default.collect import ExchangeCollect
from nbgrader.utils import check_mode, parse_utc
from traitlets import Bool, Integer
from traitlets.config import LoggingConfigurable

from .names import problem
from .submission import kind

FOLDER_COLLECT = "deepfake_ethics.nbgrader_plugins.exchange.SafeCollect"
NGSHARE_COLLECT = "deepfake_ethics.nbgrader_plugins.ngshare_collect.SafeNgshareCollect"
OPEN_DIR = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
# O_NONBLOCK: a FIFO swapped in after the walk opens at once (and is then refused).
OPEN_FILE = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC
CREATE_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
MAX_DEPTH = 16  # folders within folders in one submission
WALK_FACTOR = 10  # a walk looks at no more than WALK_FACTOR * max_files entries
CHANGE_GRACE = datetime.timedelta(minutes=10)  # nbgrader submit takes seconds
TIMESTAMP = "timestamp.txt"  # written by the collect, never copied from the student
CHUNK = 1 << 16


def safe_collect(environ: Mapping[str, str] = os.environ) -> str:
    """The safe collect for the exchange in use: ngshare's when ``NGSHARE_URL`` is set
    (deploy/kubernetes/values.yaml sets it for every server), else the folder exchange's.
    (The course's config is read after the global one and cannot see what it chose.)"""
    return NGSHARE_COLLECT if environ.get("NGSHARE_URL") else FOLDER_COLLECT


class ChangedWhileCollected(Exception):
    """A file or folder is no longer the one the walk found."""


@dataclass(frozen=True)
class LeftOut:
    """Something not collected, and why."""

    path: str
    reason: str


@dataclass(frozen=True)
class Limits:
    """What one submission may hold (sizes in bytes)."""

    max_file_bytes: int
    max_total_bytes: int
    max_files: int
    ignore: tuple[str, ...] = ()
    include: tuple[str, ...] = ()

    def excluded(self, name: str, is_file: bool) -> str | None:
        """Why the course's patterns leave ``name`` out (None if they do not)."""
        for pattern in self.ignore:
            if fnmatch.fnmatch(name, pattern):
                return f"matches {pattern!r} of CourseDirectory.ignore"
        if is_file and self.include and not any(fnmatch.fnmatch(name, p)
                                                for p in self.include):
            return "matches no pattern of CourseDirectory.include"
        return None


class _Sized(Protocol):
    @property
    def parts(self) -> tuple[str, ...]: ...

    @property
    def size(self) -> int: ...


Item = TypeVar("Item", bound=_Sized)


def show(parts: Iterable[str]) -> str:
    """A path of a submission as written in the report."""
    return "/".join(parts)


def select(items: list[Item], limits: Limits) -> tuple[list[Item], list[LeftOut]]:
    """The items to copy within ``max_files`` and ``max_total_bytes``: notebooks first,
    then the others, each group in order of path; the rest with the cap they exceed."""
    order = sorted(items, key=lambda i: (not i.parts[-1].endswith(".ipynb"), i.parts))
    chosen: list[Item] = []
    left: list[LeftOut] = []
    total = 0
    for item in order:
        if len(chosen) >= limits.max_files:
            left.append(LeftOut(show(item.parts), f"over the cap of {limits.max_files} files "
                                                  "per submission"))
        elif total + item.size > limits.max_total_bytes:
            left.append(LeftOut(show(item.parts), f"{item.size} bytes would bring the "
                                                  f"submission over {limits.max_total_bytes} "
                                                  "bytes"))
        else:
            chosen.append(item)
            total += item.size
    return chosen, left


def account(uid: int) -> str:
    """``name (uid N)``, or ``uid N`` for a uid without an account."""
    try:
        return f"{pwd.getpwuid(uid).pw_name} (uid {uid})"
    except KeyError:
        return f"uid {uid}"


# --- Walking a submission folder without following anything -------------------------

@dataclass(frozen=True)
class Found:
    """A regular file the walk will copy if the caps allow."""

    parts: tuple[str, ...]
    size: int
    dev: int
    ino: int


@dataclass
class Survey:
    """What a walk found: files, the identity of every folder, what it left out."""

    owner: int
    files: list[Found] = field(default_factory=list)
    dirs: dict[tuple[str, ...], tuple[int, int]] = field(default_factory=dict)
    left_out: list[LeftOut] = field(default_factory=list)
    latest_change: float = 0.0  # the latest st_ctime of the folder and all it holds


def open_dir(root_fd: int, parts: tuple[str, ...],
             dirs: Mapping[tuple[str, ...], tuple[int, int]]) -> int:
    """A new descriptor of the folder ``parts`` below ``root_fd``, opened one name at a
    time without following links, each folder checked to be the one the walk found."""
    fd = os.dup(root_fd)
    try:
        for depth in range(1, len(parts) + 1):
            child = os.open(parts[depth - 1], OPEN_DIR, dir_fd=fd)
            os.close(fd)
            fd = child
            st = os.fstat(fd)
            if (st.st_dev, st.st_ino) != dirs[parts[:depth]]:
                raise ChangedWhileCollected(f"{show(parts[:depth])} changed while it was "
                                            "being collected")
    except BaseException:
        os.close(fd)
        raise
    return fd


def _entry_problem(st: os.stat_result, owner: int, limits: Limits, name: str,
                   depth: int) -> str | None:
    """Why an entry (already lstat-ed) is left out, or None."""
    mode = st.st_mode
    if not (stat.S_ISDIR(mode) or stat.S_ISREG(mode)):
        return f"{kind(mode)}: only regular files and folders are collected"
    is_file = stat.S_ISREG(mode)
    reason = limits.excluded(name, is_file)
    if reason:
        return reason
    if st.st_uid != owner:
        return f"owned by {account(st.st_uid)}, not by {account(owner)}"
    if not is_file:
        return f"deeper than {MAX_DEPTH} folders" if depth >= MAX_DEPTH else None
    if st.st_nlink > 1:
        return (f"a hard link ({st.st_nlink} names): a submission's files are fresh "
                "copies with one name")
    if st.st_size > limits.max_file_bytes:
        return (f"{st.st_size} bytes, over the cap of {limits.max_file_bytes} bytes per "
                "file (CourseDirectory.max_file_size)")
    return None


def survey(root_fd: int, owner: int, limits: Limits) -> Survey:
    """Walk the folder ``root_fd`` (breadth first, names in order) without following any
    link; every entry must be owned by ``owner``. Nothing is opened but folders."""
    root = os.fstat(root_fd)
    found = Survey(owner=owner, dirs={(): (root.st_dev, root.st_ino)},
                   latest_change=root.st_ctime)
    queue: deque[tuple[str, ...]] = deque([()])
    budget = WALK_FACTOR * limits.max_files
    while queue:
        parts = queue.popleft()
        try:
            fd = open_dir(root_fd, parts, found.dirs)
        except (OSError, ChangedWhileCollected) as error:
            found.left_out.append(LeftOut(show(parts), f"cannot be read: {describe(error)}"))
            continue
        try:
            names = []
            with os.scandir(fd) as entries:
                for entry in entries:
                    if budget <= 0:
                        found.left_out.append(LeftOut(
                            show(parts) or ".", f"the walk stopped after "
                            f"{WALK_FACTOR * limits.max_files} entries; the rest was not "
                            "looked at"))
                        queue.clear()
                        break
                    budget -= 1
                    names.append(entry.name)
            for name in sorted(names):
                path = (*parts, name)
                if not parts and name == TIMESTAMP:
                    continue  # replaced by the time in the folder's name
                try:
                    st = os.stat(name, dir_fd=fd, follow_symlinks=False)
                except OSError as error:
                    found.left_out.append(LeftOut(show(path), f"cannot be read: "
                                                              f"{describe(error)}"))
                    continue
                found.latest_change = max(found.latest_change, st.st_ctime)
                reason = _entry_problem(st, owner, limits, name, len(parts) + 1)
                if reason and stat.S_ISLNK(st.st_mode):
                    reason = f"{reason}; it points to {_link_target(name, fd)!r}, never followed"
                if reason:
                    found.left_out.append(LeftOut(show(path), reason))
                elif stat.S_ISDIR(st.st_mode):
                    found.dirs[path] = (st.st_dev, st.st_ino)
                    queue.append(path)
                else:
                    found.files.append(Found(path, st.st_size, st.st_dev, st.st_ino))
        finally:
            os.close(fd)
    return found


def _link_target(name: str, dir_fd: int) -> str:
    """Where a link points (never followed), shortened for the report."""
    try:
        target = os.readlink(name, dir_fd=dir_fd)
    except OSError:
        return "?"
    return target if len(target) <= 200 else target[:200] + "..."


def describe(error: BaseException) -> str:
    """An error in a few words (the strerror of an OSError)."""
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return str(error)


# --- Writing into a fresh folder of the grader ---------------------------------------

class Dest:
    """A new folder (it must not exist) that files are created in, never through a link
    and never over an existing file."""

    def __init__(self, path: Path, groupshared: bool = False) -> None:
        self.path = path
        self.groupshared = groupshared
        path.mkdir(mode=0o755)
        self.fd = os.open(path, OPEN_DIR)
        self._share(self.fd, directory=True)

    def __enter__(self) -> Dest:
        return self

    def __exit__(self, *exc: object) -> None:
        os.close(self.fd)

    def _share(self, fd: int, directory: bool) -> None:
        """Group read and write, as nbgrader gives a groupshared course's files."""
        if self.groupshared:
            mode = os.fstat(fd).st_mode
            os.fchmod(fd, (mode | (0o2770 if directory else 0o660)) & 0o2777)

    def _folder(self, parts: tuple[str, ...]) -> int:
        """A descriptor of the folder ``parts`` here, made if needed, never via a link."""
        fd = os.dup(self.fd)
        try:
            for name in parts:
                try:
                    os.mkdir(name, 0o755, dir_fd=fd)
                    created = True
                except FileExistsError:
                    created = False
                child = os.open(name, OPEN_DIR, dir_fd=fd)
                os.close(fd)
                fd = child
                if created:
                    self._share(fd, directory=True)
        except BaseException:
            os.close(fd)
            raise
        return fd

    def create(self, parts: tuple[str, ...]) -> BinaryIO:
        """A new file at ``parts``, with the folders it needs."""
        folder = self._folder(parts[:-1])
        try:
            fd = os.open(parts[-1], CREATE_FILE, 0o644, dir_fd=folder)
        finally:
            os.close(folder)
        self._share(fd, directory=False)
        return os.fdopen(fd, "wb")

    def remove(self, parts: tuple[str, ...]) -> None:
        """Remove a file written here (a copy that turned out incomplete)."""
        folder = self._folder(parts[:-1])
        try:
            os.unlink(parts[-1], dir_fd=folder)
        finally:
            os.close(folder)

    def write(self, parts: tuple[str, ...], data: bytes) -> None:
        """A new file at ``parts`` holding ``data``."""
        with self.create(parts) as fh:
            fh.write(data)


def copy_survey(root_fd: int, found: Survey, chosen: Iterable[Found], dest: Dest) -> list[LeftOut]:
    """Copy the ``chosen`` files of a walk into ``dest``; each is opened without following
    links and checked on its open descriptor first. Returns what could not be copied."""
    left: list[LeftOut] = []
    for item in chosen:
        try:
            folder = open_dir(root_fd, item.parts[:-1], found.dirs)
            try:
                _copy_file(folder, item, found.owner, dest)
            finally:
                os.close(folder)
        except (OSError, ChangedWhileCollected) as error:
            left.append(LeftOut(show(item.parts), f"not copied: {describe(error)}"))
    return left


def _copy_file(folder: int, item: Found, owner: int, dest: Dest) -> None:
    """Copy one file found by the walk, if its open descriptor is still that file."""
    fd = os.open(item.parts[-1], OPEN_FILE, dir_fd=folder)
    try:
        st = os.fstat(fd)
        if not (stat.S_ISREG(st.st_mode) and (st.st_dev, st.st_ino) == (item.dev, item.ino)
                and st.st_uid == owner and st.st_nlink == 1 and st.st_size == item.size):
            raise ChangedWhileCollected("it changed while it was being collected")
        complete = False
        out = dest.create(item.parts)
        try:
            with out:
                remaining = item.size
                while remaining:
                    chunk = os.read(fd, min(CHUNK, remaining))
                    if not chunk:
                        break
                    out.write(chunk)
                    remaining -= len(chunk)
            complete = not remaining and not os.read(fd, 1)
        finally:
            if not complete:
                dest.remove(item.parts)
        if not complete:
            raise ChangedWhileCollected("its size changed while it was being collected")
    finally:
        os.close(fd)


def copy_folder(fd: int, owner: int, limits: Limits, dest: Dest) -> tuple[Survey, list[LeftOut]]:
    """Walk the folder ``fd`` (entries owned by ``owner``), cap, and copy into ``dest``:
    the walk and everything left out."""
    found = survey(fd, owner, limits)
    chosen, capped = select(found.files, limits)
    return found, found.left_out + capped + copy_survey(fd, found, chosen, dest)


def collect_tree(src: Path, dest: Path, owner: int, limits: Limits) -> list[LeftOut]:
    """Copy the folder ``src`` (owned by ``owner``, not a link) into the new folder
    ``dest`` with every check above; returns what was left out."""
    fd = os.open(src, OPEN_DIR)
    try:
        actual = os.fstat(fd).st_uid
        if actual != owner:
            return [LeftOut("", f"owned by {account(actual)}, not by {account(owner)}")]
        with Dest(dest) as out:
            return copy_folder(fd, owner, limits, out)[1]
    finally:
        os.close(fd)


# --- Files received as content (ngshare) ----------------------------------------------

@dataclass(frozen=True)
class Encoded:
    """A file of a submission received as content, decoded."""

    parts: tuple[str, ...]
    data: bytes

    @property
    def size(self) -> int:
        return len(self.data)


def path_problem(path: object) -> str | None:
    """Why a path named by a submission cannot be written below its folder (or None)."""
    if not isinstance(path, str) or not path:
        return "no path"
    if path.startswith("/"):
        return "an absolute path"
    if any(ord(c) < 32 or ord(c) == 127 for c in path):
        return "a control character in the path"
    parts = path.split("/")
    if any(p in ("", ".", "..") for p in parts):
        return "an empty, '.' or '..' part in the path"
    if len(parts) > MAX_DEPTH + 1:
        return f"deeper than {MAX_DEPTH} folders"
    if any(len(p.encode("utf-8", "surrogateescape")) > 255 for p in parts):
        return "a name longer than 255 bytes"
    return None


def _decode(entry: object, limits: Limits) -> Encoded | str:
    """One file received as ``{"path", "content"}``, decoded, or why it is left out."""
    path = entry.get("path") if isinstance(entry, dict) else None
    reason = path_problem(path)
    if reason:
        return reason
    parts = tuple(path.split("/"))
    for i, name in enumerate(parts):
        reason = limits.excluded(name, is_file=i == len(parts) - 1)
        if reason:
            return reason
    content = entry.get("content")
    too_big = (f"over the cap of {limits.max_file_bytes} bytes per file "
               "(CourseDirectory.max_file_size)")
    if not isinstance(content, str):
        return "no content"
    if len(content) > 2 * limits.max_file_bytes + 1024:  # too big even before decoding
        return too_big
    try:
        data = base64.b64decode(content)
    except (binascii.Error, ValueError):
        return "its content is not base64"
    if len(data) > limits.max_file_bytes:
        return f"{len(data)} bytes, {too_big}"
    return Encoded(parts, data)


def plan_encoded(files: object, limits: Limits) -> tuple[list[Encoded], list[LeftOut]]:
    """The files of ``files`` (a list of ``{"path", "content"}``, content in base64) that
    may be written below a submission's folder, within the caps; and what is left out."""
    if not isinstance(files, list):
        return [], [LeftOut("", "the submission holds no list of files")]
    left: list[LeftOut] = []
    good: dict[tuple[str, ...], Encoded] = {}
    for entry in files:
        decoded = _decode(entry, limits)
        path = entry.get("path") if isinstance(entry, dict) else None
        shown = path if isinstance(path, str) else repr(path)
        if isinstance(decoded, str):
            left.append(LeftOut(shown, decoded))
        elif decoded.parts in good:
            left.append(LeftOut(shown, "a second file with the same path"))
        else:
            good[decoded.parts] = decoded
    folders = {item.parts[:i] for item in good.values() for i in range(1, len(item.parts))}
    for parts in [p for p in good if p in folders]:
        left.append(LeftOut(show(parts), "both a file and a folder of the submission"))
        del good[parts]
    chosen, capped = select(list(good.values()), limits)
    return chosen, left + capped


# --- The two collects' shared settings and report -------------------------------------

class CollectChecks(LoggingConfigurable):
    """The caps and the report of :class:`SafeCollect` and ``SafeNgshareCollect``
    (``c.CollectChecks.max_files = ...`` sets both)."""

    max_total_size = Integer(
        50_000, help="The most one submission may hold in all, in kilobytes (like "
                     "CourseDirectory.max_file_size, which caps each file). Notebooks are "
                     "taken first; files that would go over the cap are left out and "
                     "reported.").tag(config=True)
    max_files = Integer(
        200, help="The most files taken from one submission (notebooks first, then the "
                  "others in order of path); the rest are left out and reported. A walk "
                  f"looks at no more than {WALK_FACTOR} times this many entries."
    ).tag(config=True)

    def limits(self) -> Limits:
        coursedir = self.coursedir  # set by nbgrader's Exchange
        return Limits(max_file_bytes=1000 * coursedir.max_file_size,
                      max_total_bytes=1000 * self.max_total_size, max_files=self.max_files,
                      ignore=tuple(coursedir.ignore), include=tuple(coursedir.include))

    def start(self) -> None:
        """Run the collect (nbgrader's steps) with an empty report."""
        self.left_out: dict[str, list[dict[str, str]]] = {}
        super().start()

    def leave_out(self, student: str, path: str, reason: str) -> None:
        """Log and record something not collected."""
        self.log.warning("Left out for %r: %s: %s", student, path or "(submission)", reason)
        self.left_out.setdefault(student, []).append({"path": path, "reason": reason})

    def check_assignment(self) -> None:
        """Stop at an assignment name that would make an unsafe path."""
        reason = problem(self.coursedir.assignment_id)
        if reason:
            self.fail(f"assignment {self.coursedir.assignment_id!r} {reason}")

    def finish_report(self) -> Path | None:
        """The summary in the log and the JSON report in logs/collect/ (None if it could
        not be written)."""
        left = self.left_out
        assignment = self.coursedir.assignment_id
        if left:
            lines = [f"  {student}: {item['path'] or '(submission)'}: {item['reason']}"
                     for student, items in left.items() for item in items]
            self.log.warning("Collecting %s left out %d item(s) of %d student(s):\n%s",
                             assignment, len(lines), len(left), "\n".join(lines))
        now = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%S.%fZ")
        path = Path(self.coursedir.root) / "logs" / "collect" / f"{assignment}-{now}.json"
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "x", encoding="utf-8") as fh:
                json.dump(left, fh, indent=1, sort_keys=True)
        except OSError as error:
            self.log.error("The collect report could not be written to %s: %s", path,
                           describe(error))
            return None
        self.log.info("Collect report: %s", path)
        return path


# --- nbgrader's folder exchange ---------------------------------------------------------

class SafeCollect(CollectChecks, ExchangeCollect):
    """nbgrader's collect for the folder exchange, with the checks of this module."""

    check_owner = Bool(
        True, help="Take a submission only from a folder owned by the Unix account named by "
                   "the student id (and refuse, with a report, one owned by anyone else). "
                   "Turn it off only where student ids are not Unix account names: then "
                   "any student can submit in another's name. Every file must still be "
                   "owned by the folder's owner.").tag(config=True)

    def _inbound_records(self, inbound_fd: int) -> dict[str, list[dict]]:
        """The inbound folders of this assignment by student id, with their parsed times;
        names that cannot be read as ``<student>+<assignment>+<time>[+<random>]`` with a
        safe id and a date are reported and dropped."""
        assignment = self.coursedir.assignment_id
        wanted = f"{self.coursedir.student_id or '*'}+{assignment}+*"
        found: dict[str, list[dict]] = {}
        with os.scandir(inbound_fd) as entries:
            names = sorted(e.name for e in entries if fnmatch.fnmatchcase(e.name, wanted))
        for name in names:
            parts = name.rsplit("+", 3)
            student = parts[0]
            if len(parts) < 3 or parts[1] != assignment:
                self.leave_out(student, name, f"the name is not <student>+{assignment}+"
                                              "<time>[+<random>]")
                continue
            reason = problem(student)
            if reason:
                self.leave_out(student, name, f"student id {student!r} {reason}")
                continue
            try:
                when = parse_utc(parts[2])
            except Exception as error:  # ValueError, OverflowError, and dateutil's
                # DeprecatedTzKeyWarning for a zone such as '..': none may stop the class
                self.leave_out(student, name, f"the time in its name, {parts[2]!r}, is not a "
                                              f"date ({error})")
                continue
            found.setdefault(student, []).append(
                {"username": student, "filename": name, "timestamp": when, "raw": parts[2]})
        return found

    def _acceptable(self, record: dict, inbound_fd: int) -> bool:
        """Whether a folder may be collected (a folder, of the right owner); records its
        owner and identity."""
        name, student = record["filename"], record["username"]
        try:
            st = os.stat(name, dir_fd=inbound_fd, follow_symlinks=False)
        except OSError as error:
            self.leave_out(student, name, f"cannot be looked at: {describe(error)}")
            return False
        if not stat.S_ISDIR(st.st_mode):
            self.leave_out(student, name, f"not a folder but {kind(st.st_mode)}")
            return False
        if self.check_owner:
            try:
                expected = pwd.getpwnam(student).pw_uid
            except KeyError:
                self.leave_out(student, name, f"no Unix account is named {student!r} "
                                              "(see SafeCollect.check_owner)")
                return False
            if st.st_uid != expected:
                self.leave_out(student, name, f"owned by {account(st.st_uid)}, not by the "
                                              f"student's account {account(expected)}: "
                                              "refused")
                return False
        record["uid"], record["identity"] = st.st_uid, (st.st_dev, st.st_ino)
        return True

    def _open_inbound(self) -> int:
        """The inbound folder, opened without following links; it and the course's folder
        must be owned by the account collecting (the one that released), unless the course
        is groupshared: a student who renamed them away and made their own would otherwise
        decide what is collected."""
        fd = os.open(self.course_path, OPEN_DIR)
        try:
            self._check_mine(fd, self.course_path)
            inbound = os.open("inbound", OPEN_DIR, dir_fd=fd)
        finally:
            os.close(fd)
        try:
            self._check_mine(inbound, self.inbound_path)
        except BaseException:
            os.close(inbound)
            raise
        return inbound

    def _check_mine(self, fd: int, path: str) -> None:
        """Stop unless the folder ``fd`` belongs to the account collecting."""
        owner = os.fstat(fd).st_uid
        if not self.coursedir.groupshared and owner != os.geteuid():
            self.fail(f"{path} is owned by {account(owner)}, not by the account collecting "
                      f"({account(os.geteuid())}), which released the assignment: someone "
                      "may have replaced it. Make the exchange's root sticky (chmod 1777) "
                      "and release again.")

    def init_src(self) -> None:
        if self.coursedir.course_id == "":
            self.fail("No course id specified. Re-run with --course flag.")
        self.check_assignment()
        self.course_path = os.path.join(self.root, self.coursedir.course_id)
        self.inbound_path = os.path.join(self.course_path, "inbound")
        if not os.path.isdir(self.inbound_path):
            self.fail(f"Course not found: {self.inbound_path}")
        if not check_mode(self.inbound_path, read=True, execute=True):
            self.fail(f"You don't have read permissions for the directory: "
                      f"{self.inbound_path}")
        self.duedate = None
        if self.before_duedate:  # the only use of the due date here
            with (Gradebook(self.coursedir.db_url, self.coursedir.course_id) as gb,
                  contextlib.suppress(MissingEntry)):
                self.duedate = gb.find_assignment(self.coursedir.assignment_id).duedate
        inbound_fd = self._open_inbound()
        try:
            st = os.fstat(inbound_fd)
            self.inbound_identity = (st.st_dev, st.st_ino)
            self.src_records = []
            for records in self._inbound_records(inbound_fd).values():
                latest_first = self._sort_by_timestamp(records)
                usable = [r for r in latest_first if self._acceptable(r, inbound_fd)]
                if not usable:
                    continue
                early = [r for r in usable
                         if self.duedate is not None and r["timestamp"] <= self.duedate]
                self.src_records.append((early or usable)[0])
        finally:
            os.close(inbound_fd)

    def copy_files(self) -> None:
        assignment = self.coursedir.assignment_id
        if not self.src_records:
            self.log.warning("No submissions of '%s' for course '%s' to collect",
                             assignment, self.coursedir.course_id)
        else:
            self.log.info("Processing %d submissions of '%s' for course '%s'",
                          len(self.src_records), assignment, self.coursedir.course_id)
        for record in self.src_records:
            student = record["username"]
            dest = Path(self.coursedir.format_path(self.coursedir.submitted_directory,
                                                   student, assignment))
            dest.parent.mkdir(parents=True, exist_ok=True)
            if dest.is_dir():
                existing = self.coursedir.get_existing_timestamp(str(dest))
                newer = existing is None or record["timestamp"] > existing
                if not ((self.update and newer) or
                        (self.before_duedate and existing != record["timestamp"])):
                    message = ("No newer submission to collect: %s %s" if self.update else
                               "Submission already exists, use --update to update: %s %s")
                    self.log.info(message, student, assignment)
                    continue
                self.log.info("Updating submission: %s %s", student, assignment)
                shutil.rmtree(dest)
            else:
                self.log.info("Collecting submission: %s %s", student, assignment)
            try:
                self._collect(record, dest)
            except (OSError, ChangedWhileCollected) as error:
                shutil.rmtree(dest, ignore_errors=True)
                self.leave_out(student, record["filename"],
                               f"not collected: {describe(error)}")
        self.finish_report()

    def _collect(self, record: dict, dest: Path) -> None:
        """Walk, cap and copy one submission folder, then write its timestamp.txt."""
        student, name = record["username"], record["filename"]
        inbound_fd = self._open_inbound()
        try:
            st = os.fstat(inbound_fd)
            if (st.st_dev, st.st_ino) != self.inbound_identity:
                raise ChangedWhileCollected("the inbound folder changed during the collect")
            fd = os.open(name, OPEN_DIR, dir_fd=inbound_fd)
        finally:
            os.close(inbound_fd)
        try:
            st = os.fstat(fd)
            if (st.st_dev, st.st_ino) != record["identity"] or st.st_uid != record["uid"]:
                raise ChangedWhileCollected("the folder changed while it was being collected")
            with Dest(dest, self.coursedir.groupshared) as out:
                found, left = copy_folder(fd, record["uid"], self.limits(), out)
                out.write((TIMESTAMP,), self._timestamp(record, found).encode())
        finally:
            os.close(fd)
        for item in left:
            self.leave_out(student, f"{name}/{item.path}", item.reason)

    def _timestamp(self, record: dict, found: Survey) -> str:
        """The time in the folder's name, or the time its files last changed if that is
        more than CHANGE_GRACE later (reported)."""
        changed = datetime.datetime.fromtimestamp(found.latest_change, datetime.UTC)
        if changed.replace(tzinfo=None) <= record["timestamp"] + CHANGE_GRACE:
            return record["raw"]
        text = changed.astimezone(gettz(self.timezone)).strftime(self.timestamp_format)
        self.leave_out(record["username"], record["filename"],
                       f"changed at {text}, after the time in its name ({record['raw']}): "
                       f"timestamp.txt says {text}")
        return text
