"""The course website in Chromium (``make site``, docs/site.md), served from a sub-path of a
local static server, as a phone (360×740) and a desktop see it.

The site is built once per test session into a temporary folder (``site/build.py``, as
``make site`` runs it). Every page: no horizontal scrolling, every quiz drawn, every figure
an SVG file with alt text, no request leaving the site's origin, no breach of its
Content-Security-Policy, and no WCAG 2.1 A/AA violation that axe-core finds. A quiz is
answered by click and by keyboard through the hint and the answer, a reflection keeps its
reasoning, and progress survives a reload and travels as a file.
"""

from __future__ import annotations

import datetime as dt
import functools
import http.server
import json
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from deepfake_ethics.bank import diagnostic_form, faqs, quizzes
from deepfake_ethics.closing import DOWNLOAD, SUMMARY_NAME, VERDICT, summary_html
from deepfake_ethics.diagnostic_session import before_and_after, first_form
from deepfake_ethics.progress import ProgressStore, summary
from deepfake_ethics.progress_chart import row_label
from deepfake_ethics.quiz_feedback import RIGHT

from .lab import (
    ROOT,
    answer_button,
    axe_script,
    axe_violations,
    check_button,
    expect,
    feedback,
    option,
    plain,
    quiz_ids,
    retry_button,
    shown_options,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1366, "height": 900}
