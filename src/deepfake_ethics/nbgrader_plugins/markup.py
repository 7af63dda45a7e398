"""Markdown rendered for the grader's pages, then cleaned as HTML.

nbconvert renders a notebook's Markdown with mistune, which decodes character references in
link targets: ``[a](javascript&colon;...)`` becomes ``<a href="javascript:...">``. Cleaning
the Markdown *source* (``HTMLExporter.sanitize_html``) or escaping it cannot see that, so
:class:`SafeMarkdown` renders exactly as nbconvert does and then passes the rendered HTML
through :func:`clean_html` (the nh3 sanitizer, with an allow-list of tags, attributes,
classes and URL schemes). nbgrader_config.py puts it in place of nbconvert's
``markdown2html`` filter, for the formgrader and for ``nbgrader generate_feedback``.
"""

from __future__ import annotations

from typing import Any

import nh3
from jinja2 import pass_context
from jinja2.runtime import Context
from pygments.token import STANDARD_TYPES
from traitlets.config import LoggingConfigurable

URL_SCHEMES = frozenset({"http", "https", "mailto"})  # plus relative and #fragment links

TAGS = frozenset({
    "h1", "h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "blockquote", "div", "span",
    "em", "strong", "b", "i", "u", "s", "del", "ins", "mark", "small", "sub", "sup",
    "code", "pre", "kbd", "samp", "var", "abbr", "cite", "q",
    "ul", "ol", "li", "dl", "dt", "dd",
    "table", "caption", "colgroup", "col", "thead", "tbody", "tfoot", "tr", "th", "td",
    "a", "img", "details", "summary", "figure", "figcaption",
})

ATTRIBUTES: dict[str, set[str]] = {
    **{f"h{level}": {"id"} for level in range(1, 7)},  # nbconvert's heading anchors
    "a": {"href", "title", "class"},
    "img": {"src", "alt", "title", "width", "height"},
    "div": {"class"},
    "span": {"class"},
    "code": {"class"},
    "pre": {"class"},
    "ol": {"start"},
    "th": {"style", "colspan", "rowspan", "scope"},  # mistune aligns columns with style
    "td": {"style", "colspan", "rowspan"},
    "abbr": {"title"},
    "details": {"open"},
}

# Only the classes nbconvert's Markdown uses: anchor links, Pygments' highlighted code,
# mistune's code language and nbconvert's Mermaid blocks. No class of the page around it
# (Bootstrap's, the formgrader's) can be borrowed to restyle or cover the grading form.
_PYGMENTS = {name for name in STANDARD_TYPES.values() if name}
_LANGUAGES = {f"language-{name}" for name in ("python", "text", "json", "yaml", "bash",
                                              "sh", "html", "markdown", "mermaid")}
CLASSES: dict[str, set[str]] = {
    "a": {"anchor-link"},
    "div": {"highlight", "jp-Mermaid"},
    "span": _PYGMENTS,
    "pre": {"mermaid"},
    "code": _LANGUAGES,
}


def clean_html(html: str) -> str:
    """``html`` with only the tags, attributes, classes and URL schemes that rendered
    Markdown needs: no script, event handler, style sheet, form or frame survives, and
    every ``href`` and ``src`` is http(s), mailto, relative or a #fragment."""
    return nh3.clean(
        html,
        tags=set(TAGS),
        clean_content_tags={"script", "style"},
        attributes={tag: set(names) - {"class"} for tag, names in ATTRIBUTES.items()},
        allowed_classes={tag: set(names) for tag, names in CLASSES.items()},
        url_schemes=set(URL_SCHEMES),
        filter_style_properties={"text-align"},
        link_rel="noopener noreferrer nofollow",
    )


class SafeMarkdown(LoggingConfigurable):
    """Jinja filter ``markdown2html``: nbconvert's rendering, then :func:`clean_html`.

    Registered through ``HTMLExporter.filters`` as an import string, nbconvert makes one
    with the exporter as its ``parent``; the exporter's own ``markdown2html`` renders (with
    its attachments, anchor links and lexer options), so only the cleaning is added.
    """

    @pass_context
    def __call__(self, context: Context, source: str) -> str:
        exporter: Any = self.parent
        if exporter is None or not hasattr(exporter, "markdown2html"):
            from nbconvert.filters import markdown2html

            return clean_html(markdown2html(source))
        return clean_html(exporter.markdown2html(context, source))

    # Jinja looks for pass_context's mark on the filter object itself, not on __call__.
    jinja_pass_arg = __call__.jinja_pass_arg  # type: ignore[attr-defined]
