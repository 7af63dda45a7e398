"""Grading against hostile students, on both grading paths.

A class of a02 holds a model student, a blank one, and one student for each attack a
student could try with nothing but answer cells: objects that equal everything, replaced
builtins, an AST transformer and patched grading helpers, reading the course directory
and the gradebook, writing the gradebook and another student's work, detached processes,
a loop that ignores interrupts, huge and scripted output, a memory hog and a fork loop.
The class is graded by plain ``nbgrader autograde`` and by ``deepfake-ethics autograde``,
each in its own course directory, then feedback is generated. No attacker may score more
than the blank student, read a secret, harm another student or outlive grading.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook
from nbgrader_course import (
    generated_course,
    nbgrader,
    notebook_name,
    read,
    secret_lines,
    student_notebook,
    submit,
    visible_text,
)

from deepfake_ethics.instructor.nbgrader_run import nbgrader_env
from deepfake_ethics.nbgrader_plugins.sandbox import find_bwrap

pytestmark = pytest.mark.slow
A = "a02-legal-aspects"
CLI = str(Path(sys.executable).parent / "deepfake-ethics")
ENV_SECRET = "dfe-grader-secret-4d1f9"  # set in the grader's environment only
MARKER = "dfe-attack-7d3"  # every process an attacker starts carries this in its argv


def _always_equal() -> dict[str, str]:
    yes = ("class Yes(str):\n    def __eq__(self, other):\n        return True\n"
           "    def __ne__(self, other):\n        return False\n    __hash__ = str.__hash__\n")
    yes_set = ("class YesSet(frozenset):\n    def __eq__(self, other):\n        return True\n"
               "    __hash__ = frozenset.__hash__\n")
    cells = {"answer2_1": yes + 'answer2_1 = Yes("tool")',
             "answer2_2": yes + 'answer2_2 = Yes("defiance-act")'}
    for i in range(3, 10):
        cells[f"answer2_{i}"] = yes_set + f"answer2_{i} = YesSet()"
    return cells


PATCH_BUILTINS = """\
import builtins
builtins.set = lambda *args, **kwargs: {"use"}
builtins.isinstance = lambda *args: True
builtins.type = lambda *args: str
builtins.len = lambda *args: 0
answer2_1 = "tool"
"""

PATCH_HELPERS = """\
import ast
import deepfake_ethics.grading as old_name
import deepfake_ethics.kernel as kernel
import deepfake_ethics.kernel.checks as checks
import deepfake_ethics.kernel.recording as recording
from IPython.display import publish_display_data

class NoAsserts(ast.NodeTransformer):
    def visit_Assert(self, node):
        return ast.Pass()

get_ipython().ast_transformers.append(NoAsserts())
kernel.quietly = checks.quietly = old_name.quietly = None
for module in (kernel, checks, old_name):
    module.check_choice = module.check_choices = lambda *args, **kwargs: None

def spray(cell, name, get, form="plain"):
    # record every plausible answer, hoping one of them is taken as right
    for value in ["use", "tool", "both", "uk-s66b", ["visible-label", "consent-prompt"],
                  ["report-crime", "removal-request"], ["label-copyright"]]:
        publish_display_data({recording.MIME: {"cell": cell, "name": name, "value": value}})

recording.record_answer = spray
answer2_1 = "neither"
"""

READ_SECRETS = """\
import os, glob
found = []
for pattern in ["{course}/**/*.ipynb", "{course}/gradebook.db", "/root/**/*.ipynb",
                "/home/**/*.ipynb", "/work/**/source/**/*.ipynb", "/tmp/**/source/**/*.ipynb"]:
    found += glob.glob(pattern, recursive=True)
for path in found:
    try:
        text = open(path, encoding="utf-8", errors="ignore").read()
    except OSError as error:
        print("cannot read", path, error)
        continue
    for line in text.splitlines():
        if "answer_key" in line or "expect" in line or "BEGIN" in line:
            print(line)
try:
    import sqlite3
    db = sqlite3.connect("file:{course}/gradebook.db?mode=ro", uri=True)
    for (source,) in db.execute("select source from source_cell"):
        print(source)
except Exception as error:
    print("no gradebook:", type(error).__name__)
print(sorted(os.environ.items()))
print(open("/proc/1/environ", "rb").read())
answer2_1 = "both"
"""

WRITE_GRADEBOOK = """\
import glob, os, shutil, socket, sqlite3
for path in glob.glob("{course}/gradebook.db"):
    db = sqlite3.connect(path)
    db.execute("update grade set manual_score = 99")
    db.execute("update source_cell set source = 'pass'")
    db.commit()
