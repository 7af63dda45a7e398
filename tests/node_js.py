"""node, for the tests that run the browser's ES modules (the quiz and diagnostic engines)
outside a browser."""

from __future__ import annotations

import os
import shutil

import pytest


def node() -> str:
    """The node executable; the test is skipped without it, except in CI, where it fails
    (.ci/install-server-deps installs node)."""
    found = shutil.which("node")
    if found is None:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail("node must be installed in CI (.ci/install-server-deps)")
        pytest.skip("node is not installed")
    return found