SUB_PATH = "/deepfake-ethics/"  # as on GitHub Pages: https://<owner>.github.io/<repository>/
LESSON = "notebooks/01-introduction.html"
# Every breach of the Content-Security-Policy, kept where the test can read it.
WATCH_CSP = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', e => window.__cspViolations.push(
  `${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));
"""


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # the test reports what matters
        pass


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Iterator[tuple[str, Path]]:
    """The website built from this checkout and served on 127.0.0.1 under SUB_PATH: its
    base URL and its folder."""
    base = tmp_path_factory.mktemp("site")
    out = base / "public" / SUB_PATH.strip("/")
    subprocess.run([sys.executable, str(ROOT / "site" / "build.py"), "--out", str(out),
                    "--work", str(base / "work")], cwd=ROOT, check=True, timeout=900)
    handler = functools.partial(Quiet, directory=str(base / "public"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}{SUB_PATH}", out
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    return axe_script()


@pytest.fixture(params=[PHONE, DESKTOP], ids=["phone", "desktop"])
def visit(request, chromium, site):
    """A browser context at one viewport whose every request is recorded, and a watch on
    the Content-Security-Policy that the browser (not the page) injects, so the policy is
    not bypassed. Yields ``(page, requests)``."""
    context = chromium.new_context(viewport=request.param, accept_downloads=True)
    context.add_init_script(script=WATCH_CSP)
    requests: list[str] = []
    context.on("request", lambda r: requests.append(r.url))
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        yield page, requests
    finally:
        context.close()


def pages(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.html")
                  if not p.relative_to(folder).parts[0].startswith("_"))


def test_the_site_has_every_page_of_the_course(site):
    _, folder = site
    found = set(pages(folder))
    wanted = {f"notebooks/{p.stem}.html" for p in (ROOT / "notebooks").glob("*.ipynb")}
    wanted |= {f"notebooks/alternatives/{p.stem}.html"
               for p in (ROOT / "notebooks" / "alternatives").glob("*.ipynb")}
    wanted |= {f"release/{p.parent.name}/{p.stem}.html"
               for p in (ROOT / "release").glob("*/*.ipynb")}
    wanted |= {"index.html", "docs/glossary.html", "docs/sources.html",
               "docs/teaching-guide.html"}
    assert wanted <= found, sorted(wanted - found)
    drawn = 0
    for assignment in (ROOT / "release").glob("*/*.ipynb"):  # their quizzes are drawn too
        shown = (folder / "release" / assignment.parent.name / f"{assignment.stem}.html")
        calls = len(quiz_ids(assignment))
        assert shown.read_text(encoding="utf-8").count('class="dfe-site-quiz"') == calls
        drawn += calls
    assert drawn
    downloads = {p.name for p in (folder / "_downloads").rglob("*.ipynb")}
    assert {p.name for p in (ROOT / "release").glob("*/*.ipynb")} <= downloads


def test_pages_link_to_their_notebook_binder_and_files_off_the_site(site):
    _, folder = site
    lesson = (folder / LESSON).read_text(encoding="utf-8")
    assert re.search(r'href="\.\./_downloads/\w+/01-introduction\.ipynb"', lesson)
    assert ("https://mybinder.org/v2/gh/deepfake-ethics-course/deepfake-ethics/HEAD"
            "?urlpath=lab/tree/notebooks/01-introduction.ipynb") in lesson
    assert 'from deepfake_ethics import' not in lesson  # the course calls' code is hidden
    guide = (folder / "docs" / "teaching-guide.html").read_text(encoding="utf-8")
    assert ('href="https://github.com/deepfake-ethics-course/deepfake-ethics/blob/main/'
            'docs/instructors.md') in guide


def test_every_page_renders_on_a_phone_and_a_desktop_within_the_sites_rules(site, visit,
                                                                            axe_source):
    url, folder = site
    page, requests = visit
    origin = f"{urlsplit(url).scheme}://{urlsplit(url).netloc}"
    problems: list[str] = []
    for name in pages(folder):
        page.goto(url + name)
        page.wait_for_load_state("load")
        placeholders = page.locator(".dfe-site-quiz").count()
        expect(page.locator(".dfe-site-quiz .dfe-quiz")).to_have_count(placeholders)
        width = page.evaluate("() => [document.documentElement.scrollWidth, "
                              "document.documentElement.clientWidth]")
        if width[0] > width[1]:
            problems.append(f"{name}: scrolls sideways ({width[0]} > {width[1]} px)")
        for image in page.locator("main img").all():
            if not (image.get_attribute("alt") or "").strip():
                problems.append(f"{name}: an image without alt text")
        problems += [f"{name}: CSP {v}" for v in page.evaluate("window.__cspViolations")]
        page.evaluate(axe_source)  # by the browser's debugger: the page's policy forbids it
        problems += [f"{name}: {v}" for v in axe_violations(page, "html")]
    problems += [f"request off the site: {r}" for r in requests if not r.startswith(origin)]
    assert problems == [], "\n".join(problems)


def test_lesson_figures_are_svg_files_with_their_alt_text(site, visit):
    url, _ = site
    page, _ = visit
    page.goto(url + LESSON)
    figures = page.locator("main figure img")
    assert figures.count() >= 2
    for image in figures.all():
        assert image.get_attribute("src").endswith(".svg")
        assert len(image.get_attribute("alt")) > 40  # a description, not a title
        assert image.evaluate("i => i.naturalWidth > 0")  # the file was served


def lesson_quiz(kind: str):
    """The first quiz of this kind in lesson 01 (LESSON)."""
    return next(q for q in quizzes().values() if q.lesson == "01-introduction" and q.kind == kind)


def quiz_box(page, quiz_id: str):
    return page.locator(f".dfe-site-quiz[data-quiz='{quiz_id}'] .dfe-quiz")


def test_a_quiz_by_click_gives_the_hint_then_the_answer_and_is_recorded(site, visit):
    url, _ = site
    page, _ = visit
    page.goto(url + LESSON)
    q = lesson_quiz("single")
    box = quiz_box(page, q.id)
    wrong = [i for i, o in enumerate(q.options) if not o.correct]
    option(box, q, wrong[0]).click()
    check_button(box).click()
    area = feedback(box)
    expect(area).to_contain_text("✘ Not quite.")
    expect(area).to_contain_text(f"➜ Hint: {plain(q.hint)[:60]}")
    for opt in q.options:  # the hint stage names no option
        expect(area).not_to_contain_text(plain(opt.feedback)[:60])
    expect(option(box, q, wrong[1])).to_be_disabled()
    expect(answer_button(box)).to_be_visible()
    retry_button(box).click()
    expect(area).to_have_text("")
    option(box, q, wrong[1]).click()
    check_button(box).click()  # a second wrong try: the answer, not another hint
    expect(area).to_contain_text("✘ Not quite. Read the feedback below.")
    expect(area).to_contain_text(plain(q.explanation)[:60])
    expect(answer_button(box)).to_be_hidden()
    record = json.loads(page.evaluate("localStorage.getItem('deepfake-ethics:progress')"))
    entry = record["quizzes"][q.id]
    assert entry["attempts"] == 2 and entry["first_correct"] is False
    assert entry["choice"] == [wrong[1]] and entry["lesson"] == q.lesson


def test_a_quiz_by_keyboard_hint_then_answer_with_focus_on_the_feedback(site, visit):
    url, _ = site
    page, _ = visit
    page.goto(url + LESSON)
    q = lesson_quiz("single")
    box = quiz_box(page, q.id)
    radios = shown_options(box)
    radios.nth(0).focus()
    page.keyboard.press("ArrowDown")
    expect(radios.nth(1)).to_be_focused()
    expect(radios.nth(1)).to_be_checked()
    wrong = next(i for i, o in enumerate(q.options) if not o.correct)
    option(box, q, wrong).focus()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    expect(check_button(box)).to_be_focused()
    page.keyboard.press("Enter")
    area = feedback(box)
    expect(area).to_be_focused()
    expect(area).to_contain_text("➜ Hint:")
    page.keyboard.press("Shift+Tab")
    expect(answer_button(box)).to_be_focused()
    page.keyboard.press("Enter")
    expect(area).to_contain_text("○ The answer.")
    expect(area).to_contain_text(plain(q.options[min(q.correct_indices)].text)[:50])
    expect(area).to_be_focused()


def test_progress_and_reasoning_survive_a_reload_and_travel_as_a_file(site, visit, tmp_path):
    url, _ = site
    page, _ = visit
    page.goto(url + LESSON)
    q = lesson_quiz("single")
    box = quiz_box(page, q.id)
    right = min(q.correct_indices)
    option(box, q, right).click()
    check_button(box).click()
    expect(feedback(box)).to_contain_text("✔ Correct.")
    expect(feedback(box)).to_contain_text(f"{RIGHT} {plain(q.options[right].text)[:40]}")
    reflection = lesson_quiz("reflection")
    think = quiz_box(page, reflection.id)
    option(think, reflection, 0).click()
    check_button(think).click()
    expect(feedback(think)).to_contain_text("Thank you for choosing")
    think.get_by_label("Your reasoning").fill("Tools are neutral; uses are not.")
    think.get_by_role("button", name="Save my reasoning").click()
    expect(think).to_contain_text("Saved with your progress")

    page.reload()
    table = page.locator(".dfe-progress-table")
    lesson_row = table.get_by_role("row", name="01 Introduction")
    expect(lesson_row).to_contain_text("2 of 4")
    expect(lesson_row.locator("td").nth(1)).to_have_text("1")  # right at the first try
    expect(quiz_box(page, reflection.id).get_by_label("Your reasoning")).to_have_value(
        "Tools are neutral; uses are not.")

    with page.expect_download() as saving:
        page.get_by_role("button", name="Save my progress to a file").first.click()
    saved = tmp_path / "progress.json"
    saving.value.save_as(saved)
    assert set(json.loads(saved.read_text())["quizzes"]) == {q.id, reflection.id}

    broken = tmp_path / "broken.json"
    broken.write_text('{"learner": "x", "quizzes": {"a": {"attempts": "many"}}}')
    status = page.locator(".dfe-progress-status").first
    page.locator(".dfe-progress input[type=file]").first.set_input_files(broken)
    expect(status).to_contain_text("broken.json was not loaded")
    expect(status).to_contain_text("unchanged")
    expect(lesson_row).to_contain_text("2 of 4")

    page.evaluate("localStorage.clear()")
    page.reload()
    expect(page.locator(".dfe-progress-table").get_by_role("row", name="01 Introduction")
           ).to_contain_text("0 of 4")
    page.locator(".dfe-progress input[type=file]").first.set_input_files(saved)
    expect(page.locator(".dfe-progress-status").first).to_contain_text("Loaded progress.json")
    expect(page.locator(".dfe-progress-table").get_by_role("row", name="01 Introduction")
           ).to_contain_text("2 of 4")


def test_a_printed_lesson_is_a_handout_with_the_key_at_the_end(site, visit):
    url, _ = site
    page, _ = visit
    page.goto(url + LESSON)
    key = page.locator(".dfe-print-key")
    expect(key).to_be_hidden()  # on screen, the answers wait for the learner
    page.emulate_media(media="print")
    expect(key).to_be_visible()
    assert page.locator("button:visible").count() == 0
    expect(page.locator(".dfe-progress")).to_be_hidden()
    expect(page.locator(".bd-sidebar-primary")).to_be_hidden()
    lesson = [q for q in quizzes().values() if q.lesson == "01-introduction"]
    expect(page.locator(".dfe-quiz .dfe-question")).to_have_count(len(lesson))
    text = " ".join(key.inner_text().split())
    for q in lesson:
        assert f"Quiz: {q.title}" in text
        wanted = q.options if q.kind == "reflection" else [q.options[i]
                                                            for i in q.correct_indices]
        for opt in wanted:
            assert plain(opt.text)[:50] in text, (q.id, opt.text)
        if q.kind != "reflection":
            assert plain(q.explanation)[:50] in text
    wrong = next(o for q in lesson if q.kind == "single" for o in q.options if not o.correct)
    assert plain(wrong.feedback)[:50] not in text  # the key gives the answer, not every line


def test_make_pdf_prints_every_lesson_and_the_whole_course(site, chromium, tmp_path):
    """site/pdf.py (make pdf) on the built site: a PDF per course page in course order,
    each a handout (key at the end, no buttons), and the course in one with bookmarks."""
    from pypdf import PdfReader

    _, folder = site
    out = tmp_path / "pdf"
    subprocess.run([sys.executable, str(ROOT / "site" / "pdf.py"), "--site", str(folder),
                    "--out", str(out)], cwd=ROOT, check=True, timeout=600)
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    notebooks += sorted((ROOT / "notebooks" / "alternatives").glob("*.ipynb"))
    assert {p.name for p in out.glob("*.pdf")} == {f"{n.stem}.pdf" for n in notebooks} | {
        "course.pdf"}
    lesson = " ".join(page.extract_text() for page in PdfReader(out / "01-introduction.pdf")
                      .pages)
    lesson = " ".join(lesson.split())
    assert "Answers to the quizzes" in lesson
    for q in (q for q in quizzes().values() if q.lesson == "01-introduction"):
        assert f"Quiz: {q.title}" in lesson
    for button in ("Save my progress to a file", "Show the answer Try again"):
        assert button not in lesson
    course = PdfReader(out / "course.pdf")
    marks = [item.title for item in course.outline if not isinstance(item, list)]
    assert marks[:3] == ["Start here", "Introduction", "Legal aspects"]
    assert marks[-1] == "Closing: before and after"
    assert len(marks) == len(notebooks)
    assert len(course.pages) == sum(len(PdfReader(p).pages) for p in out.glob("[0-9]*.pdf"))


def test_an_answer_to_an_earlier_wording_of_a_quiz_is_not_counted(site, visit):
    """As in JupyterLab (progress.record): an answer is kept with its quiz's version; one
    given to an earlier wording moves to "earlier" when the quiz is answered again."""
    url, _ = site
    page, _ = visit
    q = lesson_quiz("single")
    page.goto(url + LESSON)
    old = {"learner": "0123abcd", "quizzes": {q.id: {
        "lesson": q.lesson, "attempts": 1, "first_correct": True, "correct": True,
        "choice": [0], "item_version": "reworded"}}, "notes": {}}
    page.evaluate("data => localStorage.setItem('deepfake-ethics:progress', "
                  "JSON.stringify(data))", old)
    page.reload()
    row = page.locator(".dfe-progress-table").get_by_role("row", name="01 Introduction")
    expect(row).to_contain_text("0 of 4")
    box = quiz_box(page, q.id)
    option(box, q, min(q.correct_indices)).click()
    check_button(box).click()
    expect(row).to_contain_text("1 of 4")
    saved = json.loads(page.evaluate("localStorage.getItem('deepfake-ethics:progress')"))
    assert saved["earlier"][q.id][0]["item_version"] == "reworded"
    assert saved["quizzes"][q.id]["item_version"] == q.version
    assert saved["quizzes"][q.id]["attempts"] == 1


def test_the_dark_mode_keeps_quizzes_readable(site, chromium, axe_source):
    """The theme's dark mode (chosen with its switch, kept in localStorage): a lesson and a
    quiz's feedback pass axe-core's contrast rules as in the light mode."""
    url, _ = site
    context = chromium.new_context(viewport=DESKTOP)
    context.add_init_script(script="localStorage.setItem('mode', 'dark');"
                                   "localStorage.setItem('theme', 'dark');")
    try:
        page = context.new_page()
        page.goto(url + LESSON)
        expect(page.locator("html")).to_have_attribute("data-theme", "dark")
        q = lesson_quiz("single")
        box = quiz_box(page, q.id)
        option(box, q, next(i for i, o in enumerate(q.options) if not o.correct)).click()
        check_button(box).click()
        expect(feedback(box)).to_contain_text("➜ Hint:")
        page.evaluate(axe_source)
        violations = axe_violations(page, "html")
        assert violations == [], "\n".join(violations)
    finally:
        context.close()


def test_the_diagnostic_before_and_after_as_in_jupyterlab(site, visit, axe_source):
    """Lesson 00's form: Submit with gaps names them, a new answer clears the warning, the
    whole form is marked and kept, shown again after a reload as an earlier submission;
    the closing notebook gives the other form."""
    url, _ = site
    page, _ = visit
    page.goto(url + "notebooks/00-start-here.html")
    form = page.locator(".dfe-site-diagnostic .dfe-diagnostic")
    items = form.locator(".dfe-diag-item")
    n = len(diagnostic_form("A"))
    expect(items).to_have_count(n)
    first = re.search(r"form ([AB])", form.locator("h3").inner_text()).group(1)
    items.nth(0).get_by_role("radio").first.check()
    submit = form.get_by_role("button", name="Submit my answers")
    submit.click()
    area = form.locator(".dfe-feedback-area")
    expect(area).to_contain_text(f"questions {', '.join(map(str, range(2, n + 1)))} have no "
                                 "answer")
    expect(area).to_be_focused()
    for k in range(1, n):
        items.nth(k).get_by_role("radio").nth(1).check()
    expect(area).to_have_text("")  # the warning goes with the next answer
    submit.click()
    expect(area).to_contain_text(f"of {n} right (form {first}, at the start (lesson 00))")
    expect(submit).to_be_hidden()
    expect(items.nth(0).get_by_role("radio").first).to_be_disabled()
    page.evaluate(axe_source)
    violations = axe_violations(page, ".dfe-site-diagnostic")
    assert violations == [], "\n".join(violations)
    record = json.loads(page.evaluate("localStorage.getItem('deepfake-ethics:progress')"))
    assert record["diagnostic"]["before"]["form"] == first
    assert first == first_form(record["learner"])  # the form JupyterLab gives this learner
    assert len(record["diagnostic"]["before"]["answers"]) == n

    page.reload()
    expect(page.locator(".dfe-site-diagnostic .dfe-feedback-area")).to_contain_text(
        "You submitted it on ")
    page.goto(url + "notebooks/06-closing.html")
    other = "B" if first == "A" else "A"
    expect(page.locator(".dfe-site-diagnostic h3")).to_contain_text(
        f"Diagnostic, form {other}: after the lessons")


def take_form(page, choose: int) -> None:
    """Answer every item of the diagnostic on this page with its option ``choose`` (in
    the learner's order) and submit it."""
    form = page.locator(".dfe-site-diagnostic .dfe-diagnostic")
    items = form.locator(".dfe-diag-item")
    expect(items).to_have_count(len(diagnostic_form("A")))
    for k in range(items.count()):
        items.nth(k).get_by_role("radio").nth(choose).check()
    form.get_by_role("button", name="Submit my answers").click()
    expect(form.locator(".dfe-feedback-area")).to_contain_text("right (form ", timeout=10_000)


def test_the_closing_page_compares_before_and_after_and_saves_the_summary(site, visit,
                                                                          axe_source, tmp_path):
    """Quizzes answered and both forms taken: the closing page's tables say, per FAQ, right
    or wrong before and after and, per lesson, the first-try results; the summary it
    downloads is the page JupyterLab's save_summary writes from the same progress (without
    the chart, whose tables it has)."""
    url, _ = site
    page, _ = visit
    page.goto(url + LESSON)
    answered = [q for q in quizzes().values() if q.lesson == "01-introduction"
                and q.kind != "reflection"][:2]
    for q, right in zip(answered, (True, False), strict=True):
        box = quiz_box(page, q.id)
        option(box, q, next(i for i, o in enumerate(q.options) if o.correct is right)).click()
        check_button(box).click()
        expect(feedback(box)).not_to_have_text("")
    page.goto(url + "notebooks/00-start-here.html")
    take_form(page, 0)
    page.goto(url + "notebooks/06-closing.html")
    comparison = page.locator(".dfe-site-closing[data-part='comparison'] .dfe-closing")
    expect(comparison.locator(".dfe-closing-caption")).to_contain_text(
        "After: not taken yet. Take the diagnostic above")
    take_form(page, 1)  # the comparison follows, without a reload
    expect(comparison.locator(".dfe-closing-caption")).not_to_contain_text("not taken yet")

    record = json.loads(page.evaluate("localStorage.getItem('deepfake-ethics:progress')"))
    store = ProgressStore(tmp_path / "progress.json")
    (tmp_path / "progress.json").write_text(json.dumps(record))
    rows = comparison.locator("table").nth(0).locator("tbody tr")
    expect(rows).to_have_count(len(faqs()))
    found = before_and_after(store)
    assert not list(tmp_path.glob("*.corrupt-*"))  # JupyterLab reads the site's record
    for k, row in enumerate(found):
        expect(rows.nth(k)).to_have_text(re.compile(
            rf"^{re.escape(row['faq'])}.*{VERDICT[row['before']]}{VERDICT[row['after']]}$"))
    lesson = next(r for r in summary(store) if r["lesson"] == "01-introduction")
    assert lesson["answered"] == 2 and lesson["first_try_right"] == 1
    expect(comparison.locator("table").nth(1).locator("tbody tr", has_text="01 ")).to_have_text(
        f"{row_label(lesson)}2 of {lesson['quizzes']}1 of {lesson['scored']}")
    expect(comparison.locator("table").nth(0).locator("tfoot")).to_contain_text(
        f"(form {record['diagnostic']['before']['form']})")
    page.evaluate(axe_source)
    violations = axe_violations(page, ".dfe-site-closing")
    assert violations == [], "\n".join(violations)
    width = page.evaluate("() => [document.documentElement.scrollWidth, "
                          "document.documentElement.clientWidth]")
    assert width[0] <= width[1]

    save = page.locator(".dfe-site-closing[data-part='summary']").get_by_role(
        "button", name=DOWNLOAD)
    save.focus()
    with page.expect_download() as info:
        page.keyboard.press("Enter")
    download = info.value
    assert download.suggested_filename == SUMMARY_NAME
    saved = Path(download.path()).read_text(encoding="utf-8")
    python = summary_html(store, made=dt.date.today())
    assert saved == re.sub(r"<figure>\n<img [^\n]*>\n<figcaption>[^\n]*</figcaption>\n"
                           r"</figure>", "", python)
    assert "<script" not in saved and "After: " in saved
    expect(page.locator(".dfe-site-closing[data-part='summary'] [role='status']")).to_contain_text(
        SUMMARY_NAME)