for path in glob.glob("{course}/submitted/model/**/*.ipynb", recursive=True):
    open(path, "w").write("{{}}")
os.makedirs("{course}/autograded/model", exist_ok=True)
for port in (5432, 8888, 8000):
    with socket.socket() as s:
        s.settimeout(1)
        print(port, s.connect_ex(("127.0.0.1", port)))
answer2_1 = "tool"
"""

DETACH = f"""\
import subprocess, sys
subprocess.Popen([sys.executable, "-c", "import time; time.sleep(3600)", "{MARKER}"],
                 start_new_session=True)
subprocess.Popen([sys.executable, "-c",
    "import os, time\\nif os.fork(): os._exit(0)\\nos.setsid()\\ntime.sleep(3600)",
    "{MARKER}"], start_new_session=True)
answer2_1 = "tool"
"""

IGNORE_INTERRUPTS = """\
import signal
signal.signal(signal.SIGINT, signal.SIG_IGN)
while True:
    pass
"""

FLOOD = """\
from IPython.display import HTML, display
print("x" * 100_000_000)
display(HTML("<b>flood</b>" * 5_000_000))
answer2_1 = "tool"
"""

SCRIPTS = """\
from IPython.display import HTML, Javascript, display, SVG
display(HTML("<script>window.pwned = 1</script><img src=x onerror=alert(1)>"))
display(Javascript("window.pwned = 2"))
print("<script>alert(2)</script>")
import ipywidgets
display(ipywidgets.HTML("<img src=x onerror=alert(6)>"))
answer2_1 = "<script>alert(4)</script>"
"""

MEMORY = """\
hog = bytearray(16 * 1024**3)
answer2_1 = "tool"
"""

FORK = f"""\
import os, sys, time
forked = 0
for _ in range(400):
    try:
        pid = os.fork()
    except OSError:
        break
    if pid == 0:
        os.execv(sys.executable, [sys.executable, "-c", "import time; time.sleep(3600)",
                                  "{MARKER}"])
    forked += 1
print("forked", forked)
answer2_1 = "tool"
"""


def parrot_cell() -> str:
    """A cell that prints every secret line of the (public) source, hex-encoded in its own
    code so that only the output, never the student's own code, holds them."""
    lines = sorted(secret_lines(A))
    encoded = [line.encode().hex() for line in lines]
    return ("for line in " + repr(encoded) + ":\n    print(bytes.fromhex(line).decode())\n"
            'answer2_1 = "tool"\n')


def build_class(course: Path) -> dict[str, float]:
    """Submit the class; return the autograded score each student should get."""
    model = student_notebook(course, A)
    submit(course, "model", A, model)
    submit(course, "blank", A, student_notebook(course, A, answered=set()))
    attacks = {
        "always-equal": _always_equal(),
        "builtins": {"answer2_1": PATCH_BUILTINS},
        "helpers": {"answer2_1": PATCH_HELPERS},
        "reader": {"answer2_1": READ_SECRETS.format(course=course)},
        "writer": {"answer2_1": WRITE_GRADEBOOK.format(course=course)},
        "detach": {"answer2_1": DETACH},
        "flood": {"answer2_1": FLOOD},
        "scripts": {"answer2_1": SCRIPTS},
        "memory": {"answer2_1": MEMORY},
        "forker": {"answer2_1": FORK},
        "parrot": {"answer2_1": parrot_cell()},
    }
    expected = {"model": 9.0, "blank": 0.0}
    for student, cells in attacks.items():
        nb = student_notebook(course, A, answered=set(), replace=cells)
        if student == "scripts":
            for cell in nb.cells:
                if cell.cell_type == "markdown" and cell.source.strip() == "YOUR ANSWER HERE":
                    cell.source = ("<script>alert(3)</script> <img src=x onerror=alert(5)> "
                                   "[click](javascript:alert(7))")
        submit(course, student, A, nb)
        expected[student] = 0.0
    # A model student whose first answer loops and ignores interrupts: only it is lost.
    submit(course, "stubborn", A, student_notebook(course, A, replace={
        "answer2_1": IGNORE_INTERRUPTS}))
    expected["stubborn"] = 8.0
    return expected


