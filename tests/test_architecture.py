"""docs/architecture.md stays true: every module and folder it names exists, and every
module of the package is named in it."""

from __future__ import annotations

import re

from conftest import ROOT

DOC = ROOT / "docs" / "architecture.md"
PACKAGE = ROOT / "src" / "deepfake_ethics"


def _named_paths() -> set[str]:
    return set(re.findall(r"`([\w./-]+(?:\.py|/))`", DOC.read_text(encoding="utf-8")))


def test_every_named_module_and_folder_exists():
    text = DOC.read_text(encoding="utf-8")
    missing = []
    for name in _named_paths():
        candidates = [ROOT / name, PACKAGE / name, PACKAGE / "grading" / name,
                      PACKAGE / "dashboard" / name]
        if not any(p.exists() for p in candidates):
            missing.append(name)
    assert not missing, f"docs/architecture.md names what does not exist: {missing}"
    assert "grading/" in text and "dashboard/" in text


def test_every_module_of_the_package_is_named():
    text = DOC.read_text(encoding="utf-8")
    modules = [p for p in PACKAGE.rglob("*.py")]
    unnamed = [str(p.relative_to(PACKAGE)) for p in modules
               if f"`{p.name}`" not in text and f"{p.name}`" not in text]
    assert not unnamed, f"add these modules to docs/architecture.md: {unnamed}"
