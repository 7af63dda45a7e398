"""Progress for self-learners: every quiz answer, saved locally and shown per lesson.

Answers go to a JSON file under Jupyter's data directory, or to the file named by the
environment variable ``DEEPFAKE_ETHICS_PROGRESS``. Nothing leaves the computer. Whatever
happens to that file, a lesson goes on: problems are told once, as a warning, in plain words.

* Writes are atomic and serialised by a lock file, so two kernels answering at the same
  time lose nothing. A lock held by another program delays a save (up to
  :data:`LOCK_TIMEOUT_S`); if it is held longer, the answer waits in memory and is saved
  with the next one.
* A file that cannot be used (not UTF-8, not JSON, nested too deep, too large, or with a
  field of the wrong type) is moved aside (``progress.json.corrupt-<time>``) and a fresh
  one is started.
* A file in a read-only place is read; answers given then are kept in memory for this
  session. So are answers when the location cannot be written at all.
* A symlink is followed: the file it points to is read and replaced, the link stays.
* Nothing is recorded while nbgrader executes a notebook (``NBGRADER_EXECUTION`` is set).

Besides the answers, the file keeps a random learner id (it names no one: it seeds the
order in which each quiz shows its options, so that the order stays the same for this
learner from one run to the next), the reasoning a learner writes for a reflection, and,
in a section of its own (``diagnostic``), the answers to the before-and-after diagnostic:
for each moment (``before``, ``after``) the form taken, when it was submitted and the
option chosen for each item. The first submission of a moment is kept; it is a measure.

Each answer is recorded with the version of its quiz (``Quiz.version``, a hash of the
scenario, question and options). A quiz rewritten since it was answered is not counted as
answered until it is answered again; the earlier record is kept under ``earlier``.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import re
import reprlib
import secrets
import tempfile
import typing
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

import msgspec
from msgspec import Meta, Struct

from .schema import error_place

ENV_VAR = "DEEPFAKE_ETHICS_PROGRESS"
FORMAT_VERSION = 1
LOCK_TIMEOUT_S = 5.0  # how long a save waits for another program's lock
MAX_BYTES = 8 * 1024 * 1024  # a record of every quiz is a few kilobytes
MAX_NOTE_CHARS = 20_000  # a learner's reasoning for one reflection
OFFLINE_LEARNER = "nbgrader"  # the learner id while nothing is recorded

Change = Callable[[dict[str, Any]], None]


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


def _clear(data: dict[str, Any]) -> None:
    """Forget every answer and note; the learner id stays, so option orders stay too."""
    learner = data.get("learner")
    data.clear()
    data.update(_empty())
    if isinstance(learner, str):
        data["learner"] = learner


class ProgressStore:
    """The record of quiz answers kept in one JSON file (or in memory as a fallback)."""

    def __init__(self, path: Path | str | None = None):
        self.path = Path(path) if path is not None else default_path()
        self._memory: dict[str, Any] | None = None  # set when the file cannot be written
        self._pending: list[Change] = []  # answers waiting for another program's lock
        self._told: set[str] = set()  # warnings already given in this session
        self._learner: str | None = None

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
            data = self._read_locked_if_possible()
        except OSError as exc:
            self._fall_back(exc, _empty())
            return self._memory  # type: ignore[return-value]
        for change in self._pending:  # answers not saved yet are shown all the same
            change(data)
        return data

    def record(self, quiz_id: str, lesson: str, correct: bool | None,
               choice: list[int], item_version: str | None = None) -> None:
        """Save one answer to the version ``item_version`` of a quiz (``Quiz.version``);
        ``correct`` is None for a reflection. The record of an earlier version of the
        quiz, whose option places meant other options, is kept under ``earlier`` and a
        new record begins, whose first try is this one."""
        if self.disabled():
            return
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        self._change(functools.partial(_apply, quiz_id=quiz_id, lesson=lesson, correct=correct,
                                       choice=list(choice), now=now,
                                       item_version=item_version))

    def learner_id(self) -> str:
        """This learner's random id, made and saved on first use (see the module doc)."""
        if self._learner is None:
            found = self.load().get("learner")
            if not isinstance(found, str):
                if self.disabled():
                    return OFFLINE_LEARNER
                self._change(functools.partial(_set_learner, learner=secrets.token_hex(8)))
                found = self.load()["learner"]  # another kernel may have set it first
            self._learner = found
        return self._learner

    def note(self, quiz_id: str) -> str:
        """The reasoning saved for a reflection, or an empty text."""
        entry = self.load().get("notes", {}).get(quiz_id)
        return entry["text"] if entry else ""

    def save_note(self, quiz_id: str, lesson: str, text: str) -> None:
        """Save the learner's own reasoning for a reflection (an empty text removes it)."""
        if self.disabled():
            return
        if len(text) > MAX_NOTE_CHARS:
            raise ValueError(f"a note has at most {MAX_NOTE_CHARS} characters")
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        self._change(functools.partial(_apply_note, quiz_id=quiz_id, lesson=lesson,
                                       text=text, now=now))

    def record_diagnostic(self, moment: str, form: str,
                          answers: dict[str, dict[str, Any]]) -> None:
        """Save a submitted form of the diagnostic: ``answers`` maps each item id to its
        ``faq``, the ``choice`` (the option's place in the content file) and whether it was
        ``correct``. A moment already recorded is kept as it was (the first try counts)."""
        if self.disabled():
            return
        if moment not in DIAGNOSTIC_MOMENTS:
            raise ValueError(f"a diagnostic moment is one of {DIAGNOSTIC_MOMENTS}, not {moment!r}")
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        entry = {"form": form, "submitted": now,
                 "answers": {item: {"faq": a["faq"], "choice": int(a["choice"]),
                                    "correct": bool(a["correct"])}
                             for item, a in answers.items()}}
        problem = _diagnostic_problem({moment: entry})
        if problem:
            raise ValueError(problem)
        self._change(functools.partial(_apply_diagnostic, moment=moment, entry=entry))

    def diagnostic(self, moment: str) -> dict[str, Any] | None:
        """The submitted form of the diagnostic for ``moment`` ("before" or "after"), or None."""
        return self.load().get("diagnostic", {}).get(moment)

    def reset(self) -> None:
        """Forget every answer (the old file is replaced by an empty one)."""
        self._pending.clear()
        self._change(_clear)

    # -- file handling ----------------------------------------------------------------
    def _target(self) -> Path:
        """The file itself: a symlink is followed, so that it is never replaced."""
        return Path(os.path.realpath(self.path))

    def _lock(self):
        from filelock import FileLock

        target = self._target()
        target.parent.mkdir(parents=True, exist_ok=True)
        return FileLock(str(target) + ".lock", timeout=LOCK_TIMEOUT_S)

    def _change(self, change: Change) -> None:
        """Apply ``change`` to the file, or keep it for later, or in memory if need be."""
        if self._memory is not None:
            change(self._memory)
            return
        self._pending.append(change)
        from filelock import Timeout

        try:
            with self._lock():
                data = self._read()
                for pending in self._pending:
                    pending(data)
                self._write(data)
        except Timeout:
            self._tell("busy", f"Your progress file {self.path} is busy (another program is "
                       "using it), so your answer is not saved yet. It is kept, and saved with "
                       "your next one.")
            return
        except OSError as exc:
            try:
                data = self._read(set_aside=False)
            except OSError:
                data = _empty()
            for pending in self._pending:
                pending(data)
            self._pending.clear()
            self._fall_back(exc, data)
            return
        self._pending.clear()

    def _read_locked_if_possible(self) -> dict[str, Any]:
        """Read under the lock, so that an unusable file may be set aside; else without."""
        try:
            with self._lock():
                return self._read()
        except OSError:  # busy, or no lock file can be made here (a read-only place)
            pass
        return self._read(set_aside=False)  # safe: writes replace the file in one step

    def _read(self, set_aside: bool = True) -> dict[str, Any]:
        target = self._target()
        try:
            with open(target, "rb") as fh:
                raw = fh.read(MAX_BYTES + 1)
        except FileNotFoundError:
            return _empty()
        data, problem = _parse(raw)
        if problem is None:
            return data
        if set_aside:
            self._set_aside(target, problem)
        else:
            self._tell("unreadable", f"Your progress file {self.path} could not be read "
                       f"({problem}). It is left as it is, and a new record is started.")
        return _empty()

    def _set_aside(self, target: Path, problem: str) -> None:
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        aside = target.with_name(f"{target.name}.corrupt-{stamp}")
        try:
            os.replace(target, aside)
        except FileNotFoundError:
            return  # another kernel already moved it
        warnings.warn(
            f"Your progress file {self.path} could not be read ({problem}), so it was kept as "
            f"{aside} and a new one was started.", ProgressWarning, stacklevel=5)

    def _write(self, data: dict[str, Any]) -> None:
        target = self._target()
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(data, fh, indent=1, sort_keys=True)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def _fall_back(self, exc: OSError, data: dict[str, Any]) -> None:
        """Keep answers in memory from now on, starting from ``data``."""
        self._memory = data
        self._tell("memory", f"Progress cannot be saved at {self.path} ({exc.strerror or exc}); "
                   "your answers are kept in memory for this session only. Set "
                   f"{ENV_VAR} to a writable file to keep them.")

    def _tell(self, topic: str, message: str) -> None:
        """Warn about ``topic`` once per session."""
        if topic not in self._told:
            self._told.add(topic)
            warnings.warn(message, ProgressWarning, stacklevel=4)


