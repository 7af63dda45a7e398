"""Whether a gradebook URL can work, and ``$DEEPFAKE_ETHICS_DB_URL`` for the course's config.

The course's nbgrader_config.py takes the gradebook from ``$DEEPFAKE_ETHICS_DB_URL`` if it
is set (:func:`for_config`), else ``gradebook.db`` in the course directory; every reader
then finds it in nbgrader's configuration (:mod:`deepfake_ethics.instructor.course_config`).
A URL that cannot work (not a URL, an unknown or missing driver, a server that does not
answer or refuses the login) is a :class:`GradebookURLError` whose message is one line that
names the problem and shows the URL with its password hidden.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote_plus

if TYPE_CHECKING:  # pragma: no cover
    from sqlalchemy.engine import URL

ENV_VAR = "DEEPFAKE_ETHICS_DB_URL"
CONNECT_TIMEOUT = 5  # seconds to wait for a database server
EXAMPLE = "postgresql+psycopg2://grader:PASSWORD@127.0.0.1/deepfake_ethics"
DRIVER_PACKAGES = {"psycopg2": "pip install 'deepfake-ethics[postgres]' (psycopg2-binary)",
                   "psycopg": "pip install 'psycopg[binary]'", "pymysql": "pip install pymysql"}


class GradebookURLError(ValueError):
    """A gradebook URL that cannot work; the message is one line without the password."""


def redact(url: str) -> str:
    """The URL with its password replaced by ``***`` (or a placeholder if unparseable)."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # an unparseable URL is never echoed
        return "<not a database URL>"


def parse(url: str, source: str = ENV_VAR) -> URL:
    """Check a URL without touching the network or the disk: it parses, its driver is known
    to SQLAlchemy and installed, and a sqlite URL names a file."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import NoSuchModuleError

    if not url.strip():
        raise GradebookURLError(f"{source} is set but empty: give a database URL such as "
                                f"{EXAMPLE}, or unset it to use the course's sqlite gradebook")
    try:
        parsed = make_url(url.strip())
    except Exception:  # make_url's message would quote the password
        raise GradebookURLError(
            f"{source} is not a database URL: expected dialect+driver://user:password@host/"
            f"database (e.g. {EXAMPLE}) or sqlite:////absolute/path/gradebook.db") from None
    if "@" in (parsed.host or ""):  # an unescaped '@' in the password: the rest looks a host
        raise GradebookURLError(f"{source}: the URL holds more than one '@' before the host: "
                                "write an '@' inside the password as %40")
    try:
        dialect = parsed.get_dialect()
    except NoSuchModuleError:
        hint = "postgresql+psycopg2" if parsed.drivername.startswith("postgres") else \
            "sqlite, postgresql+psycopg2 or mysql+pymysql"
        raise GradebookURLError(f"{source}: unknown database driver {parsed.drivername!r} in "
                                f"{redact(url)} (use {hint})") from None
    try:
        dialect.import_dbapi()
    except ImportError:
        driver = parsed.get_driver_name()
        hint = DRIVER_PACKAGES.get(driver, f"install the Python package {driver!r}")
        if parsed.get_backend_name() == "postgresql" and _installed("psycopg2"):
            hint = "or name the driver that is installed: postgresql+psycopg2://..."
        raise GradebookURLError(f"{source}: the database driver {driver!r} of {redact(url)} "
                                f"is not installed: {hint}") from None
    if parsed.get_backend_name() == "sqlite" and parsed.database in (None, "", ":memory:"):
        raise GradebookURLError(f"{source}: {redact(url)} is an in-memory sqlite database, "
                                "which loses every grade: name a file, "
                                "sqlite:////absolute/path/gradebook.db")
    return parsed


def _installed(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


def check(url: str, source: str = ENV_VAR, timeout: float = CONNECT_TIMEOUT) -> None:
    """:func:`parse`, then make sure the gradebook can be opened: the folder of a sqlite file
    exists; a database server answers and accepts the login (within ``timeout`` seconds)."""
    parsed = parse(url, source)
    if parsed.get_backend_name() == "sqlite":
        folder = Path(parsed.database).expanduser().resolve().parent
        if not folder.is_dir():
            raise GradebookURLError(f"{source}: the folder of the sqlite gradebook "
                                    f"{redact(url)} does not exist: {folder}")
        return
    from sqlalchemy import create_engine

    args = {"connect_timeout": max(1, round(timeout))} \
        if parsed.get_backend_name() in ("postgresql", "mysql", "mariadb") else {}
    engine = create_engine(parsed, connect_args=args)
    try:
        with engine.connect():
            pass
    except Exception as error:  # every failure becomes one clean line
        raise GradebookURLError(f"{source}: cannot open the gradebook {redact(url)}: "
                                f"{_first_line(error, parsed.password)}") from None
    finally:
        engine.dispose()


def _first_line(error: Exception, password: str | None) -> str:
    """The driver's own explanation, first line only, with the password removed."""
    text = str(getattr(error, "orig", None) or error).strip()
    line = next((part.strip() for part in text.splitlines() if part.strip()),
                type(error).__name__)
    for secret in {password, quote_plus(password or "")} - {None, ""}:
        line = line.replace(secret, "***")
    return line


def from_environment(default: str, environ: dict[str, str] | None = None) -> str:
    """``$DEEPFAKE_ETHICS_DB_URL`` (checked by :func:`parse`) if it is set, else ``default``."""
    environ = os.environ if environ is None else environ
    if ENV_VAR not in environ:
        return default
    parse(environ[ENV_VAR])
    return environ[ENV_VAR].strip()


def for_config(default: str) -> str:
    """For nbgrader_config.py: the gradebook URL, with ``$DEEPFAKE_ETHICS_DB_URL`` fully
    checked (:func:`check`). A bad URL stops the nbgrader command with one line: an
    exception would make nbgrader skip the whole course config and grade without it."""
    if ENV_VAR not in os.environ:
        return default
    try:
        url = from_environment(default)
        check(url)
    except GradebookURLError as error:
        raise SystemExit(f"error: {error}") from None
    return url
