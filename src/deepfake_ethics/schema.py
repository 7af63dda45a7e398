"""The shape of the course content (quizzes and figures) and its validation.

Content files are YAML, one per lesson for quizzes and one per figure. Their shapes are
declared as :mod:`msgspec` structs, whose ``__post_init__`` keeps the rules that join fields
(one right option in a single-answer quiz, say); :func:`validate` turns a parsed file into
them, or raises :class:`ContentError` naming the file, the item (quiz or figure id) and the
field that is wrong. The quizzes and figures the course uses are frozen structs too.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import re
import typing
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

import msgspec
from msgspec import Meta, Struct

QuizKind = Literal["single", "multiple", "reflection"]
QUIZ_KINDS = typing.get_args(QuizKind)
DiagnosticForm = Literal["A", "B"]  # the two parallel forms of the before-and-after diagnostic
DIAGNOSTIC_FORMS = typing.get_args(DiagnosticForm)
DIAGNOSTIC_OPTIONS = 4  # every diagnostic item: one right option among four
FIGURE_KINDS = ("timeline", "bars", "flow")
FlowGroup = Literal["input", "model", "output", "check"]  # the styles a flow node may take
FLOW_GROUPS = typing.get_args(FlowGroup)

# Strings arrive stripped (see _plain), so "non-empty" means "not blank".
_ID = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
_URL = r"^https://"
_DATE = r"^\d{4}(-\d{2}(-\d{2})?)?$"
_DAY = r"^\d{4}-\d{2}-\d{2}$"
_FAQ = r"^[LEP][1-9]$"  # legal, ethical, pornography; listed in faq.yaml
Text = Annotated[str, Meta(min_length=1)]
Id = Annotated[str, Meta(pattern=_ID)]
Url = Annotated[str, Meta(pattern=_URL)]
Date = Annotated[str, Meta(pattern=_DATE)]  # YYYY, YYYY-MM or YYYY-MM-DD
Day = Annotated[str, Meta(pattern=_DAY)]  # YYYY-MM-DD: when something was checked
FaqId = Annotated[str, Meta(pattern=_FAQ)]
# What a failed pattern means, in the words of an error message.
PATTERN_PROBLEMS = {
    _ID: "use lower-case words joined by hyphens, e.g. 'l1-selling-an-app'",
    _URL: "expected an https:// address",
    _DATE: "expected a date as YYYY, YYYY-MM or YYYY-MM-DD",
    _DAY: "give the full day, YYYY-MM-DD",
    _FAQ: "expected an FAQ id such as 'L1' or 'E3'",
}
_DATE_KEYS = ("date", "checked", "resolved")  # YAML reads 2024-01-31 as a date, 2019 as a number


class ContentError(ValueError):
    """A content file does not match the schema; the message says where and why."""

    def __init__(self, path: Path | str, item: str | None, field: str | None, problem: str):
        self.path, self.item, self.field, self.problem = str(path), item, field, problem
        where = [f"{self.path}"]
        if item:
            where.append(f"item '{item}'")
        if field:
            where.append(f"field '{field}'")
        super().__init__(": ".join(where) + f": {problem}")


def invalid(field: str, problem: str) -> ValueError:
    """A rule joining fields is broken: raise it in a struct's ``__post_init__``."""
    return ValueError(f"[{field}] {problem}")