def _parse(raw: bytes) -> tuple[dict[str, Any], None] | tuple[None, str]:
    """The record in ``raw``, or why it cannot be used (in plain words)."""
    if len(raw) > MAX_BYTES:
        return None, f"larger than {MAX_BYTES // (1024 * 1024)} MB"
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return None, "not UTF-8 text"
    except RecursionError:
        return None, "nested too deeply"
    except ValueError:
        return None, "not valid JSON"
    problem = _problem(data)
    return (None, problem) if problem else (data, None)


# The shape of progress.json. A field's ``description`` is what an error says it should be.
Text = Annotated[str, Meta(description="should be text")]
Answer = Annotated[bool | None, Meta(description="should be true, false or null")]
Moment = Literal["before", "after"]
DIAGNOSTIC_MOMENTS = get_args(Moment)
MAX_DIAGNOSTIC_ITEMS = 100  # a form has eleven


class QuizRecord(Struct, forbid_unknown_fields=True):
    """Every answer to one quiz: how many tries, the first and the last."""

    lesson: Text
    attempts: Annotated[int, Meta(ge=1, description="should be a whole number, at least 1")]
    first_correct: Answer
    correct: Answer
    choice: Annotated[list[Annotated[int, Meta(ge=0)]],
                      Meta(description="should be a list of option numbers")]
    first_answered: Text
    last_answered: Text
    # The quiz's version when answered (``Quiz.version``); records older than versions have none.
    item_version: Annotated[str, Meta(max_length=64)] | msgspec.UnsetType = msgspec.UNSET


