"""The learner's progress as a chart: quizzes answered, and right at the first try, per
lesson (the records themselves live in :mod:`deepfake_ethics.progress`). An alternative
activity has a row of its own after its lesson; the total counts one of the two."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .plots import PALETTE, FigureImage, axes_with_margins, cached_image, new_figure
from .progress import ProgressStore, course_totals, default_store, summary

if TYPE_CHECKING:  # pragma: no cover
    import matplotlib.figure


def row_label(row: dict) -> str:
    """How a row of the summary is named on a chart: "02 Legal aspects", "04 alt. Likeness
    and consent"."""
    alt = " alt." if row.get("alternative_to") else ""
    return f"{row['lesson'][:2]}{alt} {row['title']}"


def row_name(row: dict) -> str:
    """How a row is named in alt text: its title, and what an alternative replaces."""
    if row.get("alternative_to"):
        return f"{row['title']} (the alternative to lesson {row['alternative_to'][:2]})"
    return row["title"]


def show_progress(store: ProgressStore | None = None) -> FigureImage:
    """A chart of quizzes answered, and answered right at the first try, per lesson (drawn
    again only when the rows it shows change)."""
    rows = summary(store)
    answered, total = course_totals(rows)
    alt = "Bar chart of quiz progress per lesson. " + "; ".join(
        f"{row_name(r)}: {r['answered']} of {r['quizzes']} answered, "
        f"{r['first_try_right']} right at the first try" for r in rows) + "."
    caption = f"You have answered {answered} of {total} quizzes."
    for r in rows:
        if r["alternative_to"]:
            caption += (f" Lesson {r['alternative_to'][:2]} and its alternative count once, "
                        "whichever you answered more of.")
    earlier = sum(r["earlier_versions"] for r in rows)
    if earlier:
        caption += (f" {earlier} of your earlier answers {'was' if earlier == 1 else 'were'} "
                    "to quizzes rewritten since, and {0} not counted: answer "
                    "{1} again to count {1}.").format(
                        "it is" if earlier == 1 else "they are",
                        "it" if earlier == 1 else "them")
    if (store or default_store()).in_memory:
        caption += " Progress is kept in memory only for this session."
    return cached_image("progress", json.dumps(rows, sort_keys=True), lambda: _chart(rows),
                        alt, caption, code=(Path(__file__),))


def _chart(rows: list[dict[str, Any]]) -> matplotlib.figure.Figure:
    labels = [row_label(r) for r in rows][::-1]
    fig = new_figure(8, 1.3 + 0.5 * len(rows), layout=None)
    ax = axes_with_margins(fig, labels, title="Your progress", extra_top=0.2)
    ys = range(len(rows))
    rev = rows[::-1]
    ax.barh(ys, [r["quizzes"] for r in rev], color="white", edgecolor="#555555",
            label="quizzes in the lesson")
    ax.barh(ys, [r["answered"] for r in rev], color=PALETTE[5], edgecolor="#555555",
            hatch="//", label="answered")
    ax.barh(ys, [r["first_try_right"] for r in rev], height=0.4, color=PALETTE[0],
            edgecolor="black", label="right at the first try")
    for y, r in zip(ys, rev, strict=True):
        ax.annotate(f"  {r['answered']}/{r['quizzes']} answered, {r['first_try_right']} right "
                    "first time", (r["quizzes"], y), va="center", fontsize=9)
    ax.set_yticks(list(ys), labels)
    most = max((r["quizzes"] for r in rows), default=1)
    ax.set_xlim(0, most * 2.1)
    ax.set_xlabel("Quizzes")
    ax.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=3, fontsize=8,
              frameon=False)
    return fig
