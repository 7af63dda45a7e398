"""The shape of the course content (quizzes and figures) and its validation.

Content files are YAML, one per lesson for quizzes and one per figure. Validation turns a
parsed file into frozen dataclasses, or raises :class:`ContentError` naming the file, the
item (quiz or figure id) and the field that is wrong.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

QUIZ_KINDS = ("single", "multiple", "reflection")
DIAGNOSTIC_FORMS = ("A", "B")  # the two parallel forms of the before-and-after diagnostic
DIAGNOSTIC_OPTIONS = 4  # every diagnostic item: one right option among four
FIGURE_KINDS = ("timeline", "bars", "flow")
_FAQ_ID = re.compile(r"^[LEP][1-9]$")  # legal, ethical, pornography; listed in faq.yaml
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


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


@dataclass(frozen=True)
class Source:
    """A citation: what it is, where to find it, and the date the claim refers to."""

    title: str
    url: str
    date: str


@dataclass(frozen=True)
class Option:
    """One answer option with the feedback shown when it is chosen."""

    text: str
    feedback: str
    correct: bool = False


@dataclass(frozen=True)
class Quiz:
    """A scenario quiz: one answer, several answers, or a reflection."""

    id: str
    lesson: str
    lesson_title: str
    kind: str
    title: str
    scenario: str
    question: str
    options: tuple[Option, ...]
    explanation: str
    sources: tuple[Source, ...]
    faq: str | None = None
    discussion: tuple[str, ...] = ()
    hint: str = ""  # shown after a wrong first try, before the explanation
    shuffle: bool = True  # options shown in an order of their own for each learner
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


FLOW_GROUPS = ("input", "model", "output", "check")  # the styles a flow node may take


@dataclass(frozen=True)
class TimelineEvent:
    """One dated event on a lane of a timeline."""

    date: str  # YYYY, YYYY-MM or YYYY-MM-DD
    label: str
    lane: str


@dataclass(frozen=True)
class Timeline:
    """Events on named lanes (one lane a country, say), in date order."""

    lanes: tuple[str, ...]
    events: tuple[TimelineEvent, ...]


@dataclass(frozen=True)
class Bar:
    """One labelled value of a bar chart, with an optional note."""

    label: str
    value: float
    note: str = ""


@dataclass(frozen=True)
class Reference:
    """A reference line across a bar chart (chance level, say)."""

    value: float
    label: str


@dataclass(frozen=True)
class Bars:
    """A horizontal bar chart."""

    bars: tuple[Bar, ...]
    unit: str
    xlabel: str
    reference: Reference | None = None


@dataclass(frozen=True)
class FlowNode:
    """A box of a flow diagram, placed on a 10 x 6 grid."""

    id: str
    label: str
    x: float
    y: float
    group: str = ""  # one of FLOW_GROUPS, or "" for the plain style


@dataclass(frozen=True)
class FlowEdge:
    """An arrow between two boxes, with an optional label."""

    source: str
    target: str
    label: str = ""


@dataclass(frozen=True)
class Flow:
    """A flow diagram: boxes and arrows."""

    nodes: tuple[FlowNode, ...]
    edges: tuple[FlowEdge, ...]


@dataclass(frozen=True)
class FigureSpec:
    """A figure described as data: what to draw, its alt text, caption and sources."""

    id: str
    kind: str
    title: str
    alt: str
    caption: str
    sources: tuple[Source, ...]
    data: Timeline | Bars | Flow


class _Checker:
    """Small helpers that read fields and raise precise errors."""

    def __init__(self, path: Path | str, item: str | None = None):
        self.path, self.item = path, item

    def fail(self, field: str | None, problem: str) -> ContentError:
        return ContentError(self.path, self.item, field, problem)

    def mapping(self, value: Any, field: str | None) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(field, f"expected a mapping, got {type(value).__name__}")
        return value

    def text(self, obj: dict[str, Any], key: str, prefix: str = "", required: bool = True) -> str:
        field = f"{prefix}{key}"
        if key not in obj or obj[key] is None:
            if required:
                raise self.fail(field, "missing")
            return ""
        value = obj[key]
        if not isinstance(value, str) or not value.strip():
            raise self.fail(field, "expected non-empty text")
        return value.strip()

    def items(self, obj: dict[str, Any], key: str, prefix: str = "", minimum: int = 0) -> list:
        field = f"{prefix}{key}"
        value = obj.get(key, [])
        if value is None:
            value = []
        if not isinstance(value, list):
            raise self.fail(field, f"expected a list, got {type(value).__name__}")
        if len(value) < minimum:
            raise self.fail(field, f"needs at least {minimum} entr{'y' if minimum == 1 else 'ies'}")
        return value

    def unknown(self, obj: dict[str, Any], allowed: set[str], prefix: str = "") -> None:
        extra = sorted(set(obj) - allowed)
        if extra:
            raise self.fail(f"{prefix}{extra[0]}", f"unknown field (allowed: {sorted(allowed)})")

    def date(self, obj: dict[str, Any], key: str, prefix: str) -> str:
        value = obj.get(key)
        if isinstance(value, _dt.date):  # YAML turns 2024-01-31 into a date
            value = value.isoformat()
        elif isinstance(value, int) and not isinstance(value, bool):  # and 2019 into a number
            value = str(value)
        if not isinstance(value, str) or not _DATE.match(value):
            raise self.fail(f"{prefix}{key}", "expected a date as YYYY, YYYY-MM or YYYY-MM-DD")
        return value

    def sources(self, obj: dict[str, Any], minimum: int) -> tuple[Source, ...]:
        result = []
        for i, raw in enumerate(self.items(obj, "sources", minimum=minimum)):
            prefix = f"sources[{i}]."
            src = self.mapping(raw, f"sources[{i}]")
            self.unknown(src, {"title", "url", "date"}, prefix)
            url = self.text(src, "url", prefix)
            if not url.startswith("https://"):
                raise self.fail(f"{prefix}url", "expected an https:// address")
            title = self.text(src, "title", prefix)
            result.append(Source(title, url, self.date(src, "date", prefix)))
        return tuple(result)


def parse_quiz_file(data: Any, path: Path | str) -> list[Quiz]:
    """Validate one lesson's quiz file (already parsed from YAML) and return its quizzes."""
    check = _Checker(path)
    top = check.mapping(data, None)
    check.unknown(top, {"lesson", "title", "quizzes"})
    lesson, title = check.text(top, "lesson"), check.text(top, "title")
    quizzes = [
        _parse_quiz(raw, path, lesson, title, i)
        for i, raw in enumerate(check.items(top, "quizzes", minimum=1))
    ]
    seen: set[str] = set()
    for q in quizzes:
        if q.id in seen:
            raise ContentError(path, q.id, "id", "used twice in this file")
        seen.add(q.id)
    return quizzes


