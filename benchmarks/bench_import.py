"""`import deepfake_ethics` as a ratio to `import ipywidgets`, in fresh interpreters.

Each import runs in a new Python process; the cost of starting Python itself (``pass``)
is measured in the same run and subtracted. Median of ``--repeat`` runs (default 15).
Target: ratio <= 1.0.
"""

from __future__ import annotations

import argparse
import subprocess
import sys

from common import median_time, save, table


def cost(statement: str, repeat: int) -> float:
    command = [sys.executable, "-c", statement]
    subprocess.run(command, check=True)  # warm-up
    return median_time(lambda: subprocess.run(command, check=True), repeat)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args(argv)
    start = cost("pass", args.repeat)
    ours = cost("import deepfake_ethics", args.repeat) - start
    widgets = cost("import ipywidgets", args.repeat) - start
    ratio = ours / widgets
    save("import", [{"import": "deepfake_ethics", "ms": round(ours * 1000, 1)},
                    {"import": "ipywidgets", "ms": round(widgets * 1000, 1)},
                    {"ratio": round(ratio, 3)}])
    print(f"Import time, median of {args.repeat} fresh interpreters, Python start-up "
          f"({start * 1000:.0f} ms) subtracted\n")
    print(table(["import", "ms"], [["deepfake_ethics", f"{ours * 1000:.1f}"],
                                   ["ipywidgets", f"{widgets * 1000:.1f}"]]))
    print(f"\nratio {ratio:.3f} (target <= 1.0)")
    return 0 if ratio <= 1.0 else 1


if __name__ == "__main__":
    sys.exit(main())
