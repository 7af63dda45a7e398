"""The course's notebooks as website pages: a small Sphinx extension (``site/conf.py``).

Notebooks are not run to build the site. What a lesson's course calls show in JupyterLab
is put in their cells' outputs when Sphinx reads each notebook (Sphinx's ``source-read``
event, before MyST-NB parses it), as MyST-NB renders outputs:

* ``quiz("id")``: a placeholder holding the quiz as JSON (:mod:`deepfake_ethics.quiz_export`),
  which ``_static/course_site.js`` draws with the quiz widget's own ES module, and the quiz
  as text without answers for a browser without scripts;
* ``figure("id")``: the figure as an SVG file with its alt text and caption (MyST-NB's image
  options), drawn by :mod:`deepfake_ethics.plots` through the figure cache;
* ``show_progress()``: a placeholder for the learner's progress, kept in the browser;
* ``diagnostic("before")``: the same for a form of the diagnostic
  (:mod:`deepfake_ethics.diagnostic_export`);
* ``show_before_and_after()`` and ``save_summary()``: the same for the closing notebook's
  comparison and its one-page summary to download (:mod:`deepfake_ethics.closing_export`).

The cells of these calls, and a cell that only imports them, show no code. Every notebook
page starts with links to download the notebook and to open it on Binder. Pages load
nothing from elsewhere: a Content-Security-Policy of ``default-src 'self'`` (the theme's
inline scripts are left out, see ``_templates/layout.html`` and :func:`no_inline_scripts`).
"""

from __future__ import annotations

import ast
import html
import json
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import nbformat
from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.transforms.post_transforms import SphinxPostTransform

from deepfake_ethics.bank import alternative_lessons, get_figure, get_quiz, quizzes
from deepfake_ethics.plots import figure as draw_figure
from deepfake_ethics.quiz_export import quiz_data
from deepfake_ethics.quiz_widget import static_html

ROOT = Path(__file__).resolve().parent.parent  # the repository
COURSE_CALLS = {"quiz", "figure", "show_progress", "diagnostic", "show_before_and_after",
                "save_summary"}
CLOSING_PARTS = {"show_before_and_after": "comparison", "save_summary": "summary"}


def _imports_course_functions(node: ast.stmt) -> bool:
    return (isinstance(node, ast.ImportFrom) and node.module == "deepfake_ethics"
            and {a.name for a in node.names} <= COURSE_CALLS)


def course_call(source: str) -> tuple[str, list[str]] | None:
    """``("quiz", ["id"])`` when a cell's code is one call of a course function with
    literal arguments (``quiz("id")``), after imports of course functions if any (as in
    the assignments), else None."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    body = list(tree.body)
    while body and _imports_course_functions(body[0]):
        body.pop(0)
    if len(body) != 1 or not isinstance(body[0], ast.Expr):
        return None
    call = body[0].value
    if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name)
            and call.func.id in COURSE_CALLS and not call.keywords):
        return None
    if not all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in call.args):
        return None
    return call.func.id, [a.value for a in call.args]


def imports_only_course_functions(source: str) -> bool:
    """A cell that only imports the course's lesson functions (nothing to read)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return False
    return bool(tree.body) and all(_imports_course_functions(node) for node in tree.body)


def json_in_html(value: Any) -> str:
    """JSON to put inside a ``<script type="application/json">`` element."""
    return json.dumps(value, ensure_ascii=False).replace("</", "<\\/")


def html_output(markup: str) -> dict[str, Any]:
    return nbformat.v4.new_output("display_data", data={"text/html": markup})


def quiz_output(quiz_id: str) -> dict[str, Any]:
    q = get_quiz(quiz_id)
    return html_output(
        f'<div class="dfe-site-quiz" data-quiz="{html.escape(q.id)}">'
        f'<script type="application/json">{json_in_html(quiz_data(q))}</script>'
        f"<noscript>{static_html(q)}</noscript></div>")


