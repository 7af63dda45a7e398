"""The course as nbgrader sees it: the one lookup of the course directory, the course id and
the gradebook, for ``deepfake-ethics autograde``, its workers and the class dashboard.

The configuration is read by nbgrader's own application, as any ``nbgrader`` command run in
the course directory would read it: ``nbgrader_config.py`` in Jupyter's system and user
config folders (``/etc/jupyter``, ``~/.jupyter``, ...), in the current folder, then in the
course's root. The course directory is the nearest folder at or above the starting folder
that holds an ``nbgrader_config.py`` (the dashboard notebook sits in ``instructor/``), else
the starting folder itself (on the hub the grader's ``~/.jupyter`` names the root).
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..nbgrader_plugins.gradebook_url import GradebookURLError, redact

if TYPE_CHECKING:  # pragma: no cover
    from nbgrader.apps.baseapp import NbGrader
    from traitlets.config import Config

CONFIG_NAME = "nbgrader_config.py"


class GradebookMissing(LookupError):
    """The gradebook the configuration names does not exist or does not hold the course."""


@dataclass(frozen=True)
class Course:
    """One course: where it is, its id, its gradebook, and where its settings came from."""

    root: Path
    course_id: str
    db_url: str
    config: Config  # nbgrader's merged configuration (files, then the command line)
    searched: tuple[str, ...] = ()  # folders where nbgrader looked for nbgrader_config.py
    loaded: tuple[str, ...] = ()  # the configuration files it read, in order

    @classmethod
    def of(cls, app: NbGrader) -> Course:
        """The course of an initialized nbgrader application (``nbgrader autograde`` ...)."""
        coursedir = app.coursedir
        searched = [*reversed(app.config_file_paths), os.getcwd(), coursedir.root]
        return cls(Path(coursedir.root).resolve(), coursedir.course_id, coursedir.db_url,
                   app.config, tuple(dict.fromkeys(searched)),
                   tuple(dict.fromkeys(app.loaded_config_files)))

    def where(self) -> str:
        """Where the settings came from, in one sentence."""
        read = ", ".join(self.loaded) or "no file"
        return (f"nbgrader's configuration was read from {read} (it looks for {CONFIG_NAME} "
                f"in {', '.join(self.searched)})")


def course_folder(start: Path | str | None = None) -> Path:
    """The nearest folder at or above ``start`` (default: the current folder) holding an
    ``nbgrader_config.py``, else ``start`` itself."""
    folder = Path(start or os.getcwd()).resolve()
    return next((f for f in (folder, *folder.parents) if (f / CONFIG_NAME).is_file()), folder)


def find(start: Path | str | None = None) -> Course:
    """The course as an ``nbgrader`` command run in :func:`course_folder` would see it. A
    gradebook URL that the course's configuration refuses is a :class:`GradebookURLError`."""
    from nbgrader.apps.baseapp import NbGrader

    app = NbGrader()
    with contextlib.chdir(course_folder(start)):
        try:
            app.initialize([])
        except SystemExit as stop:  # nbgrader_config.py stops on a URL that cannot work
            raise GradebookURLError(str(stop.code).removeprefix("error: ")) from None
        finally:
            app.deinit_logging()
        return Course.of(app)


def gradebook_problem(db_url: str, course_id: str) -> str | None:
    """Why ``db_url`` is not a gradebook of ``course_id`` (None if it is). Checked read-only:
    nbgrader's Gradebook would create a missing sqlite file, its tables and the course."""
    from sqlalchemy import create_engine, inspect, text
    from sqlalchemy.engine import make_url

    url = make_url(db_url)
    shown = redact(db_url)
    database = url.database or ""
    if url.get_backend_name() == "sqlite" and not Path(database).is_file():
        return f"there is no gradebook {shown}"
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            if not {"course", "assignment"} <= set(inspect(conn).get_table_names()):
                return f"{shown} is not an nbgrader gradebook (no course or assignment table)"
            known = sorted(row[0] for row in conn.execute(text("SELECT id FROM course")))
    finally:
        engine.dispose()
    if course_id not in known:
        return (f"the gradebook {shown} has no course {course_id!r} (it has "
                f"{', '.join(map(repr, known)) or 'none'})")
    return None
