"""The dashboard's three figures, drawn in the course style, each with alt text that
states what it shows; a class without submissions gives a :class:`Notice` instead."""

from __future__ import annotations

from ..plots import MARKERS, PALETTE, FigureImage, course_style, new_figure, render
from .gradebook import NO_SUBMISSIONS, ClassData, Notice
from .stats import _names, _pct, _plural, question_rows, score_distribution, submission_status


@course_style()
def score_distribution_figure(data: ClassData) -> FigureImage | Notice:
    """Every submission's score per assignment (% of the maximum), with median and the
    middle half of the class; late submissions are hollow squares."""
    if data.empty:
        return Notice(f"{NO_SUBMISSIONS}: no scores to show.")
    rows = score_distribution(data)
    fig = new_figure(8, 1.6 + 0.8 * len(rows))
    ax = fig.add_subplot()
    for y, row in enumerate(rows):
        subs = [s for s in data.submissions if s.assignment == row["assignment"]]
        if not subs:
            ax.text(0, y, "no submissions", va="center", fontsize=9, style="italic")
            continue
        ax.plot([row["min"], row["max"]], [y, y], color="#555555", linewidth=1, zorder=1)
        ax.barh(y, row["q3"] - row["q1"], left=row["q1"], height=0.5, color="#DCEBF7",
                edgecolor="#333333", linewidth=0.8, zorder=2)
        ax.plot([row["median"]] * 2, [y - 0.25, y + 0.25], color="black", linewidth=3,
                zorder=4, solid_capstyle="butt")
        offsets = _jitter(len(subs))
        for late, marker, face, label in ((False, MARKERS[0], PALETTE[0], "on time"),
                                          (True, MARKERS[1], "white", "late")):
            pts = [(s.percent, y + off) for s, off in zip(subs, offsets, strict=True)
                   if s.late == late]
            if pts:
                ax.scatter([p[0] for p in pts], [p[1] for p in pts], marker=marker, s=28,
                           facecolor=face, edgecolor=PALETTE[0] if late is False else PALETTE[1],
                           linewidth=1.2, zorder=5, label=label)
        ax.annotate(f"  median {_pct(row['median'])}, n={row['count']}", (100, y),
                    xytext=(104, y), va="center", fontsize=9)
    ax.set_yticks(range(len(rows)), [r["assignment"] for r in rows])
    ax.set_ylim(len(rows) - 0.4, -0.6)  # first assignment at the top
    ax.set_xlim(-3, 140)
    ax.set_xticks(range(0, 101, 20))
    ax.spines["bottom"].set_bounds(0, 100)
    ax.set_xlabel("Score (% of the assignment's maximum)")
    ax.set_title("Scores per assignment", loc="left")
    handles, labels = ax.get_legend_handles_labels()
    unique = dict(zip(labels, handles, strict=True))
    ax.legend(unique.values(), unique.keys(), loc="lower right", fontsize=8, frameon=False)
    parts = []
    for row in rows:
        if not row["count"]:
            parts.append(f"{row['assignment']}: no submissions")
            continue
        late = f", {row['late']} late" if row["late"] else ""
        parts.append(f"Median score {row['assignment']}: {_pct(row['median'])} "
                     f"({_plural(row['count'], 'submission')}, range {row['min']:.0f}"
                     f"–{_pct(row['max'])}{late})")
    alt = "Score distribution per assignment, as % of the maximum. " + "; ".join(parts) + "."
    caption = ("Each marker is one submission (filled circle: on time, hollow square: late); "
               "the box spans the middle half of the class, the thick line is the median.")
    pending = sum(r["needs_manual_grade"] for r in rows)
    if pending:
        caption += (f" {_plural(pending, 'submission')} still ha{'s' if pending == 1 else 've'}"
                    " answers to grade by hand: their scores may rise.")
    return render(fig, alt, caption)


def _jitter(n: int) -> list[float]:
    """Vertical offsets that spread n markers over the box without randomness."""
    if n == 1:
        return [0.0]
    return [-0.18 + 0.36 * ((i * 7) % n) / (n - 1) for i in range(n)]


