"""Build the sources register, docs/sources.md, from the lessons and the content bank.

Every source the course cites comes from one of three places:

- a quiz or a figure in ``src/deepfake_ethics/content/`` (structured: title, URL, date);
- a Markdown link in a lesson notebook, a reference notebook (``notebooks/02r-...``), the
  glossary (``docs/glossary.md``) or a quiz's text, whose metadata lives in
  ``src/deepfake_ethics/content/sources.yaml``, keyed by URL;
- ``sources.yaml`` also records, for every URL, the date it was last checked; support
  services (StopNCII.org, the Revenge Porn Helpline...) are the exception, since their
  title and dates come from ``support.yaml``, the course's one list of them.

The register is generated, never edited by hand::

    python scripts/sources_register.py           # write docs/sources.md
    python scripts/sources_register.py --check   # exit 1 on a problem or a stale page

A problem is a source without a title, a publication date or a check date, a check date
before the publication date, a lesson link with no metadata, two different dates given
for the same URL, or metadata that nothing cites any more.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat
from notebook_tools import ROOT, lessons, references

from deepfake_ethics import bank

METADATA = bank.CONTENT_DIR / "sources.yaml"
REGISTER = ROOT / "docs" / "sources.md"
GLOSSARY = ROOT / "docs" / "glossary.md"

# A Markdown link to a web page; the address may contain one level of parentheses.
LINK = re.compile(r"\[([^\]]*)\]\((https?://(?:[^()\s]|\([^()\s]*\))+)\)")
CALL = re.compile(r"""\b(quiz|figure)\(\s*["']([a-z0-9-]+)["']\s*\)""")
DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
REVIEW = re.compile(r"Facts checked on (\d{1,2} [A-Z][a-z]+ \d{4})")
FIELDS = {"title", "published", "checked", "note"}


@dataclass(frozen=True)
class Entry:
    """One citation as the register shows it."""

    title: str
    url: str
    published: str
    checked: str


@dataclass
class Lesson:
    """What one lesson (or reference notebook, or the glossary) cites: its own links, and
    the quizzes and figures it shows."""

    name: str
    title: str
    review: str | None
    links: list[tuple[str, str]]  # (url, link text), in order of first use
    quizzes: list[str]
    figures: list[str]
    file: str = ""  # path from the repository root, e.g. notebooks/02-legal-aspects.ipynb

    @property
    def is_notebook(self) -> bool:
        return self.file.endswith(".ipynb")

    @property
    def heading(self) -> str:
        """How the register names it: "02 Legal aspects", "02r Legal reference...", "Glossary"."""
        if not self.is_notebook:
            return self.title
        return f"{self.name.split('-')[0]} {self.title}"


def as_text(value) -> str:
    """YAML reads 2024-01-31 as a date and 2019 as a number: give both back as text."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value if isinstance(value, str) else ""


def earliest(date: str) -> dt.date:
    parts = [int(p) for p in date.split("-")]
    return dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)


def latest(date: str) -> dt.date:
    parts = [int(p) for p in date.split("-")]
    if len(parts) == 3:
        return dt.date(*parts)
    month = parts[1] if len(parts) > 1 else 12
    following = dt.date(parts[0] + (month == 12), month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def load_metadata(path: Path = METADATA) -> dict[str, dict[str, str]]:
    """Metadata by URL, every value as text (dates as YYYY, YYYY-MM or YYYY-MM-DD)."""
    data = bank.read_yaml(path) or {}
    return {str(url): {k: as_text(v) for k, v in (fields or {}).items()}
            for url, fields in data.items()}


def _relative(path: Path) -> str:
    try:
        return path.resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return f"notebooks/{path.name}"


def read_lesson(path: Path) -> Lesson:
    """What a notebook, or a Markdown page such as the glossary, cites."""
    if path.suffix == ".md":
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(
            path.read_text(encoding="utf-8"))])
    else:
        nb = nbformat.read(path, as_version=4)
    title, review, links, quizzes, figures = path.stem, None, [], [], []
    seen: set[str] = set()
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            heading = re.search(r"^# (.+)$", cell.source, flags=re.M)
            if i == 0 and heading:
                title = heading.group(1).strip()
                found = REVIEW.search(cell.source)
                review = found.group(1) if found else None
            for text, url in LINK.findall(cell.source):
                if url not in seen:
                    seen.add(url)
                    links.append((url, text))
        elif cell.cell_type == "code":
            for kind, item in CALL.findall(cell.source):
                (quizzes if kind == "quiz" else figures).append(item)
    return Lesson(path.stem, title, review, links, quizzes, figures, _relative(path))


def cited_pages() -> list[Path]:
    """Everything whose text cites sources: the lessons and their reference notebooks in
    course order, then the glossary."""
    return sorted(lessons() + references()) + [GLOSSARY]


def quiz_text_links(quiz) -> list[str]:
    """Web links written inside a quiz's text (for example support services)."""
    parts = [quiz.scenario, quiz.question, quiz.explanation, *quiz.discussion]
    parts += [f"{o.text} {o.feedback}" for o in quiz.options]
    found: list[str] = []
    for part in parts:
        found += [url for _, url in LINK.findall(part) if url not in found]
    return found


class Register:
    """The course's citations, checked, and rendered as Markdown."""

    def __init__(self, lesson_paths: list[Path] | None = None,
                 metadata: dict[str, dict[str, str]] | None = None):
        self.lessons = [read_lesson(p) for p in (lesson_paths or cited_pages())]
        self.metadata = load_metadata() if metadata is None else metadata
        self.quizzes = bank.quizzes()
        self.figures = bank.figures()
        self.problems: list[str] = []
        self._bank_dates: dict[str, set[str]] = {}
        self._bank_titles: dict[str, str] = {}
        for owner in (*self.quizzes.values(), *self.figures.values()):
            for s in owner.sources:
                self._bank_dates.setdefault(s.url, set()).add(s.date)
                self._bank_titles.setdefault(s.url, s.title)
        self._add_support_services()
        self._check()

    def _used(self) -> set[str]:
        """Every URL the course cites: bank sources, lesson links, links in quiz text."""
        used = set(self._bank_dates)
        for lesson in self.lessons:
            used |= {url for url, _ in lesson.links}
            for quiz_id in lesson.quizzes:
                if quiz_id in self.quizzes:
                    used |= set(quiz_text_links(self.quizzes[quiz_id]))
        return used

    def _add_support_services(self) -> None:
        """Support services take their title and dates from support.yaml, the one list of
        them; a website is dated by the month it was checked."""
        services = bank.support().by_url()
        for url in sorted(set(services) & set(self.metadata)):
            self._fail(f"src/deepfake_ethics/content/sources.yaml: {url}: a support service; "
                       "its dates live in support.yaml only, remove the entry")
        for url in sorted(self._used() & set(services)):
            service = services[url]
            self.metadata.setdefault(url, {
                "title": f"{service.name} (support service, {service.place}), website",
                "published": service.checked[:7],
                "note": "website, updated in place: dated by the month checked (support.yaml)",
                "checked": service.checked})

    # -- checking ------------------------------------------------------------------------

    def _fail(self, problem: str) -> None:
        if problem not in self.problems:
            self.problems.append(problem)

    def _check(self) -> None:
        where = "src/deepfake_ethics/content/sources.yaml"
        for url, fields in self.metadata.items():
            extra = sorted(set(fields) - FIELDS)
            if extra:
                self._fail(f"{where}: {url}: unknown field '{extra[0]}' "
                           f"(allowed: {sorted(FIELDS)})")
            for key in ("published", "checked"):
                value = fields.get(key, "")
                if value and not DATE.match(value):
                    self._fail(f"{where}: {url}: '{key}' should be YYYY, YYYY-MM or YYYY-MM-DD")
            if not fields.get("checked"):
                self._fail(f"{where}: {url}: no 'checked' date (when was it last checked?)")
            published = fields.get("published") or min(self._bank_dates.get(url, {""}))
            checked = fields.get("checked", "")
            if (published and checked and DATE.match(published) and DATE.match(checked)
                    and latest(checked) < earliest(published)):
                self._fail(f"{where}: {url}: checked ({checked}) before it was published "
                           f"({published})")
        for url, dates in self._bank_dates.items():
            if len(dates) > 1:
                self._fail(f"{url}: the content bank gives it different dates {sorted(dates)}; "
                           "a source has one publication date")
            given = self.metadata.get(url, {}).get("published")
            if given and dates != {given}:
                self._fail(f"{url}: published {given} in sources.yaml but {sorted(dates)} in "
                           "the content bank")
        for url in self._bank_dates:
            if url not in self.metadata:
                self._fail(f"{url}: cited in the content bank but has no entry (and no "
                           f"'checked' date) in {where}")
        for lesson in self.lessons:
            if lesson.review is None:
                self._fail(f"{lesson.file}: no 'Facts checked on <date>' line at the top")
            for url, _ in lesson.links:
                self._need_metadata(url, lesson.file)
            for quiz_id in lesson.quizzes:
                if quiz_id in self.quizzes:
                    for url in quiz_text_links(self.quizzes[quiz_id]):
                        self._need_metadata(url, f"quiz '{quiz_id}'")
        used = self._used()
        for url in sorted(set(self.metadata) - used):
            self._fail(f"{where}: {url}: nothing cites it any more; remove the entry")

    def _need_metadata(self, url: str, where: str) -> None:
        fields = self.metadata.get(url)
        if fields is None:
            self._fail(f"{where}: links to {url}, which has no entry in "
                       "src/deepfake_ethics/content/sources.yaml")
            return
        if url in self._bank_dates:
            return  # title and date come from the content bank
        for key in ("title", "published"):
            if not fields.get(key):
                self._fail(f"src/deepfake_ethics/content/sources.yaml: {url}: no '{key}'")

    # -- rendering -----------------------------------------------------------------------

    def entry(self, url: str, title: str | None = None, date: str | None = None) -> Entry:
        fields = self.metadata.get(url, {})
        title = title or fields.get("title") or self._bank_titles.get(url, "")
        published = date or fields.get("published") or min(self._bank_dates.get(url, {""}))
        return Entry(title, url, published, fields.get("checked", ""))

    def render(self) -> str:
        all_urls = set(self._bank_dates)
        for lesson in self.lessons:
            all_urls |= {url for url, _ in lesson.links}
        out = [
            "# Sources register",
            "",
            "<!-- Generated by scripts/sources_register.py: do not edit by hand, "
            "run `make sources`. -->",
            "",
            "Every source the course cites, lesson by lesson: the links in each lesson's text, "
            "then the sources of each quiz and figure the lesson shows; a lesson's optional "
            "reference notebook follows it, and the glossary comes last. **Published** is the "
            "date of the source itself (for an Act, the day it was enacted or published in the "
            "official journal; for a page that is updated in place, such as a bill tracker, a "
            "docket or an organisation's website, the date of the version relied on). "
            "**Checked** is when someone last made sure the source still says what the course "
            "says: `2026-11` means the fact-check of November 2026, a full date a later "
            "re-check. How to re-check and regenerate this page: "
            "[maintaining-facts.md](maintaining-facts.md).",
            "",
            f"{len(all_urls)} distinct sources; the metadata of the links in the lesson text "
            "and every check date live in `src/deepfake_ethics/content/sources.yaml`.",
            "",
            "*This course is not legal advice.*",
        ]
        for lesson in self.lessons:
            review = f" (facts checked on {lesson.review})" if lesson.review else ""
            out += ["", f"## {lesson.heading}{review}", ""]
            kind = "Notebook" if lesson.is_notebook else "Page"
            out += [f"{kind}: [`{lesson.file}`](../{lesson.file})"]
            if lesson.links:
                text = "the lesson text" if lesson.is_notebook else "the text"
                out += ["", f"### Links in {text}", ""]
                out += self._table(self.entry(url) for url, _ in lesson.links)
            for quiz_id in lesson.quizzes:
                quiz = self.quizzes.get(quiz_id)
                if quiz is None:
                    continue
                entries = [self.entry(s.url, s.title, s.date) for s in quiz.sources]
                entries += [self.entry(url) for url in quiz_text_links(quiz)
                            if url not in {s.url for s in quiz.sources}]
                out += ["", f"### Quiz `{quiz_id}`: {quiz.title}", ""]
                out += self._table(entries)
            for figure_id in lesson.figures:
                figure = self.figures.get(figure_id)
                if figure is None:
                    continue
                out += ["", f"### Figure `{figure_id}`: {figure.title}", ""]
                if figure.sources:
                    out += self._table(self.entry(s.url, s.title, s.date) for s in figure.sources)
                else:
                    out += ["A concept diagram: no sources."]
        return "\n".join(out) + "\n"

    @staticmethod
    def _table(entries) -> list[str]:
        rows = ["| Source | Published | Checked |", "|---|---|---|"]
        for e in entries:
            title = e.title.replace("|", "\\|").replace("[", "(").replace("]", ")")
            rows.append(f"| [{title}]({e.url}) | {e.published} | {e.checked} |")
        return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="do not write; exit 1 if a source lacks metadata or the page is stale")
    args = parser.parse_args(argv)
    register = Register()
    for problem in register.problems:
        print(f"problem: {problem}", file=sys.stderr)
    text = register.render()
    current = REGISTER.read_text(encoding="utf-8") if REGISTER.exists() else ""
    if args.check:
        if text != current:
            print(f"{REGISTER.relative_to(ROOT)} is out of date: run `make sources`",
                  file=sys.stderr)
        return 1 if register.problems or text != current else 0
    if text != current:
        REGISTER.write_text(text, encoding="utf-8")
        print(f"wrote {REGISTER.relative_to(ROOT)}")
    else:
        print(f"{REGISTER.relative_to(ROOT)} is up to date")
    return 1 if register.problems else 0


if __name__ == "__main__":
    sys.exit(main())
