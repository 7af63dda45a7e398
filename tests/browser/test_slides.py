"""make slides (``site/slides.py``): a reveal.js deck per lesson for the room, built from the
same notebooks and quiz files, with reveal.js copied beside the decks (nothing from
elsewhere), and a deck that runs in Chromium: the answer comes on a click."""

from __future__ import annotations

import functools
import html
import http.server
import re
import subprocess
import sys
import threading
from pathlib import Path

import nbformat
import pytest

from deepfake_ethics import layout
from deepfake_ethics.bank import quizzes
from deepfake_ethics.quiz_feedback import inline, option_line

from .lab import ROOT, expect, quiz_ids

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def decks(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("slides")
    subprocess.run([sys.executable, str(ROOT / "site" / "slides.py"), "--out", str(out)],
                   cwd=ROOT, check=True, timeout=600)
    return out


def lessons() -> list[Path]:
    return layout.lesson_notebooks(ROOT) + layout.alternative_notebooks(ROOT)


def test_a_deck_per_lesson_with_every_quiz_its_answer_and_the_key_points(decks):
    assert {p.name for p in decks.glob("*.html")} == {f"{n.stem}.html" for n in lessons()} | {
        "index.html"}
    for notebook in lessons():
        deck = (decks / f"{notebook.stem}.html").read_text(encoding="utf-8")
        lesson = [quizzes()[quiz_id] for quiz_id in quiz_ids(notebook)]
        assert lesson, notebook
        for q in lesson:
            assert f"Quiz: {html.escape(q.title)}" in deck and inline(q.question) in deck
            answers = re.findall(r'<ul class="fragment dfe-answer">(.*?)</ul>', deck, re.S)
            if q.kind == "reflection":  # every position, one click each
                for i in range(len(q.options)):
                    assert any(option_line("◇ Another view:", q, i) in a for a in answers)
            else:
                for i in q.correct_indices:
                    assert any(inline(q.options[i].feedback) in a for a in answers), q.id
        nb = nbformat.read(notebook, as_version=4)
        points = next((c.source for c in nb.cells if c.source.startswith("## Key points")),
                      None)
        if points:
            assert 'class="dfe-key-points"' in deck
    deck = (decks / "01-introduction.html").read_text(encoding="utf-8")
    loaded = re.findall(r'<(?:script|img)\b[^>]*\ssrc="([^"]+)"', deck)
    loaded += re.findall(r'<link\b[^>]*\shref="([^"]+)"', deck)  # what a deck loads
    assert "reveal/reveal.js" in loaded and "figures/face-swap-autoencoder.svg" in loaded
    assert all((decks / link).is_file() for link in loaded if link != "data:,")


def test_a_deck_runs_and_reveals_the_answer_on_a_click(decks, chromium):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(decks))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    context = chromium.new_context(viewport={"width": 1280, "height": 800})
    requests: list[str] = []
    context.on("request", lambda r: requests.append(r.url))
    try:
        page = context.new_page()
        origin = f"http://127.0.0.1:{server.server_port}/"
        page.goto(origin + "01-introduction.html")
        page.wait_for_function("window.Reveal && Reveal.isReady()")
        quiz_at = page.evaluate("[...document.querySelectorAll('.slides > section')]"
                                ".findIndex(s => s.classList.contains('dfe-quiz'))")
        page.evaluate(f"Reveal.slide({quiz_at}, 0, -1)")
        answer = page.locator("section.present .dfe-answer")
        expect(answer).not_to_have_class(re.compile(r"\bvisible\b"))
        page.keyboard.press("ArrowRight")  # the click a presenter's remote sends
        expect(answer).to_have_class(re.compile(r"\bvisible\b"))
        assert page.evaluate("Reveal.getIndices().h") == quiz_at  # still on the quiz
        assert all(r.startswith(origin) or r.startswith("data:") for r in requests)
    finally:
        context.close()
        server.shutdown()
        server.server_close()
