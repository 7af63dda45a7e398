"""The closing notebook's two helpers: the learner's before-and-after chart, and a one-page
summary to keep.

``show_before_and_after()`` draws, from the learner's progress, the diagnostic's result for
each FAQ before and after the lessons (right, wrong, not taken) and, lesson by lesson, the
scored quizzes answered right at the first try; it is drawn with the course's plot helpers
and shown with alt text that says everything the chart shows. ``save_summary()`` writes the
same as one self-contained HTML page (inline style, the chart inline, no script, nothing
fetched from anywhere) beside the progress file, says where, and offers it for download
from the notebook itself. Nothing leaves the learner's computer. The summary's parts are
functions of their data, which :mod:`.closing_export` renders for the course website.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .bank import quizzes
from .diagnostic_session import MOMENTS, WHEN, before_and_after, totals
from .plots import PALETTE, FigureImage, course_style, new_figure, render
from .progress import ProgressStore, default_store, summary
from .progress_chart import row_label, row_name

SUMMARY_NAME = "deepfake-ethics-summary.html"
COURSE = "The Ethics of Deepfakes"
VERDICT = {True: "right", False: "wrong", None: "not taken"}
TO_DO = " Take the diagnostic above to fill in the second column."
DOWNLOAD = "Download your summary"


def _short(text: str, width: int = 46) -> str:
    return textwrap.shorten(text, width, placeholder="…")


def _date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _day(stamp: str) -> str:
    try:
        return _date(dt.datetime.fromisoformat(stamp))
    except ValueError:
        return stamp[:10]


def moment_line(moment: str, taken: dict[str, Any] | None) -> str:
    """One moment of the diagnostic in a sentence (``taken``: right, items, form and day)."""
    if not taken:
        return f"{moment.capitalize()}: not taken yet."
    return (f"{moment.capitalize()}: {taken['right']} of {taken['items']} right (form "
            f"{taken['form']}, {taken['day']}).")


def _moment_line(moment: str, found: dict[str, Any]) -> str:
    taken = found.get(moment)
    return moment_line(moment, {**taken, "day": _day(taken["submitted"])} if taken else None)


def describe(store: ProgressStore | None = None) -> dict[str, Any]:
    """Everything the chart and the summary show, as data: the diagnostic per FAQ and in
    total, and the quizzes lesson by lesson."""
    store = store or default_store()
    return {"faqs": before_and_after(store), "totals": totals(store),
            "lessons": [r for r in summary(store) if r["scored"]]}


@course_style()
def show_before_and_after(store: ProgressStore | None = None) -> FigureImage:
    """A chart of your diagnostic results before and after, question by question, and of
    the quizzes you answered right at the first try, lesson by lesson."""
    data = describe(store)
    faqs, lessons, found = data["faqs"], data["lessons"], data["totals"]
    top_labels = [f"{r['faq']} {_short(r['question'])}" for r in faqs]
    bottom_labels = [row_label(r) for r in lessons]
    width, row = 9.0, 0.3
    left = 0.25 + 0.075 * max(len(t) for t in top_labels + bottom_labels)
    top_h, bottom_h = row * len(faqs) + 0.2, row * len(lessons) + 0.2
    margins = {"top": 0.85, "gap": 1.05, "bottom": 0.6}
    height = top_h + bottom_h + sum(margins.values())
    fig = new_figure(width, height, layout=None)
    right = 0.25

    def axes(y0: float, h: float):
        return fig.add_axes((left / width, y0 / height, 1 - (left + right) / width, h / height))

    ax = axes(margins["bottom"] + bottom_h + margins["gap"], top_h)
    columns = {"before": 0.0, "after": 1.0}
    style = {True: ("o", PALETTE[2], "right"), False: ("X", PALETTE[1], "wrong")}
    ys = list(range(len(faqs)))[::-1]
    for y, r in zip(ys, faqs, strict=True):
        for moment, x in columns.items():
            verdict = r[moment]
            if verdict is None:
                ax.annotate("–  not taken", (x, y), va="center", ha="left", fontsize=9,
                            color="#555555")
                continue
            marker, colour, word = style[verdict]
            ax.plot(x, y, marker=marker, color=colour, markersize=9, markeredgecolor="black",
                    linestyle="none")
            ax.annotate(f"   {word}", (x + 0.05, y), va="center", fontsize=9)
    ax.set_yticks(ys, top_labels)
    ax.set_xticks([0, 1], [f"Before{_form(found, 'before')}", f"After{_form(found, 'after')}"])
    ax.xaxis.tick_top()
    ax.tick_params(axis="x", length=0)
    ax.set_xlim(-0.3, 1.8)
    ax.set_ylim(-0.7, len(faqs) - 0.3)
    ax.spines["bottom"].set_visible(False)
    ax.set_title("The diagnostic, question by question", loc="left", pad=24)

    bx = axes(margins["bottom"], bottom_h)
    ys = list(range(len(lessons)))[::-1]
    bx.barh(ys, [r["scored"] for r in lessons], color="white", edgecolor="#555555",
            label="scored quizzes in the lesson")
    bx.barh(ys, [r["first_try_right"] for r in lessons], height=0.45, color=PALETTE[0],
            edgecolor="black", label="right at the first try")
    for y, r in zip(ys, lessons, strict=True):
        bx.annotate(f"  {r['first_try_right']} of {r['scored']} right first time "
                    f"({r['scored_answered']} answered)", (r["scored"], y), va="center",
                    fontsize=9)
    bx.set_yticks(ys, bottom_labels)
    most = max((r["scored"] for r in lessons), default=1)
    bx.set_xlim(0, most * 2.3)
    bx.set_xlabel("Quizzes with a right answer")
    bx.set_title("Quizzes right at the first try, lesson by lesson", loc="left", pad=30)
    bx.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=2, fontsize=8,
              frameon=False)
    return render(fig, alt_text(data), caption(data))


def _form(found: dict[str, Any], moment: str) -> str:
    return f" (form {found[moment]['form']})" if moment in found else ""


def caption(data: dict[str, Any]) -> str:
    """The chart's caption: the two totals, or what is still to do."""
    found = data["totals"]
    text = " ".join(_moment_line(m, found) for m in MOMENTS)
    if "after" not in found:
        text += TO_DO
    return text


