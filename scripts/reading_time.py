"""Estimate how long each lesson takes, from what a learner actually reads and does.

The estimate of a lesson is the sum of:

- its running text (every Markdown cell except the navigation cell) at ``WORDS_PER_MINUTE``;
  words are counted as a reader sees them: the text of a link, not its address, and no
  HTML comments or tags;
- each quiz: what a learner reads on the way to a right answer (the scenario, the question,
  every option, the feedback on the right options, the explanation and any discussion
  points; for a reflection, the reasoning of every position, since all are shown), at the
  same speed, plus ``QUIZ_THINKING`` minutes to think and answer;
- each figure: ``FIGURE_MINUTES``;
- each worked code example (a code cell other than the import line, a quiz, a figure or the
  progress chart): ``EXAMPLE_MINUTES`` to read it, run it and read what it prints.

The before-and-after diagnostic (``diagnostic("before")``, ``diagnostic("after")``) is
estimated on its own: for the longer of its two forms, each item's scenario, question and
options at the same speed, plus ``DIAGNOSTIC_THINKING`` minutes to answer it (one answer, no
feedback to read until the end; reading the results is optional). Where a page calls it,
the page states its time in words ("the diagnostic ... about 12 minutes"). On the start
page it is optional and outside the page's own time; in the closing notebook it is the main
activity and counts in the notebook's time.

A lesson states its time in its first cell (``**Estimated time:** 40 minutes``), and the
README states the time of the start page (``the start page takes about 15 minutes``) and the
range for the other lessons (``each of the others takes 25–45 minutes``).
``tests/test_reading_time.py`` fails when an estimate exceeds the stated time or a stated time
leaves the README's range. An optional reference notebook (``02r-...``) is not part of any
lesson's time; it states its own.

    python scripts/reading_time.py     # print the estimate of every lesson and reference
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat
from notebook_tools import ROOT, closing, lessons, references

from deepfake_ethics import bank
from deepfake_ethics.layout import alternative_notebooks
from deepfake_ethics.schema import Quiz

WORDS_PER_MINUTE = 200
QUIZ_THINKING = 1.0
FIGURE_MINUTES = 1.0
EXAMPLE_MINUTES = 2.0
DIAGNOSTIC_THINKING = 0.5

README = ROOT / "README.md"
STATED = re.compile(r"\*\*Estimated time:\*\*\s*(?:about\s+)?(\d+)\s+minutes")
LINK = re.compile(r"\[([^\]]*)\]\((?:[^()\s]|\([^()\s]*\))+\)")
WORD = re.compile(r"[^\W_]+(?:['’.\-/][^\W_]+)*")
CALL = re.compile(r"""\b(quiz|figure)\(\s*["']([a-z0-9-]+)["']\s*\)""")
NOT_EXAMPLES = re.compile(r"^\s*(from deepfake_ethics import .*|show_progress\(\)\s*)$")
DIAGNOSTIC = re.compile(r"""\bdiagnostic\(\s*["'](before|after)["']\s*\)""")
DIAGNOSTIC_STATED = re.compile(r"\bdiagnostic\b[^\n]*?\babout (\d+) minutes", re.I)


def words(markdown: str) -> int:
    """How many words a reader sees in a piece of Markdown."""
    text = re.sub(r"<!--.*?-->", " ", markdown, flags=re.S)
    text = LINK.sub(r"\1", text)
    text = re.sub(r"<[^>\n]+>", " ", text)
    return len(WORD.findall(text))


def quiz_words(quiz: Quiz) -> int:
    """What a learner reads in a quiz on the way to a right answer."""
    parts = [quiz.scenario, quiz.question, quiz.explanation, *quiz.discussion]
    parts += [o.text for o in quiz.options]
    reflection = quiz.kind == "reflection"
    parts += [o.feedback for o in quiz.options if reflection or o.correct]
    return sum(words(p) for p in parts)


@dataclass(frozen=True)
class Estimate:
    """The parts of a notebook's estimated time, in minutes."""

    name: str
    stated: int | None
    text_words: int
    words_before_first_quiz: int
    quizzes: tuple[str, ...]
    quiz_minutes: float
    figures: int
    examples: int
    diagnostic_minutes: float = 0.0  # the diagnostic, if the page gives it (not in minutes)
    diagnostic_stated: int | None = None  # the time the page states for the diagnostic

    @property
    def text_minutes(self) -> float:
        return self.text_words / WORDS_PER_MINUTE

    @property
    def minutes(self) -> float:
        return (self.text_minutes + self.quiz_minutes + self.figures * FIGURE_MINUTES
                + self.examples * EXAMPLE_MINUTES)

    @property
    def total_minutes(self) -> float:
        """The page's own time and the diagnostic's, for a page where it is the activity."""
        return self.minutes + self.diagnostic_minutes


def diagnostic_minutes() -> float:
    """How long the longer form of the diagnostic takes to answer (see the module doc)."""
    by_form: dict[str, float] = {}
    for item in bank.diagnostic_items().values():
        text = sum(words(p) for p in (item.scenario, item.question,
                                      *(o.text for o in item.options)))
        by_form[item.form] = (by_form.get(item.form, 0.0) + text / WORDS_PER_MINUTE
                              + DIAGNOSTIC_THINKING)
    return max(by_form.values())


def stated_minutes(nb: nbformat.NotebookNode) -> int | None:
    """The time the notebook states at its top, in minutes."""
    found = STATED.search(nb.cells[0].source) if nb.cells else None
    return int(found.group(1)) if found else None


def estimate(path: Path, quizzes: dict[str, Quiz] | None = None) -> Estimate:
    quizzes = bank.quizzes() if quizzes is None else quizzes
    nb = nbformat.read(path, as_version=4)
    text = before = figures = examples = 0
    shown: list[str] = []
    diagnostic = False
    diagnostic_stated = None
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            if "navigation" in cell.metadata.get("tags", []):
                continue
            n = words(cell.source)
            text += n
            if not shown:
                before += n
            said = DIAGNOSTIC_STATED.search(cell.source)
            if said and diagnostic_stated is None:
                diagnostic_stated = int(said.group(1))
        elif cell.cell_type == "code":
            calls = CALL.findall(cell.source)
            shown += [item for kind, item in calls if kind == "quiz"]
            figures += sum(kind == "figure" for kind, _ in calls)
            if DIAGNOSTIC.search(cell.source):
                diagnostic = True
                continue
            if not calls and cell.source.strip() and not NOT_EXAMPLES.match(cell.source):
                examples += 1
    quiz_minutes = sum(quiz_words(quizzes[q]) / WORDS_PER_MINUTE + QUIZ_THINKING
                       for q in shown)
    return Estimate(path.stem, stated_minutes(nb), text, before, tuple(shown), quiz_minutes,
                    figures, examples, diagnostic_minutes() if diagnostic else 0.0,
                    diagnostic_stated)


def readme_range(text: str | None = None) -> tuple[int, int]:
    """The lessons' time range the README promises ("each of the others takes 25–45
    minutes")."""
    text = README.read_text(encoding="utf-8") if text is None else text
    found = re.search(r"\btakes\s+(\d+)[–-](\d+)\s+minutes", text)
    if not found:
        raise ValueError("README.md: no 'takes NN–NN minutes'")
    return int(found.group(1)), int(found.group(2))


def readme_start_page(text: str | None = None) -> int:
    """The start page's time the README states ("the start page ... about 15 minutes")."""
    text = README.read_text(encoding="utf-8") if text is None else text
    found = re.search(r"start\s+page\s+takes\s+about\s+(\d+)\s+minutes", text)
    if not found:
        raise ValueError("README.md: no 'the start page takes about NN minutes'")
    return int(found.group(1))


def main() -> int:
    quizzes = bank.quizzes()
    print(f"{'notebook':40} {'stated':>6} {'estimate':>8}  text  quizzes  figures  examples"
          "  words before the first quiz")
    end = closing()
    others = alternative_notebooks(ROOT) + ([end] if end else [])
    for path in sorted(lessons() + references()) + others:
        e = estimate(path, quizzes)
        stated = f"{e.stated}" if e.stated is not None else "-"
        minutes = e.total_minutes if path == end else e.minutes
        print(f"{e.name:40} {stated:>6} {minutes:8.1f}  {e.text_minutes:4.1f}  "
              f"{len(e.quizzes):2d} {e.quiz_minutes:4.1f}  {e.figures:7d}  {e.examples:8d}"
              f"  {e.words_before_first_quiz if e.quizzes else '-'}")
    print(f"\nthe diagnostic, longer form: {diagnostic_minutes():.1f} minutes (the start page "
          "states it apart from its own time; the closing notebook includes it)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
