"""Slide decks for the room: ``python site/slides.py [--out _slides]`` (``make slides``).

One reveal.js deck per lesson (and per alternative activity), from the same notebooks and
quiz files as the lessons: the lesson's title, each quiz on a slide of its own (the
scenario, the question and the options, then the answer revealed on a click, and a slide
with the explanation), each reflection's positions one by one with the points for
discussion, the figures with their alt text, and the key points. reveal.js comes from npm
(installed once into ``.cache/reveal.js``) and is copied beside the decks, so that a deck
needs nothing from elsewhere, not even in a room without a network.
"""

from __future__ import annotations

import argparse
import html
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
from course_pages import course_call  # the same reading of a lesson's cells as the site

from deepfake_ethics import layout
from deepfake_ethics.bank import get_figure, get_quiz
from deepfake_ethics.plots import figure as draw_figure
from deepfake_ethics.quiz_feedback import (
    ANSWER,
    OTHER,
    RIGHT,
    explanation_html,
    inline,
    markdown,
    option_line,
)
from deepfake_ethics.schema import Quiz

ROOT = Path(__file__).resolve().parent.parent
REVEAL_VERSION = "6.0.2"
REVEAL_CACHE = ROOT / ".cache" / "reveal.js"
KEY_POINTS = "## Key points"
SETTINGS = "Reveal.initialize({hash: true, width: 1280, height: 800, center: false, " \
           "transition: 'none'});\n"
STYLE = """.reveal .slides section { text-align: left; font-size: 0.62em; height: 100%;
  overflow-y: auto; }
.reveal h1, .reveal h2, .reveal h3 { text-transform: none; }
.reveal .dfe-answer { border-left: 0.3em solid #1565c0; padding-left: 0.6em; }
.reveal figure img { max-height: 60vh; }
.reveal figcaption { font-size: 0.7em; }
"""


def reveal_dist() -> Path:
    """reveal.js's ``dist`` folder, installed from npm the first time."""
    dist = REVEAL_CACHE / "node_modules" / "reveal.js" / "dist"
    if not (dist / "reveal.js").exists():
        npm = shutil.which("npm")
        if npm is None:
            raise SystemExit("make slides installs reveal.js with npm, which is not installed")
        REVEAL_CACHE.mkdir(parents=True, exist_ok=True)
        done = subprocess.run([npm, "install", "--no-save", "--no-audit", "--no-fund",
                               "--prefix", str(REVEAL_CACHE), f"reveal.js@{REVEAL_VERSION}"],
                              capture_output=True, text=True, timeout=300)
        if done.returncode != 0 or not (dist / "reveal.js").exists():
            raise SystemExit(f"npm install reveal.js failed: {done.stderr[-500:]}")
    return dist


def section(body: str, classes: str = "") -> str:
    return f'<section class="{classes}">{body}</section>' if classes else \
        f"<section>{body}</section>"


def quiz_slides(q: Quiz) -> list[str]:
    """A quiz for the room: the question, then its answer (or for a reflection, each
    position) revealed on a click, then the explanation."""
    order = range(len(q.options))
    letters = "".join(f"<li>{inline(q.options[i].text)}</li>" for i in order)
    ask = (f"<h3>Quiz: {html.escape(q.title)}</h3>{markdown(q.scenario)}"
           f"<p><strong>{inline(q.question)}</strong></p>")
    if q.kind == "reflection":
        positions = "".join(f'<ul class="fragment dfe-answer">{option_line(OTHER, q, i)}</ul>'
                            for i in order)
        points = "".join(f"<li>{inline(p)}</li>" for p in q.discussion)
        return [section(f'{ask}<ol type="A">{letters}</ol>', "dfe-quiz"),
                section(f"<h3>{html.escape(q.title)}: every position</h3>{positions}",
                        "dfe-positions"),
                section(f"<h3>Points for discussion</h3><ul>{points}</ul>"
                        f"{explanation_html(q)}", "dfe-explanation")]
    label = ANSWER if q.kind == "single" else RIGHT
    right = "".join(option_line(label, q, i) for i in order if q.options[i].correct)
    return [section(f'{ask}<ol type="A">{letters}</ol>'
                    f'<ul class="fragment dfe-answer">{right}</ul>', "dfe-quiz"),
            section(f"<h3>{html.escape(q.title)}: why</h3>{explanation_html(q)}",
                    "dfe-explanation")]


