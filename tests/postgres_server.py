"""The test suite's own PostgreSQL server: ``initdb`` in a temporary folder, listening on
127.0.0.1 only (a free port, password authentication) and on a Unix socket inside that
folder, stopped and removed afterwards. initdb and postgres refuse to run as root, so as root
they run as the ``postgres`` account (Debian's package creates it) or ``nobody``. Needs
Debian's PostgreSQL (``apt-get install postgresql``, or ``bash .ci/install-server-deps``) and
psycopg2 (``pip install -e '.[postgres]'``).

Used by the ``postgres_url`` fixture (tests/conftest.py) and by benchmarks/bench_hub.py; a
helper, not a test module.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import pwd
import secrets
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

from processes import free_port
from shared_env import SYSTEM_PATH, is_root, postgres_bin_dir, require, run_as

SUPERUSER = "grader"
SERVER_ACCOUNTS = ("postgres", "nobody")  # who runs the server when the tests run as root


class PostgresServer:
    """A throwaway PostgreSQL cluster in ``folder``, run by ``account`` (None: this user)."""

    def __init__(self, bin_dir: Path, folder: Path, account: str | None):
        self.bin_dir, self.folder, self.account = bin_dir, folder, account
        self.data = folder / "data"
        self.password = secrets.token_urlsafe(24)
        self.port: int | None = None

    def run(self, program: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        cmd = [str(self.bin_dir / program), *args]
        env = {"PATH": f"{self.bin_dir}:{SYSTEM_PATH}", "LANG": "C.UTF-8"}
        if self.account:
            return run_as(self.account, *cmd, cwd=self.folder, home=self.folder, env=env,
                          check=check, timeout=120)
        done = subprocess.run(cmd, cwd=self.folder, capture_output=True, text=True,
                              env={**env, "HOME": str(self.folder)}, timeout=120,
                              stdin=subprocess.DEVNULL)
        if check and done.returncode != 0:
            raise AssertionError(f"{' '.join(cmd)} failed:\n{done.stdout}\n{done.stderr}")
        return done

    def init(self) -> None:
        pwfile = self.folder / "pwfile"
        pwfile.write_text(self.password + "\n")
        if self.account:
            account = pwd.getpwnam(self.account)
            for path in (self.folder, pwfile):
                os.chown(path, account.pw_uid, account.pw_gid)
        pwfile.chmod(0o600)
        self.run("initdb", "--pgdata", str(self.data), "--username", SUPERUSER,
                 f"--pwfile={pwfile}", "--auth-host=scram-sha-256",
                 "--auth-local=scram-sha-256", "--encoding=UTF8", "--no-locale")
        pwfile.unlink()

    def start(self) -> None:
        last = None
        for _ in range(3):  # another program may take the free port before the server does
            self.port = free_port()
            options = " ".join([
                "-c listen_addresses=127.0.0.1", f"-c port={self.port}",
                f"-c unix_socket_directories={self.folder}",
                # A test database: speed over durability.
                "-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"])
            last = self.run("pg_ctl", "--pgdata", str(self.data), "--log",
                            str(self.folder / "server.log"), "--wait", "--timeout=60",
                            "-o", options, "start", check=False)
            if last.returncode == 0:
                return
            self.stop()
        log = self.folder / "server.log"
        raise AssertionError(f"PostgreSQL did not start:\n{last.stdout}\n{last.stderr}\n"
                             f"{log.read_text() if log.exists() else ''}")

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self.run("pg_ctl", "--pgdata", str(self.data), "--mode=fast", "--wait",
                     "stop", check=False)

    @property
    def url(self) -> str:
        # The driver is named: SQLAlchemy 2.1 reads a bare postgresql:// as psycopg (3), while
        # the `postgres` extra installs psycopg2.
        return f"postgresql+psycopg2://{SUPERUSER}:{self.password}@127.0.0.1:{self.port}"


@contextlib.contextmanager
def postgres_server() -> Iterator[str]:
    """A server of its own, running while the block runs: yields
    ``postgresql+psycopg2://grader:<password>@127.0.0.1:<port>`` (no database in the URL:
    add ``/<name>`` of one made by :func:`create_database`). Skips the test (fails in CI)
    when PostgreSQL or psycopg2 is missing."""
    bin_dir = postgres_bin_dir()
    require(bin_dir, "the PostgreSQL server is not installed (no /usr/lib/postgresql/*/bin/"
                     "initdb): `apt-get install postgresql` or `bash .ci/install-server-deps`")
    require(importlib.util.find_spec("psycopg2"),
            "psycopg2 is not installed: `.venv/bin/pip install -e '.[test,postgres]'`")
    account = None
    if is_root():
        account = next((a for a in SERVER_ACCOUNTS if _account_exists(a)), None)
        require(account, "initdb refuses to run as root and there is no `postgres` or "
                         "`nobody` account to run it")
        require(shutil.which("runuser"), "`runuser` (util-linux) is missing")
    folder = Path(tempfile.mkdtemp(prefix="dfe-postgres-"))
    server = PostgresServer(bin_dir, folder, account)
    try:
        server.init()
        server.start()
        yield server.url
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


def _account_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def libpq(url: str) -> str:
    """The URL as libpq (psycopg2.connect) spells it."""
    return url.replace("postgresql+psycopg2://", "postgresql://", 1)


def create_database(server_url: str, name: str) -> str:
    """A new, empty database on the server; returns its URL."""
    import psycopg2

    conn = psycopg2.connect(libpq(f"{server_url}/postgres"))
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(f'CREATE DATABASE "{name}"')
    finally:
        conn.close()
    return f"{server_url}/{name}"
