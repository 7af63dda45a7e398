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


def test_the_site_benchmark_is_run_and_reported():
    """make benchmark runs bench_site.py, and the README shows its figures."""
    import run

    assert "bench_site" in run.main.__code__.co_names
    rows = [{"measure": "site: open lesson 02 to first quiz, median", "seconds": 0.487},
            {"measure": "site: lesson 02 page, files", "count": 25},
            {"measure": "site: lesson 02 page, bytes served", "bytes": 1094 * 1024},
            {"measure": "site: lesson 02 page, bytes gzipped", "bytes": 307 * 1024},
            {"measure": "JupyterLab: open lesson 02 to first quiz", "seconds": 8.19}]
    text = report.render({"site": {"machine": "x86_64", "date": "2026-12-03", "rows": rows}})
    assert "`benchmarks/bench_site.py`, 2026-12-03" in text
    assert "0.49 s, against 8.19 s in JupyterLab" in text and "ratio 0.06 (target ≤ 0.1)" in text
    assert "25 files, 1094 KiB uncompressed, 307 KiB gzip" in text
    without_lab = report.render({"site": {"machine": "x86_64", "date": "2026-12-03",
                                          "rows": rows[:4]}})
    assert "0.49 s. The lesson 02" in without_lab and "JupyterLab" not in without_lab


def test_the_class_benchmark_is_run_and_reported():
    """make benchmark runs bench_class_login.py (issue 19), and the README shows a class's
    time to every quiz, its errors and its memory per student."""
    import run

    assert "bench_class_login" in run.main.__code__.co_names
    rows = [{"measure": "30 students: first log-in to every quiz shown", "seconds": 115.3,
             "baseline": "one student alone", "baseline_seconds": 7.9, "ratio": 14.6},
            {"measure": "median student", "seconds": 111.4},
            {"measure": "errors", "count": 0},
            {"measure": "memory per student (server + kernel)", "mean_mb": 211, "max_mb": 212}]
    text = report.render({"class_login": {"machine": "x86_64", "date": "2026-12-03",
                                          "rows": rows}})
    assert "30 students: first log-in to every quiz shown took 115 s" in text
    assert "errors: 0 (target 0)" in text and "memory per student 211 MB" in text
