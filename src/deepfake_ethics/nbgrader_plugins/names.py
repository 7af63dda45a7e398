"""Student ids and assignment names that are safe to grade.

nbgrader builds paths from them (``submitted/<student>/<assignment>``), reads a student id
as a file glob (``--student``), splits excluded ids on commas and parses anything starting
with ``-`` as an option. A name that would be read in one of these ways is refused with a
reason, before anything is graded.
"""

from __future__ import annotations

import re

GLOB = re.compile(r"[*?\[\]]")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def problem(name: str, *, pattern: bool = False) -> str | None:
    """Why ``name`` cannot be used as an id (None if it can). With ``pattern``, file-glob
    characters are allowed (the value of ``--student``, a pattern in nbgrader)."""
    if not name.strip():
        return "is empty" if not name else "is only whitespace"
    if name != name.strip():
        return "starts or ends with whitespace"
    if "/" in name or "\\" in name:
        return "contains a path separator ('/' or '\\')"
    if ".." in name:
        return "contains '..'"
    if name.startswith("-"):
        return "starts with '-' (it would be read as an option)"
    if name.startswith("."):
        return "starts with '.' (nbgrader's file globs skip hidden folders)"
    if "," in name:
        return "contains ',' (nbgrader reads commas as separators between ids)"
    if CONTROL.search(name):
        return "contains a control character"
    if not pattern and GLOB.search(name):
        return "contains one of * ? [ ] (nbgrader reads a student id as a file pattern)"
    return None


def bad_names(kind: str, names: list[str], where: str = "", *,
               pattern: bool = False) -> list[str]:
    """One message per bad name: ``<kind> '<name>' [<where>] <reason>``."""
    found = []
    for name in names:
        reason = problem(name, pattern=pattern)
        if reason:
            place = f" ({where.format(name=name)})" if where else ""
            found.append(f"{kind} {name!r}{place} {reason}")
    return found
