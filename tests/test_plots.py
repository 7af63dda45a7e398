"""Figures: every course figure draws in the course style, with alt text and sources."""

from __future__ import annotations

import html

import pytest

from deepfake_ethics import bank, plots


@pytest.mark.parametrize("figure_id", sorted(bank.figures()))
def test_every_figure_draws_with_title_alt_text_and_caption(figure_id):
    spec = bank.get_figure(figure_id)
    fig = plots.draw(figure_id)
    ax = fig.axes[0]
    assert " ".join(ax.get_title(loc="left").split()) == spec.title
    if spec.kind == "bars":
        assert ax.get_xlabel(), "bar charts label their axis"
        assert len(ax.patches) >= len(spec.data["bars"])
    if spec.kind == "timeline":
        assert [t.get_text() for t in ax.get_yticklabels()] == spec.data["lanes"]
    out = plots.figure(figure_id)
    page = out._repr_html_()
    assert f'alt="{html.escape(spec.alt)}"' in page
    assert html.escape(spec.caption) in page
    for source in spec.sources:
        assert html.escape(source.url) in page
    assert spec.title.split()[0].encode() in out.svg, "the SVG keeps its text as text"
    assert spec.alt in repr(out), "terminals show the description"


def test_render_requires_alt_text():
    fig = plots.new_figure()
    with pytest.raises(ValueError, match="alt text"):
        plots.render(fig, "  ", "caption")


def test_same_figure_gives_same_file():
    first = plots.figure("face-swap-autoencoder").svg
    assert plots.figure("face-swap-autoencoder").svg == first
