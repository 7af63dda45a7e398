"""A student attacks nbgrader's folder exchange; the course's collect (SafeCollect,
src/deepfake_ethics/nbgrader_plugins/exchange.py) holds. Real Unix accounts: an instructor, a victim
and an attacker, each running nbgrader as themselves on one shared exchange, as on the
one-server hub of docs/deployment.md (inbound/ writable by every student).

Both students submit honestly with `nbgrader submit`. Then the attacker, as its own account,
writes straight into inbound/: its own later submission full of links to the instructor's
private files (the source notebook, the gradebook, a canary) and to /etc/shadow, a FIFO, a
socket, hard links, a huge file, too many files and a file the grader cannot read; a later
folder in the victim's name; a folder whose time is not a date; one whose student id is
'..'; and a link in the victim's name to the forged folder. nbgrader's own collect stops
for the whole class at the bad time; the course's collect takes both students' real work,
copies nothing but the attacker's regular files, and reports every entry it left out.
tests/test_exchange_checks.py tests the same checks fast, on folders of one account.
"""

from __future__ import annotations

import base64
import datetime
import json
import os
import secrets
import shutil
import stat
import subprocess
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import nbformat
import pytest
from conftest import ROOT
from hub_env import hub_venv
from nbgrader_course import make_course, notebook_name, student_notebook
from shared_env import (
    SYSTEM_PATH,
    chown_tree,
    is_root,
    require,
    run_as,
    shared_venv,
    temporary_accounts,
)

pytestmark = pytest.mark.slow
COURSE = "deepfake-ethics"
ASSIGNMENT = "a02-legal-aspects"
MANY = 250  # files in the attacker's many/: over SafeCollect.max_files (200)
STUDENT_CONFIG = """\
c = get_config()  # noqa: F821
c.CourseDirectory.course_id = {course!r}
c.Exchange.root = {exchange!r}
c.Exchange.path_includes_course = True
c.Exchange.timezone = "UTC"
"""

# Runs as the attacker (Debian's Python), writing straight into inbound/.
HOSTILE = r"""
import json, os, shutil, socket, sys
a = json.loads(sys.argv[1])

def folder(name, notebook):
    path = os.path.join(a["inbound"], name)
    os.mkdir(path)
    os.chmod(path, 0o755)
    shutil.copyfile(notebook, os.path.join(path, a["notebook_name"]))
    return path

own = folder(a["own"], a["notebook"])
with open(os.path.join(own, "timestamp.txt"), "w") as fh:
    fh.write("2000-01-01 00:00:00.000000 UTC")  # an early time, to escape a late penalty
for name, target in a["links"].items():
    os.symlink(target, os.path.join(own, name))
os.mkfifo(os.path.join(own, "pipe"))
here = os.getcwd()
os.chdir(own)
socket.socket(socket.AF_UNIX).bind("socket")
os.chdir(here)
os.link(a["shared_file"], os.path.join(own, "stolen.txt"))  # another owner's file
with open(a["home_file"], "w") as fh:
    fh.write("mine, twice " + a["canary"])
os.link(a["home_file"], os.path.join(own, "own-hard-link.txt"))
with open(os.path.join(own, "huge.bin"), "wb") as fh:
    fh.truncate(a["huge"])
os.mkdir(os.path.join(own, "many"))
for i in range(a["many"]):
    with open(os.path.join(own, "many", f"f{i:03d}.txt"), "w") as fh:
        fh.write("x")
with open(os.path.join(own, "aaa-unreadable.txt"), "w") as fh:
    fh.write("the grader cannot read this")
os.chmod(os.path.join(own, "aaa-unreadable.txt"), 0)

forged = folder(a["forged"], a["forged_notebook"])  # a later folder in the victim's name
folder(a["bad_time"], a["notebook"])
folder(a["unsafe"], a["notebook"])
os.symlink(forged, os.path.join(a["inbound"], a["link_folder"]))
"""


def when(minutes: int) -> str:
    """A time as nbgrader writes it in a submission's name, ``minutes`` from now."""
    moment = datetime.datetime.now(datetime.UTC) + datetime.timedelta(minutes=minutes)
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f UTC")


def nbgrader_as(cls: dict, user: str, *args: str, check: bool = True, cwd: Path | None = None):
    env = {"PATH": f"{cls['venv']}/bin:{SYSTEM_PATH}"}
    if user == cls["instructor"]:
        env["DEEPFAKE_ETHICS_EXCHANGE"] = str(cls["exchange"])
    return run_as(user, cls["venv"] / "bin" / "python", "-m", "nbgrader", *args,
                  cwd=cwd or cls["homes"][user], env=env, check=check)


