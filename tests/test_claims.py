"""Claims that change on a date are data (issue 16): the register content/claims.yaml holds
every forward-looking claim, its date and the words each place uses; the course cannot
speak of a passed date as the future, the register cannot rot silently, and no future date
or "pending" enters the lessons unregistered. Fast: no kernel, no nbgrader."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import facts_due
import nbformat
import pytest
from conftest import ROOT

from deepfake_ethics import bank, claims
from deepfake_ethics.schema import ContentError

TODAY = dt.date.today()


@pytest.fixture(scope="module")
def register() -> claims.Register:
    return bank.claims()


def test_the_register_holds_the_claims_issue_16_names(register):
    kinds = {c.kind for c in register.claims.values()}
    assert {"transposition", "pending", "grace-period", "applies-from"} <= kinds
    ids = set(register.claims)
    assert {"eu-directive-2024-1385-transposition", "defiance-act-pending",
            "no-fakes-act-pending", "eu-ai-act-ncii-ban",
            "eu-ai-act-art-50-2-grace-period"} <= ids


def test_no_registered_date_has_passed_while_its_future_wording_stands(register):
    problems = claims.expired(register, ROOT, TODAY)
    assert not problems, "\n".join(problems)


def test_every_place_still_holds_its_wording_before_the_date(register):
    problems = claims.missing(register, ROOT, TODAY)
    assert not problems, "\n".join(problems)


def test_every_forward_looking_phrase_is_registered(register):
    problems = claims.unregistered(register, ROOT, TODAY)
    assert not problems, "\n".join(problems)


def test_every_not_claims_entry_still_matches(register):
    problems = claims.unused_not_claims(register, ROOT)
    assert not problems, "\n".join(problems)


def test_every_claim_has_a_checked_source(register):
    checked = bank.sources_checked()
    for claim in register.claims.values():
        assert claim.source in checked, f"{claim.id}: {claim.source} has no 'checked' date"


def test_the_table_in_maintaining_facts_is_up_to_date():
    assert facts_due.main(["--check-doc"]) == 0, "run `make sources`"


def test_facts_due_lists_nothing_unresolved_whose_date_has_come(register):
    overdue = [c.id for c, reasons in claims.due(register, bank.sources_checked(), TODAY)
               if any("has come" in r for r in reasons)]
    assert not overdue, f"re-check these claims and update claims.yaml: {overdue}"


def test_make_facts_due_runs_and_looks_ahead(capsys):
    assert facts_due.main(["--today", "2027-06-14"]) == 0
    out = capsys.readouterr().out
    assert "eu-directive-2024-1385-transposition" in out and "has come" in out
    assert facts_due.main(["--today", "2027-06-14", "--strict"]) == 1


def test_the_expired_december_wording_is_gone_everywhere():
    """Issue 16: "from 2 December 2026" and "until 2 December 2026" spoke of the EU's ban and
    grace period as future; they now apply and are over."""
    for path in sorted(ROOT.glob("notebooks/**/*.ipynb")) + sorted(ROOT.glob("source/*/*.ipynb")):
        text = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells)
        for wording in ("from 2 December 2026", "From 2 December 2026", "until 2 December 2026",
                        "from **2 December 2026**"):
            assert wording not in text, f"{path.relative_to(ROOT)}: '{wording}'"


# -- the machinery, on made-up places ------------------------------------------------------------


def _register(date: str, says: str, where: str = "lesson.md", resolved=None,
              not_claims=()) -> claims.Register:
    data = {"claims": [{"id": "made-up", "claim": "A rule applies.", "kind": "applies-from",
                        "date": date, "source": "https://example.org/law", "review_days": 30,
                        "places": [{"in": where, "says": says}]}],
            "not_claims": list(not_claims)}
    if resolved:
        data["claims"][0]["resolved"] = resolved
    return claims.parse_claims_file(data, "claims.yaml")


@pytest.fixture
def course(tmp_path) -> Path:
    (tmp_path / "lesson.md").write_text("The rule applies from\n14 June 2027, and the bill is "
                                        "pending.\n", encoding="utf-8")
    return tmp_path


def test_a_passed_date_with_its_future_wording_fails(course):
    register = _register("2027-06-14", "applies from 14 June 2027")
    assert claims.expired(register, course, dt.date(2027, 6, 13)) == []
    found = claims.expired(register, course, dt.date(2027, 6, 14))
    assert found and "still says 'applies from 14 June 2027'" in found[0]


def test_a_place_that_lost_its_wording_before_the_date_fails(course):
    register = _register("2027-06-14", "applies from 15 June 2027")
    found = claims.missing(register, course, dt.date(2026, 12, 3))
    assert found and "no longer says" in found[0]
    # After the date, a missing wording is what a rewrite should leave: expired() has the job.
    assert claims.missing(register, course, dt.date(2027, 7, 1)) == []


def test_an_unregistered_future_date_or_pending_is_found(course):
    register = _register("2027-06-14", "applies from 14 June 2027")
    found = claims.unregistered(register, course, dt.date(2026, 12, 3), places=["lesson.md"])
    assert len(found) == 1 and "'pending'" in found[0]
    allowed = _register("2027-06-14", "applies from 14 June 2027",
                        not_claims=[{"in": "*.md", "says": "bill is pending", "why": "made up"}])
    assert claims.unregistered(allowed, course, dt.date(2026, 12, 3), places=["lesson.md"]) == []
    # A past date is not forward-looking, and a number such as HB 2091 is not a year.
    assert claims.forward_phrases("since 2 December 2026, HB 2091", dt.date(2026, 12, 3)) == []
    assert [p for _, _, p in claims.forward_phrases(
        "by June 2027 (https://example.org/2028)", dt.date(2026, 12, 3))] == ["June 2027"]


def test_due_lists_a_passed_date_and_a_stale_source_but_not_a_resolved_claim(course):
    register = _register("2027-01-01", "applies from 14 June 2027")
    day = dt.date(2027, 1, 1)
    (claim, reasons), = claims.due(register, {"https://example.org/law": "2026-12"}, day)
    assert any("has come" in r for r in reasons)
    (claim, reasons), = claims.due(register, {"https://example.org/law": "2026-10"},
                                   dt.date(2026, 12, 31))
    assert any("days ago" in r for r in reasons)
    resolved = _register("2027-01-01", "x", resolved="2027-01-02")
    assert claims.due(resolved, {}, dt.date(2027, 2, 1)) == []


@pytest.mark.parametrize(("change", "problem"), [
    ({"kind": "soon"}, "kind"),
    ({"date": "June 2027"}, "YYYY-MM-DD"),
    ({"review_days": 0}, "whole number"),
    ({"source": "http://example.org"}, "https"),
    ({"resolved": "2027-01-01"}, "on or after its date"),
    ({"places": []}, "at least 1"),
])
def test_bad_claims_are_refused(change, problem):
    claim = {"id": "made-up", "claim": "A rule applies.", "kind": "applies-from",
             "date": "2027-06-14", "source": "https://example.org/law", "review_days": 30,
             "places": [{"in": "lesson.md", "says": "from 14 June 2027"}], **change}
    with pytest.raises(ContentError, match=problem):
        claims.parse_claims_file({"claims": [claim]}, "claims.yaml")


def test_a_place_that_does_not_exist_is_reported(course):
    register = _register("2027-06-14", "x", where="quiz:no-such-quiz")
    assert "no such quiz" in claims.missing(register, course, dt.date(2026, 12, 3))[0]