def diagnostic_output(moment: str) -> dict[str, Any]:
    """A placeholder holding the diagnostic as JSON (:mod:`deepfake_ethics.diagnostic_export`),
    which ``_static/course_site.js`` draws with the quiz widget's ES module."""
    from deepfake_ethics.diagnostic_export import diagnostic_data

    return html_output(
        f'<div class="dfe-site-diagnostic" data-moment="{html.escape(moment)}">'
        f'<script type="application/json">{json_in_html(diagnostic_data())}</script>'
        "<noscript><p>The diagnostic needs scripts: turn them on, or open this notebook "
        "on Binder.</p></noscript></div>")


def progress_rows() -> list[dict[str, Any]]:
    """The course's lessons in order, each with its quizzes (ids, kinds, versions) and, for an
    alternative activity, the lesson it replaces (as :func:`deepfake_ethics.progress.summary`
    orders them)."""
    alternatives = alternative_lessons()
    rows: dict[str, dict[str, Any]] = {}
    for q in quizzes().values():
        rows.setdefault(q.lesson, {"lesson": q.lesson, "title": q.lesson_title,
                                   "alternative": q.lesson in alternatives, "quizzes": []})
        rows[q.lesson]["quizzes"].append({"id": q.id, "kind": q.kind, "version": q.version})
    return sorted(rows.values(), key=lambda r: (r["lesson"][:2], r["alternative"]))


def progress_output() -> dict[str, Any]:
    return html_output(f'<div class="dfe-site-progress"><script type="application/json">'
                       f"{json_in_html(progress_rows())}</script><noscript><p>Your progress "
                       "is shown here when scripts run.</p></noscript></div>")


def figure_cell(cell: dict[str, Any], figure_id: str) -> None:
    """The figure as an SVG output with its alt text and caption (MyST-NB's options)."""
    spec = get_figure(figure_id)
    image = draw_figure(figure_id)
    cell["outputs"] = [nbformat.v4.new_output(
        "display_data", data={"image/svg+xml": image.svg.decode("utf-8")})]
    if spec.sources:
        cites = "; ".join(f"[{s.title}]({s.url}) ({s.date})" for s in spec.sources)
        cell["outputs"].append(nbformat.v4.new_output(
            "display_data", data={"text/markdown": f"Sources: {cites}"}))
    cell["metadata"]["mystnb"] = {"image": {"alt": image.alt},
                                  "figure": {"caption": image.caption}}


def closing_output(part: str) -> dict[str, Any]:
    """A placeholder holding the closing summary's parts as JSON
    (:mod:`deepfake_ethics.closing_export`): ``part`` is the comparison (two tables) or
    the summary to download, which ``_static/course_site.js`` makes from the progress."""
    from deepfake_ethics.closing_export import closing_data

    return html_output(
        f'<div class="dfe-site-closing" data-part="{html.escape(part)}">'
        f'<script type="application/json">{json_in_html(closing_data())}</script>'
        "<noscript><p>Your results are shown here when scripts run.</p></noscript></div>")


def links_cell(path: str, repository: str) -> dict[str, Any]:
    """Links to download the notebook (Sphinx's download role) and to open it on Binder."""
    name = Path(path).name
    binder = f"https://mybinder.org/v2/gh/{repository}/HEAD?urlpath=lab/tree/{path}"
    return nbformat.v4.new_markdown_cell(
        "{.dfe-notebook-links}\n"
        f"{{download}}`Download this notebook <{name}>` · [Open it on Binder]({binder}) "
        "(JupyterLab in the cloud, to run the code)")


def site_notebook(text: str, path: str, repository: str) -> str:
    """A notebook as the site shows it: course calls turned into outputs, their code
    hidden, and the links to the notebook first."""
    nb = nbformat.reads(text, as_version=4)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        tags = cell.metadata.setdefault("tags", [])
        if imports_only_course_functions(cell.source):
            tags.append("remove-cell")
            continue
        found = course_call(cell.source)
        if found is None:
            continue
        name, args = found
        tags.append("remove-input")
        if name == "quiz":
            cell.outputs = [quiz_output(*args)]
        elif name == "figure":
            figure_cell(cell, *args)
        elif name == "show_progress":
            cell.outputs = [progress_output()]
        elif name == "diagnostic":
            cell.outputs = [diagnostic_output(*args)]
        else:
            cell.outputs = [closing_output(CLOSING_PARTS[name])]
    nb.cells.insert(0, links_cell(path, repository))
    return nbformat.writes(nb)


