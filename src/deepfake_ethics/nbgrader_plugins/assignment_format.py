"""nbgrader's assignment format, as this course's code reads it: the one place that knows
the markers of a source notebook's regions.

An instructor's notebook marks three kinds of region, each between a line that holds its
begin delimiter and the next line that holds its end delimiter (nbgrader's grammar):

* a model answer (``ClearSolutions.begin_solution_delimeter`` ... ``end_solution_delimeter``),
  replaced in the students' copy by ``ClearSolutions.code_stub`` or ``text_stub``;
* hidden tests (``ClearHiddenTests.begin_test_delimeter`` ... ``end_test_delimeter``), which
  in this course hold an answer key (:mod:`.keys`);
* a mark scheme (``ClearMarkScheme.begin_mark_scheme_delimeter`` ... ``end_...``).

:class:`AssignmentFormat` reads the delimiters and stubs through nbgrader's own
preprocessors, so their defaults and a course's ``nbgrader_config.py`` apply, and builds the
patterns every other module uses. :func:`question_number` turns a grade id into the number
students see, and :func:`is_reflection` / :func:`reflection_number` say which cells are
written reflections. nbgrader is imported only when a format is first built.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from traitlets.config import Config

Region = Literal["solution", "hidden_tests", "mark_scheme"]
_NUMBER = re.compile(r"(\d+)_(\d+[a-z]?)$")


def question_number(grade_id: str) -> str | None:
    """The question number of a grade id: "answer2_1", "test_answer2_8a" -> "2.1", "2.8a"."""
    match = _NUMBER.search(grade_id)
    return f"{match.group(1)}.{match.group(2)}" if match else None


def is_reflection(cell: Any) -> bool:
    """Whether a cell is a written reflection: a Markdown cell with points that the
    instructor grades by hand (an nbgrader task, or a manually graded answer)."""
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return (cell.get("cell_type") == "markdown" and bool(meta.get("task") or meta.get("grade"))
            and bool(meta.get("points")))


def reflection_number(cell: Any) -> str | None:
    """The question number of a written reflection ("2.10"); None for any other cell."""
    if not is_reflection(cell):
        return None
    return question_number(cell["metadata"]["nbgrader"].get("grade_id", ""))


@dataclass(frozen=True)
class AssignmentFormat:
    """The delimiters and stubs of a course's notebooks (nbgrader's settings)."""

    delimiters: dict[Region, tuple[str, str]]
    code_stub: str  # what replaces a model answer in a Python code cell
    text_stub: str  # what replaces a written model answer

    @classmethod
    def from_config(cls, config: Config | None = None) -> AssignmentFormat:
        """The format that nbgrader's preprocessors use under ``config`` (their defaults
        for None)."""
        from nbgrader.preprocessors import ClearHiddenTests, ClearMarkScheme, ClearSolutions
        from traitlets.config import Config

        config = config if config is not None else Config()
        solutions = ClearSolutions(config=config)
        hidden = ClearHiddenTests(config=config)
        scheme = ClearMarkScheme(config=config)
        return cls(
            {"solution": (solutions.begin_solution_delimeter,
                          solutions.end_solution_delimeter),
             "hidden_tests": (hidden.begin_test_delimeter, hidden.end_test_delimeter),
             "mark_scheme": (scheme.begin_mark_scheme_delimeter,
                             scheme.end_mark_scheme_delimeter)},
            solutions.code_stub.get("python", ""), solutions.text_stub)

    def pattern(self, region: Region) -> re.Pattern[str]:
        """A region, from the line holding its begin delimiter through the line holding its
        end delimiter (with that line's newline); its lines between are group ``body``."""
        return self._patterns[region]

    @cached_property
    def _patterns(self) -> dict[Region, re.Pattern[str]]:
        return {region: re.compile(
            rf"^[^\n]*{re.escape(begin)}[^\n]*\n(?P<body>.*?)^[^\n]*{re.escape(end)}[^\n]*\n?",
            re.M | re.S) for region, (begin, end) in self.delimiters.items()}

    def regions(self, source: str) -> list[str]:
        """Every region of any kind in ``source``, markers included, in order."""
        found = [m for region in self.delimiters for m in self.pattern(region).finditer(source)]
        return [m.group(0) for m in sorted(found, key=lambda m: m.start())]

    def without(self, region: Region, source: str, note: str = "") -> tuple[str, int]:
        """``source`` with every ``region`` replaced by ``note`` (a line of its own when
        given), and how many there were."""
        return self.pattern(region).subn(note + "\n" if note else "", source)

    def is_marker(self, line: str) -> bool:
        """Whether ``line`` holds a delimiter of any region."""
        return any(mark in line for pair in self.delimiters.values() for mark in pair)

    def without_solution_markers(self, source: str) -> str:
        """A model answer as a student would type it: the solution delimiters' lines
        removed."""
        marks = self.delimiters["solution"]
        return "\n".join(line for line in source.splitlines()
                         if not any(mark in line for mark in marks))

    def region(self, region: Region, body: str, comment: str = "###") -> str:
        """``body`` written as a region, as an instructor would (for generated cells)."""
        begin, end = self.delimiters[region]
        return f"{comment} {begin}\n{body.rstrip()}\n{comment} {end}\n"


@cache
def default_format() -> AssignmentFormat:
    """nbgrader's own delimiters and stubs (no course configuration)."""
    return AssignmentFormat.from_config()


@cache
def course_format(course: Path) -> AssignmentFormat:
    """The format of the course whose directory is ``course``: its ``nbgrader_config.py``
    applied to nbgrader's defaults (the defaults alone if it has none)."""
    from traitlets.config.loader import PyFileConfigLoader

    if not (course / "nbgrader_config.py").is_file():
        return default_format()
    loader = PyFileConfigLoader("nbgrader_config.py", path=str(course))
    return AssignmentFormat.from_config(loader.load_config())
