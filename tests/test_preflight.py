"""The checks before anyone is graded (nbgrader_plugins/preflight.py), without grading:
the live runs of both grading paths are in tests/test_parallel_autograde.py."""

from __future__ import annotations

import pytest
from nbgrader.converters.base import NbGraderException
from traitlets.config import Config

from deepfake_ethics.nbgrader_plugins import preflight
from deepfake_ethics.nbgrader_plugins.sandbox import SandboxError


@pytest.fixture(autouse=True)
def unchecked(monkeypatch):
    monkeypatch.setattr(preflight, "_sandbox_works", False)


def test_a_sandbox_that_cannot_start_is_named_and_checked_again_later(monkeypatch):
    def missing():
        raise SandboxError("bubblewrap (bwrap) is not installed")

    monkeypatch.setattr(preflight, "check_sandbox", missing)
    assert preflight.problems(Config()) == [
        "the grading sandbox cannot start: bubblewrap (bwrap) is not installed"]
    monkeypatch.setattr(preflight, "check_sandbox", lambda: "bubblewrap 0.8.0")
    assert preflight.problems(Config()) == [], "installed meanwhile: a formgrader sees it"
    monkeypatch.setattr(preflight, "check_sandbox", missing)
    assert preflight.problems(Config()) == [], "once it has started, it is not checked again"


def test_no_sandbox_check_when_grading_kernels_are_not_sandboxed(monkeypatch):
    monkeypatch.setattr(preflight, "check_sandbox", lambda: pytest.fail("checked"))
    config = Config()
    config.GradeExecute.kernel_manager_class = "jupyter_client.manager.KernelManager"
    assert preflight.problems(config) == []
    assert preflight.uses_sandbox(Config())


def test_the_exporter_stops_nbgrader_before_any_student(monkeypatch):
    monkeypatch.setattr(preflight, "check_sandbox",
                        lambda: (_ for _ in ()).throw(SandboxError("no bwrap")))
    with pytest.raises(NbGraderException, match="no earlier grading was removed"):
        preflight.CheckedExporter(config=Config())
