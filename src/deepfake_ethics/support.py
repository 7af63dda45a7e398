"""The support services the course points to, from one list, and the help-line blocks of the
lessons and the teaching guide written from it.

``content/support.yaml`` holds every service (name, address, who it serves, what it does,
where, when it was checked, and the evidence for the description), the addresses that only
look like a service's (``wrong``), and which services each generated block shows
(``blocks``). A block sits in a lesson or in ``docs/teaching-guide.md`` between two
comments::

    <!-- support: lesson-04-top (written by make support from ...support.yaml; do not edit) -->
    - **[StopNCII.org](https://stopncii.org)** (worldwide, adults): ...
    <!-- /support -->

and :func:`rewrite` replaces what is between them with :func:`render`. A block inside a
quoted note keeps the note's ``> `` in front of every line. ``scripts/support_lines.py``
(``make support``) does it for every file; ``tests/test_support.py`` checks that the blocks
are up to date and that every support link in the course comes from the list.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .schema import ContentError, _Checker

STYLES = ("list", "table")
BEGIN = re.compile(r"^(?P<prefix>[ \t>]*)<!-- support: (?P<id>[a-z0-9-]+) \(.*?\) -->[ \t]*$",
                   re.M)
END_MARK = "<!-- /support -->"
NOTE = "written by make support from src/deepfake_ethics/content/support.yaml; do not edit"


@dataclass(frozen=True)
class Evidence:
    """Where a service's description comes from."""

    title: str
    url: str
    date: str  # the source's own date, or "updated in place; relied on in ..."


@dataclass(frozen=True)
class Service:
    """One support service."""

    id: str
    name: str
    url: str  # "" for a number with no page of its own
    country: str
    audience: str
    serves: str
    summary: str
    does: str
    checked: str  # YYYY-MM-DD
    evidence: tuple[Evidence, ...]

    @property
    def where(self) -> str:
        """The place as the table shows it: "worldwide (adults)"."""
        return f"{self.country} ({self.audience})" if self.audience else self.country

    @property
    def place(self) -> str:
        """The place as the lists show it: "worldwide, adults"."""
        return f"{self.country}, {self.audience}" if self.audience else self.country

    @property
    def link(self) -> str:
        """The service as Markdown: a link named as the service names itself."""
        return f"[{self.name}]({self.url})" if self.url else f"**{self.name}**"


@dataclass(frozen=True)
class Block:
    """Which services a generated block shows, and how."""

    id: str
    style: str
    services: tuple[str, ...]


@dataclass(frozen=True)
class SupportList:
    """Everything in ``support.yaml``."""

    services: dict[str, Service]
    wrong: dict[str, str]  # address -> why it is wrong
    blocks: dict[str, Block]

    def by_url(self) -> dict[str, Service]:
        return {s.url: s for s in self.services.values() if s.url}

    def evidence_urls(self) -> set[str]:
        return {e.url for s in self.services.values() for e in s.evidence}


