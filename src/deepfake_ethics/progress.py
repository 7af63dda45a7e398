"""Progress for self-learners: every quiz answer, saved locally and shown per lesson.

Answers go to a JSON file under Jupyter's data directory, or to the file named by the
environment variable ``DEEPFAKE_ETHICS_PROGRESS``. Nothing leaves the computer.

* Writes are atomic and serialised by a lock file, so two kernels answering at the same
  time lose nothing.
* A corrupted file is moved aside (``progress.json.corrupt-<time>``) with a warning and a
  fresh one is started.
* A location that cannot be written falls back to memory for this session, with a warning.
* Nothing is recorded while nbgrader executes a notebook (``NBGRADER_EXECUTION`` is set).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
import warnings
from pathlib import Path
from typing import Any

ENV_VAR = "DEEPFAKE_ETHICS_PROGRESS"
FORMAT_VERSION = 1
LOCK_TIMEOUT_S = 10.0


class ProgressWarning(UserWarning):
    """Progress could not be read or saved as usual; the lesson goes on."""


def default_path() -> Path:
    """Where progress is kept: ``$DEEPFAKE_ETHICS_PROGRESS`` or Jupyter's data directory."""
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR]).expanduser()
    from jupyter_core.paths import jupyter_data_dir

    return Path(jupyter_data_dir()) / "deepfake-ethics" / "progress.json"


def _empty() -> dict[str, Any]:
    return {"version": FORMAT_VERSION, "quizzes": {}}


def _is_valid(data: Any) -> bool:
    return (
        isinstance(data, dict)
        and data.get("version") == FORMAT_VERSION
        and isinstance(data.get("quizzes"), dict)
        and all(isinstance(v, dict) for v in data["quizzes"].values())
    )


class ProgressStore:
    """The record of quiz answers kept in one JSON file (or in memory as a fallback)."""

    def __init__(self, path: Path | str | None = None):
        self.path = Path(path) if path is not None else default_path()
        self._memory: dict[str, Any] | None = None  # set when the file cannot be used

    @property
    def in_memory(self) -> bool:
        """True when the file location is unusable and answers live only in this session."""
        return self._memory is not None

    @staticmethod
    def disabled() -> bool:
        """True while nbgrader executes a notebook: then nothing is recorded."""
        return bool(os.environ.get("NBGRADER_EXECUTION"))

    def load(self) -> dict[str, Any]:
        """The whole record: ``{"version": 1, "quizzes": {quiz_id: entry}}``."""
        if self._memory is not None:
            return self._memory
        try:
            with self._lock():  # a corrupted file is set aside only while no one writes
                return self._read()
        except OSError as exc:
            self._fall_back(exc)
            return self._memory  # type: ignore[return-value]

    def record(self, quiz_id: str, lesson: str, correct: bool | None,
               choice: list[int]) -> None:
        """Save one answer; ``correct`` is None for a reflection."""
        if self.disabled():
            return
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        if self._memory is not None:
            _apply(self._memory, quiz_id, lesson, correct, choice, now)
            return
        try:
            self._update(lambda data: _apply(data, quiz_id, lesson, correct, choice, now))
        except OSError as exc:
            self._fall_back(exc)
            _apply(self._memory, quiz_id, lesson, correct, choice, now)  # type: ignore[arg-type]

    def reset(self) -> None:
        """Forget every answer (the old file is replaced by an empty one)."""
        if self._memory is not None:
            self._memory = _empty()
            return
        self._update(lambda data: data.update(_empty()))

    # -- file handling ----------------------------------------------------------------
    def _lock(self):
        from filelock import FileLock

        self.path.parent.mkdir(parents=True, exist_ok=True)
        return FileLock(str(self.path) + ".lock", timeout=LOCK_TIMEOUT_S)

    def _read(self) -> dict[str, Any]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return _empty()
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        if _is_valid(data):
            return data
        self._set_aside()
        return _empty()

    def _set_aside(self) -> None:
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        try:
            os.replace(self.path, aside)
        except FileNotFoundError:
            return  # another kernel already moved it
        warnings.warn(
            f"Your progress file {self.path} could not be read, so it was kept as {aside} "
            "and a new one was started.", ProgressWarning, stacklevel=4)

    def _update(self, change) -> None:
        with self._lock():
            data = self._read()
            change(data)
            self._write(data)

    def _write(self, data: dict[str, Any]) -> None:
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(data, fh, indent=1, sort_keys=True)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def _fall_back(self, exc: OSError) -> None:
        if self._memory is None:
            warnings.warn(
                f"Progress cannot be saved at {self.path} ({exc.strerror or exc}); answers are "
                f"kept in memory for this session only. Set {ENV_VAR} to a writable file to "
                "keep them.", ProgressWarning, stacklevel=4)
            self._memory = _empty()


