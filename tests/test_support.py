"""Help lines are tested: every support service the course links comes from one list,
src/deepfake_ethics/content/support.yaml, and the blocks that show them in lessons 00 and 04
and in the teaching guide are written from it and up to date (issue 16)."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlparse

import glossary_links
import nbformat
import pytest
import support_lines
from conftest import ROOT, lesson_paths, reference_paths

from deepfake_ethics import bank, support
from deepfake_ethics.schema import ContentError

GUIDE = ROOT / "docs" / "teaching-guide.md"
LINK = re.compile(r"\[([^\]]*)\]\((https?://(?:[^()\s]|\([^()\s]*\))+)\)")
# Link text that points at a support service, whatever its name: such a link must come
# from the list.
SUPPORTISH = re.compile(r"helpline|hotline|support (?:service|organisation|line)|"
                        r"victim support|safety cent(?:er|re)|StopNCII|(?-i:Take It Down)|"
                        r"Civil Rights Initiative|eSafety|HateAid|Cybertip|1800RESPECT|"
                        r"INHOPE|Safer Internet", re.I)


def _host(url: str) -> str:
    host = urlparse(url).netloc.lower()
    return host[4:] if host.startswith("www.") else host


def texts() -> list[tuple[str, str]]:
    """(where, text) of every place that may show a support service: the lessons, their
    reference and alternative notebooks, every quiz, the teaching guide and the README."""
    found = []
    notebooks = lesson_paths() + reference_paths() + sorted(
        (ROOT / "notebooks" / "alternatives").glob("*.ipynb"))
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        found.append((path.name, "\n".join(c.source for c in nb.cells)))
    for quiz in bank.quizzes().values():
        parts = [quiz.scenario, quiz.question, quiz.hint, quiz.explanation, *quiz.discussion]
        parts += [f"{o.text}\n{o.feedback}" for o in quiz.options]
        parts += [f"[{s.title}]({s.url})" for s in quiz.sources]
        found.append((f"quiz {quiz.id}", "\n".join(parts)))
    for path in (GUIDE, ROOT / "README.md"):
        found.append((path.name, path.read_text(encoding="utf-8")))
    return found


@pytest.fixture(scope="module")
def listed() -> support.SupportList:
    return bank.support()


def test_the_list_is_valid_and_checked(listed):
    assert {"stopncii", "revenge-porn-helpline", "ccri", "take-it-down",
            "child-helpline-international"} <= set(listed.services)
    ccri = listed.services["ccri"]
    assert _host(ccri.url) == "cybercivilrights.org", "CCRI is at cybercivilrights.org"
    assert "cyberrights.org" in {_host(url) for url in listed.wrong}
    assert "not" in ccri.summary and "remov" in ccri.summary, \
        "CCRI runs a helpline and guides, not a removal service"
    assert "adults" in listed.services["take-it-down"].serves, \
        "Take It Down also serves adults whose images were taken before they were 18"
    for service in listed.services.values():
        assert service.checked <= dt.date.today().isoformat(), f"{service.id}: checked later"


def test_every_support_link_comes_from_the_list(listed):
    services = listed.by_url()
    allowed = set(services) | listed.evidence_urls()
    hosts = {_host(url) for url in services} | {_host(url) for url in listed.wrong}
    problems = []
    for where, text in texts():
        for wrong in listed.wrong:
            if _host(wrong) in text.lower():
                problems.append(f"{where}: mentions {_host(wrong)}: {listed.wrong[wrong]}")
        for label, url in LINK.findall(text):
            named = [s for s in services.values() if s.name in label]
            if named and url not in {s.url for s in named} | listed.evidence_urls():
                problems.append(f"{where}: '{label}' links to {url}, not to "
                                f"{named[0].url} (support.yaml)")
            elif (_host(url) in hosts or SUPPORTISH.search(label)) and url not in allowed:
                problems.append(f"{where}: [{label}]({url}) is a support link that is not in "
                                "src/deepfake_ethics/content/support.yaml")
    assert not problems, "\n".join(problems)


def test_the_generated_blocks_are_up_to_date_and_in_place():
    assert support_lines.problems() == []


def test_the_guides_support_table_is_the_generated_one():
    text = GUIDE.read_text(encoding="utf-8")
    section = text[text.index("## Support services"):text.index("## Adapting the course")]
    start = section.index("<!-- support: teaching-guide")
    end = section.index("<!-- /support -->")
    outside = section[:start] + section[end:]
    assert not re.search(r"^\|", outside, flags=re.M), \
        "every row of the support table comes from support.yaml (make support)"


def test_lesson_blocks_hold_no_glossary_term(listed):
    """A generated block cannot hold the link a lesson needs at a term's first use."""
    terms = glossary_links.terms()
    for block_id, block in listed.blocks.items():
        if block.style != "list":
            continue
        masked = LINK.sub(" ", support.render(listed, block_id))
        for term in terms.values():
            assert not term.uses(masked), f"block {block_id} uses the glossary term {term.name}"


# -- the machinery, on made-up data ----------------------------------------------------------

TOY = {
    "services": [
        {"id": "one", "name": "Help One", "url": "https://one.example.org", "country": "worldwide",
         "serves": "adults", "summary": "listens", "does": "Listens.", "checked": "2026-12-03",
         "evidence": [{"title": "One", "url": "https://one.example.org", "date": "2026"}]},
    ],
    "wrong": [{"url": "https://0ne.example.org", "why": "a look-alike"}],
    "blocks": {"b": {"style": "list", "services": ["one"]}},
}


def test_rewrite_fills_a_block_and_keeps_a_quoted_notes_prefix():
    listed = support.parse_support_file(TOY, "toy.yaml")
    text = ("Before.\n\n> Help:\n>\n> <!-- support: b (x) -->\n> stale\n"
            "> <!-- /support -->\n\nAfter.")
    new = support.rewrite(text, listed)
    assert "> - **[Help One](https://one.example.org)** (worldwide): listens." in new
    assert "stale" not in new and new.endswith("\n\nAfter.") and new.startswith("Before.")
    assert support.rewrite(new, listed) == new, "idempotent"
    assert support.block_ids(new) == ["b"]


def test_bad_lists_and_blocks_are_refused():
    with pytest.raises(ContentError, match="no such block"):
        support.rewrite("<!-- support: nope (x) -->\n<!-- /support -->",
                        support.parse_support_file(TOY, "toy.yaml"))
    bad = {**TOY, "blocks": {"b": {"style": "list", "services": ["two"]}}}
    with pytest.raises(ContentError, match="no service 'two'"):
        support.parse_support_file(bad, "toy.yaml")
    bad = {**TOY, "wrong": [{"url": "https://one.example.org", "why": "x"}]}
    with pytest.raises(ContentError, match="also a service"):
        support.parse_support_file(bad, "toy.yaml")
    service = {**TOY["services"][0], "url": "http://one.example.org"}
    with pytest.raises(ContentError, match="https"):
        support.parse_support_file({**TOY, "services": [service]}, "toy.yaml")


def test_a_link_to_a_wrong_address_would_be_caught(listed, monkeypatch):
    import test_support as me

    original = me.texts

    def with_a_bad_link():
        return [*original(), ("made-up lesson", "the [Cyber Civil Rights Initiative]"
                                                "(https://cyberrights.org)")]

    monkeypatch.setattr(me, "texts", with_a_bad_link)
    with pytest.raises(AssertionError, match="cyberrights.org"):
        test_every_support_link_comes_from_the_list(listed)