def on_source_read(app: Sphinx, docname: str, source: list[str]) -> None:
    path = app.env.doc2path(docname, False)
    if str(path).endswith(".ipynb"):
        source[0] = site_notebook(source[0], Path(path).as_posix(),
                                  app.config.course_repository)


class _Anchors(HTMLParser):
    """The ids of ``<a id="...">`` anchors in a piece of HTML."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.ids += [value for name, value in attrs if name == "id" and value]


def _is_html(node: nodes.Node) -> bool:
    return isinstance(node, nodes.raw) and "html" in node.get("format", "").split()


def html_anchors(app: Sphinx, doctree: nodes.document) -> None:
    """Make the HTML anchors of a page (the glossary's ``<a id="term"></a>``, which GitHub
    and JupyterLab follow) known to Sphinx, so that links to them are checked; an anchor in
    a heading moves just after it, so that the tables of contents, which copy a heading
    into a link, hold no link inside a link. Runs before Sphinx reads the headings."""
    for title in list(doctree.findall(nodes.title)):
        for k, raw in enumerate([child for child in title.children if _is_html(child)]):
            title.remove(raw)
            title.parent.insert(title.parent.index(title) + 1 + k, raw)
    std = app.env.get_domain("std")
    for raw in doctree.findall(nodes.raw):
        if "html" in raw.get("format", "").split():
            anchors = _Anchors()
            anchors.feed(raw.astext())
            for anchor in anchors.ids:
                std.anonlabels.setdefault(anchor, (app.env.docname, anchor))


class LinksOffTheSite(SphinxPostTransform):
    """Links that MyST cannot resolve on the site: a file of the repository that is not a
    page (``instructors.md``) links to it on GitHub, and a JupyterLab heading anchor
    (``#How-to-run-a-cell``) to the same heading's anchor here. Runs before MyST's own
    resolver, so that only links that are really broken are reported."""

    default_priority = 8

    def run(self, **kwargs: Any) -> None:
        slugs = self.env.metadata[self.env.docname].get("myst_slugs", {})
        for node in list(self.document.findall(addnodes.pending_xref)):
            if node.get("reftype") != "myst" or node.get("refdomain") == "doc":
                continue
            target = node["reftarget"]
            if target.lower() in slugs:
                reference = nodes.reference("", "", refid=slugs[target.lower()][1],
                                            internal=True)
                reference += node[0].deepcopy()
                node.replace_self(reference)
                continue
            path, _, anchor = target.partition("#")
            here = Path(self.env.doc2path(self.env.docname, False)).parent
            in_repository = (ROOT / here / path).resolve()
            if path and in_repository.is_file() and in_repository.is_relative_to(ROOT):
                url = (f"https://github.com/{self.config.course_repository}/blob/main/"
                       f"{in_repository.relative_to(ROOT).as_posix()}"
                       + (f"#{anchor}" if anchor else ""))
                reference = nodes.reference("", "", refuri=url, internal=False)
                reference += node[0].deepcopy() if len(node) else nodes.Text(path)
                node.replace_self(reference)


def no_inline_scripts(app: Sphinx, pagename: str, templatename: str, context: dict,
                      doctree: Any) -> None:
    """Leave out the scripts a theme adds inline (``add_js_file(None, body=...)``), which
    the Content-Security-Policy would block; they only tune the theme's search box."""
    scripts = context.get("script_files")
    if scripts:
        context["script_files"] = [s for s in scripts if getattr(s, "filename", s)]


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("course_repository", "", "html")
    app.connect("source-read", on_source_read)
    app.connect("doctree-read", html_anchors, priority=400)  # before the toc collector
    app.add_post_transform(LinksOffTheSite)
    app.connect("html-page-context", no_inline_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
