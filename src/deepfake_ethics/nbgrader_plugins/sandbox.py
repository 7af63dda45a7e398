"""A bubblewrap sandbox around every kernel that runs student code during grading.

nbgrader runs a submission with the grader's own rights, in the course directory (its docs
say it does not protect against unsafe code). :class:`SandboxedKernelManager` starts the
kernel inside ``bwrap`` (Debian package ``bubblewrap``) instead. Inside, the kernel sees:

* a scratch copy of the regular files of its own submission folder (its working
  directory), a scratch home and scratch ``/tmp``, ``/var/tmp`` and ``/dev/shm`` on the
  grader's disk, whose size and number of files the grader counts (:class:`DiskWatch`);
* the Python environment, read-only; the system's ``/usr``, read-only; nothing else of the
  host: no course directory, no ``source/``, no gradebook, no other students, no homes;
* no network (the grader talks to it over ZeroMQ's ``ipc`` transport, a socket folder
  bound in), an environment of a few harmless variables, no capabilities;
* limits on memory, CPU time, file size, open files and processes;
* its own PID namespace: when the kernel stops, every process it started stops with it.

``DEEPFAKE_ETHICS_SANDBOX=off`` grades without a sandbox, with a loud warning each time a
kernel starts: only for machines that cannot run one, and only with trusted submissions.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jupyter_client.manager import AsyncKernelManager

from .submission import FileLimits, survey

log = logging.getLogger(__name__)

OPT_OUT_VARIABLE = "DEEPFAKE_ETHICS_SANDBOX"
SANDBOX_HOME = "/home/student"
INSTALL_HINT = (
    "Grading runs student code inside a bubblewrap sandbox, and `bwrap` was not found. "
    "Install it (Debian/Ubuntu: `apt-get install bubblewrap`; Fedora: `dnf install "
    "bubblewrap`; Arch: `pacman -S bubblewrap`), or, only on a machine that cannot run a "
    f"sandbox and only for trusted submissions, set {OPT_OUT_VARIABLE}=off.")
UNSAFE_WARNING = (
    f"!!! {OPT_OUT_VARIABLE}=off: student code is running WITHOUT A SANDBOX, with the "
    "grader's rights, inside the course directory. It can read solutions and the "
    "gradebook and change grades. Use this only for trusted submissions. !!!")


class SandboxError(RuntimeError):
    """The sandbox cannot be started (with a message that says what to do)."""


@dataclass(frozen=True)
class Limits:
    """Resource limits of one sandboxed kernel and everything it starts."""

    memory_bytes: int = 2 * 1024**3  # address space of each process
    cpu_seconds: int = 300  # CPU time of each process
    file_bytes: int = 64 * 1024**2  # largest file it may write
    open_files: int = 256
    processes: int = 64  # processes and threads in the whole sandbox
    disk_bytes: int = 256 * 1024**2  # everything it writes: home, /tmp, /var/tmp, /dev/shm
    disk_files: int = 10_000  # files and folders it may create in those places
    disk_check_seconds: float = 0.2  # how often the grader counts them


def sandbox_enabled() -> bool:
    """False only when the opt-out variable says so (``off``, ``0``, ``no``, ``false``)."""
    return os.environ.get(OPT_OUT_VARIABLE, "on").strip().lower() not in {
        "off", "0", "no", "false"}


def find_bwrap() -> str:
    """The path of ``bwrap``, or a :class:`SandboxError` that says how to install it."""
    path = shutil.which("bwrap")
    if not path:
        raise SandboxError(INSTALL_HINT)
    return path


def python_paths(course_root: Path | None) -> list[Path]:
    """Folders the kernel's Python needs, read-only: the environment's prefixes and the
    folders its ``.pth`` files add (an editable install of this package).

    ``sys.path`` itself is not used: its first entry is the current or the script's folder,
    which may be the course directory. A folder that holds the course directory is never
    included, and inside it only an environment or a ``src`` folder may be.
    """
    prefixes = {Path(sys.prefix), Path(sys.base_prefix), Path(sys.executable).parent}
    candidates = set(prefixes)
    for prefix in prefixes:
        for site in prefix.glob("lib/python3*/site-packages"):
            for pth in site.glob("*.pth"):
                for line in pth.read_text(encoding="utf-8", errors="ignore").splitlines():
                    line = line.strip()
                    if line and not line.startswith(("#", "import")) and Path(line).is_dir():
                        candidates.add(Path(line))
    found: list[Path] = []
    root = course_root.resolve() if course_root else None
    for candidate in sorted(candidates):
        for path in {candidate, candidate.resolve()}:
            if not path.is_absolute() or not path.is_dir() or path == Path("/"):
                continue
            if root and (path == root or root.is_relative_to(path)):
                continue  # would expose the whole course directory
            if root and path.is_relative_to(root) and not _is_code_folder(path, root):
                continue
            if any(path.is_relative_to(f) for f in found):
                continue
            found = [f for f in found if not f.is_relative_to(path)] + [path]
    return sorted(found)


def _is_code_folder(path: Path, root: Path) -> bool:
    """Inside the course directory only the environment and the package may be bound."""
    first = path.relative_to(root).parts[0]
    return first in {".venv", "venv", "src"} or first.startswith(".venv")


class PidsCgroup:
    """A pids cgroup that caps the processes of one sandbox when ``RLIMIT_NPROC`` cannot.

    ``RLIMIT_NPROC`` does not bind processes of root, so a grader running as root (CI,
    containers) needs a cgroup; a grader with its own account is bound by the rlimit,
    counted inside the sandbox's user namespace.
    """

    def __init__(self, limit: int) -> None:
        self.path: Path | None = None
        for base in (Path("/sys/fs/cgroup/pids"), Path("/sys/fs/cgroup")):
            if base == Path("/sys/fs/cgroup") and not _v2_has_pids(base):
                continue
            candidate = base / f"deepfake-ethics-{uuid.uuid4().hex[:12]}"
            try:
                candidate.mkdir()
                (candidate / "pids.max").write_text(f"{limit}\n")
            except OSError:
                if candidate.exists():
                    _rmdir_quietly(candidate)
                continue
            self.path = candidate
            break

    @property
    def procs_file(self) -> str | None:
        return str(self.path / "cgroup.procs") if self.path else None

    def close(self) -> None:
        """Kill whatever is left in the cgroup, then remove it."""
        if not self.path:
            return
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            pids = _read_pids(self.path / "cgroup.procs")
            if not pids:
                break
            for pid in pids:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            time.sleep(0.05)
        _rmdir_quietly(self.path)
        self.path = None


def _v2_has_pids(base: Path) -> bool:
    try:
        return "pids" in (base / "cgroup.subtree_control").read_text().split()
    except OSError:
        return False


def _read_pids(path: Path) -> list[int]:
    try:
        return [int(x) for x in path.read_text().split()]
    except (OSError, ValueError):
        return []


def _rmdir_quietly(path: Path) -> None:
    for _ in range(50):
        try:
            path.rmdir()
            return
        except FileNotFoundError:
            return
        except OSError:
            time.sleep(0.05)


@dataclass
class Scratch:
    """The host folders of one sandbox: the kernel's home (with the submission copy),
    the ZeroMQ socket folder and the synthetic account files."""

    root: Path

    @property
    def home(self) -> Path:
        return self.root / "home"

    @property
    def ipc(self) -> Path:
        return self.root / "ipc"

    @property
    def etc(self) -> Path:
        return self.root / "etc"

    @property
    def tmp(self) -> Path:
        """The sandbox's /tmp and /var/tmp: on the grader's disk, so that it is counted."""
        return self.root / "tmp"

    @property
    def shm(self) -> Path:
        return self.root / "shm"

    @property
    def writable(self) -> tuple[Path, ...]:
        """Every folder the student's code can write to."""
        return (self.home, self.tmp, self.shm)

    @classmethod
    def create(cls) -> Scratch:
        scratch = cls(Path(tempfile.mkdtemp(prefix="dfe-sandbox-")))
        for folder in (scratch.ipc, scratch.etc, *scratch.writable):
            folder.mkdir(mode=0o700)
        (scratch.etc / "passwd").write_text(
            f"student:x:1000:1000:student:{SANDBOX_HOME}:/bin/sh\n"
            "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n")
        (scratch.etc / "group").write_text("student:x:1000:\nnogroup:x:65534:\n")
        return scratch

    def empty_writable(self) -> None:
        """Delete whatever the student's code wrote (before a fresh start)."""
        for folder in self.writable:
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(mode=0o700)

    def remove(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def disk_use(folders: tuple[Path, ...], max_entries: int) -> tuple[int, int]:
    """Bytes on disk and entries under ``folders``, counting stops past ``max_entries``
    (so that a folder of millions of files costs no more than the cap to count)."""
    used = entries = 0
    stack = list(folders)
    while stack and entries <= max_entries:
        try:
            with os.scandir(stack.pop()) as listing:
                for entry in listing:
                    entries += 1
                    with contextlib.suppress(OSError):
                        info = entry.stat(follow_symlinks=False)
                        used += info.st_blocks * 512
                        if stat.S_ISDIR(info.st_mode):
                            stack.append(Path(entry.path))
        except OSError:
            continue
    return used, entries


class DiskWatch:
    """Counts what a sandbox has written, every ``limits.disk_check_seconds``; past
    ``limits.disk_bytes`` or ``limits.disk_files`` it calls ``stop`` once with the reason.
    (bubblewrap 0.8, Debian 12's, cannot size a tmpfs, so /tmp lives on the grader's disk
    and is counted here with the home folder.)"""

    def __init__(self, folders: tuple[Path, ...], limits: Limits,
                 stop: Callable[[str], None]) -> None:
        import threading

        self.folders, self.limits, self.stop = folders, limits, stop
        self._halt = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sandbox-disk-watch",
                                        daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._halt.wait(self.limits.disk_check_seconds):
            used, entries = disk_use(self.folders, self.limits.disk_files)
            if used > self.limits.disk_bytes or entries > self.limits.disk_files:
                what = (f"more than {self.limits.disk_bytes // 1024**2} MB"
                        if used > self.limits.disk_bytes
                        else f"more than {self.limits.disk_files:,} files")
                self.stop(f"it wrote {what} (in its folder, /tmp or /dev/shm)")
                return

    def close(self) -> None:
        self._halt.set()
        self._thread.join(timeout=5)


def copy_submission(source: Path, dest: Path, limits: FileLimits | None = None) -> None:
    """Copy a submission folder into the sandbox home: only the regular files that
    :func:`~.submission.survey` lets travel (no link is followed or recreated, sizes and
    counts are capped before copying), and no notebooks: the one being graded already holds
    the restored test cells with their answer keys, and the kernel receives its cells as
    messages anyway."""
    dest.mkdir(parents=True, exist_ok=True)
    kept, left = survey(source, limits or FileLimits())
    for entry in left:
        log.warning("sandbox: %s left out of the scratch copy: %s", entry.path, entry.reason)
    for rel in kept:
        if rel.endswith(".ipynb"):
            continue
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        _copy_regular(source / rel, target)


def _copy_regular(source: Path, target: Path) -> None:
    """Copy one file, refusing (at open time, not only when surveyed) anything but a
    regular file reached without a link."""
    fd = os.open(source, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise SandboxError(f"{source} is not a regular file")
        with os.fdopen(fd, "rb", closefd=False) as src, open(target, "wb") as out:
            shutil.copyfileobj(src, out)
    finally:
        os.close(fd)


def matplotlib_cache() -> Path | None:
    """The grader's matplotlib font cache, copied into each sandbox so that no kernel
    spends seconds rebuilding it."""
    try:
        import matplotlib

        folder = Path(matplotlib.get_cachedir())
    except Exception:  # matplotlib missing or unusable: the kernel builds its own
        return None
    caches = sorted(folder.glob("fontlist-*.json"))
    return caches[-1] if caches else None


def bwrap_command(kernel_cmd: list[str], *, scratch: Scratch, workdir: str,
                  course_root: Path | None, limits: Limits, bwrap: str,
                  cgroup_procs: str | None) -> list[str]:
    """The full command line that starts ``kernel_cmd`` inside the sandbox."""
    cmd = [bwrap, "--unshare-all", "--die-with-parent", "--new-session",
           "--cap-drop", "ALL", "--uid", "1000", "--gid", "1000",
           "--hostname", "sandbox", "--clearenv"]
    for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(top):
            cmd += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            cmd += ["--ro-bind", top, top]
    cmd += ["--ro-bind", "/usr", "/usr", "--proc", "/proc", "--dev", "/dev",
            "--bind", str(scratch.tmp), "/tmp", "--bind", str(scratch.tmp), "/var/tmp",
            "--bind", str(scratch.shm), "/dev/shm", "--dir", "/etc"]
    for name in ("ld.so.cache", "localtime", "mime.types", "nsswitch.conf"):
        if os.path.exists(f"/etc/{name}"):
            cmd += ["--ro-bind", f"/etc/{name}", f"/etc/{name}"]
    cmd += ["--ro-bind", str(scratch.etc / "passwd"), "/etc/passwd",
            "--ro-bind", str(scratch.etc / "group"), "/etc/group"]
    for path in python_paths(course_root):
        if not path.is_relative_to("/usr"):
            cmd += ["--ro-bind", str(path), str(path)]
    cmd += ["--bind", str(scratch.home), SANDBOX_HOME,
            "--bind", str(scratch.ipc), str(scratch.ipc),
            "--chdir", workdir]
    python_bin = str(Path(sys.executable).parent)
    environment = {
        "HOME": SANDBOX_HOME, "USER": "student", "LOGNAME": "student",
        "PATH": f"{python_bin}:/usr/local/bin:/usr/bin:/bin",
        "LANG": "C.UTF-8", "TMPDIR": "/tmp", "PYTHONNOUSERSITE": "1",
        "MPLCONFIGDIR": f"{SANDBOX_HOME}/.config/matplotlib",
        "JUPYTER_PLATFORM_DIRS": "1", "NBGRADER_EXECUTION": "autograde",
    }
    for key, value in environment.items():
        cmd += ["--setenv", key, value]
    cmd += ["--", *kernel_cmd]
    rlimits = [shutil.which("prlimit") or "/usr/bin/prlimit",
               f"--as={limits.memory_bytes}", f"--cpu={limits.cpu_seconds}",
               f"--fsize={limits.file_bytes}", f"--nofile={limits.open_files}",
               "--core=0", f"--nproc={limits.processes}", "--"]
    prefix = rlimits
    if cgroup_procs:
        # Join the cgroup first, so that every process of the sandbox is counted.
        prefix = ["/bin/sh", "-c", f'echo $$ > "{cgroup_procs}" && exec "$@"', "sandbox",
                  *rlimits]
    return prefix + cmd


class SandboxedKernelManager(AsyncKernelManager):
    """A kernel manager whose kernels run in the bubblewrap sandbox (see module docs).

    Set ``Execute.kernel_manager_class`` (nbgrader's autograde) to this class. Interrupts
    are sent as messages, since a signal to ``bwrap`` would not reach the kernel.
    """

    limits = Limits()

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._scratch: Scratch | None = None
        self._cgroup: PidsCgroup | None = None
        self._watch: DiskWatch | None = None
        self.stopped_because: str | None = None  # why the grader killed the kernel, if it did
        self.sandboxed = sandbox_enabled()
        if self.sandboxed:
            self._scratch = Scratch.create()
            self.transport = "ipc"
            self.ip = str(self._scratch.ipc / "kernel")
            self.connection_file = str(self._scratch.ipc / "kernel.json")

    async def _async_pre_start_kernel(self, **kw: Any) -> tuple[list[str], dict[str, Any]]:
        cmd, kw = await super()._async_pre_start_kernel(**kw)
        if self.sandboxed and self.kernel_spec is not None:
            self.kernel_spec.interrupt_mode = "message"
        return cmd, kw

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
        if not self.sandboxed:
            log.warning(UNSAFE_WARNING)
            return await super()._async_launch_kernel(kernel_cmd, **kw)
        bwrap = find_bwrap()
        assert self._scratch is not None
        source = Path(kw.get("cwd") or os.getcwd())
        course_root = _course_root(source)
        work = self._scratch.home / (source.name or "work")
        self._stop_watch()
        self._scratch.empty_writable()  # a restart starts from the submission again
        self.stopped_because = None
        copy_submission(source, work)
        cache = matplotlib_cache()
        if cache:
            target = self._scratch.home / ".config" / "matplotlib"
            target.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(cache, target / cache.name)
        if self._cgroup is None and os.geteuid() == 0:
            self._cgroup = PidsCgroup(self.limits.processes)
            if not self._cgroup.path:
                log.warning("sandbox: running as root without a writable pids cgroup, so "
                            "the process limit is not enforced")
        kw["env"] = {"PATH": "/usr/bin:/bin"}  # bwrap's own; the kernel's is set inside
        kw["stdout"] = subprocess.DEVNULL  # ipykernel's start-up banner; errors stay on stderr
        kw["cwd"] = str(self._scratch.root)
        cmd = bwrap_command(kernel_cmd, scratch=self._scratch,
                            workdir=f"{SANDBOX_HOME}/{work.name}", course_root=course_root,
                            limits=self.limits, bwrap=bwrap,
                            cgroup_procs=self._cgroup.procs_file if self._cgroup else None)
        launched = await super()._async_launch_kernel(cmd, **kw)
        self._watch = DiskWatch(self._scratch.writable, self.limits, self._kill_for)
        return launched

    def _kill_for(self, reason: str) -> None:
        """Stop the sandbox now (from the disk watch): the running cell fails as a dead
        kernel, and ``stopped_because`` says why."""
        self.stopped_because = reason
        log.warning("sandbox: stopped: %s", reason)
        process = getattr(self.provisioner, "process", None)
        with contextlib.suppress(OSError, AttributeError):
            process.kill()  # bwrap: its PID namespace, and every process in it, goes too

    def _stop_watch(self) -> None:
        if self._watch is not None:
            self._watch.close()
            self._watch = None

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        self._stop_watch()
        await super()._async_cleanup_resources(restart=restart)
        if not restart:
            self.release_sandbox()

    # nbclient calls this one after a kernel that died (it calls no shutdown then); the
    # base class binds it to its own method, which would leave the scratch folders behind.
    cleanup_resources = _async_cleanup_resources  # type: ignore[assignment]

    def release_sandbox(self) -> None:
        """Kill anything left of the sandbox and delete its scratch folders."""
        self._stop_watch()
        if self._cgroup is not None:
            self._cgroup.close()
            self._cgroup = None
        if self._scratch is not None:
            self._scratch.remove()
            self._scratch = None

    def __del__(self) -> None:  # last resort: never leave a scratch folder behind
        with contextlib.suppress(Exception):
            self.release_sandbox()


def _course_root(start: Path) -> Path | None:
    """The nearest folder above ``start`` that holds an ``nbgrader_config.py``."""
    for folder in [start, *start.parents]:
        if (folder / "nbgrader_config.py").exists():
            return folder
    return None


def check_sandbox() -> str:
    """Start a trivial command in the sandbox; return bwrap's version or raise a
    :class:`SandboxError` that says why the sandbox cannot run here."""
    bwrap = find_bwrap()
    scratch = Scratch.create()
    try:
        cmd = bwrap_command([sys.executable, "-c", "print('ok')"], scratch=scratch,
                            workdir=SANDBOX_HOME, course_root=None, limits=Limits(),
                            bwrap=bwrap, cgroup_procs=None)
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        if done.returncode != 0 or done.stdout.strip() != "ok":
            raise SandboxError("bubblewrap is installed but cannot start a sandbox here: "
                               f"{done.stderr.strip() or done.returncode}. It needs "
                               "unprivileged user namespaces (see docs/deployment.md).")
        version = subprocess.run([bwrap, "--version"], capture_output=True, text=True)
        return version.stdout.strip()
    finally:
        scratch.remove()