@pytest.fixture(scope="module")
def attacked():
    """The class after the attack and both collects; everything is removed afterwards."""
    require(is_root(), "this test creates Unix accounts: run it as root")
    venv = shared_venv()
    suffix = secrets.token_hex(3)
    instructor, victim, attacker = (f"dfe-{role}-{suffix}"
                                    for role in ("teach", "victim", "mallory"))
    base = Path(tempfile.mkdtemp(prefix="dfe-exchange-attacks-"))
    try:
        base.chmod(0o755)
        exchange = base / "exchange"
        exchange.mkdir()
        exchange.chmod(0o1777)  # world-writable and sticky, as docs/deployment.md says
        (base / "home").mkdir(mode=0o755)
        with temporary_accounts([instructor, victim, attacker], base / "home") as accounts:
            cls = {"venv": venv, "exchange": exchange, "instructor": instructor,
                   "victim": victim, "attacker": attacker, "accounts": accounts,
                   "homes": {name: base / "home" / name for name in accounts},
                   "inbound": exchange / COURSE / "inbound", "base": base}
            run_attack(cls)
            yield cls
    finally:
        shutil.rmtree(base, ignore_errors=True)


def run_attack(cls: dict) -> None:
    instructor, victim, attacker = cls["instructor"], cls["victim"], cls["attacker"]
    course = make_course(cls["homes"][instructor])
    cls["canary"] = secrets.token_hex(16)
    (course / "private-canary.txt").write_text(cls["canary"])
    chown_tree(course, cls["accounts"][instructor])
    (course / "private-canary.txt").chmod(0o600)
    cls["course"] = course
    for student in (victim, attacker):
        config = cls["homes"][student] / "nbgrader_config.py"
        config.write_text(STUDENT_CONFIG.format(course=COURSE, exchange=str(cls["exchange"])))
        chown_tree(config, cls["accounts"][student])
    nbgrader_as(cls, instructor, "generate_assignment", ASSIGNMENT, "--force", cwd=course)
    nbgrader_as(cls, instructor, "release_assignment", ASSIGNMENT, cwd=course)

    name = notebook_name(ASSIGNMENT)
    cls["submitted"] = {}
    for student, answered in ((victim, None), (attacker, set())):
        nbgrader_as(cls, student, "fetch_assignment", ASSIGNMENT)
        fetched = cls["homes"][student] / COURSE / ASSIGNMENT / name
        nbformat.write(student_notebook(course, ASSIGNMENT, answered=answered), fetched)
        chown_tree(fetched, cls["accounts"][student])
        cls["submitted"][student] = fetched.read_bytes()
        nbgrader_as(cls, student, "submit", ASSIGNMENT)
    cls["honest"] = {p.name.split("+")[0]: p.name for p in cls["inbound"].iterdir()}
    assert set(cls["honest"]) == {victim, attacker}, cls["honest"]

    shared = cls["base"] / "shared.txt"  # root's, writable by all: a hard link is allowed
    shared.write_text(f"root's file {cls['canary']}")
    shared.chmod(0o666)
    forged = cls["homes"][attacker] / "forged.ipynb"
    forged.write_text(json.dumps({"forged": cls["canary"]}))
    chown_tree(forged, cls["accounts"][attacker])
    source = course / "source" / ASSIGNMENT / name
    own = f"{attacker}+{ASSIGNMENT}+{when(1)}+hostile"
    cls["links"] = {
        "source.ipynb": str(source),
        "relative-source.ipynb": os.path.relpath(source, cls["inbound"] / own),
        "gradebook.db": str(course / "gradebook.db"),
        "canary.txt": str(course / "private-canary.txt"),
        "shadow": "/etc/shadow",
        "course": str(course),
    }
    assert (course / "gradebook.db").is_file() and source.is_file()
    cls["hostile"] = {
        "own": own, "forged": f"{victim}+{ASSIGNMENT}+{when(2)}+forged",
        "bad_time": f"{attacker}+{ASSIGNMENT}+notadate+x", "unsafe": f"..+{ASSIGNMENT}+{when(1)}+x",
        "link_folder": f"{victim}+{ASSIGNMENT}+{when(3)}+link"}
    run_as(attacker, "/usr/bin/python3", "-c", HOSTILE, json.dumps({
        **cls["hostile"], "inbound": str(cls["inbound"]), "notebook_name": name,
        "notebook": str(cls["homes"][attacker] / COURSE / ASSIGNMENT / name),
        "forged_notebook": str(forged), "links": cls["links"], "shared_file": str(shared),
        "home_file": str(cls["homes"][attacker] / "twice.txt"), "huge": 6_000_000,
        "many": MANY, "canary": cls["canary"]}))

    # nbgrader's own collect: the folder whose time is not a date stops it for everyone
    cls["stock"] = nbgrader_as(cls, instructor, "collect", ASSIGNMENT, "--ExchangeFactory."
                               "collect=nbgrader.exchange.default.collect.ExchangeCollect",
                               cwd=course, check=False)
    cls["stock_submitted"] = (course / "submitted").exists() and any(
        (course / "submitted").iterdir())
    cls["collect"] = nbgrader_as(cls, instructor, "collect", ASSIGNMENT, cwd=course,
                                 check=False)
    reports = sorted((course / "logs" / "collect").glob(f"{ASSIGNMENT}-*.json"))
    assert len(reports) == 1, reports
    cls["report"] = {student: {item["path"]: item["reason"] for item in items}
                     for student, items in json.loads(reports[0].read_text()).items()}