def _apply(data: dict[str, Any], quiz_id: str, lesson: str, correct: bool | None,
           choice: list[int], now: str) -> None:
    entry = data["quizzes"].get(quiz_id)
    if entry is None:
        entry = data["quizzes"][quiz_id] = {
            "lesson": lesson, "attempts": 0, "first_correct": correct, "first_answered": now}
    entry["attempts"] = int(entry.get("attempts", 0)) + 1
    entry["correct"] = correct
    entry["choice"] = list(choice)
    entry["last_answered"] = now


_default: ProgressStore | None = None


def default_store() -> ProgressStore:
    """The store the lessons use (created on first use, at :func:`default_path`)."""
    global _default
    path = default_path()
    if _default is None or _default.path != path:
        _default = ProgressStore(path)
    return _default


def summary(store: ProgressStore | None = None) -> list[dict[str, Any]]:
    """Per lesson: title, number of quizzes, answered, and right at the first try."""
    from .bank import quizzes

    record = (store or default_store()).load()["quizzes"]
    rows: dict[str, dict[str, Any]] = {}
    for quiz in quizzes().values():
        row = rows.setdefault(quiz.lesson, {
            "lesson": quiz.lesson, "title": quiz.lesson_title, "quizzes": 0, "scored": 0,
            "answered": 0, "first_try_right": 0})
        row["quizzes"] += 1
        row["scored"] += quiz.kind != "reflection"
        entry = record.get(quiz.id)
        if entry:
            row["answered"] += 1
            row["first_try_right"] += entry.get("first_correct") is True
    return list(rows.values())


def show_progress(store: ProgressStore | None = None):
    """A chart of quizzes answered, and answered right at the first try, per lesson."""
    from .plots import PALETTE, axes_with_margins, new_figure, render

    rows = summary(store)
    labels = [f"{r['lesson'][:2]} {r['title']}" for r in rows][::-1]
    fig = new_figure(8, 1.3 + 0.5 * len(rows), layout=None)
    ax = axes_with_margins(fig, labels, title="Your progress", extra_top=0.2)
    ys = range(len(rows))
    rev = rows[::-1]
    ax.barh(ys, [r["quizzes"] for r in rev], color="white", edgecolor="#555555",
            label="quizzes in the lesson")
    ax.barh(ys, [r["answered"] for r in rev], color=PALETTE[5], edgecolor="#555555",
            hatch="//", label="answered")
    ax.barh(ys, [r["first_try_right"] for r in rev], height=0.4, color=PALETTE[0],
            edgecolor="black", label="right at the first try")
    for y, r in zip(ys, rev, strict=True):
        ax.annotate(f"  {r['answered']}/{r['quizzes']} answered, {r['first_try_right']} right "
                    "first time", (r["quizzes"], y), va="center", fontsize=9)
    ax.set_yticks(list(ys), labels)
    most = max((r["quizzes"] for r in rows), default=1)
    ax.set_xlim(0, most * 2.1)
    ax.set_xlabel("Quizzes")
    ax.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=3, fontsize=8,
              frameon=False)
    answered = sum(r["answered"] for r in rows)
    total = sum(r["quizzes"] for r in rows)
    alt = "Bar chart of quiz progress per lesson. " + "; ".join(
        f"{r['title']}: {r['answered']} of {r['quizzes']} answered, "
        f"{r['first_try_right']} right at the first try" for r in rows) + "."
    caption = f"You have answered {answered} of {total} quizzes."
    if (store or default_store()).in_memory:
        caption += " Progress is kept in memory only for this session."
    return render(fig, alt, caption)
