"""Gradebook backup and restore: ``deepfake-ethics backup`` and ``deepfake-ethics restore``.

The gradebook holds every grade of a term. These commands, run in the course directory,
copy the course's gradebook (the one nbgrader's configuration names) to a file and back:

* SQLite, with SQLite's own online backup (a consistent copy even while nbgrader writes);
* PostgreSQL, with ``pg_dump --format=custom`` and ``pg_restore --clean`` (the password is
  passed in the environment, never on a command line).

Backups go to ``backups/`` in the course directory (kept out of git, readable by their
owner only). A restore first backs up the gradebook it replaces, so it loses nothing.
"""

from __future__ import annotations

import glob
import os
import shutil
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from ..nbgrader_plugins import gradebook_url
from .course_config import Course

BACKUPS = "backups"


class BackupError(Exception):
    """A backup or restore could not be made; the gradebook is as it was."""


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H-%M-%SZ")


def _sqlite_path(url: str) -> Path | None:
    """The file of a ``sqlite:///`` URL (None for another database)."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    return Path(parsed.database) if parsed.get_backend_name() == "sqlite" else None


def _pg_tool(name: str) -> str:
    """``pg_dump`` or ``pg_restore``: on PATH, else Debian's newest server programs."""
    found = shutil.which(name) or next(iter(sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
        key=lambda p: [int(x) for x in p.split("/")[4].split(".") if x.isdigit()],
        reverse=True)), None)
    if not found:
        raise BackupError(f"`{name}` is missing: install PostgreSQL's client programs "
                          "(Debian: apt-get install postgresql-client)")
    return found


def _pg_command(url: str) -> tuple[list[str], dict[str, str]]:
    """libpq connection options for ``url`` and the environment holding its password."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    args = ["--dbname", parsed.database or ""]
    if parsed.host:
        args += ["--host", parsed.host]
    if parsed.port:
        args += ["--port", str(parsed.port)]
    if parsed.username:
        args += ["--username", parsed.username]
    env = {**os.environ, "PGCONNECT_TIMEOUT": "10"}
    if parsed.password:
        env["PGPASSWORD"] = parsed.password
    return args, env


def _run(argv: list[str], env: dict[str, str], what: str) -> None:
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=3600)
    if done.returncode != 0:
        raise BackupError(f"{what} failed: {done.stderr.strip() or done.returncode}")


def backup(course: Course, to: Path | None = None, label: str = "gradebook") -> Path:
    """Copy the course's gradebook to ``to`` (default: ``backups/<label>-<UTC time>``);
    returns the file."""
    url = course.db_url
    source = _sqlite_path(url)
    if source is not None and not source.is_file():
        raise BackupError(f"there is no gradebook at {source} to back up")
    suffix = ".sqlite" if source is not None else ".pgdump"
    target = to or course.root / BACKUPS / f"{label}-{_stamp()}{suffix}"
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        raise BackupError(f"{target} exists already: choose another file")
    if source is not None:
        with sqlite3.connect(source) as src, sqlite3.connect(target) as dest:
            src.backup(dest)
    else:
        args, env = _pg_command(url)
        _run([_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(target),
              *args], env, f"pg_dump of {gradebook_url.redact(url)}")
    target.chmod(0o600)  # grades: readable by their owner only
    return target


def restore(course: Course, backup_file: Path) -> Path | None:
    """Put ``backup_file`` back as the course's gradebook. The gradebook it replaces is
    backed up first; returns that backup (None when there was no gradebook)."""
    if not backup_file.is_file():
        raise BackupError(f"there is no backup at {backup_file}")
    url = course.db_url
    target = _sqlite_path(url)
    if target is not None:
        try:
            with sqlite3.connect(f"file:{backup_file}?mode=ro", uri=True) as check:
                check.execute("SELECT count(*) FROM assignment").fetchone()
        except sqlite3.DatabaseError as error:
            raise BackupError(f"{backup_file} is not an SQLite gradebook ({error})") from None
        kept = backup(course, label="gradebook-before-restore") if target.is_file() else None
        with sqlite3.connect(backup_file) as src, sqlite3.connect(target) as dest:
            src.backup(dest)
        return kept
    kept = backup(course, label="gradebook-before-restore")
    args, env = _pg_command(url)
    _run([_pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner",
          "--single-transaction", *args, str(backup_file)], env,
         f"pg_restore into {gradebook_url.redact(url)}")
    return kept
