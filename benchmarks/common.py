"""Shared helpers for the benchmarks: timing, medians and the results file."""

from __future__ import annotations

import json
import platform
import statistics
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results" / "latest.json"


def median_time(action: Callable[[], object], repeat: int) -> float:
    """Median wall-clock seconds of ``repeat`` runs of ``action``."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def save(name: str, rows: list[dict]) -> None:
    """Store one benchmark's rows in results/latest.json (other benchmarks are kept)."""
    data = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    data[name] = {"machine": f"{platform.machine()}, {platform.python_implementation()} "
                             f"{platform.python_version()}",
                  "date": time.strftime("%Y-%m-%d"), "rows": rows}
    RESULTS.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")


def table(headers: list[str], rows: list[list[object]]) -> str:
    """A Markdown table."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)
