"""Claims that change on a date, kept as data: the register ``content/claims.yaml``.

A lesson that says "member states must do so by 14 June 2027" or "the DEFIANCE Act is
pending" is right today and wrong on some later day. Each such claim is registered with
its date, its kind, its source, how often its source must be re-read, and every place
that states it, with the exact wording each place uses. From that:

* :func:`expired` finds a registered wording still standing in its place once the claim's
  date has come (the course would speak of the past as the future);
* :func:`missing` finds a place that no longer holds its wording before the date (the
  register would rot silently);
* :func:`due` lists what to re-check: claims whose date has come, and claims whose source
  was last checked longer ago than its review interval (``make facts-due``);
* :func:`unregistered` scans the course's text for future dates and for "pending", and
  reports every one that no registered wording, and no entry of ``not_claims``, covers.

A *place* is a path from the course's root (a notebook, a Markdown or CSV file), or
``quiz:<id>`` or ``figure:<id>`` for an item of the content bank. Its text is compared
with all runs of white space made one space, so a wording may cross a line break.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

from msgspec import Meta
from msgspec.structs import force_setattr

from .schema import ContentError, Id, Strict, Text, Url, invalid, validate

Kind = Literal["applies-from", "until", "grace-period", "transposition", "pending",
               "unconfirmed"]
KINDS = get_args(Kind)
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
# The texts scanned for forward-looking phrases: lessons, quizzes, figures, the glossary,
# the teaching guide, and the assignments that state the law (a02, a04 and its alternative).
SCANNED = ("notebooks/*.ipynb", "notebooks/alternatives/*.ipynb", "quiz:*", "figure:*",
           "docs/glossary.md", "docs/teaching-guide.md", "source/a02-*/*.ipynb",
           "source/a04-*/*.ipynb", "source/a04-*/data/*.md", "source/a04-*/data/*.csv")
URL = re.compile(r"https?://[^\s)>\]\"'|,]+")
_DAY = r"(?:[1-9]|[12]\d|3[01])"
_MONTH = "|".join(MONTHS)
DATE_PHRASE = re.compile(
    rf"\b(?:(?P<d>{_DAY})\s+)?(?P<m>{_MONTH})\s+(?P<y>\d{{4}})\b"  # 14 June 2027, June 2027
    r"|\b(?P<iy>\d{4})-(?P<im>\d{2})(?:-(?P<id>\d{2}))?\b"  # 2027-06-14, 2027-06
    r"|\b(?P<by>20\d\d)\b")  # 2027
PENDING = re.compile(r"\bpending\b", re.I)


class Place(Strict, kw_only=True, rename={"where": "in"}):
    """Where a claim is stated, and the exact words it uses there."""

    where: Text  # a path from the course root, or quiz:<id> or figure:<id>
    says: Text

    def __post_init__(self) -> None:
        force_setattr(self, "says", normalise(self.says))


class Claim(Strict, kw_only=True):
    """A forward-looking claim: true until (or from) its date."""

    id: Id
    claim: Text
    kind: Kind
    date: dt.date
    source: Url
    review_days: Annotated[int, Meta(ge=1)]
    places: Annotated[tuple[Place, ...], Meta(min_length=1)]
    resolved: dt.date | None = None  # set once the text was rewritten after the date
    note: str = ""

    def __post_init__(self) -> None:
        if self.resolved is not None and self.resolved < self.date:
            raise invalid("resolved", "a claim is resolved on or after its date")


class NotAClaim(Place, kw_only=True):
    """Wording the scan finds that is not a forward-looking legal claim; its place may be a
    pattern of places such as notebooks/*.ipynb."""

    why: Text


class _File(Strict, kw_only=True):
    claims: Annotated[tuple[Claim, ...], Meta(min_length=1)]
    not_claims: tuple[NotAClaim, ...] = ()


@dataclass(frozen=True)
class Register:
    claims: dict[str, Claim]
    not_claims: tuple[NotAClaim, ...]


def parse_claims_file(data: Any, path: Path | str) -> Register:
    """Validate ``claims.yaml`` (already parsed) and return the register."""
    file = validate(data, _File, path, items=("claims", "not_claims"))
    claims: dict[str, Claim] = {}
    for claim in file.claims:
        if claim.id in claims:
            raise ContentError(path, claim.id, "id", "used twice")
        claims[claim.id] = claim
    return Register(claims, file.not_claims)


def normalise(text: str) -> str:
    """All runs of white space made one space, so wording can cross line breaks."""
    return re.sub(r"\s+", " ", text).strip()


# -- the text of a place ---------------------------------------------------------------------


def place_text(root: Path, where: str) -> str:
    """The text of a place, normalised. ``ValueError`` if there is no such place."""
    from . import bank

    if where.startswith("quiz:"):
        quizzes = bank.quizzes()
        if where[5:] not in quizzes:
            raise ValueError(f"{where}: no such quiz")
        q = quizzes[where[5:]]
        parts = [q.title, q.scenario, q.question, q.hint, q.explanation, *q.discussion]
        parts += [f"{o.text} {o.feedback}" for o in q.options]
        parts += [s.title for s in q.sources]
        return normalise("\n".join(parts))
    if where.startswith("figure:"):
        figures = bank.figures()
        if where[7:] not in figures:
            raise ValueError(f"{where}: no such figure")
        f = figures[where[7:]]
        parts = [f.title, f.alt, f.caption, *(s.title for s in f.sources)]
        data = f.data
        parts += [f"{e.date} {e.label}" for e in getattr(data, "events", ())]
        parts += [f"{b.label} {b.note}" for b in getattr(data, "bars", ())]
        return normalise("\n".join(parts))
    path = root / where
    if not path.is_file():
        raise ValueError(f"{where}: no such file")
    if path.suffix == ".ipynb":
        import nbformat

        nb = nbformat.read(path, as_version=4)
        return normalise("\n".join(cell.source for cell in nb.cells))
    return normalise(path.read_text(encoding="utf-8"))


def scanned_places(root: Path) -> list[str]:
    """Every place the scan reads, in a stable order."""
    from . import bank

    found: list[str] = []
    for pattern in SCANNED:
        if pattern == "quiz:*":
            found += [f"quiz:{q}" for q in bank.quizzes()]
        elif pattern == "figure:*":
            found += [f"figure:{f}" for f in sorted(bank.figures())]
        else:
            found += sorted(p.relative_to(root).as_posix() for p in root.glob(pattern)
                            if ".ipynb_checkpoints" not in p.parts)
    return found


# -- checks ----------------------------------------------------------------------------------


def expired(register: Register, root: Path, today: dt.date) -> list[str]:
    """Registered wordings still standing in their places on or after the claim's date."""
    problems = []
    for claim in register.claims.values():
        if claim.date > today:
            continue
        for place in claim.places:
            if place.says in _text(root, place.where, problems):
                problems.append(
                    f"{claim.id}: {claim.date} has come, but {place.where} still says "
                    f"'{place.says}'; rewrite it there (and set 'resolved' in claims.yaml)")
    return problems


def missing(register: Register, root: Path, today: dt.date) -> list[str]:
    """Places that no longer hold their registered wording before the claim's date."""
    problems = []
    for claim in register.claims.values():
        if claim.date <= today:
            continue
        for place in claim.places:
            text = _text(root, place.where, problems)
            if text and place.says not in text:
                problems.append(
                    f"{claim.id}: {place.where} no longer says '{place.says}'; update the "
                    "register (src/deepfake_ethics/content/claims.yaml) with its new wording")
    return problems


def _text(root: Path, where: str, problems: list[str]) -> str:
    try:
        return place_text(root, where)
    except ValueError as exc:
        problems.append(str(exc))
        return ""


def latest_day(date: str) -> dt.date:
    """The last day a date written as YYYY, YYYY-MM or YYYY-MM-DD can mean."""
    parts = [int(p) for p in date.split("-")]
    if len(parts) == 3:
        return dt.date(*parts)
    month = parts[1] if len(parts) > 1 else 12
    following = dt.date(parts[0] + (month == 12), month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def due(register: Register, checked: dict[str, str],
        today: dt.date) -> list[tuple[Claim, list[str]]]:
    """The claims to re-check today, each with its reasons. ``checked`` gives, by URL, the
    day each source was last checked (YYYY, YYYY-MM or YYYY-MM-DD)."""
    found = []
    for claim in register.claims.values():
        if claim.resolved is not None:
            continue
        reasons = []
        if claim.date <= today:
            reasons.append(f"its date, {claim.date}, has come")
        last = checked.get(claim.source)
        if not last:
            reasons.append(f"its source {claim.source} has no 'checked' date")
        else:
            age = (today - latest_day(last)).days
            if age > claim.review_days:
                reasons.append(f"its source was last checked {last}, {age} days ago "
                               f"(review every {claim.review_days} days)")
        if reasons:
            found.append((claim, reasons))
    return found


def _future(match: re.Match, today: dt.date) -> bool:
    """Whether a date phrase names a time wholly after ``today``."""
    g = match.groupdict()
    if g["y"]:
        year, month = int(g["y"]), MONTHS.index(g["m"]) + 1
        day = int(g["d"]) if g["d"] else 1
    elif g["iy"]:
        year, month = int(g["iy"]), int(g["im"])
        if not 1 <= month <= 12:
            return False
        day = int(g["id"]) if g["id"] else 1
    else:
        year, month, day = int(g["by"]), 1, 1
        if year > today.year + 15:  # a number such as HB 2091, not a year
            return False
    try:
        return dt.date(year, month, day) > today
    except ValueError:
        return False


def forward_phrases(text: str, today: dt.date) -> list[tuple[int, int, str]]:
    """(start, end, phrase) of every future date and every "pending" in ``text``, leaving
    out what lies inside a web address."""
    urls = [(m.start(), m.end()) for m in URL.finditer(text)]

    def in_url(start: int) -> bool:
        return any(s <= start < e for s, e in urls)

    found = [(m.start(), m.end(), m.group(0)) for m in DATE_PHRASE.finditer(text)
             if _future(m, today) and not in_url(m.start())]
    found += [(m.start(), m.end(), m.group(0)) for m in PENDING.finditer(text)
              if not in_url(m.start())]
    return sorted(found)


def _spans(text: str, wording: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(re.escape(wording), text)]


def unregistered(register: Register, root: Path, today: dt.date,
                 places: list[str] | None = None) -> list[str]:
    """Future dates and "pending" in the scanned texts that no registered wording and no
    ``not_claims`` entry covers."""
    problems = []
    wordings: dict[str, list[str]] = {}
    for claim in register.claims.values():
        for place in claim.places:
            wordings.setdefault(place.where, []).append(place.says)
    for where in places if places is not None else scanned_places(root):
        text = place_text(root, where)
        covers = [span for says in wordings.get(where, []) for span in _spans(text, says)]
        covers += [span for n in register.not_claims if fnmatch.fnmatchcase(where, n.where)
                   for span in _spans(text, n.says)]
        for start, end, phrase in forward_phrases(text, today):
            if not any(s <= start and end <= e for s, e in covers):
                context = text[max(0, start - 60): end + 40]
                problems.append(f"{where}: '{phrase}' is not registered: ...{context}... "
                                "(add a claim, or a not_claims entry if it is no legal claim)")
    return problems


def unused_not_claims(register: Register, root: Path, places: list[str] | None = None) -> list[str]:
    """``not_claims`` entries that match nothing any more."""
    places = places if places is not None else scanned_places(root)
    texts = {where: place_text(root, where) for where in places}
    return [f"not_claims: '{n.says}' in {n.where} matches nothing; remove it"
            for n in register.not_claims
            if not any(fnmatch.fnmatchcase(w, n.where) and n.says in t for w, t in texts.items())]