@course_style()
def question_difficulty_figure(data: ClassData) -> FigureImage | Notice:
    """Per assignment, the share of graded submissions with full marks on each question,
    and the mean score; questions graded by hand are hatched."""
    if data.empty:
        return Notice(f"{NO_SUBMISSIONS}: no questions graded.")
    groups = [(a.name, question_rows(data, a.name)) for a in data.assignments]
    groups = [(name, qs) for name, qs in groups if qs]
    heights = [0.8 + 0.28 * len(qs) for _, qs in groups]
    fig = new_figure(8, 1.0 + sum(heights))
    axes = fig.subplots(len(groups), 1, sharex=True, squeeze=False,
                        gridspec_kw={"height_ratios": heights})[:, 0]
    for ax, (name, qs) in zip(axes, groups, strict=True):
        ys = range(len(qs))
        for y, q in zip(ys, qs, strict=True):
            if q.share_full is None:
                ax.text(1, y, "not graded yet", va="center", fontsize=8, style="italic")
                continue
            ax.barh(y, q.share_full, height=0.6, color=PALETTE[0] if q.autograded else
                    PALETTE[2], hatch="" if q.autograded else "..", edgecolor="#333333",
                    linewidth=0.6, label="full marks: autograded" if q.autograded else
                    "full marks: graded by hand")
            ax.scatter(q.mean_percent, y, marker="D", s=22, color="black", zorder=4,
                       label="mean score")
            waiting = f", {q.pending} to grade" if q.pending else ""
            ax.annotate(f"{q.full_marks}/{q.graded}{waiting}", (100, y), xytext=(103, y),
                        va="center", fontsize=8)
        ax.set_yticks(list(ys), [q.name + ("" if q.autograded else " (by hand)") for q in qs],
                      fontsize=8)
        ax.set_ylim(len(qs) - 0.5, -0.5)
        ax.set_xlim(0, 128)
        ax.set_xticks(range(0, 101, 20))
        ax.spines["bottom"].set_bounds(0, 100)
        n_subs = sum(s.assignment == name for s in data.submissions)
        ax.set_title(f"{name} ({_plural(n_subs, 'submission')})", loc="left", fontsize=10)
    fig.supylabel("Question (graded cell)", fontsize=10)
    axes[-1].set_xlabel("Submissions with full marks (%); diamond: mean score (% of points)")
    fig.suptitle("Difficulty of each question", x=0.01, ha="left", fontweight="bold")
    legend = {}
    for ax in axes:
        legend.update(zip(*reversed(ax.get_legend_handles_labels()), strict=True))
    order = sorted(legend, key=lambda label: label == "mean score")  # bars first
    fig.legend([legend[label] for label in order], order, loc="outside upper right",
               fontsize=8, frameon=False, ncols=3)
    parts = []
    for name, qs in groups:
        graded = [q for q in qs if q.share_full is not None]
        if not graded:
            parts.append(f"{name}: nothing graded yet")
            continue
        hardest = min(graded, key=lambda q: (q.share_full, q.mean_percent or 0))
        easiest = max(graded, key=lambda q: (q.share_full, q.mean_percent or 0))
        below = sum(q.share_full < 50 for q in graded)
        parts.append(f"{name}: hardest {hardest.name}, full marks in {hardest.full_marks} of "
                     f"{hardest.graded} ({_pct(hardest.share_full)}); easiest {easiest.name}, "
                     f"{easiest.full_marks} of {easiest.graded} ({_pct(easiest.share_full)}); "
                     f"{below} of {len(graded)} questions below half")
    alt = ("Bar chart of the share of submissions with full marks on each question. "
           + "; ".join(parts) + ".")
    caption = ("Bars: share of graded submissions with every point on the question; diamonds: "
               "mean score as % of its points; numbers: full marks / graded. Hatched bars are "
               "answers graded by hand.")
    return render(fig, alt, caption)


@course_style()
def submission_status_figure(data: ClassData) -> FigureImage | Notice:
    """Per assignment: students who submitted on time, late, or not at all."""
    from matplotlib.ticker import MaxNLocator

    if data.empty:
        return Notice(f"{NO_SUBMISSIONS}: {_plural(len(data.students), 'student')} in the "
                      "gradebook, nothing submitted.")
    rows = submission_status(data)
    fig = new_figure(8, 1.6 + 0.6 * len(rows))
    ax = fig.add_subplot()
    kinds = (("on_time", "on time", PALETTE[0], ""), ("late", "late", PALETTE[4], "//"),
             ("missing", "missing", "white", "xx"))
    total = max(1, len(data.students))
    for y, row in enumerate(rows):
        left = 0
        for key, label, colour, hatch in kinds:
            ax.barh(y, row[key], left=left, height=0.6, color=colour, hatch=hatch,
                    edgecolor="#555555", linewidth=0.8, label=label)
            left += row[key]
        ax.annotate(f"  {row['on_time']} on time, {row['late']} late, {row['missing']} missing",
                    (total, y), va="center", fontsize=9)
    ax.set_yticks(range(len(rows)), [r["assignment"] for r in rows])
    ax.set_ylim(len(rows) - 0.4, -0.6)
    ax.set_xlim(0, total * 1.5)
    ax.spines["bottom"].set_bounds(0, total)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xticks([t for t in ax.get_xticks() if 0 <= t <= total])
    ax.set_xlabel(f"Students (all {len(data.students)} in the gradebook)")
    ax.set_title("Submitted on time, late, or missing", loc="left")
    handles, labels = ax.get_legend_handles_labels()
    fig.legend(handles[:3], labels[:3], loc="outside lower center", ncols=3, fontsize=8,
               frameon=False)
    alt = (f"Stacked bars of the {len(data.students)} students per assignment. " + "; ".join(
        f"{r['assignment']}: {r['on_time']} on time, {r['late']} late, {r['missing']} missing"
        for r in rows) + ".")
    notes = [f"Missing {r['assignment']}: {_names(r['missing_students'])}."
             for r in rows if r["missing_students"]]
    notes += [f"Late {r['assignment']}: {_names(r['late_students'])}."
              for r in rows if r["late_students"]]
    caption = "Late means after the due date plus any extension. " + " ".join(notes)
    return render(fig, alt, caption)