def parse_diagnostic_file(data: Any, path: Path | str) -> list[Quiz]:
    """Validate the diagnostic file (already parsed from YAML) and return its items.

    Each item is a one-answer scenario quiz of one form (``A`` or ``B``) measuring one FAQ,
    with four options, one of them right, and no hint: the diagnostic is a measure, so it
    gives no feedback until a whole form is submitted. That each form has one item per FAQ,
    and that no item is also a quiz, is checked against the rest of the content in
    :func:`deepfake_ethics.bank.diagnostic_items`."""
    check = _Checker(path)
    top = check.mapping(data, None)
    check.unknown(top, {"title", "items"})
    title = check.text(top, "title")
    items = [_parse_quiz(raw, path, "diagnostic", title, i, diagnostic=True)
             for i, raw in enumerate(check.items(top, "items", minimum=1))]
    seen: set[str] = set()
    for q in items:
        if q.id in seen:
            raise ContentError(path, q.id, "id", "used twice in this file")
        seen.add(q.id)
    return items


def _parse_quiz(raw: Any, path: Path | str, lesson: str, title: str, index: int,
                diagnostic: bool = False) -> Quiz:
    item = raw.get("id") if isinstance(raw, dict) and isinstance(raw.get("id"), str) else None
    check = _Checker(path, item or f"{'items' if diagnostic else 'quizzes'}[{index}]")
    q = check.mapping(raw, None)
    allowed = {"id", "faq", "kind", "title", "scenario", "question", "options", "explanation",
               "sources", "discussion", "hint", "shuffle"}
    if diagnostic:  # one answer, no hint, no discussion: a measure, not practice
        allowed = (allowed - {"kind", "hint", "discussion"}) | {"form"}
    check.unknown(q, allowed)
    qid = check.text(q, "id")
    if not _ID.match(qid):
        raise check.fail("id", "use lower-case words joined by hyphens, e.g. 'l1-selling-an-app'")
    kind = "single" if diagnostic else check.text(q, "kind")
    if kind not in QUIZ_KINDS:
        raise check.fail("kind", f"expected one of {', '.join(QUIZ_KINDS)}, got '{kind}'")
    faq = q.get("faq")
    if faq is not None and not (isinstance(faq, str) and _FAQ_ID.match(faq)):
        raise check.fail("faq", f"expected an FAQ id such as 'L1' or 'E3', got '{faq}'")
    options = []
    for i, raw_opt in enumerate(check.items(q, "options", minimum=2)):
        prefix = f"options[{i}]."
        opt = check.mapping(raw_opt, f"options[{i}]")
        check.unknown(opt, {"text", "feedback", "correct"}, prefix)
        correct = opt.get("correct", False)
        if not isinstance(correct, bool):
            raise check.fail(f"{prefix}correct", "expected true or false")
        if correct and kind == "reflection":
            raise check.fail(f"{prefix}correct", "a reflection has no right answer")
        options.append(Option(check.text(opt, "text", prefix), check.text(opt, "feedback", prefix),
                              correct))
    n_right = sum(o.correct for o in options)
    if kind == "single" and n_right != 1:
        raise check.fail("options",
                         f"a 'single' quiz needs exactly one correct option, has {n_right}")
    if kind == "multiple" and n_right < 1:
        raise check.fail("options", "a 'multiple' quiz needs at least one correct option")
    discussion = tuple(
        _as_text(check, d, f"discussion[{i}]") for i, d in enumerate(check.items(q, "discussion"))
    )
    if kind == "reflection" and not discussion:
        raise check.fail("discussion", "a reflection needs discussion points")
    hint = check.text(q, "hint", required=kind != "reflection" and not diagnostic)
    if hint and kind == "reflection":
        raise check.fail("hint", "a reflection has no wrong answer, so no hint")
    for o in options:
        if o.correct and o.text.lower() in hint.lower():
            raise check.fail("hint", "quotes a right option: a hint points the way, it does "
                             "not give the answer")
    shuffle = q.get("shuffle", True)
    if not isinstance(shuffle, bool):
        raise check.fail("shuffle", "expected true or false")
    form = None
    if diagnostic:
        form = check.text(q, "form")
        if form not in DIAGNOSTIC_FORMS:
            raise check.fail("form", f"expected one of {', '.join(DIAGNOSTIC_FORMS)}, got '{form}'")
        if faq is None:
            raise check.fail("faq", "missing: each diagnostic item measures one FAQ")
        if len(options) != DIAGNOSTIC_OPTIONS:
            raise check.fail("options", f"a diagnostic item has {DIAGNOSTIC_OPTIONS} options, "
                             f"not {len(options)}")
    return Quiz(
        id=qid, lesson=lesson, lesson_title=title, kind=kind, title=check.text(q, "title"),
        scenario=check.text(q, "scenario"), question=check.text(q, "question"),
        options=tuple(options), explanation=check.text(q, "explanation"),
        sources=check.sources(q, minimum=1), faq=faq, discussion=discussion, hint=hint,
        shuffle=shuffle, form=form,
    )


