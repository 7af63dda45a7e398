"""The sources register: every source has a title, a date and a check date, every lesson link
is registered, and docs/sources.md is what the generator writes."""

from __future__ import annotations

import nbformat
import pytest
import sources_register  # noqa: E402
from conftest import lesson_paths

from deepfake_ethics import bank  # noqa: E402


@pytest.fixture(scope="module")
def register() -> sources_register.Register:
    return sources_register.Register()


def test_no_problems(register):
    assert register.problems == [], "\n".join(register.problems)


def test_every_cited_source_has_title_publication_date_and_check_date(register):
    urls = {s.url for owner in (*bank.quizzes().values(), *bank.figures().values())
            for s in owner.sources}
    for lesson in register.lessons:
        urls |= {url for url, _ in lesson.links}
    for url in urls:
        entry = register.entry(url)
        assert entry.title, f"{url}: no title"
        assert sources_register.DATE.match(entry.published), f"{url}: no publication date"
        assert sources_register.DATE.match(entry.checked), f"{url}: no check date"


def test_every_lesson_link_is_in_the_register(register):
    page = sources_register.REGISTER.read_text(encoding="utf-8")
    for lesson in register.lessons:
        for url, _ in lesson.links:
            assert url in register.metadata, f"{lesson.name}: {url} has no metadata"
            assert f"]({url})" in page, f"{lesson.name}: {url} missing from docs/sources.md"


def test_each_lesson_shows_its_review_date(register):
    for lesson in register.lessons:
        assert lesson.review, f"{lesson.name}: no 'Facts checked on <date>' line at the top"


def test_review_line_sits_under_the_title(register):
    for path in lesson_paths():
        first = nbformat.read(path, as_version=4).cells[0].source
        assert sources_register.REVIEW.search(first), path.name


def test_register_is_up_to_date(register):
    current = sources_register.REGISTER.read_text(encoding="utf-8")
    assert current == register.render(), "docs/sources.md is out of date: run `make sources`"


def test_bank_gives_one_date_per_source():
    dates: dict[str, set[str]] = {}
    for owner in (*bank.quizzes().values(), *bank.figures().values()):
        for s in owner.sources:
            dates.setdefault(s.url, set()).add(s.date)
    assert {u: d for u, d in dates.items() if len(d) > 1} == {}


# -- the checker itself catches what it should -----------------------------------------------


def _lesson(tmp_path, text: str, name: str = "01-sample"):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(text)]
    path = tmp_path / f"{name}.ipynb"
    nbformat.write(nb, path)
    return path


def _metadata():
    return sources_register.load_metadata()


def test_unregistered_lesson_link_is_a_problem(tmp_path):
    path = _lesson(tmp_path, "# Sample\n\n*Sub*\n\n**Facts checked on 30 November 2026.**\n\n"
                             "See [a new report](https://example.org/new-report).")
    problems = sources_register.Register([path], _metadata()).problems
    assert any("https://example.org/new-report" in p and "no entry" in p for p in problems)


def test_missing_title_date_or_check_date_is_a_problem(tmp_path):
    path = _lesson(tmp_path, "# Sample\n\n*Sub*\n\n**Facts checked on 30 November 2026.**\n\n"
                             "[a](https://example.org/a) and [b](https://example.org/b).")
    metadata = _metadata()
    metadata["https://example.org/a"] = {"title": "A report", "checked": "2026-11-30"}
    metadata["https://example.org/b"] = {"title": "B report", "published": "2025-01-02"}
    problems = sources_register.Register([path], metadata).problems
    assert any("https://example.org/a" in p and "'published'" in p for p in problems)
    assert any("https://example.org/b" in p and "'checked'" in p for p in problems)


def test_check_before_publication_is_a_problem(tmp_path):
    path = _lesson(tmp_path, "# Sample\n\n*Sub*\n\n**Facts checked on 30 November 2026.**\n\n"
                             "[a](https://example.org/a).")
    metadata = _metadata()
    metadata["https://example.org/a"] = {"title": "A", "published": "2026-12-01",
                                         "checked": "2026-11"}
    problems = sources_register.Register([path], metadata).problems
    assert any("checked (2026-11) before it was published" in p for p in problems)


def test_lesson_without_review_date_is_a_problem(tmp_path):
    path = _lesson(tmp_path, "# Sample\n\n*Sub*\n\nNo review line here.")
    problems = sources_register.Register([path], _metadata()).problems
    assert any("Facts checked on" in p for p in problems)


def test_stale_page_fails_the_check(tmp_path, monkeypatch):
    stale = tmp_path / "sources.md"
    stale.write_text("# Sources register\n\nold\n", encoding="utf-8")
    monkeypatch.setattr(sources_register, "REGISTER", stale)
    monkeypatch.setattr(sources_register, "ROOT", tmp_path)
    assert sources_register.main(["--check"]) == 1
