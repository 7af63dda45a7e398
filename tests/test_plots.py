"""Figures: every course figure draws in the course style, with alt text and sources, once:
then it comes from the figure cache until its data or drawing code changes."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from deepfake_ethics import bank, figure_cache, plots

LEARNERS_DPI = 100  # a setting of the learner's own, which drawing must leave alone


@pytest.fixture(scope="session")
def course_figures(tmp_path_factory) -> dict:
    """Every course figure drawn once for the session (with the progress chart), in a cache
    of its own: the Matplotlib figure, the shown image, Matplotlib's settings and the
    garbage collector's before and after the drawing, and the calls that drawing made to
    change the collector's settings."""
    import gc

    import matplotlib

    from deepfake_ethics.progress import ProgressStore
    from deepfake_ethics.progress_chart import show_progress

    built: dict[str, matplotlib.figure.Figure] = {}
    build = plots.build
    gc_calls: list[str] = []
    matplotlib.rcParams["figure.dpi"] = LEARNERS_DPI
    before = (dict(matplotlib.rcParams), gc.isenabled(), gc.get_threshold())
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(figure_cache.ENV_VAR, str(tmp_path_factory.mktemp("course-figures")))
        patch.setattr(plots, "build", lambda fid: built.setdefault(fid, build(fid)))
        for name in ("freeze", "unfreeze", "disable", "enable", "set_threshold"):
            real = getattr(gc, name)
            patch.setattr(gc, name, lambda *args, _name=name, _real=real: (
                gc_calls.append(_name), _real(*args))[1])
        shown = {fid: plots.figure(fid) for fid in sorted(bank.figures())}
        show_progress(ProgressStore(None))
    after = (dict(matplotlib.rcParams), gc.isenabled(), gc.get_threshold())
    return {"built": built, "shown": shown, "before": before, "after": after,
            "gc_calls": gc_calls}


@pytest.mark.parametrize("figure_id", sorted(bank.figures()))
def test_every_figure_draws_with_title_alt_text_and_caption(figure_id, course_figures):
    spec = bank.get_figure(figure_id)
    ax = course_figures["built"][figure_id].axes[0]
    assert " ".join(ax.get_title(loc="left").split()) == spec.title
    if spec.kind == "bars":
        assert ax.get_xlabel(), "bar charts label their axis"
        assert len(ax.patches) >= len(spec.data.bars)
    if spec.kind == "timeline":
        assert [t.get_text() for t in ax.get_yticklabels()] == list(spec.data.lanes)
    out = course_figures["shown"][figure_id]
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


def test_same_figure_gives_same_file(course_figures):
    """Drawn again, a figure gives the same bytes as the session's first drawing."""
    first = course_figures["shown"]["human-detection-accuracy"].svg
    assert plots.render(plots.build("human-detection-accuracy"), "alt", "c").svg == first


def test_drawing_leaves_the_learners_matplotlib_and_collector_as_they_were(course_figures):
    """Drawing every course figure and the progress chart changed none of the learner's
    Matplotlib settings (their own figure.dpi included) and left the garbage collector as
    it was: no freeze, no change of its settings."""
    (rc_before, *gc_before), (rc_after, *gc_after) = (course_figures["before"],
                                                      course_figures["after"])
    assert rc_before["figure.dpi"] == LEARNERS_DPI
    assert {k: (v, rc_after[k]) for k, v in rc_before.items() if rc_after[k] != v} == {}
    assert gc_after == gc_before
    assert course_figures["gc_calls"] == []


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


class _Sketch:
    """A stand-in for a Matplotlib figure whose SVG is its text: what the cache tests need to
    see is whether, and from what, a figure was drawn (the course figures really draw in
    ``course_figures``)."""

    def __init__(self, text: str):
        self.text = text

    def savefig(self, out, **options) -> None:
        out.write(b'<svg xmlns="http://www.w3.org/2000/svg"><text>'
                  + html.escape(self.text).encode() + b"</text></svg>\n")


def _sketch(figure_id: str) -> _Sketch:
    """A figure's title and data as a sketch."""
    spec = plots.get_figure(figure_id)
    return _Sketch(f"{spec.title} {spec.data!r}")


def _count_builds(monkeypatch) -> list[str]:
    """Record every figure that plots.figure() actually draws (sketched, not drawn)."""
    drawn: list[str] = []
    monkeypatch.setattr(plots, "build", lambda fid: drawn.append(fid) or _sketch(fid))
    return drawn


def test_a_figure_is_drawn_once_then_taken_from_the_cache(monkeypatch):
    drawn = _count_builds(monkeypatch)
    first = plots.figure("laws-timeline")
    second = plots.figure("laws-timeline")
    assert drawn == ["laws-timeline"], "the second figure() comes from the cache"
    assert second == first
    assert second.svg == plots.render(_sketch("laws-timeline"), "alt", "c").svg, \
        "the cached figure is the figure as drawn"
    assert (figure_cache.cache_dir() / "laws-timeline.svg").exists()


def _edited_figures(tmp_path, figure_id: str, old: str, new: str):
    """``get_figure`` reading a copy of the figure files, with one text of one file edited."""
    tmp = tmp_path / f"figures-{len(list(tmp_path.iterdir()))}"
    tmp.mkdir()
    for path in bank.FIGURE_DIR.glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        if path.stem == figure_id:
            assert old in text
            text = text.replace(old, new, 1)
        (tmp / path.name).write_text(text, encoding="utf-8")
    return lambda fid: bank.figures(tmp)[fid]