def alt_text(data: dict[str, Any]) -> str:
    """Everything the chart shows, in words."""
    found = data["totals"]
    faqs = "; ".join(f"{r['faq']} {r['question']} {VERDICT[r['before']]} before, "
                     f"{VERDICT[r['after']]} after" for r in data["faqs"])
    lessons = "; ".join(f"{row_name(r)}: {r['first_try_right']} of {r['scored']} right at "
                        f"the first try, {r['scored_answered']} answered" for r in data["lessons"])
    return ("Chart in two parts. First, your diagnostic results for the eleven questions of "
            f"the source post. {' '.join(_moment_line(m, found) for m in MOMENTS)} Question by "
            f"question: {faqs}. Second, quizzes with a right answer that you answered right at "
            f"the first try, lesson by lesson: {lessons}.")


# -- the summary to keep ---------------------------------------------------------------------

_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; line-height: 1.5;
  color: #1a1a1a; background: #fff; margin: 0; }
main { max-width: 52em; margin: 0 auto; padding: 1.5em; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
table { border-collapse: collapse; margin: 0.8em 0; width: 100%; }
th, td { border: 1px solid #999; padding: 0.3em 0.5em; text-align: left; vertical-align: top; }
th { background: #eef3f8; }
figure { margin: 1em 0; } img { max-width: 100%; height: auto; }
.note { color: #444; font-size: 0.95em; }
blockquote { border-left: 4px solid #0072B2; margin: 0.5em 0; padding: 0.2em 0.8em;
  white-space: pre-wrap; }
@media print { main { padding: 0; } }
"""


# The summary's parts, each from the data it shows; the website's engine fills the same
# parts (deepfake_ethics.closing_export renders them with placeholders).


def faq_row(faq: str, question: str, before: str, after: str) -> str:
    """A row of the diagnostic's table (``before``, ``after``: words of VERDICT)."""
    esc = html.escape
    return (f"<tr><th scope='row'>{esc(faq)}</th><td>{esc(question)}</td>"
            f"<td>{before}</td><td>{after}</td></tr>")


def total_cell(taken: dict[str, Any] | None) -> str:
    """A moment's total (right, items, form), or that it was not taken."""
    if not taken:
        return "<td>not taken</td>"
    return f"<td>{taken['right']} of {taken['items']} (form {html.escape(taken['form'])})</td>"


def lesson_row(label: str, answered: Any, quizzes_: Any, first: Any, scored: Any) -> str:
    """A row of the quizzes' table."""
    return (f"<tr><th scope='row'>{html.escape(label)}</th><td>{answered} of {quizzes_}"
            f"</td><td>{first} of {scored}</td></tr>")


def diagnostic_table(rows: str, totals_row: str) -> str:
    """The diagnostic, question by question, with the totals."""
    return f"""<table>
<caption>The diagnostic, question by question</caption>
<thead><tr><th scope="col">FAQ</th><th scope="col">Question</th><th scope="col">Before</th>
<th scope="col">After</th></tr></thead>
<tbody>{rows}</tbody>
<tfoot><tr><th scope="row" colspan="2">Right in total</th>{totals_row}</tr></tfoot>
</table>"""


def lessons_table(rows: str) -> str:
    """The quizzes, lesson by lesson."""
    return f"""<table>
<caption>Quizzes answered, and scored quizzes right at the first try</caption>
<thead><tr><th scope="col">Lesson</th><th scope="col">Answered</th>
<th scope="col">Right at the first try</th></tr></thead>
<tbody>{rows}</tbody>
</table>"""


def reasoning_item(title: str, text: str) -> str:
    """One reflection's reasoning, in the learner's words."""
    return f"<h3>{html.escape(title)}</h3><blockquote>{html.escape(text)}</blockquote>"


def reasoning_section(items: str) -> str:
    """The learner's reasoning (nothing when there is none)."""
    if not items:
        return ""
    return ("<h2>Your reasoning, in your words</h2><p class='note'>What you wrote "
            f"for the reflection quizzes.</p>{items}")


def summary_page(day: str, moments: str, faq_table: str, quiz_table: str, figure: str,
                 reasoning: str) -> str:
    """The summary's document around its parts (each already HTML)."""
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Your summary: {COURSE}</title>
<style>{_STYLE}</style>
</head>
<body>
<main>
<h1>Your summary: {COURSE}</h1>
<p class="note">Made on {day} from the progress file on your own computer. Nothing was
sent anywhere; this page needs no internet connection and runs no script.</p>
<h2>Before and after</h2>
<p>You took one form of a short diagnostic {WHEN['before']} and the other
{WHEN['after']}: one question for each of the eleven questions of Alan Zucconi's
post <em>The Ethics of Deepfakes</em> (2018). {moments}</p>
{faq_table}
<p class="note">The two forms are parallel but not identical, and one question per topic
is a small sample: read a change on one question as a sign, not as proof.</p>
<h2>Quizzes, lesson by lesson</h2>
{quiz_table}
{figure}
{reasoning}
<p class="note">{COURSE} is an open course. It is not legal advice.</p>
</main>
</body>
</html>
"""


def summary_html(store: ProgressStore | None = None, made: dt.date | None = None) -> str:
    """The one-page summary: a self-contained HTML document (no script, nothing fetched)."""
    store = store or default_store()
    data = describe(store)
    chart = show_before_and_after(store)
    svg = base64.b64encode(chart.svg).decode("ascii")
    found = data["totals"]
    esc = html.escape
    rows = "".join(faq_row(r["faq"], r["question"], VERDICT[r["before"]], VERDICT[r["after"]])
                   for r in data["faqs"])
    totals_row = "".join(total_cell(found.get(m)) for m in MOMENTS)
    lesson_rows = "".join(lesson_row(row_label(r), r["answered"], r["quizzes"],
                                     r["first_try_right"], r["scored"]) for r in data["lessons"])
    notes = store.load().get("notes", {})
    bank = quizzes()
    reasoning = "".join(reasoning_item(bank[qid].title if qid in bank else qid, note["text"])
                        for qid, note in notes.items() if note.get("text", "").strip())
    figure = (f'<figure>\n<img src="data:image/svg+xml;base64,{svg}" alt="{esc(chart.alt)}">\n'
              f"<figcaption>{esc(chart.caption)}</figcaption>\n</figure>")
    moments = f"{esc(_moment_line('before', found))}\n{esc(_moment_line('after', found))}"
    return summary_page(esc(_date(made or dt.date.today())), moments,
                        diagnostic_table(rows, totals_row), lessons_table(lesson_rows), figure,
                        reasoning_section(reasoning))


@dataclass
class SavedSummary:
    """Where the summary was saved (None if it could not be), and the page itself."""

    path: Path | None
    html: str
    problem: str = ""

    def _link(self) -> str:
        data = base64.b64encode(self.html.encode("utf-8")).decode("ascii")
        return (f'<a download="{SUMMARY_NAME}" href="data:text/html;charset=utf-8;base64,{data}">'
                f"{DOWNLOAD}</a>")

    def _repr_html_(self) -> str:
        where = (f"<p>✔ Your summary is saved at <code>{html.escape(str(self.path))}</code>. "
                 "Open that file in your web browser, or keep a copy with the link below.</p>"
                 if self.path else
                 f"<p>⚠ Your summary could not be saved ({html.escape(self.problem)}). Keep it "
                 "with the link below instead.</p>")
        return (f"{where}<p>{self._link()} (one page; it stays on your computer, like "
                "everything here).</p>")

    def __repr__(self) -> str:
        if self.path:
            return f"Your summary is saved at {self.path}"
        return f"Your summary could not be saved ({self.problem})"


def summary_path(store: ProgressStore | None = None) -> Path:
    """Where the summary goes by default: beside the progress file."""
    return (store or default_store()).path.expanduser().parent / SUMMARY_NAME


def save_summary(path: Path | str | None = None,
                 store: ProgressStore | None = None) -> SavedSummary:
    """Write your one-page summary (HTML) beside your progress file, or to ``path``, and
    say where it is."""
    store = store or default_store()
    page = summary_html(store)
    target = Path(path).expanduser() if path is not None else summary_path(store)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(page, encoding="utf-8")
    except OSError as exc:
        return SavedSummary(None, page, exc.strerror or str(exc))
    return SavedSummary(target.resolve(), page)