def figure_slide(figure_id: str, out: Path) -> str:
    """A figure as an SVG file beside the decks, with its alt text and caption."""
    spec, image = get_figure(figure_id), draw_figure(figure_id)
    (out / "figures").mkdir(exist_ok=True)
    (out / "figures" / f"{figure_id}.svg").write_bytes(image.svg)
    return section(f"<h3>{html.escape(spec.title)}</h3><figure>"
                   f'<img src="figures/{figure_id}.svg" alt="{html.escape(image.alt)}">'
                   f"<figcaption>{html.escape(image.caption)}</figcaption></figure>",
                   "dfe-figure")


def lesson_deck(notebook: Path, out: Path) -> tuple[str, str]:
    """The deck of one lesson notebook: its title and its slides' HTML."""
    nb = nbformat.read(notebook, as_version=4)
    first = next(c.source for c in nb.cells if c.cell_type == "markdown")
    title = next(line[2:].strip() for line in first.splitlines() if line.startswith("# "))
    slides = [section(f"<h1>{html.escape(title)}</h1>", "dfe-title")]
    for cell in nb.cells:
        if cell.cell_type == "markdown" and cell.source.startswith(KEY_POINTS):
            slides.append(section(markdown(cell.source), "dfe-key-points"))
        found = course_call(cell.source) if cell.cell_type == "code" else None
        if found and found[0] == "quiz":
            slides += quiz_slides(get_quiz(*found[1]))
        elif found and found[0] == "figure":
            slides.append(figure_slide(*found[1], out))
    return title, "".join(slides)


def page(title: str, slides: str) -> str:
    return ("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{html.escape(title)}: slides</title><link rel=\"icon\" href=\"data:,\">"
            "<link rel=\"stylesheet\" href=\"reveal/reset.css\">"
            "<link rel=\"stylesheet\" href=\"reveal/reveal.css\">"
            "<link rel=\"stylesheet\" href=\"reveal/theme/white.css\">"
            "<link rel=\"stylesheet\" href=\"slides.css\"></head><body>"
            f"<div class=\"reveal\"><div class=\"slides\">{slides}</div></div>"
            "<script src=\"reveal/reveal.js\"></script><script src=\"slides.js\"></script>"
            "</body></html>\n")


def build(out: Path) -> list[Path]:
    """A deck per lesson and alternative activity in ``out``, with reveal.js and an index;
    returns the decks."""
    out.mkdir(parents=True, exist_ok=True)
    shutil.copytree(reveal_dist(), out / "reveal", dirs_exist_ok=True)
    (out / "slides.js").write_text(SETTINGS, encoding="utf-8")
    (out / "slides.css").write_text(STYLE, encoding="utf-8")
    decks, links = [], []
    for notebook in layout.lesson_notebooks(ROOT) + layout.alternative_notebooks(ROOT):
        title, slides = lesson_deck(notebook, out)
        deck = out / f"{notebook.stem}.html"
        deck.write_text(page(title, slides), encoding="utf-8")
        decks.append(deck)
        links.append(f'<li><a href="{deck.name}">{html.escape(title)}</a></li>')
    (out / "index.html").write_text(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Slides: The "
        "Ethics of Deepfakes</title></head><body><main><h1>Slides: The Ethics of Deepfakes"
        f"</h1><ul>{''.join(links)}</ul></main></body></html>\n", encoding="utf-8")
    return decks


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "_slides",
                        help="the folder to write the decks to (default: _slides)")
    args = parser.parse_args(argv)
    decks = build(args.out.resolve())
    print(f"{len(decks)} slide decks are in {args.out}/ (open index.html)")


if __name__ == "__main__":
    sys.exit(main())