class Note(Struct, forbid_unknown_fields=True):
    """A learner's reasoning for a reflection."""

    lesson: str
    text: Annotated[str, Meta(max_length=MAX_NOTE_CHARS)]
    saved: str


class DiagnosticAnswer(Struct, forbid_unknown_fields=True):
    faq: Annotated[str, Meta(max_length=8)]
    choice: Annotated[int, Meta(ge=0)]  # the option's place in the content file
    correct: bool


class DiagnosticForm(Struct, forbid_unknown_fields=True):
    """One submitted form of the diagnostic."""

    form: Annotated[str, Meta(min_length=1, max_length=8)]
    submitted: Annotated[str, Meta(max_length=64)]
    answers: Annotated[dict[str, DiagnosticAnswer], Meta(max_length=MAX_DIAGNOSTIC_ITEMS)]


class Record(Struct, forbid_unknown_fields=True):
    """The whole of progress.json."""

    version: Literal[1]  # FORMAT_VERSION
    quizzes: dict[str, QuizRecord]
    learner: Annotated[str, Meta(min_length=1, max_length=64)] | msgspec.UnsetType = msgspec.UNSET
    notes: dict[str, Note] = {}
    diagnostic: dict[Moment, DiagnosticForm] = {}
    # Records of earlier versions of a quiz, kept when it was answered again as rewritten.
    earlier: dict[str, Annotated[list[QuizRecord], Meta(max_length=50)]] = {}


