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
from typing import Annotated, Any, Literal, get_args

from msgspec import Meta

from .schema import ContentError, Day, Id, Strict, Text, Url, validate

Style = Literal["list", "table"]
STYLES = get_args(Style)
BEGIN = re.compile(r"^(?P<prefix>[ \t>]*)<!-- support: (?P<id>[a-z0-9-]+) \(.*?\) -->[ \t]*$",
                   re.M)
END_MARK = "<!-- /support -->"
NOTE = "written by make support from src/deepfake_ethics/content/support.yaml; do not edit"


class Evidence(Strict, kw_only=True):
    """Where a service's description comes from."""

    title: Text
    url: Url
    date: Text  # the source's own date, or "updated in place; relied on in ..."


class Service(Strict, kw_only=True):
    """One support service."""

    id: Id
    name: Text
    url: Url | Literal[""] = ""  # "" for a number with no page of its own
    country: Text
    audience: str = ""
    serves: Text
    summary: Text
    does: Text
    checked: Day
    evidence: Annotated[tuple[Evidence, ...], Meta(min_length=1)]

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


class Block(Strict, kw_only=True):
    """Which services a generated block shows, and how."""

    style: Style
    services: Annotated[tuple[Text, ...], Meta(min_length=1)]


class Wrong(Strict, kw_only=True):
    """An address that only looks like a service's, and why it is wrong."""

    url: Text
    why: Text


class _File(Strict, kw_only=True):
    services: Annotated[tuple[Service, ...], Meta(min_length=1)]
    wrong: tuple[Wrong, ...] = ()
    blocks: dict[str, Block] = {}


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
    file = validate(data, _File, path, items=("services", "wrong"))
    services: dict[str, Service] = {}
    for service in file.services:
        if service.id in services:
            raise ContentError(path, service.id, "id", "used twice")
        services[service.id] = service
    urls = [s.url for s in services.values() if s.url]
    if len(urls) != len(set(urls)):
        raise ContentError(path, None, "services", "two services share an address")
    wrong = {}
    for i, w in enumerate(file.wrong):
        if w.url in urls:
            raise ContentError(path, f"wrong[{i}]", "url", "is also a service's address")
        wrong[w.url] = w.why
    for bid, block in file.blocks.items():
        unknown = [x for x in block.services if x not in services]
        if unknown:
            raise ContentError(path, f"blocks.{bid}", "services", f"no service '{unknown[0]}'")
        if block.style == "list" and any(not services[x].url for x in block.services):
            raise ContentError(path, f"blocks.{bid}", "services",
                               "a list shows links: every service needs a url")
    return SupportList(services, wrong, dict(file.blocks))


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