def test_a_figure_is_drawn_again_when_its_data_changes(monkeypatch, tmp_path):
    drawn = _count_builds(monkeypatch)
    plots.figure("human-detection-accuracy")
    spec = bank.get_figure("human-detection-accuracy")
    monkeypatch.setattr(plots, "get_figure", _edited_figures(
        tmp_path, "human-detection-accuracy", spec.title, spec.title + " (revised)"))
    out = plots.figure("human-detection-accuracy")
    assert drawn == ["human-detection-accuracy"] * 2
    assert b"(revised)" in out.svg
    monkeypatch.setattr(plots, "get_figure", _edited_figures(
        tmp_path, "human-detection-accuracy", spec.title, spec.title + " (revised)"))
    assert plots.figure("human-detection-accuracy").svg == out.svg
    assert len(drawn) == 2, "the same data in another file: no new drawing"
    monkeypatch.setattr(plots, "get_figure", _edited_figures(
        tmp_path, "human-detection-accuracy", "Accuracy of people", "Share of people"))
    out = plots.figure("human-detection-accuracy")
    assert len(drawn) == 3, "back to the first title: drawn again"
    assert out.caption.startswith("Share of people")
    assert b"(revised)" not in out.svg


def test_a_figure_is_drawn_again_when_its_drawing_code_changes(monkeypatch, tmp_path):
    drawn = _count_builds(monkeypatch)
    plots.figure("provenance-chain")
    plots.figure("provenance-chain")
    edited = tmp_path / "plots.py"
    edited.write_bytes(plots.DRAWING_CODE[0].read_bytes() + b"\n# a change\n")
    monkeypatch.setattr(plots, "DRAWING_CODE", (edited,))
    plots.figure("provenance-chain")
    assert drawn == ["provenance-chain"] * 2


@pytest.mark.parametrize("damage", ["truncated", "flipped", "empty", "other key"])
def test_a_damaged_cache_entry_is_drawn_again_and_replaced(monkeypatch, damage):
    drawn = _count_builds(monkeypatch)
    good = plots.figure("face-swap-autoencoder").svg
    entry = figure_cache.cache_dir() / "face-swap-autoencoder.svg"
    stored = entry.read_bytes()
    entry.write_bytes({"truncated": stored[: len(stored) // 2],
                       "flipped": stored.replace(b"<svg", b"<svG", 1),
                       "empty": b"",
                       "other key": re.sub(rb"figure [0-9a-f]{64}", b"figure " + b"0" * 64,
                                           stored)}[damage])
    drawn.clear()
    assert plots.figure("face-swap-autoencoder").svg == good
    assert drawn == ["face-swap-autoencoder"]
    assert entry.read_bytes() == stored, "the entry is written again, whole"


def test_an_unwritable_cache_only_means_drawing_every_time(monkeypatch, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would be")
    monkeypatch.setenv(figure_cache.ENV_VAR, str(blocker / "figures"))
    drawn = _count_builds(monkeypatch)
    first = plots.figure("laws-timeline")
    assert plots.figure("laws-timeline") == first
    assert drawn == ["laws-timeline"] * 2


def test_the_cache_lives_in_the_user_cache_folder_unless_told(monkeypatch, tmp_path):
    import platformdirs

    monkeypatch.delenv(figure_cache.ENV_VAR)
    assert figure_cache.cache_dir() == \
        Path(platformdirs.user_cache_dir("deepfake-ethics")) / "figures"
    monkeypatch.setenv(figure_cache.ENV_VAR, str(tmp_path))
    assert figure_cache.cache_dir() == tmp_path
    with pytest.raises(ValueError, match="lower-case id"):
        figure_cache.entry_path("../escape")


def test_the_progress_chart_is_drawn_again_only_when_progress_changes(monkeypatch):
    from deepfake_ethics import progress_chart
    from deepfake_ethics.progress import ProgressStore

    drawn = []
    monkeypatch.setattr(progress_chart, "_chart",
                        lambda rows: drawn.append(1) or _Sketch(repr(rows)))
    store = ProgressStore(None)
    first = progress_chart.show_progress(store)
    assert progress_chart.show_progress(store) == first
    assert len(drawn) == 1
    quiz = next(iter(bank.quizzes().values()))
    store.record(quiz.id, quiz.lesson, True, [0], quiz.version)
    after = progress_chart.show_progress(store)
    assert len(drawn) == 2 and after.svg != first.svg and after.alt != first.alt


def test_a_figure_is_read_from_its_own_file_only(monkeypatch, tmp_path):
    from deepfake_ethics.schema import ContentError

    (tmp_path / "laws-timeline.yaml").write_bytes(
        (bank.FIGURE_DIR / "laws-timeline.yaml").read_bytes())
    (tmp_path / "broken.yaml").write_text("id: [unclosed\n")
    monkeypatch.setattr(bank, "FIGURE_DIR", tmp_path)
    assert bank.get_figure("laws-timeline").id == "laws-timeline"
    with pytest.raises(ContentError):
        bank.figures(tmp_path)
    for unknown in ("no-such-figure", "../figures/laws-timeline", "Laws-Timeline"):
        with pytest.raises(KeyError, match="no figure"):
            bank.get_figure(unknown)


def test_a_figure_file_is_named_after_its_figure(tmp_path):
    from deepfake_ethics.schema import ContentError

    misnamed = tmp_path / "timeline-of-laws.yaml"
    misnamed.write_bytes((bank.FIGURE_DIR / "laws-timeline.yaml").read_bytes())
    with pytest.raises(ContentError, match="named 'laws-timeline.yaml'"):
        bank.figures(tmp_path)
