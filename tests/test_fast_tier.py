"""The fast tier (`make test-fast`, ``-m "not slow"``) starts no kernel (conftest refuses) and
does not import the test files that are slow as a whole."""

from __future__ import annotations

from types import SimpleNamespace

import nbformat
import pytest
from conftest import KERNEL_IN_FAST_TIER, marked_slow_as_a_whole, pytest_ignore_collect


def test_a_test_not_marked_slow_cannot_launch_a_kernel():
    """nbclient's ordinary path (KernelManager, then its provisioner) is refused before any
    process starts; a test that executes a notebook must be marked slow."""
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")])
    with pytest.raises(RuntimeError, match="the fast tier starts no kernel"):
        NotebookClient(nb, kernel_name="python3", startup_timeout=10).execute()
    assert nb.cells[0].outputs == []
    assert "@pytest.mark.slow" in KERNEL_IN_FAST_TIER


@pytest.mark.parametrize(("source", "slow"), [
    ("import pytest\npytestmark = pytest.mark.slow\n", True),
    ("import pytest\npytestmark = [pytest.mark.slow, pytest.mark.browser]\n", True),
    ("import pytest\npytestmark = pytest.mark.skipif(True, reason='x')\n", False),
    ("import pytest\n@pytest.mark.slow\ndef test_one():\n    pass\n\ndef test_two():\n    pass\n",
     False),
    ("import no_such_module_anywhere\n", False),
])
def test_the_fast_tier_reads_a_slow_file_without_importing_it(tmp_path, source, slow):
    """A test file whose every test is slow (``pytestmark``) is left out of the fast tier's
    collection; a file with any fast test is collected."""
    path = tmp_path / "test_example.py"
    path.write_text(source)
    assert marked_slow_as_a_whole(path) is slow


@pytest.mark.parametrize(("markexpr", "left_out"), [
    ("not slow", True), (" not slow ", True), ("", False), ("slow", False),
    ("not slow or browser", False),
])
def test_only_the_fast_tier_leaves_slow_files_out(tmp_path, markexpr, left_out):
    """The slow files are left out under -m "not slow" alone: `make test` and any other
    selection collect them."""
    slow = tmp_path / "test_slow.py"
    slow.write_text("import pytest\npytestmark = pytest.mark.slow\n")
    config = SimpleNamespace(getoption=lambda name, default=None: markexpr)
    assert bool(pytest_ignore_collect(slow, config)) is left_out
    helper = tmp_path / "slow_helper.py"
    helper.write_text(slow.read_text())
    assert not pytest_ignore_collect(helper, config), "only test files are read"


def test_make_and_the_readme_say_how_to_run_the_fast_tier_and_one_file():
    """`make test-fast` selects what conftest treats as the fast tier; the README's command
    for one test file names a test file that exists; its figure is the benchmark's."""
    import re

    from conftest import FAST_TIER, ROOT

    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = makefile.split("\ntest-fast:", 1)[1].split("\n\n", 1)[0]
    assert f'pytest -m "{FAST_TIER}"' in recipe
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    one_file = re.search(r"one test file runs with `\.venv/bin/python -m pytest (tests/\S+\.py)`",
                         readme)
    assert one_file and (ROOT / one_file.group(1)).is_file()
    assert "`make test-fast` runs the quick tier" in readme
    assert "benchmarks/bench_tests.py" in readme, "the fast tier's cost, as measured"


def test_tests_run_with_the_collectors_ordinary_settings():
    """conftest makes the garbage collector run rarely only while test files are imported."""
    import gc

    from conftest import GC_THRESHOLD

    assert gc.isenabled() and gc.get_threshold() == GC_THRESHOLD
    assert gc.get_freeze_count() > 0, "what collecting made is left alone"