def _problem(data: Any) -> str | None:
    """What is wrong with a parsed record, or None (in plain words)."""
    steps = _failure(data, Record)
    if steps is None:
        return None
    top, inside = (steps[0], len(steps) > 1) if steps else (None, False)
    if top == "version":
        return f"format version {reprlib.repr(data['version'])}, expected {FORMAT_VERSION}"
    if top == "quizzes" and inside:
        for quiz_id, entry in data["quizzes"].items():
            problem = _entry_problem(entry)
            if problem:
                return f"quiz {reprlib.repr(quiz_id)}: {problem}"
    if top == "learner":
        return f"'learner' should be a short text, not {reprlib.repr(data['learner'])}"
    if top == "notes" and not inside:
        return "'notes' should be a mapping of quiz ids"
    if top == "notes":
        bad = next(k for k, v in data["notes"].items() if _failure(v, Note) is not None)
        return f"note for {reprlib.repr(bad)}: should hold lesson, text and saved"
    if top == "diagnostic":
        return _diagnostic_problem(data["diagnostic"])
    return "not a progress record"


def _failure(value: Any, shape: Any) -> list[str | int] | None:
    """Where ``value`` does not match ``shape`` (``[]`` for the whole), or None if it does."""
    try:
        msgspec.convert(value, shape)
    except msgspec.ValidationError as exc:
        return error_place(str(exc))[1]
    return None


def _diagnostic_problem(section: Any) -> str | None:
    """What is wrong with the ``diagnostic`` section of a record, or None."""
    if not isinstance(section, dict):
        return "'diagnostic' should be a mapping of moments (before, after)"
    for moment, entry in section.items():
        where = f"diagnostic {reprlib.repr(moment)}"
        if moment not in DIAGNOSTIC_MOMENTS:
            return f"{where}: a moment is one of {', '.join(DIAGNOSTIC_MOMENTS)}"
        steps = _failure(entry, DiagnosticForm)
        if steps is None:
            continue
        if steps[:1] in (["form"], ["submitted"]):
            return f"{where}: 'form' and 'submitted' should be short texts"
        if steps == ["answers"]:
            return f"{where}: 'answers' should be a mapping of item ids"
        if steps[:1] == ["answers"]:
            bad = next(k for k, v in entry["answers"].items()
                       if _failure(v, DiagnosticAnswer) is not None)
            return (f"{where}: answer to {reprlib.repr(bad)} should hold faq, choice "
                    "(an option number) and correct (true or false)")
        return f"{where}: should hold form, submitted and answers"
    return None


def _entry_problem(entry: Any) -> str | None:
    try:
        msgspec.convert(entry, QuizRecord)
    except msgspec.ValidationError as exc:
        problem, steps = error_place(str(exc))
        if m := re.fullmatch(r"Object missing required field `(.*)`", problem):
            return f"'{m[1]}' is missing"
        if m := re.fullmatch(r"Object contains unknown field `(.*)`", problem):
            return f"unknown field {reprlib.repr(m[1])}"
        if not steps:
            return "not a mapping of fields"
        field = str(steps[0])
        wanted = typing.get_type_hints(QuizRecord, include_extras=True)[field].__metadata__[0]
        return f"'{field}' {wanted.description}, not {reprlib.repr(entry[field])}"
    return None


