"""Figures for the lessons: one course style, drawn from data, always with alt text.

``figure("laws-timeline")`` draws a figure described in ``content/figures/`` and shows it
as an image (:class:`FigureImage`) with alt text and a caption. ``build(id)`` returns the
Matplotlib figure itself (for saving or testing). Figures are built with
:class:`matplotlib.figure.Figure` rather than pyplot, so nothing is shown twice, and inside
:func:`course_style`, so the learner's own Matplotlib settings stay as they were.

Each figure is drawn once and kept (:mod:`deepfake_ethics.figure_cache`) until its data or
the code that draws it changes: a lesson run again shows its figures without importing
Matplotlib at all.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import html
import io
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .bank import get_figure
from .figure_cache import cached_svg
from .schema import FLOW_GROUPS, Bars, FigureSpec, Flow, Source, Timeline

if TYPE_CHECKING:  # pragma: no cover
    import matplotlib.figure

# Okabe-Ito: distinguishable with the common forms of colour blindness. Shapes and labels
# carry the same information, so no figure relies on colour alone.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"]
MARKERS = ["o", "s", "D", "^", "v", "P", "X"]
GROUP_STYLE = {  # flow-diagram node groups: (face colour, border style, border width)
    "input": ("#DCEBF7", "solid", 1.0),
    "model": ("#FBE3D6", "dashed", 1.8),
    "output": ("#D9F2E6", "solid", 2.2),
    "check": ("#F3E0EC", "dotted", 2.0),
    "": ("#EEEEEE", "solid", 1.0),
}
assert set(GROUP_STYLE) == {*FLOW_GROUPS, ""}, "a style for every group the schema allows"
STYLE = {
    "font.size": 10,
    "axes.titlesize": 12,
    "axes.titleweight": "bold",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": False,
    "figure.dpi": 72,  # the SVG backend draws at 72 dpi: lay out at the same scale
    "svg.fonttype": "none",  # text stays text: smaller, sharper, searchable, faster
    "svg.hashsalt": "deepfake-ethics",  # the same figure gives the same file
}
DRAWING_CODE = (Path(__file__),)  # a change here draws every cached figure again


@dataclass
class FigureImage:
    """A rendered figure (SVG) that Jupyter shows as an image with alt text and a caption."""

    svg: bytes
    alt: str
    caption: str
    sources: tuple[Source, ...] = ()

    def _repr_html_(self) -> str:
        data = base64.b64encode(self.svg).decode("ascii")
        cites = "; ".join(
            f'<a href="{html.escape(s.url)}">{html.escape(s.title)}</a> ({html.escape(s.date)})'
            for s in self.sources
        )
        source_line = f"<br><small>Sources: {cites}</small>" if cites else ""
        return (
            '<figure style="margin:0">'
            f'<img src="data:image/svg+xml;base64,{data}" alt="{html.escape(self.alt)}" '
            'style="max-width:100%">'
            f"<figcaption>{html.escape(self.caption)}{source_line}</figcaption></figure>"
        )

    def __repr__(self) -> str:
        return f"[Figure] {self.caption}\n[Description] {self.alt}"


@contextlib.contextmanager
def course_style() -> Iterator[None]:
    """The course's Matplotlib style, for the figures drawn inside this block only."""
    import matplotlib

    with matplotlib.rc_context(STYLE):
        yield


def new_figure(width: float = 8.0, height: float = 4.0,
               layout: str | None = "constrained") -> matplotlib.figure.Figure:
    """An empty figure (no pyplot); draw on it inside :func:`course_style`."""
    from matplotlib.figure import Figure as MplFigure

    return MplFigure(figsize=(width, height), layout=layout)


def to_svg(fig: matplotlib.figure.Figure) -> bytes:
    """The SVG file of a Matplotlib figure, in the course style (the same figure gives the
    same bytes)."""
    buffer = io.BytesIO()
    with course_style():
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


def render(fig: matplotlib.figure.Figure, alt: str, caption: str,
           sources: tuple[Source, ...] = ()) -> FigureImage:
    """Turn a Matplotlib figure into a displayable image with alt text."""
    _check_alt(alt)
    return FigureImage(to_svg(fig), alt.strip(), caption.strip(), tuple(sources))


def cached_image(name: str, data: str, draw: Callable[[], matplotlib.figure.Figure],
                 alt: str, caption: str, sources: tuple[Source, ...] = (),
                 code: Sequence[Path] = ()) -> FigureImage:
    """Like :func:`render`, but ``draw()`` runs only when the cache holds no drawing of
    ``name`` from this ``data`` (everything the drawing reads) with this module and ``code``
    (the files of the code that draws)."""
    _check_alt(alt)

    def draw_svg() -> bytes:
        with course_style():
            return to_svg(draw())

    svg = cached_svg(name, data, (*DRAWING_CODE, *code), draw_svg)
    return FigureImage(svg, alt.strip(), caption.strip(), tuple(sources))


