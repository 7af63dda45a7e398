"""A hostile student's Markdown, and checks that rendered HTML cannot run any of it.

Used by tests/test_markup.py (the sanitizer alone) and tests/browser/test_hostile_essay.py
(the formgrader and the feedback page in Chromium). Every script payload sets the page flag
``window.__dfeHostile``, opens a dialog and then, where it runs inside the formgrader, sets
a manual score of 1000 on every grade of the submission through the formgrader's own API
with the ``_xsrf`` cookie, as the attack reported in issue 15 did.
"""

from __future__ import annotations

import base64
import re
from html.parser import HTMLParser

FLAG = "__dfeHostile"
ALLOWED_SCHEMES = frozenset({"http", "https", "mailto"})
STOLEN_SCORE = 1000

# Runs in the formgrader's page of a submission (/formgrader/submissions/<id>/): the ids of
# the submission's grades from /formgrader/api/grades, then PUT /formgrader/api/grade/<id>.
GRADE_API_JS = f"""
window.{FLAG} = (window.{FLAG} || 0) + 1;
(async () => {{
  const api = (window.base_url || '/formgrader') + '/api';
  const xsrf = decodeURIComponent((document.cookie.match(/(?:^|; )_xsrf=([^;]*)/) || [])[1]
                                  || '');
  const id = (location.pathname.match(/submissions\\/([^/]+)/) || [])[1];
  const headers = {{'X-XSRFToken': xsrf, 'Content-Type': 'application/json'}};
  const grades = await (await fetch(`${{api}}/grades?submission_id=${{id}}`,
                                    {{headers}})).json();
  for (const grade of grades) {{
    await fetch(`${{api}}/grade/${{grade.id}}`, {{method: 'PUT', headers,
      body: JSON.stringify({{manual_score: {STOLEN_SCORE}, extra_credit: null}})}});
  }}
  window.{FLAG}Graded = grades.length;
}})();
alert('hostile essay ran');
""".strip()

_B64 = base64.b64encode(GRADE_API_JS.encode()).decode()
CALL = f"eval(atob('{_B64}'))"

# name -> Markdown as a student types it into the essay cell.
PAYLOADS: dict[str, str] = {
    "colon-entity": f"[hostile-colon](javascript&colon;{CALL})",
    "tab-entity": f"[hostile-tab](jav&#x09;ascript:{CALL})",
    "decimal-entity": f"[hostile-decimal](&#106;avascript:{CALL})",
    "hex-entities": f"[hostile-hex](&#x6A;avascript&#x3A;{CALL})",
    "no-semicolon": f"[hostile-nosemi](&#106avascript:{CALL})",
    "plain": f"[hostile-plain](javascript:{CALL})",
    "mixed-case": f"[hostile-case](JaVaScRiPt:{CALL})",
    "vbscript": "[hostile-vb](vbscript:msgbox(1))",
    "data-html": f"[hostile-data](data:text/html,<script>parent.{FLAG}=1;alert(1)</script>)",
    "reference": f"[hostile-ref][src]\n\n[src]: javascript&colon;{CALL}",
    "image-url": f"![hostile-img](javascript&colon;{CALL})",
    "raw-anchor": f"<a href=javascript:{CALL}>hostile-raw</a>",
    "raw-anchor-entities": f'<a href="&#106;avascript&colon;{CALL}">hostile-raw-ent</a>',
    "raw-img-onerror": f"<img src=x onerror=\"{CALL}\">",
    "raw-svg-onload": f"<svg onload=\"{CALL}\"></svg>",
    "raw-script": f"<script>{GRADE_API_JS}</script>",
    "raw-iframe": f"<iframe src=\"javascript:{CALL}\"></iframe>",
    "raw-form": f'<form action="javascript:{CALL}"><button>hostile-form</button></form>',
    "raw-details": f'<details open ontoggle="{CALL}"><summary>hostile-toggle</summary></details>',
}

# The three the issue reports: with nbconvert's own filter they render as live links.
REPORTED = ("colon-entity", "tab-entity", "decimal-entity")


def essay(intro: str = "My essay. Sources:") -> str:
    """An essay answer holding every payload, one per paragraph."""
    return "\n\n".join([intro, *PAYLOADS.values()])


class _Targets(HTMLParser):
    """Collects tags, event-handler attributes and every URL-valued attribute."""

    URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "xlink:href",
                                "background", "poster", "srcset", "data", "cite"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []
        self.handlers: list[str] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        for name, value in attrs:  # values arrive HTML-decoded
            if name.startswith("on"):
                self.handlers.append(f"<{tag} {name}>")
            elif name in self.URL_ATTRIBUTES and value is not None:
                self.urls.append(value)

    handle_startendtag = handle_starttag


def url_scheme(url: str) -> str | None:
    """The scheme a browser would see in ``url`` (WHATWG: outer spaces and C0 controls
    trimmed, tabs and newlines removed anywhere), lower-cased; None for a relative URL."""
    cleaned = re.sub(r"[\t\n\r]", "", url.strip("".join(map(chr, range(0x21)))))
    match = re.match(r"([A-Za-z][A-Za-z0-9+.\-]*):", cleaned)
    return match.group(1).lower() if match else None


def dangers(html: str) -> list[str]:
    """What in ``html`` could run script: URLs with a scheme outside the allow-list, event
    handlers, and script-capable elements. Empty for safe HTML."""
    parser = _Targets()
    parser.feed(html)
    parser.close()
    found = [f"url {url[:60]!r}" for url in parser.urls
             if url_scheme(url) not in (None, *ALLOWED_SCHEMES)]
    found += parser.handlers
    found += [f"<{tag}>" for tag in sorted(parser.tags & {
        "script", "iframe", "frame", "object", "embed", "form", "svg", "math", "style",
        "base", "meta", "link", "input", "button"})]
    return found