def _processes_with(marker: str) -> list[str]:
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            argv = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if marker.encode() in argv and str(os.getpid()) != pid:
            found.append(argv.replace(b"\0", b" ").decode(errors="replace"))
    return found


def _gradebook_snapshot(course: Path) -> dict[str, str]:
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "deepfake-ethics") as gb:
        assignment = gb.find_assignment(A)
        return {cell.name: cell.source for nb in assignment.notebooks
                for cell in nb.source_cells}


@pytest.fixture(scope="module", params=["nbgrader", "parallel"])
def graded(request, tmp_path_factory):
    """The attack class graded by one of the two paths, with feedback generated."""
    try:
        find_bwrap()
    except RuntimeError as error:  # CI installs bubblewrap; say why anywhere else
        pytest.skip(str(error))
    course = generated_course(tmp_path_factory.mktemp(f"attacks-{request.param}"))
    expected = build_class(course)
    model_path = course / "submitted" / "model" / A / notebook_name(A)
    model_hash = hashlib.sha256(model_path.read_bytes()).hexdigest()
    sources_before = _gradebook_snapshot(course)
    scratch = tmp_path_factory.mktemp("scratch")  # the sandboxes of this run live here
    env = nbgrader_env()
    env["DFE_TEST_SECRET"] = ENV_SECRET
    env["TMPDIR"] = str(scratch)
    if request.param == "nbgrader":
        cmd = [sys.executable, "-m", "nbgrader", "autograde", A, "--force"]
    else:
        cmd = [CLI, "autograde", A, "--force"]
    run = subprocess.run(cmd, cwd=course, env=env, capture_output=True, text=True,
                         timeout=1800)
    feedback = nbgrader(course, "generate_feedback", A, "--force", check=False)
    return {"course": course, "expected": expected, "run": run, "feedback": feedback,
            "model_hash": model_hash, "model_path": model_path,
            "sources_before": sources_before, "scratch": scratch}


def _scores(course: Path) -> dict[str, float]:
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "deepfake-ethics") as gb:
        return {s.student.id: s.code_score for s in gb.find_assignment(A).submissions}


def test_no_attacker_scores_more_than_the_blank_student(graded):
    scores = _scores(graded["course"])
    log = graded["run"].stdout + graded["run"].stderr
    for student, score in graded["expected"].items():
        assert student in scores, f"{student} was not graded:\n{log[-3000:]}"
        assert scores[student] == pytest.approx(score), (student, scores[student])
    attackers = set(graded["expected"]) - {"model", "blank", "stubborn"}
    assert max(scores[a] for a in attackers) <= scores["blank"] == 0
    assert scores["model"] == 9


def test_a_loop_that_ignores_interrupts_costs_only_its_cell(graded):
    nb = read(graded["course"] / "autograded" / "stubborn" / A / notebook_name(A))
    first = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id")
                 == "answer2_1")
    assert any(o.get("ename") == "CellStopped" for o in first.outputs)
    assert _scores(graded["course"])["stubborn"] == 8


def _autograded(course: Path, student: str) -> nbformat.NotebookNode:
    return read(course / "autograded" / student / A / notebook_name(A))


def _outputs_text(nb: nbformat.NotebookNode) -> str:
    return json.dumps([c.get("outputs", []) for c in nb.cells])


def test_student_code_sees_no_course_directory_gradebook_or_environment(graded):
    course = graded["course"]
    text = _outputs_text(_autograded(course, "reader"))
    assert "no gradebook" in text, "the attack ran and found no gradebook"
    for line in secret_lines(A):
        assert line not in text, line
    assert "answer_key" not in text and ENV_SECRET not in text
    assert "DEEPFAKE_ETHICS_DB_URL" not in text


def test_student_code_cannot_write_the_gradebook_or_another_students_work(graded):
    course = graded["course"]
    model = graded["model_path"]
    assert hashlib.sha256(model.read_bytes()).hexdigest() == graded["model_hash"]
    assert _gradebook_snapshot(course) == graded["sources_before"]
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "deepfake-ethics") as gb:
        manual = [g.manual_score for s in gb.find_assignment(A).submissions
                  for nb in s.notebooks for g in nb.grades]
    assert all(score is None for score in manual)
    text = _outputs_text(_autograded(course, "writer"))
    for port in ("5432", "8888", "8000"):
        assert f"{port} 0" not in text, "a network connection left the sandbox"