def _check_alt(alt: str) -> None:
    if not alt.strip():
        raise ValueError("every figure needs alt text")


def build(figure_id: str) -> matplotlib.figure.Figure:
    """Draw the course figure with this id and return the Matplotlib figure."""
    spec = get_figure(figure_id)
    drawer = {"timeline": _draw_timeline, "bars": _draw_bars, "flow": _draw_flow}[spec.kind]
    with course_style():
        return drawer(spec)


def figure(figure_id: str) -> FigureImage:
    """Show the course figure with this id, with its alt text, caption and sources (drawn
    once, then taken from the cache until the figure's data or drawing code changes)."""
    spec = get_figure(figure_id)
    drawn_from = repr((spec.kind, spec.title, spec.data))  # all that the drawing reads
    return cached_image(figure_id, drawn_from, lambda: build(figure_id), spec.alt,
                        spec.caption, spec.sources)


def _wrap_title(text: str, width_in: float) -> list[str]:
    import textwrap

    return textwrap.wrap(text, max(24, int(width_in * 8.5)))  # ~8.5 bold 12 pt chars/inch


def axes_with_margins(fig, labels: list[str], title: str = "", xlabel: bool = True,
                      extra_top: float = 0.0, right: float = 0.3):
    """Axes placed with margins measured from their text (tick labels on the left, the
    title above, an axis label below): as tidy as a layout engine, and much faster. The
    title, wrapped to the width it has, is set too."""
    width, height = fig.get_size_inches()
    left = 0.25 + 0.082 * max((len(label) for label in labels), default=0)  # 10 pt text
    lines = _wrap_title(title, width - left - 0.1) if title else []
    bottom = 0.62 if xlabel else 0.38
    top = 0.2 + 0.24 * len(lines) + extra_top
    ax = fig.add_axes((left / width, bottom / height, 1 - (left + right) / width,
                       1 - (bottom + top) / height))
    if lines:
        ax.set_title("\n".join(lines), loc="left", pad=6 + 72 * extra_top)
    return ax


def _as_date(value: str) -> dt.date:
    parts = [int(p) for p in value.split("-")] + [1, 1]
    return dt.date(parts[0], parts[1], parts[2])


def _draw_timeline(spec: FigureSpec) -> matplotlib.figure.Figure:
    import matplotlib.dates as mdates

    assert isinstance(spec.data, Timeline)
    lanes = list(spec.data.lanes)
    events = spec.data.events  # in date order
    height = 1.2 + 1.1 * len(lanes)
    fig = new_figure(10, max(3.5, height), layout=None)
    ax = axes_with_margins(fig, lanes, title=spec.title)
    lane_y = {lane: len(lanes) - i for i, lane in enumerate(lanes)}
    first = mdates.date2num(_as_date(events[0].date))
    last = mdates.date2num(_as_date(events[-1].date))
    # ~0.058 inch per character at 7.5 pt, on an axis about 8.3 inches wide.
    days_per_char = (last - first + 240) / 8.3 * 0.058 * 1.25
    left = first - 120
    right = max(mdates.date2num(_as_date(e.date)) + (9 + len(e.label)) * days_per_char
                for e in events) + 30
    # Each lane has four label slots (above, below, further above, further below); a label
    # takes the first slot whose previous label has ended, so labels never overlap.
    slots = (0.22, -0.24, 0.42, -0.44)
    free_from: dict[tuple[str, float], float] = {}
    for event in events:
        lane = event.lane
        i = lanes.index(lane)
        x = mdates.date2num(_as_date(event.date))
        text = f"{event.date[:7]} {event.label}"
        offset = next((o for o in slots if free_from.get((lane, o), -1e9) < x),
                      min(slots, key=lambda o: free_from.get((lane, o), -1e9)))
        free_from[(lane, offset)] = x + len(text) * days_per_char + 30
        y = lane_y[lane]
        ax.plot(x, y, marker=MARKERS[i % len(MARKERS)], color=PALETTE[i % len(PALETTE)],
                markersize=8, linestyle="none")
        ax.plot([x, x], [y, y + offset * 0.8], color="#888888", linewidth=0.6, zorder=1)
        ax.annotate(text, (x, y), xytext=(x, y + offset), fontsize=7.5, ha="left",
                    va="center")
    for y in lane_y.values():
        ax.axhline(y, color="#BBBBBB", linewidth=0.8, zorder=0)
    ax.set_yticks(list(lane_y.values()), list(lane_y.keys()))
    ax.set_ylim(0.45, len(lanes) + 0.6)
    years = (right - left) / 365.25
    ax.xaxis.set_major_locator(mdates.YearLocator(1 if years <= 12 else 2))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    ax.set_xlim(left, right)
    ax.spines["left"].set_visible(False)
    return fig


