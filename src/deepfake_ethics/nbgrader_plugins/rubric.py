"""The rubric of a hand-graded reflection, as students see it and as graders apply it.

A reflection's question cell shows students its rubric (criteria and levels, never the
model answer) above nbgrader's hidden mark scheme::

    **How this answer is graded** (4 points: each criterion earns 1, ½ or 0)

    | criterion | 1 point | ½ point | 0 points |
    |---|---|---|---|
    | **The liar's dividend** | defines it and ... | ... | ... |

The mark scheme (nbgrader's mark-scheme region, delimiters from :mod:`.assignment_format`,
removed from the students' copy by nbgrader) gives the graders one numbered paragraph per
criterion, with the same names in the same order (``1. **The liar's dividend (1).**
...``), and the model answer in a paragraph that begins ``**Model answer``. Self-study
(:mod:`deepfake_ethics.practice`) and the tests read rubrics through this module only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .assignment_format import AssignmentFormat, default_format

HEADING = "**How this answer is graded**"
LEVELS = ("1 point", "½ point", "0 points")
_ROW = re.compile(r"^\|\s*\*\*(?P<name>[^*|]+)\*\*\s*\|(?P<rest>.*)\|\s*$")
_SCHEME_CRITERION = re.compile(r"^\d+\.\s+\*\*(?P<name>.+?)\s*\((?P<points>[\d.½]+)\)\.?\*\*",
                               re.M)
_MODEL = re.compile(r"^\*\*Model answer[^*]*\*\*\s*(?P<text>.*?)(?=\n\s*\n\*\*|\Z)",
                    re.M | re.S)


@dataclass(frozen=True)
class Criterion:
    name: str
    full: str  # what earns 1 point
    half: str  # what earns ½
    none: str  # what earns 0


def visible_part(source: str, fmt: AssignmentFormat | None = None) -> str:
    """The question cell as students see it: the mark scheme removed (``fmt``: the course's
    assignment format, nbgrader's defaults if None)."""
    return (fmt or default_format()).without("mark_scheme", source)[0].rstrip()


def mark_scheme(source: str, fmt: AssignmentFormat | None = None) -> str:
    """The graders' part of a reflection's question cell ('' if there is none)."""
    match = (fmt or default_format()).pattern("mark_scheme").search(source)
    return match.group("body").strip() if match else ""


def _table(source: str, fmt: AssignmentFormat | None = None) -> list[str]:
    """The lines of the rubric table: the first table after the heading, up to its end."""
    visible = visible_part(source, fmt)
    if HEADING not in visible:
        return []
    lines: list[str] = []
    for line in visible.split(HEADING, 1)[1].splitlines():
        line = line.strip()
        if line.startswith("|"):
            lines.append(line)
        elif lines:
            break  # the table has ended: later tables of the cell are not the rubric
    return lines


def columns(source: str, fmt: AssignmentFormat | None = None) -> list[str]:
    """The header cells of the rubric table (``['criterion', *LEVELS]`` when well formed)."""
    table = _table(source, fmt)
    return [c.strip() for c in table[0].strip("|").split("|")] if table else []


def stated_points(source: str, fmt: AssignmentFormat | None = None) -> float | None:
    """The points the rubric's heading line states (``(4 points: ...)``), or None."""
    visible = visible_part(source, fmt)
    match = re.search(re.escape(HEADING) + r"\s*\((?P<points>[\d.½]+) points?\b", visible)
    return _number(match["points"]) if match else None


def criteria(source: str, fmt: AssignmentFormat | None = None) -> list[Criterion]:
    """The criteria of the visible rubric table, in order ([] if the cell has none)."""
    found = []
    for line in _table(source, fmt):
        row = _ROW.match(line)
        if row:
            cells = [c.strip() for c in row["rest"].split("|")]
            if len(cells) != 3:
                raise ValueError(f"rubric row {row['name']!r}: needs a cell for each of "
                                 f"{', '.join(LEVELS)}")
            found.append(Criterion(row["name"].strip(), *cells))
    return found


def _number(text: str) -> float:
    """'1' -> 1.0, '½' -> 0.5, '1½' -> 1.5, '0.5' -> 0.5."""
    whole, half, _ = text.partition("½")
    return float(whole or 0) + (0.5 if half == "½" else 0.0)


def scheme_criteria(source: str, fmt: AssignmentFormat | None = None
                    ) -> list[tuple[str, float]]:
    """The numbered criteria of the mark scheme: (name, points)."""
    return [(m["name"].strip(), _number(m["points"]))
            for m in _SCHEME_CRITERION.finditer(mark_scheme(source, fmt))]


def model_answer(source: str, fmt: AssignmentFormat | None = None) -> str:
    """The model answer of the mark scheme ('' if there is none)."""
    match = _MODEL.search(mark_scheme(source, fmt))
    return match["text"].strip() if match else ""