def test_nothing_a_student_started_outlives_grading(graded):
    assert _processes_with(MARKER) == []
    assert _processes_with(str(graded["scratch"])) == [], "a sandbox of this run is running"
    assert list(graded["scratch"].glob("dfe-sandbox-*")) == [], "scratch left behind"


def test_processes_and_memory_are_bounded(graded):
    course = graded["course"]
    forker = _outputs_text(_autograded(course, "forker"))
    count = int(forker.split("forked ")[1].split("\\n")[0].split('"')[0])
    assert 0 < count < 64
    memory = _outputs_text(_autograded(course, "memory"))
    assert "MemoryError" in memory


def test_output_is_capped_in_bytes_and_inert(graded):
    course = graded["course"]
    path = course / "autograded" / "flood" / A / notebook_name(A)
    assert path.stat().st_size < 1_000_000
    for student in graded["expected"]:
        nb = _autograded(course, student)
        for cell in nb.cells:
            for output in cell.get("outputs", []):
                mimes = set(output.get("data", {}))
                assert mimes <= {"text/plain", "image/png", "image/jpeg"}, (student, mimes)
    scripts = _autograded(course, "scripts")
    markdown = "\n".join(c.source for c in scripts.cells if c.cell_type == "markdown")
    assert "<script>alert(3)" not in markdown and "javascript:alert(7)" not in markdown
    assert "widgets" not in scripts.metadata, "no widget state that could render HTML"


def _feedback(course: Path, student: str) -> str:
    return (course / "feedback" / student / A / notebook_name(A).replace(
        ".ipynb", ".html")).read_text(encoding="utf-8")


def test_feedback_has_no_secret_no_script_and_stays_small(graded):
    course = graded["course"]
    assert graded["feedback"].returncode == 0, graded["feedback"].stderr[-2000:]
    secrets = secret_lines(A)
    parrot = _outputs_text(_autograded(course, "parrot"))
    assert sum(line.replace('"', '\\"') in parrot for line in secrets) > len(secrets) // 2, \
        "the parrot printed the secret lines into its autograded notebook"
    for student in graded["expected"]:
        html = _feedback(course, student)
        assert len(html) < 2_000_000, student
        if student == "parrot":
            continue  # it printed them itself: see the next lines
        text = visible_text(html)
        own = "\n".join(c.source for c in read(
            course / "submitted" / student / A / notebook_name(A)).cells)
        leaked = [line for line in secrets if line in text and line not in own]
        assert not leaked, (student, leaked[:3])
    # No oracle: what the parrot printed is shown whole, whether or not it matches a key.
    printed = [line for cell in _autograded(course, "parrot").cells
               for o in cell.get("outputs", []) if o.get("output_type") == "stream"
               for line in o["text"].splitlines() if line.strip()]
    assert len(printed) > len(secrets) // 2
    parrot = visible_text(_feedback(course, "parrot"))
    missing = [line for line in printed if line not in parrot]
    assert not missing, f"printed lines went missing from the feedback: {missing[:3]}"
    html = _feedback(course, "scripts")
    for payload in ("<script>window.pwned", "<img src=x onerror", "<script>alert(2)",
                    "<script>alert(3)", "<script>alert(4)", "javascript:alert(7)"):
        assert payload not in html, payload
    assert not re.search(r"<script[^>]*>[^<]*pwned", html), "a student's script would run"


def test_feedback_says_per_question_why_points_were_lost(graded):
    html = _feedback(graded["course"], "blank")
    assert "has no answer" in html
    model = _feedback(graded["course"], "model")
    assert "right, every option judged correctly" in model
    # the visible check's "fine" message is in the cell's code only, never beside a verdict
    assert model.count("The form of answer2_1 is fine") == 1


def test_without_the_course_pipeline_grading_fails_closed(tmp_path):
    """If nbgrader ever grades without the course's preprocessors (a broken or replaced
    nbgrader_config.py), every keyed test cell raises: no one gets points by default."""
    course = generated_course(tmp_path)
    (course / "nbgrader_config.py").write_text(
        "c = get_config()  # noqa: F821\n"
        "c.CourseDirectory.course_id = 'deepfake-ethics'\n"
        f"c.CourseDirectory.db_url = 'sqlite:///{course / 'gradebook.db'}'\n")
    submit(course, "model", A, student_notebook(course, A))
    nbgrader(course, "autograde", A, "--force", check=False)
    assert _scores(course)["model"] == 0
    text = _outputs_text(_autograded(course, "model"))
    assert "graded only with the course" in text