def _draw_bars(spec: FigureSpec) -> matplotlib.figure.Figure:
    assert isinstance(spec.data, Bars)
    bars, unit, reference = spec.data.bars, spec.data.unit, spec.data.reference
    fig = new_figure(8, 1.6 + 0.6 * len(bars), layout=None)
    ax = axes_with_margins(fig, [b.label for b in bars], title=spec.title,
                           extra_top=0.25 if reference else 0.0, right=0.2)
    labels = [b.label for b in bars][::-1]
    values = [b.value for b in bars][::-1]
    colours = [PALETTE[i % len(PALETTE)] for i in range(len(bars))][::-1]
    hatches = ["", "//", "..", "xx", "\\\\", "++"]
    container = ax.barh(labels, values, color=colours, edgecolor="black", linewidth=0.6)
    for i, patch in enumerate(container.patches):
        patch.set_hatch(hatches[(len(bars) - 1 - i) % len(hatches)])
    for bar_spec, patch in zip(bars[::-1], container.patches, strict=True):
        note = f"  ({bar_spec.note})" if bar_spec.note else ""
        ax.annotate(f" {bar_spec.value:g}{unit}{note}",
                    (patch.get_width(), patch.get_y() + patch.get_height() / 2),
                    va="center", fontsize=9, zorder=4,
                    bbox={"boxstyle": "square,pad=0.1", "facecolor": "white",
                          "edgecolor": "none"})
    if reference:
        ax.axvline(reference.value, color="black", linestyle="--", linewidth=1, zorder=3)
        ax.text(reference.value, 1.01, f"{reference.label} ({reference.value:g}{unit})",
                transform=ax.get_xaxis_transform(), ha="center", va="bottom", fontsize=9)
    # Leave room on the right for the longest value label (about 0.075 inch a character).
    axes_inches = ax.get_position().width * fig.get_size_inches()[0]
    need = [b.value / max(0.2, 1 - 0.075 * (len(f" {b.value:g}{unit}  ({b.note})")
                                              if b.note else 5) / axes_inches)
            for b in bars]
    ax.set_xlim(0, max(need + [reference.value * 1.1 if reference else 0]))
    ax.set_xlabel(spec.data.xlabel)
    return fig


def _draw_flow(spec: FigureSpec) -> matplotlib.figure.Figure:
    import math

    from matplotlib.backends.backend_agg import RendererAgg
    from matplotlib.patches import FancyArrowPatch

    assert isinstance(spec.data, Flow)
    nodes = {n.id: n for n in spec.data.nodes}
    fig = new_figure(10, 6, layout=None)  # no axes to lay out: fixed margins are faster
    box = (0.01, 0.01, 0.98, 0.92)
    ax = fig.add_axes(box)
    ax.set_xlim(-0.5, 10.5)
    ax.set_ylim(-0.5, 6.5)
    ax.axis("off")
    # Measure each box from its text (in points), so that arrows stop at box edges
    # without drawing the figure twice.
    renderer = RendererAgg(10 * 72, 6 * 72, 72)
    half: dict[str, tuple[float, float]] = {}
    pad = 0.5 * 9 + 2  # the box's pad (half the font size) and its border
    for node in nodes.values():
        face, border, width = GROUP_STYLE[node.group]
        text = ax.text(node.x, node.y, node.label, ha="center", va="center",
                       fontsize=9, zorder=3,
                       bbox={"boxstyle": "round,pad=0.5", "facecolor": face,
                             "linestyle": border, "linewidth": width, "edgecolor": "#333333"})
        extent = text.get_window_extent(renderer)
        half[node.id] = (extent.width / 2 + pad, extent.height / 2 + pad)
    scale_x = box[2] * 10 * 72 / 11  # points per data unit
    scale_y = box[3] * 6 * 72 / 7
    for edge in spec.data.edges:
        start, end = nodes[edge.source], nodes[edge.target]
        dx, dy = (end.x - start.x) * scale_x, (end.y - start.y) * scale_y
        length = math.hypot(dx, dy) or 1.0

        def to_edge(node_id: str, ux: float = dx / length, uy: float = dy / length) -> float:
            w, h = half[node_id]
            return min(w / abs(ux) if ux else math.inf, h / abs(uy) if uy else math.inf) + 3

        ax.add_patch(FancyArrowPatch(
            (start.x, start.y), (end.x, end.y), arrowstyle="-|>",
            mutation_scale=14, color="#333333", zorder=2,
            shrinkA=to_edge(edge.source), shrinkB=to_edge(edge.target)))
        if edge.label:
            ax.text((start.x + end.x) / 2, (start.y + end.y) / 2, edge.label,
                    fontsize=8, ha="center", va="center", style="italic", zorder=4,
                    bbox={"boxstyle": "round,pad=0.2", "facecolor": "white",
                          "edgecolor": "none"})
    ax.set_title("\n".join(_wrap_title(spec.title, 9.5)), loc="left")
    return fig
