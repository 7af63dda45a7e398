"""The bubblewrap sandbox around grading kernels: what it binds, what it refuses, how it
fails when it cannot run, and the warned opt-out."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import nbformat
import pytest
from conftest import ROOT
from nbclient import NotebookClient

from deepfake_ethics.nbgrader_plugins import sandbox
from deepfake_ethics.nbgrader_plugins.sandbox import (
    INSTALL_HINT,
    SandboxedKernelManager,
    SandboxError,
    check_sandbox,
    find_bwrap,
    python_paths,
)

needs_bwrap = pytest.mark.skipif(shutil.which("bwrap") is None,
                                 reason="bubblewrap is not installed (CI installs it)")


def _run(cells: list[str], cwd: Path) -> list[str]:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    client = NotebookClient(nb, kernel_manager_class=SandboxedKernelManager, timeout=60,
                            allow_errors=True, resources={"metadata": {"path": str(cwd)}})
    client.execute()
    return ["".join(o.get("text", "") or f"{o.get('ename', '')}: {o.get('evalue', '')}"
                    for o in c.outputs)
            for c in nb.cells]


def test_python_paths_never_expose_the_course_directory(tmp_path):
    paths = python_paths(ROOT)
    assert paths, "the environment itself is bound"
    for path in paths:
        assert path != ROOT and not ROOT.is_relative_to(path), path
        if path.is_relative_to(ROOT):
            assert path.relative_to(ROOT).parts[0] in {".venv", "src"}, path
    assert Path("/") not in python_paths(tmp_path)


def test_a_missing_sandbox_says_how_to_install_it(monkeypatch):
    monkeypatch.setattr(sandbox.shutil, "which", lambda name: None)
    with pytest.raises(SandboxError) as error:
        find_bwrap()
    assert "apt-get install bubblewrap" in str(error.value)
    assert "DEEPFAKE_ETHICS_SANDBOX=off" in INSTALL_HINT


@needs_bwrap
@pytest.mark.slow
def test_sandbox_starts_here():
    assert "bubblewrap" in check_sandbox()


@needs_bwrap
@pytest.mark.slow
def test_kernel_sees_only_its_scratch_copy(tmp_path):
    course = tmp_path / "course"
    work = course / "autograded" / "ann" / "a02"
    work.mkdir(parents=True)
    (course / "nbgrader_config.py").write_text("# course\n")
    (course / "gradebook.db").write_text("secret gradebook")
    (work / "data.csv").write_text("a,b\n1,2\n")
    (work / "a02.ipynb").write_text("{}")
    (work / "link").symlink_to(course / "gradebook.db")
    out = _run([
        "import os; print(os.getcwd(), sorted(os.listdir('.')), os.getuid())",
        f"print(os.path.exists({str(course)!r}), os.path.exists('/root/.ssh'))",
        "print(open('link').read())",
        "open('data.csv', 'w').write('changed')",
        "import socket; print(socket.socket().connect_ex(('127.0.0.1', 22)) != 0)",
        "print(sorted(k for k in os.environ if k.startswith(('DEEPFAKE', 'JPY', 'JUPYTERHUB'))))",
    ], work)
    assert out[0].startswith("/home/student/a02 ['data.csv'] 1000"), "no link travels"
    assert out[1].strip() == "False False"
    assert "secret gradebook" not in out[2] and "No such file" in out[2]
    assert (work / "data.csv").read_text() == "a,b\n1,2\n", "the submission is a copy"
    assert out[4].strip() == "True"
    assert out[5].strip() == "[]"


@needs_bwrap
@pytest.mark.slow
def test_processes_are_capped_and_die_with_the_kernel(tmp_path):
    out = _run([
        "import os, subprocess, sys, time\n"
        "p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)',\n"
        "                      'dfe-sandbox-test-sleeper'], start_new_session=True)\n"
        "time.sleep(0.5)\n"
        "print('alive' if p.poll() is None else 'dead')\n"
        "n = 0\n"
        "for _ in range(200):\n"
        "    try:\n"
        "        pid = os.fork()\n"
        "    except OSError:\n"
        "        break\n"
        "    if pid == 0:\n"
        "        os.execvp('sleep', ['sleep', '600'])\n"
        "    n += 1\n"
        "print(n)",
        "x = bytearray(8 * 1024**3)",
    ], tmp_path)
    alive, count = out[0].split()
    assert alive == "alive", "the detached process was started"
    assert 0 < int(count) < sandbox.Limits().processes
    assert "MemoryError" in out[1]
    import os

    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            argv = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        assert b"dfe-sandbox-test-sleeper" not in argv


@pytest.mark.slow
def test_the_opt_out_runs_unsandboxed_and_says_so_loudly(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("DEEPFAKE_ETHICS_SANDBOX", "off")
    with caplog.at_level(logging.WARNING, logger="deepfake_ethics.nbgrader_plugins.sandbox"):
        out = _run(["import os; print(os.getcwd())"], tmp_path)
    assert out[0].strip() == str(tmp_path)
    assert "WITHOUT A SANDBOX" in caplog.text


@needs_bwrap
@pytest.mark.slow
def test_what_a_kernel_writes_is_counted_and_capped(tmp_path, monkeypatch):
    """/tmp, /dev/shm and the home are on the grader's disk, counted together: past the cap
    the kernel is stopped with the reason, and it never got near filling the disk."""
    monkeypatch.setattr(SandboxedKernelManager, "limits",
                        sandbox.Limits(disk_bytes=40 * 1024**2, disk_files=500))
    managers: list[SandboxedKernelManager] = []

    class Recorded(SandboxedKernelManager):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            managers.append(self)

    (tmp_path / "nbgrader_config.py").write_text("# course\n")
    work = tmp_path / "a02"
    work.mkdir()
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import os\nfor i in range(100):\n"
        "    open(f'/dev/shm/f{i}' if i % 2 else f'/tmp/f{i}', 'wb').write(b'x' * 2**20)\n"
        "import time; time.sleep(30)")])
    client = NotebookClient(nb, kernel_manager_class=Recorded, timeout=60, allow_errors=True,
                            resources={"metadata": {"path": str(work)}})
    with pytest.raises(Exception, match="[Kk]ernel died"):
        client.execute()
    assert managers and managers[0].stopped_because == \
        "it wrote more than 40 MB (in its folder, /tmp or /dev/shm)"
    assert managers[0]._scratch is None, "the scratch folders (and what was written) are gone"
