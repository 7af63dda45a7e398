"""What the fast test tier costs: CPU time (user + system, the pytest process and every
process it waited for) of `make test-fast` (``pytest -m "not slow"``), collection included,
and of its collection alone (``--collect-only``).

CPU time rather than wall-clock time: it does not grow when other work shares the machine
(wall-clock time does, by as much as that work takes). Median of ``--repeat`` runs (default
3). Target: the whole tier under 15 s of CPU.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys

from common import ROOT, save, table

FAST_TIER = [sys.executable, "-m", "pytest", "-m", "not slow", "-q", "-p", "no:cacheprovider"]
TARGET_S = 15.0


def cpu_seconds(command: list[str]) -> float:
    """User + system seconds of ``command`` and everything it waited for (a failed test is
    reported, not hidden: pytest's last line is printed)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):  # 1: some tests failed; anything else: pytest did not run
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stdout[-3000:]}{done.stderr}")
    if done.returncode:
        print(f"  ({done.stdout.strip().splitlines()[-1]})", flush=True)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    whole = statistics.median(cpu_seconds(FAST_TIER) for _ in range(args.repeat))
    collect = statistics.median(cpu_seconds([*FAST_TIER, "--collect-only"])
                                for _ in range(args.repeat))
    save("tests", [{"measure": "make test-fast", "cpu_s": round(whole, 1)},
                   {"measure": "collection alone", "cpu_s": round(collect, 1)}])
    print(f"CPU seconds (user + system), median of {args.repeat} runs\n")
    print(table(["measure", "CPU s"], [["make test-fast", f"{whole:.1f}"],
                                       ["collection alone", f"{collect:.1f}"]]))
    print(f"\ntarget: make test-fast under {TARGET_S:.0f} s")
    return 0 if whole < TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
