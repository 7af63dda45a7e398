"""Shared fixtures: paths of the repository, and a private progress file for every test."""

from __future__ import annotations

import ast
import atexit
import gc
import itertools
import shutil
import sys
from pathlib import Path

import pytest

from deepfake_ethics.layout import (
    alternative_notebooks,
    closing_notebook,
    lesson_notebooks,
    reference_notebooks,
)

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"

# jsonschema (imported by nbformat) checks the "iri" format with rfc3987_syntax when it is
# installed, and that builds three Earley grammars at import: about 3 s of CPU, a fifth of
# the fast tier's budget. Nothing in the course or its tests checks that format, so the test
# process goes without it (kernels, servers and nbgrader commands it starts are unaffected).
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]

# Collecting imports the course, nbgrader, Matplotlib...: about a million long-lived objects
# that the cyclic garbage collector would walk again and again (two seconds of CPU). It
# runs rarely while the test files are imported, and then leaves what they made alone
# (gc.freeze, as CPython's documentation advises after start-up); the tests run with its
# ordinary settings.
GC_THRESHOLD = gc.get_threshold()
gc.set_threshold(50_000, *GC_THRESHOLD[1:])


def pytest_collection_finish(session) -> None:
    gc.set_threshold(*GC_THRESHOLD)
    gc.freeze()


KERNEL_IN_FAST_TIER = ("the fast tier starts no kernel: mark this test @pytest.mark.slow "
                       "(or test the code without executing a notebook)")


@pytest.fixture(autouse=True)
def no_kernel_unless_slow(request, monkeypatch) -> None:
    """A test not marked ``slow`` that launches a Jupyter kernel fails, before the kernel runs."""
    if request.node.get_closest_marker("slow") is not None:
        return
    from jupyter_client.provisioning.local_provisioner import LocalProvisioner

    async def refuse(self, cmd, **kwargs):
        raise RuntimeError(KERNEL_IN_FAST_TIER)

    monkeypatch.setattr(LocalProvisioner, "launch_kernel", refuse)



_private_folders = itertools.count()


def _private_folder(tmp_path_factory, request, kind: str) -> Path:
    """A folder of this test's own: named, not made, in the fast tier (the code under test
    makes it when it writes there; a thousand folders made and removed cost a second), made
    for a slow test (its kernels and other accounts find it there)."""
    folder = tmp_path_factory.getbasetemp() / "private" / f"{kind}-{next(_private_folders)}"
    if request.node.get_closest_marker("slow") is not None:
        folder.mkdir(parents=True)
    return folder


@pytest.fixture(autouse=True)
def private_progress(tmp_path_factory, request, monkeypatch) -> Path:
    """Every test (and every kernel it starts) records progress in its own file."""
    path = _private_folder(tmp_path_factory, request, "progress") / "progress.json"
    monkeypatch.setenv("DEEPFAKE_ETHICS_PROGRESS", str(path))
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    return path


@pytest.fixture(autouse=True)
def private_figure_cache(tmp_path_factory, request, monkeypatch) -> Path:
    """Every test (and every kernel it starts) keeps drawn figures in its own cache folder."""
    path = _private_folder(tmp_path_factory, request, "figure-cache")
    monkeypatch.setenv("DEEPFAKE_ETHICS_CACHE", str(path))
    return path


@pytest.fixture()
def ipython_shell():
    """An in-process IPython shell without a history file. Afterwards it is cleared, its exit
    hook removed (every shell left registered runs a full garbage collection at exit, 0.2 s
    of CPU apiece) and the real ``__main__`` put back (IPython replaces it, which would
    break multiprocessing in later tests)."""
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    main = sys.modules["__main__"]
    shell = InteractiveShell.instance(config=Config({"HistoryManager": {"enabled": False}}))
    yield shell
    shell.user_ns.clear()
    atexit.unregister(shell.atexit_operations)
    InteractiveShell.clear_instance()
    sys.modules["__main__"] = main


@pytest.fixture(scope="session")
def postgres_url():
    """``postgresql+psycopg2://grader:<password>@127.0.0.1:<port>``: the suite's own PostgreSQL
    server for the session (tests/postgres_server.py; no database in the URL: add ``/<name>``
    of one made by ``postgres_server.create_database``)."""
    from postgres_server import postgres_server

    with postgres_server() as url:
        yield url


def lesson_paths() -> list[Path]:
    """The lesson notebooks in course order."""
    return lesson_notebooks(ROOT)


def reference_paths() -> list[Path]:
    """The optional reference notebooks (``02r-...`` goes with lesson 02): not lessons."""
    return reference_notebooks(ROOT)


def alternative_paths() -> list[Path]:
    """The alternative activities (``alternatives/04-alternative-...``): not lessons."""
    return alternative_notebooks(ROOT)


def closing_path() -> Path:
    """The closing notebook after the last lesson (the diagnostic's second form)."""
    path = closing_notebook(ROOT)
    assert path is not None, "notebooks/06-closing.ipynb is missing"
    return path


FAST_TIER = "not slow"  # the marker expression of `make test-fast`


def marked_slow_as_a_whole(path: Path) -> bool:
    """Whether the test file says ``pytestmark = pytest.mark.slow`` (alone or in a list) at
    its top level: then every test in it is slow, read from its source without importing it."""
    source = path.read_bytes()
    if b"pytestmark" not in source:
        return False
    for node in ast.parse(source, filename=str(path)).body:
        if isinstance(node, ast.Assign) and any(
                isinstance(target, ast.Name) and target.id == "pytestmark"
                for target in node.targets):
            return any(isinstance(part, ast.Attribute) and part.attr == "slow"
                       for part in ast.walk(node.value))
    return False


def pytest_ignore_collect(collection_path: Path, config) -> bool | None:
    """The fast tier does not import the test files that are slow as a whole: their tests
    would all be deselected, and importing them (nbgrader, Playwright, rewriting their
    asserts) was a third of its collection time."""
    if (config.getoption("markexpr", "").strip() == FAST_TIER
            and collection_path.suffix == ".py" and collection_path.name.startswith("test_")
            and marked_slow_as_a_whole(collection_path)):
        return True
    return None


# Test files that autograde student code: they need the grading sandbox (bubblewrap).
GRADING_MODULES = {"test_nbgrader_pipeline", "test_parallel_autograde", "test_grading_attacks",
                   "test_dashboard", "test_multiuser_exchange", "test_new_course",
                   "test_hub_live", "test_hub_ngshare"}


def pytest_collection_modifyitems(config, items):
    """Without bubblewrap, the grading tests say what to install instead of failing."""
    if shutil.which("bwrap"):
        return
    skip = pytest.mark.skip(reason="grading runs student code in a bubblewrap sandbox: "
                                   "install it (apt-get install bubblewrap; `make test` does "
                                   "as root, and CI does)")
    for item in items:
        if item.module.__name__.rsplit(".", 1)[-1] in GRADING_MODULES or \
                "browser" in str(item.path.parent.name) and "assignments" in item.path.name:
            item.add_marker(skip)
