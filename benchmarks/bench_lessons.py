"""Run-all time of each lesson as a ratio to an empty notebook, run in the same process.

Each notebook is executed headless with nbclient in a fresh kernel (kernel start-up is
part of both measurements, as it is for a student pressing "Restart and run all").
The figure is the median of ``--repeat`` runs (default 5), with the lesson's figures in the
figure cache, as they are whenever a learner runs a lesson again. Each lesson's first run,
with an empty figure cache (its figures drawn), is reported too. Target: every ratio <= 2.5.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile

import nbformat
from common import ROOT, median_time, save, table
from nbclient import NotebookClient

from deepfake_ethics.layout import lesson_notebooks


def run(nb_path: str | None) -> None:
    nb = nbformat.read(nb_path, as_version=4) if nb_path else nbformat.v4.new_notebook()
    cwd = os.path.dirname(nb_path) if nb_path else str(ROOT)
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": cwd}}).execute()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["DEEPFAKE_ETHICS_PROGRESS"] = os.path.join(tmp, "progress.json")
        cache = os.path.join(tmp, "figures")
        os.environ["DEEPFAKE_ETHICS_CACHE"] = cache  # the kernels' figure cache
        run(None)  # warm-up: file caches, compiled bytecode
        baseline = median_time(lambda: run(None), args.repeat)
        rows = []
        for path in lesson_notebooks(ROOT):
            shutil.rmtree(cache, ignore_errors=True)
            first = median_time(lambda p=str(path): run(p), 1)  # draws and keeps its figures
            seconds = median_time(lambda p=str(path): run(p), args.repeat)
            rows.append({"lesson": path.stem, "seconds": round(seconds, 3),
                         "ratio": round(seconds / baseline, 2),
                         "first_seconds": round(first, 3),
                         "first_ratio": round(first / baseline, 2)})
    save("lessons", [{"lesson": "(empty notebook)", "seconds": round(baseline, 3),
                      "ratio": 1.0}] + rows)
    print(f"Run-all time per lesson, median of {args.repeat}, empty notebook = "
          f"{baseline:.2f} s\n")
    print(table(["lesson", "seconds", "ratio to empty notebook", "first run (figures drawn)"],
                [[r["lesson"], f"{r['seconds']:.2f}", f"{r['ratio']:.2f}x",
                  f"{r['first_seconds']:.2f} s, {r['first_ratio']:.2f}x"] for r in rows]))
    worst = max(r["ratio"] for r in rows)
    print(f"\nworst ratio {worst:.2f}x (target <= 2.5x)")
    return 0 if worst <= 2.5 else 1


if __name__ == "__main__":
    sys.exit(main())