def parse_support_file(data: Any, path: Path | str) -> SupportList:
    """Validate ``support.yaml`` (already parsed) and return its content."""
    check = _Checker(path)
    top = check.mapping(data, None)
    check.unknown(top, {"services", "wrong", "blocks"})
    services: dict[str, Service] = {}
    for i, raw in enumerate(check.items(top, "services", minimum=1)):
        item = raw.get("id") if isinstance(raw, dict) and isinstance(raw.get("id"), str) else None
        c = _Checker(path, item or f"services[{i}]")
        s = c.mapping(raw, None)
        c.unknown(s, {"id", "name", "url", "country", "audience", "serves", "summary", "does",
                      "checked", "evidence"})
        sid = c.text(s, "id")
        if not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", sid):
            raise c.fail("id", "use lower-case words joined by hyphens")
        if sid in services:
            raise c.fail("id", "used twice")
        url = c.text(s, "url", required=False)
        if url and not url.startswith("https://"):
            raise c.fail("url", "expected an https:// address")
        checked = c.date(s, "checked", "")
        if len(checked) != 10:
            raise c.fail("checked", "give the full day it was checked, YYYY-MM-DD")
        evidence = []
        for j, raw_e in enumerate(c.items(s, "evidence", minimum=1)):
            prefix = f"evidence[{j}]."
            e = c.mapping(raw_e, f"evidence[{j}]")
            c.unknown(e, {"title", "url", "date"}, prefix)
            e_url = c.text(e, "url", prefix)
            if not e_url.startswith("https://"):
                raise c.fail(f"{prefix}url", "expected an https:// address")
            date = e.get("date")
            if isinstance(date, dt.date):
                date = date.isoformat()
            if not isinstance(date, str | int) or not str(date).strip():
                raise c.fail(f"{prefix}date", "give the source's date, or say it is updated "
                                               "in place and when it was relied on")
            evidence.append(Evidence(c.text(e, "title", prefix), e_url, str(date).strip()))
        services[sid] = Service(
            id=sid, name=c.text(s, "name"), url=url, country=c.text(s, "country"),
            audience=c.text(s, "audience", required=False), serves=c.text(s, "serves"),
            summary=c.text(s, "summary"), does=c.text(s, "does"), checked=checked,
            evidence=tuple(evidence))
    urls = [s.url for s in services.values() if s.url]
    if len(urls) != len(set(urls)):
        raise check.fail("services", "two services share an address")
    wrong = {}
    for i, raw in enumerate(check.items(top, "wrong")):
        c = _Checker(path, f"wrong[{i}]")
        w = c.mapping(raw, None)
        c.unknown(w, {"url", "why"})
        address = c.text(w, "url")
        if address in urls:
            raise c.fail("url", "is also a service's address")
        wrong[address] = c.text(w, "why")
    blocks = {}
    raw_blocks = check.mapping(top.get("blocks") or {}, "blocks")
    for bid, raw in raw_blocks.items():
        c = _Checker(path, f"blocks.{bid}")
        b = c.mapping(raw, None)
        c.unknown(b, {"style", "services"})
        style = c.text(b, "style")
        if style not in STYLES:
            raise c.fail("style", f"expected one of {', '.join(STYLES)}")
        ids = tuple(c.items(b, "services", minimum=1))
        unknown = [x for x in ids if x not in services]
        if unknown:
            raise c.fail("services", f"no service '{unknown[0]}'")
        if style == "list" and any(not services[x].url for x in ids):
            raise c.fail("services", "a list shows links: every service needs a url")
        blocks[str(bid)] = Block(str(bid), style, ids)
    return SupportList(services, wrong, blocks)


def _long_date(iso: str) -> str:
    day = dt.date.fromisoformat(iso)
    return f"{day.day} {day:%B %Y}"


def render(support: SupportList, block_id: str) -> str:
    """The Markdown of one block (without its two marker comments)."""
    block = support.blocks[block_id]
    services = [support.services[i] for i in block.services]
    if block.style == "list":
        return "\n".join(f"- **{s.link}** ({s.place}): {s.summary}." for s in services)
    rows = ["| where | service | what it does | source (date) |", "|---|---|---|---|"]
    for s in services:
        evidence = "; ".join(f"[{e.title}]({e.url}) ({e.date})" for e in s.evidence)
        rows.append(f"| {s.where} | {s.link} | *For* {s.serves}. {s.does} | {evidence}; "
                    f"checked {_long_date(s.checked)} |")
    return "\n".join(rows)


def begin_marker(block_id: str) -> str:
    return f"<!-- support: {block_id} ({NOTE}) -->"


def rewrite(text: str, support: SupportList, where: str = "") -> str:
    """``text`` with every block between its markers written afresh from the list."""
    out, pos = [], 0
    for m in BEGIN.finditer(text):
        if m.start() < pos:
            continue
        block_id, prefix = m.group("id"), m.group("prefix")
        if block_id not in support.blocks:
            raise ContentError(where or "text", block_id, None, "no such block in support.yaml")
        end = text.find(END_MARK, m.end())
        if end == -1:
            raise ContentError(where or "text", block_id, None, f"no '{END_MARK}' after it")
        line_end = text.find("\n", end)
        line_end = len(text) if line_end == -1 else line_end
        body = [begin_marker(block_id), "", *render(support, block_id).split("\n"), "", END_MARK]
        lines = [(prefix + line) if line else prefix.rstrip() for line in body]
        out += [text[pos:m.start()], "\n".join(lines)]
        pos = line_end
    out.append(text[pos:])
    return "".join(out)


def block_ids(text: str) -> list[str]:
    """The blocks a text holds, in order."""
    return [m.group("id") for m in BEGIN.finditer(text)]