class Strict(Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The base of every content struct: read-only, no unknown fields; fields are given by
    name (``kw_only=True``, repeated in each subclass, as msgspec asks)."""


class Source(Strict, kw_only=True):
    """A citation: what it is, where to find it, and the date the claim refers to."""

    title: Text
    url: Url
    date: Date


class Option(Strict, kw_only=True):
    """One answer option with the feedback shown when it is chosen."""

    text: Text
    feedback: Text
    correct: bool = False


class _Scenario(Strict, kw_only=True):
    """What every scenario item holds, in a lesson's quizzes and in the diagnostic."""

    id: Id
    title: Text
    scenario: Text
    question: Text
    options: Annotated[tuple[Option, ...], Meta(min_length=2)]
    explanation: Text
    sources: Annotated[tuple[Source, ...], Meta(min_length=1)]
    faq: FaqId | None = None
    shuffle: bool = True  # options shown in an order of their own for each learner

    @property
    def version(self) -> str:
        """A short hash of what an answer means: the scenario, the question and the
        options with their places and keys (not the feedback, hint or explanation, whose
        rewording leaves earlier answers valid). Progress records it with each answer."""
        meaning = [self.scenario, self.question, [[o.text, o.correct] for o in self.options]]
        return hashlib.sha256(msgspec.json.encode(meaning)).hexdigest()[:12]


class QuizItem(_Scenario, kw_only=True):
    """A quiz as a lesson's quiz file gives it."""

    kind: QuizKind
    discussion: tuple[Text, ...] = ()
    hint: str = ""  # shown after a wrong first try, before the explanation

    def __post_init__(self) -> None:
        _check_answers(self.kind, self.options)
        if self.kind == "reflection":
            if not self.discussion:
                raise invalid("discussion", "a reflection needs discussion points")
            if self.hint:
                raise invalid("hint", "a reflection has no wrong answer, so no hint")
        elif not self.hint:
            raise invalid("hint", "missing")
        for o in self.options:
            if o.correct and o.text.lower() in self.hint.lower():
                raise invalid("hint", "quotes a right option: a hint points the way, it does "
                                      "not give the answer")


class DiagnosticItem(_Scenario, kw_only=True):
    """An item of the diagnostic: one answer of four, one FAQ, one form, no hint (a
    measure gives no feedback until a whole form is submitted)."""

    form: DiagnosticForm
    faq: FaqId

    def __post_init__(self) -> None:
        if len(self.options) != DIAGNOSTIC_OPTIONS:
            raise invalid("options", f"a diagnostic item has {DIAGNOSTIC_OPTIONS} options, "
                                     f"not {len(self.options)}")
        _check_answers("single", self.options)


def _check_answers(kind: str, options: tuple[Option, ...]) -> None:
    n_right = sum(o.correct for o in options)
    for i, o in enumerate(options):
        if o.correct and kind == "reflection":
            raise invalid(f"options[{i}].correct", "a reflection has no right answer")
    if kind == "single" and n_right != 1:
        raise invalid("options", f"a 'single' quiz needs exactly one correct option, has {n_right}")
    if kind == "multiple" and n_right < 1:
        raise invalid("options", "a 'multiple' quiz needs at least one correct option")


class Quiz(_Scenario, kw_only=True):
    """A scenario quiz of a lesson (one answer, several answers, or a reflection), or an
    item of the diagnostic (``form`` "A" or "B")."""

    lesson: str
    lesson_title: str
    kind: str
    discussion: tuple[str, ...] = ()
    hint: str = ""
    form: str | None = None  # a diagnostic item's form ("A" or "B"); None for a quiz

    @property
    def correct_indices(self) -> frozenset[int]:
        """Indices of the right options (empty for a reflection)."""
        return frozenset(i for i, o in enumerate(self.options) if o.correct)

    def mark(self, chosen: tuple[int, ...] | list[int]) -> bool | None:
        """Whether the chosen options (places in this file) are exactly the right ones;
        None for a reflection, which has no right answer."""
        if self.kind == "reflection":
            return None
        return set(chosen) == set(self.correct_indices)


class QuizFile(Strict, kw_only=True):
    """One lesson's quiz file."""

    lesson: Text
    title: Text
    quizzes: Annotated[tuple[QuizItem, ...], Meta(min_length=1)]


class DiagnosticFile(Strict, kw_only=True):
    """The before-and-after diagnostic."""

    title: Text
    items: Annotated[tuple[DiagnosticItem, ...], Meta(min_length=1)]


class TimelineEvent(Strict, kw_only=True):
    """One dated event on a lane of a timeline."""

    date: Date
    label: Text
    lane: Text


class Timeline(Strict, kw_only=True):
    """Events on named lanes (one lane a country, say), in date order."""

    lanes: tuple[str, ...]
    events: tuple[TimelineEvent, ...]


class Bar(Strict, kw_only=True):
    """One labelled value of a bar chart, with an optional note."""

    label: Text
    value: float
    note: str = ""


class Reference(Strict, kw_only=True):
    """A reference line across a bar chart (chance level, say)."""

    value: float
    label: Text


class Bars(Strict, kw_only=True):
    """A horizontal bar chart."""

    bars: tuple[Bar, ...]
    unit: str
    xlabel: str
    reference: Reference | None = None


class FlowNode(Strict, kw_only=True):
    """A box of a flow diagram, placed on a 10 x 6 grid."""

    id: Text
    label: Text
    x: float
    y: float
    group: FlowGroup | Literal[""] = ""  # "" for the plain style


class FlowEdge(Strict, kw_only=True, rename={"source": "from", "target": "to"}):
    """An arrow between two boxes, with an optional label."""

    source: Text
    target: Text
    label: str = ""


class Flow(Strict, kw_only=True):
    """A flow diagram: boxes and arrows."""

    nodes: tuple[FlowNode, ...]
    edges: tuple[FlowEdge, ...]


class FigureSpec(Strict, kw_only=True):
    """A figure described as data: what to draw, its alt text, caption and sources."""

    id: str
    kind: str
    title: str
    alt: str
    caption: str
    sources: tuple[Source, ...]
    data: Timeline | Bars | Flow


class _Figure(Strict, kw_only=True, tag_field="kind"):
    """What every figure file holds; its ``kind`` picks the rest."""

    id: Id
    title: Text
    alt: Text
    caption: Text
    sources: tuple[Source, ...] = ()

    def spec(self) -> FigureSpec:
        return FigureSpec(id=self.id, kind=str(self.__struct_config__.tag), title=self.title,
                          alt=self.alt, caption=self.caption, sources=self.sources,
                          data=self.data())

    def data(self) -> Timeline | Bars | Flow:
        raise NotImplementedError


class TimelineFile(_Figure, kw_only=True, tag="timeline"):
    lanes: Annotated[tuple[Text, ...], Meta(min_length=1)]
    events: Annotated[tuple[TimelineEvent, ...], Meta(min_length=1)]

    def __post_init__(self) -> None:
        for i, event in enumerate(self.events):
            if event.lane not in self.lanes:
                raise invalid(f"events[{i}].lane", f"not one of the lanes {list(self.lanes)}")

    def data(self) -> Timeline:
        return Timeline(lanes=self.lanes, events=tuple(sorted(self.events, key=lambda e: e.date)))


class BarsFile(_Figure, kw_only=True, tag="bars"):
    unit: Text
    bars: Annotated[tuple[Bar, ...], Meta(min_length=1)]
    reference: Reference | None = None
    xlabel: str = ""

    def data(self) -> Bars:
        return Bars(bars=self.bars, unit=self.unit, xlabel=self.xlabel or self.unit,
                    reference=self.reference)


class FlowFile(_Figure, kw_only=True, tag="flow"):
    nodes: Annotated[tuple[FlowNode, ...], Meta(min_length=2)]
    edges: Annotated[tuple[FlowEdge, ...], Meta(min_length=1)]

    def __post_init__(self) -> None:
        ids = {n.id for n in self.nodes}
        for i, edge in enumerate(self.edges):
            for end, name in (("from", edge.source), ("to", edge.target)):
                if name not in ids:
                    raise invalid(f"edges[{i}].{end}", "names no node")

    def data(self) -> Flow:
        return Flow(nodes=self.nodes, edges=self.edges)


def parse_quiz_file(data: Any, path: Path | str) -> list[Quiz]:
    """Validate one lesson's quiz file (already parsed from YAML) and return its quizzes."""
    file = validate(data, QuizFile, path, items="quizzes")
    quizzes = [Quiz(lesson=file.lesson, lesson_title=file.title, **msgspec.structs.asdict(q))
               for q in file.quizzes]
    _unique(quizzes, path)
    return quizzes


def parse_diagnostic_file(data: Any, path: Path | str) -> list[Quiz]:
    """Validate the diagnostic file (already parsed from YAML) and return its items.

    Each item is a :class:`DiagnosticItem`. That each form has one item per FAQ, and that
    no item is also a quiz, is checked against the rest of the content in
    :func:`deepfake_ethics.bank.diagnostic_items`."""
    file = validate(data, DiagnosticFile, path, items="items")
    items = [Quiz(lesson="diagnostic", lesson_title=file.title, kind="single",
                  **msgspec.structs.asdict(q)) for q in file.items]
    _unique(items, path)
    return items


def _unique(quizzes: list[Quiz], path: Path | str) -> None:
    seen: set[str] = set()
    for q in quizzes:
        if q.id in seen:
            raise ContentError(path, q.id, "id", "used twice in this file")
        seen.add(q.id)


def parse_figure_file(data: Any, path: Path | str) -> FigureSpec:
    """Validate one figure file (already parsed from YAML) and return the figure."""
    figure = validate(data, TimelineFile | BarsFile | FlowFile, path)  # type: ignore[arg-type]
    return figure.spec()


# -- validation --------------------------------------------------------------------------------

S = TypeVar("S")
_SEGMENT = re.compile(r"\.([^.\[]+)|\[(\d+|\.\.\.)\]")
_NAMES = {"array": "list", "object": "mapping", "str": "text", "null": "nothing"}


def validate(data: Any, model: type[S], path: Path | str, items: tuple[str, ...] | str = (),
             item: str | None = None) -> S:
    """``data`` (parsed YAML) as ``model``, or a :class:`ContentError` naming the file, the
    item and the field. An error inside a list named in ``items`` names the entry by its
    ``id`` (or its place, ``quizzes[3]``); otherwise the item is ``item``, or the file's ``id``."""
    try:
        return msgspec.convert(_plain(data), model)
    except msgspec.ValidationError as exc:
        items = (items,) if isinstance(items, str) else items
        raise _error(str(exc), data, model, path, items, item) from None


def error_place(message: str) -> tuple[str, list[str | int]]:
    """A msgspec validation message split into its problem and the steps to its place:
    ``"Expected `int` - at `$.a[2]`"`` gives ``("Expected `int`", ["a", 2])`` (a mapping's
    key, which msgspec does not say, is ``"..."``)."""
    problem, _, where = message.partition(" - at `")
    return problem, [int(m[2]) if (m[2] or "").isdigit() else (m[1] or m[2])
                     for m in _SEGMENT.finditer(where.rstrip("`"))]


def _plain(value: Any, key: Any = None) -> Any:
    """YAML's values as the schema reads them: texts stripped, dates as ISO text, a field
    set to nothing (``~``) as if left out."""
    if isinstance(value, dict):
        return {k: _plain(v, k) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, _dt.date):
        return value.isoformat()
    if key in _DATE_KEYS and isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def _error(message: str, data: Any, model: Any, path: Path | str, items: tuple[str, ...],
           item: str | None) -> ContentError:
    problem, steps = error_place(message)
    typ = _type_at(model, steps)
    if item is None and isinstance(data, dict) and isinstance(data.get("id"), str):
        item = data["id"]
    local = steps
    if len(steps) >= 2 and steps[0] in items and isinstance(steps[1], int):
        raw = data[steps[0]][steps[1]]
        found = raw.get("id") if isinstance(raw, dict) else None
        item = found if isinstance(found, str) else f"{steps[0]}[{steps[1]}]"
        local = steps[2:]
    field = "".join(f"[{s}]" if isinstance(s, int) else f".{s}" for s in local).lstrip(".")

    def at(name: str) -> str:
        return f"{field}.{name}" if field else name

    raw_value = _raw_at(data, steps)
    if m := re.fullmatch(r"\[(.*?)\] (.*)", problem, re.S):
        return ContentError(path, item, at(m[1]), m[2])
    if m := re.fullmatch(r"Object missing required field `(.*)`", problem):
        return ContentError(path, item, at(m[1]), "missing")
    if m := re.fullmatch(r"Object contains unknown field `(.*)`", problem):
        return ContentError(path, item, at(m[1]), f"unknown field (allowed: {_fields(typ)})")
    if m := re.fullmatch(r"Expected `str` matching regex '(.*)'", problem):
        pattern = m[1].replace("\\\\", "\\")  # msgspec shows the pattern escaped
        wanted = PATTERN_PROBLEMS.get(pattern, f"expected text matching {pattern}")
        return ContentError(path, item, field or None, f"{wanted}, got '{raw_value}'"
                            if pattern == _FAQ else wanted)
    if m := re.fullmatch(r"Invalid (?:enum )?value (.*)", problem):
        choices = _choices(typ) or _tags(_type_at(model, steps[:-1]))
        return ContentError(path, item, field or None,
                            f"expected one of {', '.join(choices)}, got {m[1]}")
    if m := re.fullmatch(r"Expected `array` of length >= (\d+)", problem):
        n = int(m[1])
        return ContentError(path, item, field or None,
                            f"needs at least {n} entr{'y' if n == 1 else 'ies'}")
    if m := re.fullmatch(r"Expected `int` >= (\d+)", problem):
        return ContentError(path, item, field or None, f"expected a whole number (at least {m[1]})")
    if m := re.fullmatch(r"Expected `(.*?)`(?: of length >= 1|, got `(.*)`)", problem):
        wanted = {"str": "non-empty text", "bool": "true or false", "float": "a number",
                  "int": "a whole number", "array": "a list", "object": "a mapping",
                  "date": "a day as YYYY-MM-DD"}.get(m[1], m[1])
        got = f", got {_NAMES.get(m[2], m[2])}" if m[1] in ("array", "object") and m[2] else ""
        return ContentError(path, item, field or None, f"expected {wanted}{got}")
    if problem.startswith("Invalid RFC3339 encoded date"):
        return ContentError(path, item, field or None, "expected a day as YYYY-MM-DD")
    return ContentError(path, item, field or None, problem)


def _raw_at(data: Any, steps: list[str | int]) -> Any:
    for step in steps:
        try:
            data = data[step]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _members(typ: Any) -> list[Any]:
    """``typ`` without ``Annotated`` and ``None``: the types it may be."""
    while typing.get_origin(typ) is Annotated:
        typ = typing.get_args(typ)[0]
    if typing.get_origin(typ) in (typing.Union, type(int | str)):
        return [m for arg in typing.get_args(typ) if arg is not type(None)
                for m in _members(arg)]
    return [typ]


def _type_at(model: Any, steps: list[str | int]) -> Any:
    """The declared type at a place of a document (None where it cannot be told)."""
    typ = model
    for step in steps:
        found = None
        for member in _members(typ):
            if isinstance(step, str) and isinstance(member, type) and issubclass(member, Struct):
                if step in member.__struct_encode_fields__:
                    name = member.__struct_fields__[member.__struct_encode_fields__.index(step)]
                    found = typing.get_type_hints(member, include_extras=True)[name]
            elif not isinstance(step, str) or step == "...":
                args = typing.get_args(member)
                found = args[-1] if typing.get_origin(member) is dict else args[0] if args else None
            if found is not None:
                break
        typ = found
    return typ


def _fields(typ: Any) -> list[str]:
    return sorted({f for m in _members(typ) if isinstance(m, type) and issubclass(m, Struct)
                   for f in m.__struct_encode_fields__})


def _choices(typ: Any) -> list[str]:
    return [str(a) for m in _members(typ) if typing.get_origin(m) is Literal
            for a in typing.get_args(m) if a != ""]


def _tags(typ: Any) -> list[str]:
    return [str(m.__struct_config__.tag) for m in _members(typ)
            if isinstance(m, type) and issubclass(m, Struct) and m.__struct_config__.tag]
