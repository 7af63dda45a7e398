"""Lessons run headless without errors or stderr, are committed clean, and link correctly;
so do the optional reference notebooks (``02r-...``), which are not lessons."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import unquote, urlparse

import nbformat
import pytest
import update_navigation  # noqa: E402
from conftest import ROOT, lesson_paths, reference_paths
from nbclient import NotebookClient
from notebook_tools import course_notebooks  # noqa: E402

LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
WIDGET = "application/vnd.jupyter.widget-view+json"


@pytest.mark.parametrize("path", course_notebooks(), ids=lambda p: str(p.relative_to(ROOT)))
def test_notebook_is_clean(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    assert "widgets" not in nb.get("metadata", {}), "widget state is not committed"
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [], "outputs are not committed"
            assert cell["execution_count"] is None, "execution counts are not committed"


@pytest.mark.slow
@pytest.mark.parametrize("path", lesson_paths(), ids=lambda p: p.name)
def test_lesson_runs_headless_without_errors_or_stderr(path, private_progress):
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for out in cell.outputs:
            assert out.output_type != "error", f"{cell.source!r}: {out.get('evalue')}"
            assert not (out.output_type == "stream" and out.name == "stderr"), \
                f"{cell.source!r} wrote to stderr: {out.text!r}"
        if re.match(r"\s*quiz\(", cell.source):
            assert any(WIDGET in o.get("data", {}) for o in cell.outputs), cell.source
        if re.match(r"\s*(figure|show_progress)\(", cell.source):
            html = "".join(o.get("data", {}).get("text/html", "") for o in cell.outputs)
            assert re.search(r'<img [^>]*alt="[^"]{20,}"', html), f"{cell.source}: alt text"


def _targets(path: Path) -> list[str]:
    nb = nbformat.read(path, as_version=4)
    return [t for c in nb.cells if c.cell_type == "markdown" for t in LINK.findall(c.source)]


@pytest.mark.parametrize("path", lesson_paths() + reference_paths(), ids=lambda p: p.name)
def test_local_links_resolve(path):
    for target in _targets(path):
        url = urlparse(target)
        if url.scheme in {"http", "https", "mailto"}:
            assert url.scheme != "http" or "localhost" in target, f"use https: {target}"
            continue
        if not url.path:  # an anchor in the same notebook
            continue
        assert (path.parent / unquote(url.path)).resolve().exists(), f"{path.name}: {target}"


def test_lessons_link_previous_and_next():
    paths = lesson_paths()
    for i, path in enumerate(paths):
        targets = {urlparse(t).path for t in _targets(path)}
        if i > 0:
            assert paths[i - 1].name in targets, f"{path.name} links back"
        if i + 1 < len(paths):
            assert paths[i + 1].name in targets, f"{path.name} links forward"
        else:
            assert "06-closing.ipynb" in targets, "the last lesson leads to the closing notebook"


def test_navigation_cells_are_up_to_date():
    paths = lesson_paths()
    for i, path in enumerate(paths):
        nb = nbformat.read(path, as_version=4)
        assert nb.cells[-1].source == update_navigation.navigation(i, paths), \
            f"{path.name}: run `make navigation`"


def test_reference_navigation_is_up_to_date_and_leads_back_to_its_lesson():
    paths = lesson_paths()
    assert reference_paths(), "lesson 02 has a reference notebook"
    for path in reference_paths():
        nb = nbformat.read(path, as_version=4)
        assert "navigation" in nb.cells[-1].metadata.get("tags", []), path.name
        assert nb.cells[-1].source == update_navigation.reference_navigation(path, paths), \
            f"{path.name}: run `make navigation`"
        lesson = next(p for p in paths if p.name[:2] == path.name[:2])
        assert lesson.name in {urlparse(t).path for t in _targets(path)}, "links back"
        assert path.name in {urlparse(t).path for t in _targets(lesson)}, "its lesson links it"



RECALL_OBJECTIVE = re.compile(r"^- (Name|List|Recall|Know|Remember|Summarise|State)\b|"
                              r"\bwith (its|their) dates?\b|\bDescribe, with dates\b", re.M)


@pytest.mark.parametrize("path", lesson_paths() + sorted(
    (ROOT / "notebooks" / "alternatives").glob("*.ipynb")), ids=lambda p: p.name)
def test_objectives_ask_learners_to_apply_not_to_recall(path):
    """Each lesson's objectives are things a learner does with a case (decide, judge, use,
    explain), not lists of rules or dates to recall, which no quiz assesses."""
    top = nbformat.read(path, as_version=4).cells[0].source
    objectives = top.split("**Objectives**", 1)
    if path.name.startswith(("00-", "06-")):
        return
    assert len(objectives) == 2, f"{path.name}: no objectives"
    listed = objectives[1].split("**Estimated time", 1)[0]
    assert listed.count("\n- ") >= 3
    assert not RECALL_OBJECTIVE.search(listed), RECALL_OBJECTIVE.search(listed)[0]