def submitted_entries(cls: dict) -> dict[Path, os.stat_result]:
    found = {}
    for dirpath, dirnames, filenames in os.walk(cls["course"] / "submitted"):
        for name in dirnames + filenames:
            found[Path(dirpath) / name] = os.lstat(Path(dirpath) / name)
    return found


def test_nbgrader_own_collect_stops_for_the_whole_class(attacked):
    stock = attacked["stock"]
    assert stock.returncode != 0
    assert "notadate" in stock.stdout + stock.stderr
    assert not attacked["stock_submitted"]


def test_the_course_collect_takes_both_students(attacked):
    cls = attacked
    assert cls["collect"].returncode == 0, cls["collect"].stderr
    submitted = cls["course"] / "submitted"
    assert sorted(p.name for p in submitted.iterdir()) == sorted([cls["victim"], cls["attacker"]])


def test_the_victims_submission_is_intact(attacked):
    cls = attacked
    folder = cls["course"] / "submitted" / cls["victim"] / ASSIGNMENT
    assert (folder / notebook_name(ASSIGNMENT)).read_bytes() == cls["submitted"][cls["victim"]]
    assert (folder / "timestamp.txt").read_text() == cls["honest"][cls["victim"]].split("+")[2]
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [notebook_name(ASSIGNMENT), "timestamp.txt", "submission_secret.txt"])


def test_only_regular_files_with_one_name_land_in_submitted(attacked):
    entries = submitted_entries(attacked)
    assert len(entries) > 200
    for path, st in entries.items():
        assert stat.S_ISDIR(st.st_mode) or (stat.S_ISREG(st.st_mode) and st.st_nlink == 1), \
            (path, oct(st.st_mode), st.st_nlink)


def test_no_byte_of_the_private_files_lands_in_submitted(attacked):
    cls = attacked
    # the canary is in the private file, the forged notebook and both hard-linked files
    secrets_ = [cls["canary"].encode(), b"SQLite format 3\x00", b"BEGIN HIDDEN TESTS",
                b"BEGIN MARK SCHEME"]
    shadow = Path("/etc/shadow").read_bytes().splitlines()
    secrets_ += [line for line in shadow[:3] if line]
    for path, st in submitted_entries(cls).items():
        if stat.S_ISREG(st.st_mode):
            data = path.read_bytes()
            assert not [s for s in secrets_ if s in data], path
    attackers = cls["course"] / "submitted" / cls["attacker"] / ASSIGNMENT
    assert (attackers / "timestamp.txt").read_text() == cls["hostile"]["own"].split("+")[2]
    assert (attackers / notebook_name(ASSIGNMENT)).is_file()


