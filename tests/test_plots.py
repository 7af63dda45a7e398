"""Figures: every course figure draws in the course style, with alt text and sources."""

from __future__ import annotations

import html

import pytest

from deepfake_ethics import bank, plots


@pytest.mark.parametrize("figure_id", sorted(bank.figures()))
def test_every_figure_draws_with_title_alt_text_and_caption(figure_id):
    spec = bank.get_figure(figure_id)
    fig = plots.build(figure_id)
    ax = fig.axes[0]
    assert " ".join(ax.get_title(loc="left").split()) == spec.title
    if spec.kind == "bars":
        assert ax.get_xlabel(), "bar charts label their axis"
        assert len(ax.patches) >= len(spec.data.bars)
    if spec.kind == "timeline":
        assert [t.get_text() for t in ax.get_yticklabels()] == list(spec.data.lanes)
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


def test_drawing_leaves_the_learners_matplotlib_and_collector_as_they_were():
    import gc

    import matplotlib

    matplotlib.rcParams["figure.dpi"] = 100
    before = dict(matplotlib.rcParams)
    frozen = gc.get_freeze_count()
    thresholds = gc.get_threshold()
    for figure_id in sorted(bank.figures()):
        plots.figure(figure_id)
    from deepfake_ethics.progress import ProgressStore
    from deepfake_ethics.progress_chart import show_progress

    show_progress(ProgressStore(None))
    after = dict(matplotlib.rcParams)
    assert {k: (before[k], after[k]) for k in before if before[k] != after[k]} == {}
    assert gc.get_freeze_count() == frozen and gc.get_threshold() == thresholds


def test_an_unknown_flow_group_is_a_content_error(tmp_path):
    from deepfake_ethics.schema import ContentError, parse_figure_file

    data = {"id": "f", "kind": "flow", "title": "T", "alt": "A", "caption": "C",
            "nodes": [{"id": "a", "label": "A", "x": 1, "y": 1, "group": "modle"},
                      {"id": "b", "label": "B", "x": 2, "y": 1}],
            "edges": [{"from": "a", "to": "b"}]}
    with pytest.raises(ContentError, match=r"nodes\[0\]\.group"):
        parse_figure_file(data, tmp_path / "f.yaml")
    data["nodes"][0]["group"] = "model"
    original = repr(data)
    parse_figure_file(data, tmp_path / "f.yaml")
    assert repr(data) == original, "parsing never changes its input"
