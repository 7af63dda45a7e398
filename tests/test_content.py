"""Course content: every FAQ has a quiz, every quiz and figure is used, lessons are complete,
and a lesson's optional reference notebook is marked as such."""

from __future__ import annotations

import re

import nbformat
import pytest
from conftest import NOTEBOOKS, alternative_paths, lesson_paths, reference_paths

from deepfake_ethics import bank

CALL = re.compile(r"""\b(quiz|figure)\(\s*["']([a-z0-9-]+)["']\s*\)""")


def calls(kind: str) -> list[tuple[str, str]]:
    """(notebook name, id) for every quiz(...) or figure(...) call in the lessons and the
    alternative activities."""
    found = []
    for path in lesson_paths() + alternative_paths():
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "code":
                found += [(path.stem, m[1]) for m in CALL.findall(cell.source) if m[0] == kind]
    return found


def markdown(path) -> str:
    nb = nbformat.read(path, as_version=4)
    return "\n\n".join(c.source for c in nb.cells if c.cell_type == "markdown")


def test_there_are_six_lessons():
    assert [p.name[:3] for p in lesson_paths()] == ["00-", "01-", "02-", "03-", "04-", "05-"]


def test_every_faq_has_a_quiz_in_its_lesson():
    faqs = bank.faqs()
    assert len(faqs) == 11
    for faq_id, entry in faqs.items():
        lessons = {q.lesson for q in bank.quizzes().values() if q.faq == faq_id}
        assert lessons == {entry["lesson"]}, faq_id


def test_every_faq_has_a_section_in_its_lesson():
    for faq_id, entry in bank.faqs().items():
        path = NOTEBOOKS / f"{entry['lesson']}.ipynb"
        headings = re.findall(r"^## (.+)$", markdown(path), flags=re.M)
        wanted = _words(entry["question"])
        assert any(_words(h) == wanted for h in headings), f"{faq_id}: {entry['question']}"


def _words(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9']+", text.lower().replace("’", "'")))


@pytest.mark.parametrize("lesson", ["01-", "05-"])
def test_lessons_01_and_05_have_two_quizzes(lesson):
    assert sum(q.lesson.startswith(lesson) for q in bank.quizzes().values()) >= 2


def test_quiz_files_match_lessons():
    lessons = {p.stem for p in lesson_paths()}
    for path in bank.QUIZ_DIR.glob("*.yaml"):
        assert path.stem in lessons, f"{path.name} names no lesson notebook"
        assert {q.lesson for q in bank.load_quiz_file(path)} == {path.stem}
    alternatives = {p.stem for p in alternative_paths()}
    for path in (bank.QUIZ_DIR / bank.ALTERNATIVES).glob("*.yaml"):
        assert path.stem in alternatives, f"{path.name} names no alternative activity"
        assert {q.lesson for q in bank.load_quiz_file(path)} == {path.stem}
        assert path.stem[:3] in {lesson[:3] for lesson in lessons}, "it replaces a lesson"


def test_every_quiz_used_exactly_once_in_its_own_lesson():
    used = calls("quiz")
    quizzes = bank.quizzes()
    for notebook, quiz_id in used:
        assert quiz_id in quizzes, f"{notebook} uses unknown quiz '{quiz_id}'"
        assert quizzes[quiz_id].lesson == notebook, f"'{quiz_id}' shown outside its lesson"
    ids = [quiz_id for _, quiz_id in used]
    assert sorted(ids) == sorted(quizzes), "each quiz appears once, and every quiz is used"


def test_every_figure_used_and_every_lesson_has_one():
    used = calls("figure")
    figures = bank.figures()
    assert {fid for _, fid in used} == set(figures)
    with_figure = {notebook[:2] for notebook, _ in used}
    assert {"01", "02", "03", "04", "05"} <= with_figure


def test_lesson_structure():
    for path in lesson_paths():
        nb = nbformat.read(path, as_version=4)
        first = nb.cells[0].source.splitlines()
        assert first[0].startswith("# "), f"{path.name}: starts with an H1 title"
        subtitle = next(line for line in first[1:] if line.strip())
        assert re.fullmatch(r"\*[^*].*\*|_.*_", subtitle.strip()), f"{path.name}: subtitle"
        text = markdown(path)
        assert "Objectives" in text and "Estimated time" in text, path.name
        assert "## Key points" in text, path.name
        assert any(c.cell_type == "code" and "show_progress()" in c.source for c in nb.cells)
        assert "navigation" in nb.cells[-1].metadata.get("tags", []), path.name


def test_not_legal_advice_where_law_is_taught():
    for path in lesson_paths():
        if path.name[:2] in {"00", "02", "04"}:
            assert re.search(r"not legal advice", markdown(path), re.I), path.name


def test_pornography_lesson_opens_with_a_content_note():
    path = next(p for p in lesson_paths() if p.name.startswith("04-"))
    first = nbformat.read(path, as_version=4).cells[0].source
    assert re.search(r"content note", first, re.I)


def test_claims_are_dated():
    """Every source has a date; legal lessons name years in their text."""
    for q in bank.quizzes().values():
        assert all(re.match(r"\d{4}", s.date) for s in q.sources), q.id
    for path in lesson_paths():
        if path.name[:2] in {"02", "03", "04", "05"}:
            assert len(re.findall(r"\b20[12]\d\b", markdown(path))) >= 10, path.name


def test_pending_bills_are_called_pending():
    for path in lesson_paths():
        text = markdown(path)
        for bill in ("DEFIANCE Act", "NO FAKES Act"):
            for match in re.finditer(bill, text):
                window = text[max(0, match.start() - 300): match.end() + 300].lower()
                assert any(w in window for w in ("pending", "not law", "not yet law")), \
                    f"{path.name}: {bill} near {text[match.start():match.end() + 60]!r}"


def test_reference_notebooks_are_optional_reading_that_belongs_to_a_lesson():
    """A reference notebook (``02r-...``) holds detail moved out of its lesson's main path:
    clearly marked optional, with no quizzes, figures or code, and linked from its lesson."""
    lessons = {p.name[:2]: p for p in lesson_paths()}
    assert "02r-legal-reference.ipynb" in [p.name for p in reference_paths()]
    for path in reference_paths():
        assert path.name[:2] in lessons, f"{path.name}: no lesson {path.name[:2]}"
        nb = nbformat.read(path, as_version=4)
        first = nb.cells[0].source
        assert first.startswith("# "), path.name
        assert re.search(r"\*\*Optional reference\.\*\*", first), "marked optional at the top"
        assert "Estimated time" in first and re.search(r"not legal advice", first, re.I)
        assert all(c.cell_type == "markdown" for c in nb.cells), "no quizzes, figures or code"
        lesson_text = markdown(lessons[path.name[:2]])
        top = nbformat.read(lessons[path.name[:2]], as_version=4).cells[0].source
        assert f"]({path.name})" in top, "the lesson names its reference at the top"
        assert re.search(r"optional", top, re.I), "and says it is optional"
        assert lesson_text.count(f"]({path.name})") >= 2, "and points to it where detail moved"