def test_every_left_out_entry_is_reported_with_its_reason(attacked):
    cls = attacked
    report, own = cls["report"], cls["hostile"]["own"]
    mine = dict(report[cls["attacker"]])
    for name, target in cls["links"].items():
        reason = mine.pop(f"{own}/{name}")
        assert "symbolic link" in reason and repr(target) in reason, reason
    assert "FIFO" in mine.pop(f"{own}/pipe")
    assert "socket" in mine.pop(f"{own}/socket")
    assert "owned by root (uid 0)" in mine.pop(f"{own}/stolen.txt")
    assert "hard link" in mine.pop(f"{own}/own-hard-link.txt")
    assert "per file" in mine.pop(f"{own}/huge.bin")
    assert "Permission denied" in mine.pop(f"{own}/aaa-unreadable.txt")
    assert "not a date" in mine.pop(cls["hostile"]["bad_time"])
    capped = {p for p, r in mine.items() if "over the cap of 200 files" in r}
    assert len(capped) == MANY + 2 - 200 and all(p.startswith(f"{own}/many/") for p in capped)
    assert set(mine) == capped, sorted(set(mine) - capped)
    assert report[cls["victim"]].keys() == {cls["hostile"]["forged"],
                                            cls["hostile"]["link_folder"]}
    assert f"owned by {cls['attacker']}" in report[cls["victim"]][cls["hostile"]["forged"]]
    assert "not a folder" in report[cls["victim"]][cls["hostile"]["link_folder"]]
    assert "'..'" in report[".."][cls["hostile"]["unsafe"]]
    assert set(report) == {cls["attacker"], cls["victim"], ".."}
    log = cls["collect"].stdout + cls["collect"].stderr
    for student, items in report.items():
        for path in items:
            assert path in log, (student, path)


# --- ngshare (deploy/kubernetes): the collect against a stand-in ngshare -------------------
# ngshare itself refuses '..' and absolute paths when a student submits (ngshare 0.6.0's
# path_check); a stand-in serves what ngshare_exchange's collect would receive if anything
# got past it, plus what does get past it: a path naming something in the grader's current
# folder, a file that is also a folder, floods, and an honest student's checkpoint.

NGSHARE_TIME = "2026-11-20 11:59:00.123456"  # as ngshare writes it (UTC, no zone)


def encoded(path: str, data: bytes) -> dict:
    return {"path": path, "content": base64.encodebytes(data).decode(), "checksum": ""}


