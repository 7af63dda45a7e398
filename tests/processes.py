"""Starting and stopping the servers that tests run (always on 127.0.0.1)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
from collections.abc import Callable


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop_process_group(proc: subprocess.Popen, grace: float = 20) -> None:
    """Stop a process started with ``start_new_session=True`` and everything in its group:
    SIGTERM, then SIGKILL if it has not ended within ``grace`` seconds."""
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 10)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            break
        try:
            proc.wait(wait)
            break
        except subprocess.TimeoutExpired:
            continue


class ServerDidNotStart(RuntimeError):
    """A server exited, or did not answer in time (the message holds its log)."""


def wait_until_answering(proc: subprocess.Popen, url: str, timeout: float,
                         log: Callable[[], str], check: Callable[[bytes], object] | None = None,
                         interval: float = 0.2) -> None:
    """Wait until ``url`` answers (and ``check`` accepts its body), while ``proc`` runs.
    Raises :class:`ServerDidNotStart` with the server's log if it exits or times out."""
    import time
    import urllib.request

    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise ServerDidNotStart(f"the server exited ({proc.returncode}):\n{log()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                body = resp.read()
            if check is not None:
                check(body)
            return
        except (OSError, ValueError):
            if time.monotonic() > deadline:
                raise ServerDidNotStart(f"{url} did not answer within {timeout} s:\n"
                                        f"{log()}") from None
            time.sleep(interval)
