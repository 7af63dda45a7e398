"""Write the latest benchmark figures (results/latest.json) into the README.

The README's section between ``<!-- benchmarks:start -->`` and ``<!-- benchmarks:end -->``
is generated here, so it always shows what the benchmarks last printed
(`make benchmark` runs them and then this script; a test checks the two agree).
"""

from __future__ import annotations

import json
import re
import sys

from common import RESULTS, ROOT, table

README = ROOT / "README.md"
START, END = "<!-- benchmarks:start -->", "<!-- benchmarks:end -->"


def render(results: dict) -> str:
    """The README section for these results."""
    parts = []
    if "lessons" in results:
        rows = results["lessons"]["rows"]
        first = all("first_seconds" in r for r in rows[1:])
        parts += [f"**Lessons** (`benchmarks/bench_lessons.py`, {results['lessons']['date']}): "
                  "run-all time in a fresh kernel, median of 5, as a ratio to an empty "
                  "notebook run the same way (target ≤ 2.5×)"
                  + (", with the lesson's figures already drawn and cached, as on every run "
                     "after the first; the first run, which draws them, is shown too." if first
                     else "."), "",
                  table(["lesson", "seconds", "ratio"] + (["first run", "ratio"] if first
                                                          else []),
                        [[r["lesson"], f"{r['seconds']:.2f}", f"{r['ratio']:.2f}×"]
                         + ([f"{r['first_seconds']:.2f}", f"{r['first_ratio']:.2f}×"]
                            if "first_seconds" in r else ["", ""] if first else [])
                         for r in rows]), ""]
    if "import" in results:
        rows = results["import"]["rows"]
        parts += [f"**Import** (`benchmarks/bench_import.py`): `import deepfake_ethics` takes "
                  f"{rows[0]['ms']:.0f} ms against {rows[1]['ms']:.0f} ms for `import "
                  f"ipywidgets`: ratio {rows[2]['ratio']:.2f} (target ≤ 1).", ""]
    if "autograde" in results:
        row = results["autograde"]["rows"][0]
        parts += [f"**Autograding one submission** (`benchmarks/bench_autograde.py`, "
                  f"{row['assignment']}): {row['autograde_s']:.2f} s with nbgrader and the "
                  "course's pipeline (the bubblewrap sandbox, keys judged outside the kernel) "
                  f"against {row['plain_s']:.2f} s for a plain, unsandboxed headless run of the "
                  "same notebook: "
                  f"ratio {row['ratio']:.2f} (target ≤ 1.3).", ""]
    if "class" in results:
        head, *rows = results["class"]["rows"]
        parts += [f"**A class of {head['students']} submissions** (`benchmarks/bench_class.py`): "
                  f"serial `nbgrader autograde` took {head['serial_nbgrader_s']:.0f} s; "
                  "`deepfake-ethics autograde` with N workers (the default is one worker more "
                  "than there are cores, 3 here; target ≥ 1.7×):", "",
                  table(["workers", "seconds", "speed-up", "grades identical"],
                        [[r["workers"], f"{r['seconds']:.0f}", f"{r['speedup']:.2f}×",
                          "yes" if r["identical_grades"] else "no"] for r in rows]), "",
                  "![Time to grade the class against worker processes]"
                  "(benchmarks/results/class-autograde.svg)", ""]
    if "browser" in results:
        rows = {r["measure"]: r for r in results["browser"]["rows"]}
        median = rows["click to feedback, median"]["ms"]
        first = rows["start-up: first quiz interactive"]["seconds"]
        parts += [f"**In the browser** (`benchmarks/bench_browser.py`, Chromium): from a click "
                  f"on *Check* to the feedback on screen, median of 25 clicks: {median:.0f} ms "
                  f"(target ≤ 150 ms); from starting JupyterLab to the first quiz being "
                  f"interactive in lesson 02: {first:.1f} s.", ""]
    if "hub" in results:
        rows = {r["measure"]: r for r in results["hub"]["rows"]}
        parts += ["**On a live JupyterHub** (`benchmarks/bench_hub.py`: the hub of "
                  "`deploy/jupyterhub/`, real accounts, Chromium; each against a baseline "
                  "of the same run):", "",
                  table(["measure", "seconds", "baseline", "seconds", "ratio"],
                        [[r["measure"], f"{r['seconds']:.1f}", r["baseline"],
                          f"{r['baseline_seconds']:.1f}", f"{r['ratio']:.2f}×"]
                         for r in rows.values() if "baseline" in r]), "",
                  f"Collecting the two submissions took {rows['collect']['seconds']:.1f} s "
                  f"and grading both essays by hand in the formgrader "
                  f"{rows['grade essays by hand']['seconds']:.1f} s.", ""]
    if "class_login" in results:
        rows = {r["measure"]: r for r in results["class_login"]["rows"]}
        everyone = next(r for r in rows.values() if "baseline" in r)
        memory = rows["memory per student (server + kernel)"]
        parts += [f"**A class logging in at once** (`benchmarks/bench_class_login.py`, "
                  f"{results['class_login']['date']}: real accounts log in to the hub of "
                  "`deploy/jupyterhub/` in the same minute, open lesson 02 and run its first "
                  f"quiz): {everyone['measure']} took {everyone['seconds']:.0f} s against "
                  f"{everyone['baseline_seconds']:.1f} s for {everyone['baseline']} "
                  f"({everyone['ratio']:.1f}×); the median student waited "
                  f"{rows['median student']['seconds']:.0f} s; errors: "
                  f"{rows['errors']['count']} (target 0); memory per student "
                  f"{memory['mean_mb']} MB (largest {memory['max_mb']} MB). "
                  "[docs/deployment.md](docs/deployment.md) sizes a machine from these "
                  "figures.", ""]
    if "env_size" in results:
        rows = {r["environment"]: r for r in results["env_size"]["rows"]}
        lab, bare = rows["make lab"], rows["bare stack"]
        parts += [f"**What `make lab` installs** (`benchmarks/bench_env_size.py`): "
                  f"{lab['mb']:.0f} MB, against {bare['mb']:.0f} MB for the bare stack "
                  f"(JupyterLab, ipywidgets, nbgrader, matplotlib) installed the same way: "
                  f"ratio {lab['ratio']:.2f} (target ≤ 1.1). `make test` adds the test tools.",
                  ""]
    if "tests" in results:
        rows = {r["measure"]: r for r in results["tests"]["rows"]}
        parts += [f"**The fast test tier** (`benchmarks/bench_tests.py`, "
                  f"{results['tests']['date']}): `make test-fast` takes "
                  f"{rows['make test-fast']['cpu_s']:.1f} s of CPU time, collection included "
                  f"(target < 15 s), of which collection alone "
                  f"{rows['collection alone']['cpu_s']:.1f} s; median of 3 runs.", ""]
    if "site" in results:
        rows = {r["measure"]: r for r in results["site"]["rows"]}
        site_s = rows["site: open lesson 02 to first quiz, median"]["seconds"]
        lab = rows.get("JupyterLab: open lesson 02 to first quiz")
        versus = (f", against {lab['seconds']:.2f} s in JupyterLab in the same run (server up, "
                  f"Run All Cells): ratio {site_s / lab['seconds']:.2f} (target ≤ 0.1)"
                  if lab else "")
        parts += [f"**The website** (`benchmarks/bench_site.py`, {results['site']['date']}, "
                  "Chromium at 360×740): from opening lesson 02 to its first quiz being "
                  f"interactive, median of cold loads: {site_s:.2f} s{versus}. The lesson 02 "
                  f"page with its figures: {rows['site: lesson 02 page, files']['count']} files, "
                  f"{rows['site: lesson 02 page, bytes served']['bytes'] / 1024:.0f} KiB "
                  f"uncompressed, {rows['site: lesson 02 page, bytes gzipped']['bytes'] / 1024:.0f}"
                  " KiB gzip.", ""]
    machine = next(iter(results.values()))["machine"] if results else ""
    parts.append(f"Machine: 2 cores, {machine}. Reproduce with `make benchmark`.")
    return "\n".join(parts)


def section(text: str) -> str:
    """The generated part of the README as it stands."""
    match = re.search(re.escape(START) + r"\n(.*?)\n" + re.escape(END), text, re.S)
    return match.group(1) if match else ""


def main() -> int:
    results = json.loads(RESULTS.read_text())
    text = README.read_text()
    if START not in text:
        print(f"README has no {START} marker", file=sys.stderr)
        return 1
    new = text.replace(section(text), render(results)) if section(text) else text.replace(
        START + "\n" + END, START + "\n" + render(results) + "\n" + END)
    README.write_text(new)
    print("README benchmark figures updated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
