"""The fast tier (`make test-fast`, ``-m "not slow"``) starts no kernel: conftest refuses."""

from __future__ import annotations

import nbformat
import pytest
from conftest import KERNEL_IN_FAST_TIER


def test_a_test_not_marked_slow_cannot_launch_a_kernel():
    """nbclient's ordinary path (KernelManager, then its provisioner) is refused before any
    process starts; a test that executes a notebook must be marked slow."""
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")])
    with pytest.raises(RuntimeError, match="the fast tier starts no kernel"):
        NotebookClient(nb, kernel_name="python3", startup_timeout=10).execute()
    assert nb.cells[0].outputs == []
    assert "@pytest.mark.slow" in KERNEL_IN_FAST_TIER