def _as_text(check: _Checker, value: Any, field: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise check.fail(field, "expected non-empty text")
    return value.strip()


def parse_figure_file(data: Any, path: Path | str) -> FigureSpec:
    """Validate one figure file (already parsed from YAML) and return the figure."""
    item = data.get("id") if isinstance(data, dict) and isinstance(data.get("id"), str) else None
    check = _Checker(path, item)
    top = check.mapping(data, None)
    common = {"id", "kind", "title", "alt", "caption", "sources"}
    kind = check.text(top, "kind")
    specific = {"timeline": {"events", "lanes"}, "bars": {"bars", "unit", "reference", "xlabel"},
                "flow": {"nodes", "edges"}}
    if kind not in FIGURE_KINDS:
        raise check.fail("kind", f"expected one of {', '.join(FIGURE_KINDS)}, got '{kind}'")
    check.unknown(top, common | specific[kind])
    fid = check.text(top, "id")
    if not _ID.match(fid):
        raise check.fail("id", "use lower-case words joined by hyphens")
    parse = {"timeline": _parse_timeline, "bars": _parse_bars, "flow": _parse_flow}[kind]
    return FigureSpec(
        id=fid, kind=kind, title=check.text(top, "title"), alt=check.text(top, "alt"),
        caption=check.text(top, "caption"), sources=check.sources(top, minimum=0),
        data=parse(check, top),
    )


def _number(check: _Checker, obj: dict[str, Any], key: str, prefix: str,
            problem: str = "expected a number") -> float:
    value = obj.get(key)
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise check.fail(f"{prefix}{key}", problem)
    return value


def _parse_timeline(check: _Checker, data: dict[str, Any]) -> Timeline:
    raw_lanes = check.items(data, "lanes", minimum=1)
    lanes = tuple(_as_text(check, x, f"lanes[{i}]") for i, x in enumerate(raw_lanes))
    events = []
    for i, raw in enumerate(check.items(data, "events", minimum=1)):
        prefix = f"events[{i}]."
        ev = check.mapping(raw, f"events[{i}]")
        check.unknown(ev, {"date", "label", "lane"}, prefix)
        lane = check.text(ev, "lane", prefix)
        if lane not in lanes:
            raise check.fail(f"{prefix}lane", f"not one of the lanes {list(lanes)}")
        events.append(TimelineEvent(check.date(ev, "date", prefix),
                                    check.text(ev, "label", prefix), lane))
    return Timeline(lanes, tuple(sorted(events, key=lambda e: e.date)))


def _parse_bars(check: _Checker, data: dict[str, Any]) -> Bars:
    unit = check.text(data, "unit")
    bars = []
    for i, raw in enumerate(check.items(data, "bars", minimum=1)):
        prefix = f"bars[{i}]."
        bar = check.mapping(raw, f"bars[{i}]")
        check.unknown(bar, {"label", "value", "note"}, prefix)
        bars.append(Bar(check.text(bar, "label", prefix), _number(check, bar, "value", prefix),
                        check.text(bar, "note", prefix, required=False)))
    reference = None
    if "reference" in data:
        ref = check.mapping(data["reference"], "reference")
        check.unknown(ref, {"value", "label"}, "reference.")
        reference = Reference(_number(check, ref, "value", "reference."),
                              check.text(ref, "label", "reference."))
    xlabel = check.text(data, "xlabel", required=False) or unit
    return Bars(tuple(bars), unit, xlabel, reference)


def _parse_flow(check: _Checker, data: dict[str, Any]) -> Flow:
    nodes = []
    for i, raw in enumerate(check.items(data, "nodes", minimum=2)):
        prefix = f"nodes[{i}]."
        node = check.mapping(raw, f"nodes[{i}]")
        check.unknown(node, {"id", "label", "x", "y", "group"}, prefix)
        group = check.text(node, "group", prefix, required=False)
        if group and group not in FLOW_GROUPS:
            raise check.fail(f"{prefix}group", f"expected one of {', '.join(FLOW_GROUPS)}, "
                                                f"got '{group}'")
        nodes.append(FlowNode(
            check.text(node, "id", prefix), check.text(node, "label", prefix),
            _number(check, node, "x", prefix, "expected a number (0 to 10)"),
            _number(check, node, "y", prefix, "expected a number (0 to 10)"), group))
    ids = {n.id for n in nodes}
    edges = []
    for i, raw in enumerate(check.items(data, "edges", minimum=1)):
        prefix = f"edges[{i}]."
        edge = check.mapping(raw, f"edges[{i}]")
        check.unknown(edge, {"from", "to", "label"}, prefix)
        ends = [check.text(edge, end, prefix) for end in ("from", "to")]
        for end, name in zip(("from", "to"), ends, strict=True):
            if name not in ids:
                raise check.fail(f"{prefix}{end}", "names no node")
        edges.append(FlowEdge(ends[0], ends[1], check.text(edge, "label", prefix,
                                                            required=False)))
    return Flow(tuple(nodes), tuple(edges))