def _apply(data: dict[str, Any], quiz_id: str, lesson: str, correct: bool | None,
           choice: list[int], now: str, item_version: str | None) -> None:
    entry = data["quizzes"].get(quiz_id)
    if entry is not None and item_version and entry.get("item_version") != item_version:
        data.setdefault("earlier", {}).setdefault(quiz_id, []).append(entry)
        entry = None
    if entry is None:
        entry = data["quizzes"][quiz_id] = {
            "lesson": lesson, "attempts": 0, "first_correct": correct, "first_answered": now}
        if item_version:
            entry["item_version"] = item_version
    entry["attempts"] = int(entry.get("attempts", 0)) + 1
    entry["correct"] = correct
    entry["choice"] = list(choice)
    entry["last_answered"] = now


def _set_learner(data: dict[str, Any], learner: str) -> None:
    data.setdefault("learner", learner)


def _apply_diagnostic(data: dict[str, Any], moment: str, entry: dict[str, Any]) -> None:
    data.setdefault("diagnostic", {}).setdefault(moment, entry)


def _apply_note(data: dict[str, Any], quiz_id: str, lesson: str, text: str, now: str) -> None:
    notes = data.setdefault("notes", {})
    if text.strip():
        notes[quiz_id] = {"lesson": lesson, "text": text, "saved": now}
    else:
        notes.pop(quiz_id, None)


_default: ProgressStore | None = None


def default_store() -> ProgressStore:
    """The store the lessons use (created on first use, at :func:`default_path`)."""
    global _default
    path = default_path()
    if _default is None or _default.path != path:
        _default = ProgressStore(path)
    return _default


def summary(store: ProgressStore | None = None) -> list[dict[str, Any]]:
    """Per lesson: title, number of quizzes (``scored``: those with a right answer),
    answered (``scored_answered``: of the scored ones), and right at the first try.
    An answer to an earlier version of a quiz (rewritten since, see ``Quiz.version``)
    counts in ``earlier_versions`` only, until the quiz is answered again.

    An alternative activity (``notebooks/alternatives/``) has a row of its own right after
    the lesson it replaces, whose name its ``alternative_to`` gives (None for a lesson);
    :func:`course_totals` counts one of the two."""
    from .bank import alternative_lessons, quizzes

    record = (store or default_store()).load()["quizzes"]
    rows: dict[str, dict[str, Any]] = {}
    for quiz in quizzes().values():
        row = rows.setdefault(quiz.lesson, {
            "lesson": quiz.lesson, "title": quiz.lesson_title, "quizzes": 0, "scored": 0,
            "answered": 0, "scored_answered": 0, "first_try_right": 0,
            "earlier_versions": 0, "alternative_to": None})
        row["quizzes"] += 1
        row["scored"] += quiz.kind != "reflection"
        entry = record.get(quiz.id)
        if entry and entry.get("item_version") != quiz.version:
            row["earlier_versions"] += 1  # answered as it was worded before: not counted
        elif entry:
            row["answered"] += 1
            row["scored_answered"] += quiz.kind != "reflection"
            row["first_try_right"] += entry.get("first_correct") is True
    alternatives = alternative_lessons()
    lessons = [r for r in rows.values() if r["lesson"] not in alternatives]
    ordered = []
    for row in lessons:
        ordered.append(row)
        for alt in rows.values():
            if alt["lesson"] in alternatives and alt["lesson"][:2] == row["lesson"][:2]:
                alt["alternative_to"] = row["lesson"]
                ordered.append(alt)
    return ordered + [r for r in rows.values() if r not in ordered]


def course_totals(rows: list[dict[str, Any]]) -> tuple[int, int]:
    """(answered, quizzes) over the course, counting a lesson or its alternative activity,
    whichever the learner answered more of (the lesson when neither or both equally)."""
    answered = total = 0
    taken: dict[str, dict[str, Any]] = {}
    for row in rows:
        lesson = row["alternative_to"] or row["lesson"]
        if lesson not in taken or row["answered"] > taken[lesson]["answered"]:
            taken[lesson] = row
    for row in taken.values():
        answered += row["answered"]
        total += row["quizzes"]
    return answered, total


def reset_progress(store: ProgressStore | None = None) -> None:
    """Start the course again: forget every answer and note in your progress file (the
    order in which you see each quiz's options stays the same)."""
    (store or default_store()).reset()