class StandIn(BaseHTTPRequestHandler):
    """ngshare's two collect endpoints, answering from ``self.server.answers``."""

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        path = unquote(urlsplit(self.path).path)
        answer = self.server.answers.get(path, {"success": False, "message": "not found"})
        body = json.dumps(answer).encode()
        self.send_response(200 if answer["success"] else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def ngshare_answers(prefix: str, base: Path, canary: str, notebooks: dict[str, bytes],
                    students: list[tuple[str, str]]) -> dict[str, dict]:
    api = f"{prefix}/submission/{COURSE}/{ASSIGNMENT}"
    name = notebook_name(ASSIGNMENT)
    hostile = [encoded(name, notebooks["mallory"]),
               encoded("../../escape.txt", canary.encode()),
               encoded(str(base / "outside.txt"), canary.encode()),
               encoded("logs/x", b"a name in the grader's folder"),
               encoded("clash", b"a file"), encoded("clash/inside", b"and a folder"),
               encoded("big.bin", b"z" * 6_000_000),
               encoded("timestamp.txt", b"2000-01-01 00:00:00.000000"),
               *(encoded(f"many/f{i:03d}.txt", b"x") for i in range(MANY))]
    honest = [encoded(name, notebooks["victim"]),
              encoded(f".ipynb_checkpoints/{name.replace('.ipynb', '-checkpoint.ipynb')}",
                      notebooks["victim"])]
    return {
        f"{prefix}/submissions/{COURSE}/{ASSIGNMENT}": {"success": True, "submissions": [
            {"student_id": student, "timestamp": time} for student, time in students]},
        f"{api}/mallory": {"success": True, "timestamp": NGSHARE_TIME, "files": hostile},
        f"{api}/victim": {"success": True, "timestamp": NGSHARE_TIME, "files": honest},
    }


@pytest.fixture(scope="module")
def ngshare_collects(tmp_path_factory):
    """ngshare_exchange's own collect and the course's, each in a course of its own, both
    with deploy/kubernetes/nbgrader_config.py as the global config and the stand-in."""
    venv = hub_venv()  # ngshare_exchange 0.5.3, installed as deploy/kubernetes does
    base = tmp_path_factory.mktemp("ngshare")
    canary = secrets.token_hex(16)
    etc = base / "etc-jupyter"
    etc.mkdir()
    shutil.copy(ROOT / "deploy" / "kubernetes" / "nbgrader_config.py", etc)
    (base / "home").mkdir()
    server = ThreadingHTTPServer(("127.0.0.1", 0), StandIn)
    prefix = "/services/ngshare"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    runs = {}
    try:
        for run, collect in (("stock", "ngshare_exchange.collect.ExchangeCollect"),
                             ("safe", None)):
            (base / run).mkdir()
            course = make_course(base / run)
            notebooks = {s: nbformat.writes(student_notebook(course, ASSIGNMENT)).encode()
                         + s.encode() for s in ("mallory", "victim")}
            students = [("mallory", NGSHARE_TIME), ("victim", NGSHARE_TIME)]
            if run == "safe":  # what ngshare should never send, taken in stride
                students += [("../evil", NGSHARE_TIME), ("zed", "notadate")]
            server.answers = ngshare_answers(prefix, base / run, canary, notebooks, students)
            env = {"PATH": f"{venv}/bin:{SYSTEM_PATH}", "HOME": str(base / "home"),
                   "USER": "grader", "LANG": "C.UTF-8", "JUPYTER_CONFIG_PATH": str(etc),
                   "NGSHARE_URL": f"http://127.0.0.1:{server.server_port}{prefix}"}
            args = [f"--ExchangeFactory.collect={collect}"] if collect else []
            done = subprocess.run([venv / "bin" / "python", "-m", "nbgrader", "collect",
                                   ASSIGNMENT, *args], cwd=course, env=env, text=True,
                                  capture_output=True, timeout=300)
            reports = sorted((course / "logs" / "collect").glob(f"{ASSIGNMENT}-*.json"))
            runs[run] = {"done": done, "course": course, "notebooks": notebooks,
                         "reports": reports, "base": base / run}
    finally:
        server.shutdown()
    runs["canary"] = canary
    return runs


def test_ngshare_exchanges_own_collect_writes_outside_and_stops(ngshare_collects):
    run = ngshare_collects["stock"]
    assert run["done"].returncode != 0
    assert "logs/x" in run["done"].stderr  # logs/ is in its current folder, not in submitted/
    assert (run["course"] / "submitted" / "escape.txt").read_text() == ngshare_collects["canary"]
    assert (run["base"] / "outside.txt").read_text() == ngshare_collects["canary"]
    assert not (run["course"] / "submitted" / "victim").exists()


def test_the_course_collect_keeps_ngshare_files_in_their_folder(ngshare_collects):
    run, canary = ngshare_collects["safe"], ngshare_collects["canary"]
    assert run["done"].returncode == 0, run["done"].stderr
    submitted = run["course"] / "submitted"
    assert sorted(p.name for p in submitted.iterdir()) == ["mallory", "victim"]
    name = notebook_name(ASSIGNMENT)
    victim = submitted / "victim" / ASSIGNMENT
    assert sorted(p.name for p in victim.iterdir()) == [name, "timestamp.txt"]
    assert (victim / name).read_bytes() == run["notebooks"]["victim"]
    mallory = submitted / "mallory" / ASSIGNMENT
    assert (mallory / name).read_bytes() == run["notebooks"]["mallory"]
    assert (mallory / "timestamp.txt").read_text() == NGSHARE_TIME
    assert (mallory / "clash" / "inside").read_bytes() == b"and a folder"
    assert (mallory / "logs" / "x").read_bytes() == b"a name in the grader's folder"
    files = [p for p in run["base"].rglob("*") if p.is_file()]
    assert not [p for p in files if canary.encode() in p.read_bytes()]
    assert not (run["base"] / "outside.txt").exists()

    (report,) = run["reports"]
    left = {student: {item["path"]: item["reason"] for item in items}
            for student, items in json.loads(report.read_text()).items()}
    mine = left["mallory"]
    assert "'..'" in mine.pop("../../escape.txt")
    assert mine.pop(str(run["base"] / "outside.txt")) == "an absolute path"
    assert "both a file and a folder" in mine.pop("clash")
    assert "per file" in mine.pop("big.bin")
    capped = {p for p, r in mine.items() if "over the cap of 200 files" in r}
    assert len(capped) == MANY + 3 - 200 and set(mine) == capped, sorted(mine)
    assert left["victim"] == {f".ipynb_checkpoints/{name.replace('.ipynb', '-checkpoint.ipynb')}":
                              "matches '.ipynb_checkpoints' of CourseDirectory.ignore"}
    assert "path separator" in left["../evil"][""]
    assert "not a date" in left["zed"][""]
    log = run["done"].stdout + run["done"].stderr
    assert all(path in log for items in left.values() for path in items if path)
