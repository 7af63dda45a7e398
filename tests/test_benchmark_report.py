"""The README shows the figures the benchmarks last printed."""

from __future__ import annotations

import json

import report  # noqa: E402
from conftest import ROOT


def test_readme_shows_latest_benchmark_figures():
    results = json.loads((ROOT / "benchmarks" / "results" / "latest.json").read_text())
    assert {"lessons", "import", "autograde", "class", "browser"} <= set(results)
    readme = (ROOT / "README.md").read_text()
    assert report.section(readme) == report.render(results), "run benchmarks/report.py"
