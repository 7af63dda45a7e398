"""Checks before anyone is graded: the sandbox can start, once per run.

nbgrader checks nothing before it grades: with ``bwrap`` missing, ``nbgrader autograde``
fails every student one by one, and with ``--force`` (the formgrader's button uses it) it
has already removed each student's earlier graded copy before the failure. nbgrader makes
the exporter of a converter before it touches any student (``BaseConverter.start``), and
its class is a setting (``Autograde.exporter_class``): :class:`CheckedExporter` runs the
checks there, so a run that cannot grade stops with one message and deletes nothing.
``deepfake-ethics autograde`` runs the same :func:`problems` before it starts its workers.
"""

from __future__ import annotations

from typing import Any

from nbconvert.exporters import NotebookExporter
from nbgrader.converters.base import NbGraderException
from traitlets.config import Config

from .sandbox import SandboxedKernelManager, SandboxError, check_sandbox


def uses_sandbox(config: Config) -> bool:
    """Whether grading kernels run in the sandbox under this configuration (the default)."""
    chosen = config.get("GradeExecute", {}).get("kernel_manager_class", SandboxedKernelManager)
    if isinstance(chosen, str):
        return chosen.rsplit(".", 1)[-1] == SandboxedKernelManager.__name__
    return isinstance(chosen, type) and issubclass(chosen, SandboxedKernelManager)


_sandbox_works = False  # once it has started in this process, it is not checked again


def _sandbox_problem() -> str | None:
    """Why the sandbox cannot start (checked again after a failure: a long-running
    formgrader sees bubblewrap once it is installed)."""
    global _sandbox_works
    if _sandbox_works:
        return None
    try:
        check_sandbox()
    except SandboxError as error:
        return f"the grading sandbox cannot start: {error}"
    _sandbox_works = True
    return None


def problems(config: Config) -> list[str]:
    """What stops grading on this machine (empty when it can grade)."""
    found = []
    if uses_sandbox(config):
        problem = _sandbox_problem()
        if problem:
            found.append(problem)
    return found


class CheckedExporter(NotebookExporter):
    """nbgrader's notebook exporter, made only once the checks pass."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        found = problems(self.config)
        if found:
            message = ("Nothing was graded and no earlier grading was removed: "
                       + "; ".join(found))
            self.log.error(message)
            raise NbGraderException(message)
