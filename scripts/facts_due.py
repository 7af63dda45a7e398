"""List the claims that are due for review: those whose date has come, and those whose
source was last checked longer ago than their review interval.

The claims are the register ``src/deepfake_ethics/content/claims.yaml`` (read with the
package's content loader); the check dates come from ``sources.yaml`` and, for support
services, ``support.yaml``. See docs/maintaining-facts.md for the routine.

    python scripts/facts_due.py                      # what is due today, and what comes next
    python scripts/facts_due.py --today 2027-06-14   # as it will be on that day
    python scripts/facts_due.py --strict             # exit 1 if anything is due
    python scripts/facts_due.py --write-doc          # rewrite docs/maintaining-facts.md's table
    python scripts/facts_due.py --check-doc          # exit 1 if that table is out of date
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys

from notebook_tools import ROOT

from deepfake_ethics import bank
from deepfake_ethics.claims import Claim, Register, due

DOC = ROOT / "docs" / "maintaining-facts.md"
BEGIN = ("<!-- claims: begin (written by make sources from "
         "src/deepfake_ethics/content/claims.yaml; do not edit) -->")
END = "<!-- claims: end -->"


def report(register: Register, checked: dict[str, str], today: dt.date) -> str:
    """What is due on ``today``, then the next dates to come."""
    lines = [f"Claims due for review on {today} (src/deepfake_ethics/content/claims.yaml):"]
    found = due(register, checked, today)
    if not found:
        lines.append("  nothing is due.")
    for claim, reasons in found:
        lines.append(f"  {claim.id} ({claim.kind}, {claim.date}): {claim.claim}")
        lines += [f"    - {reason}" for reason in reasons]
        lines.append(f"    source: {claim.source}")
        lines += [f"    in {p.where}: '{p.says}'" for p in claim.places]
    coming = sorted((c for c in register.claims.values()
                     if c.resolved is None and c.date > today), key=lambda c: c.date)
    if coming:
        lines += ["", "Next dates:"]
        lines += [f"  {c.date}  {c.kind:13} {c.id}" for c in coming]
    return "\n".join(lines)


def _places(claim: Claim) -> str:
    seen: list[str] = []
    for place in claim.places:
        if place.where not in seen:
            seen.append(place.where)
    return ", ".join(f"`{where}`" for where in seen)


def table(register: Register, checked: dict[str, str]) -> str:
    """The Markdown table of the register for docs/maintaining-facts.md."""
    def row(c: Claim) -> str:
        claim = c.claim.replace("|", "\\|")
        source = f"[source]({c.source}), checked {checked.get(c.source, 'never')}"
        return (f"| `{c.id}` | {claim} | {c.kind} | {c.date} | {source}; every "
                f"{c.review_days} days | {_places(c)} |")

    claims = sorted(register.claims.values(), key=lambda c: (c.date, c.id))
    active = [c for c in claims if c.resolved is None]
    resolved = [c for c in claims if c.resolved is not None]
    head = ["| Claim | What it says | Kind | Date | Source and review | Where it appears |",
            "|---|---|---|---|---|---|"]
    out = [BEGIN, "", *head, *(row(c) for c in active)]
    if resolved:
        out += ["", "Resolved: the text was rewritten after the date. The claims stay in the "
                "register, so that their old wording cannot come back unnoticed.", "", *head]
        out += [row(c) for c in resolved]
    return "\n".join([*out, "", END])


def rewritten_doc(text: str, register: Register, checked: dict[str, str]) -> str:
    start, end = text.index(BEGIN), text.index(END) + len(END)
    return text[:start] + table(register, checked) + text[end:]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--today", type=dt.date.fromisoformat, default=dt.date.today(),
                        help="the day to judge by (YYYY-MM-DD; default: today)")
    parser.add_argument("--strict", action="store_true", help="exit 1 if anything is due")
    parser.add_argument("--write-doc", action="store_true",
                        help="rewrite the register's table in docs/maintaining-facts.md")
    parser.add_argument("--check-doc", action="store_true",
                        help="exit 1 if the table in docs/maintaining-facts.md is out of date")
    args = parser.parse_args(argv)
    register, checked = bank.claims(), bank.sources_checked()
    if args.write_doc or args.check_doc:
        current = DOC.read_text(encoding="utf-8")
        new = rewritten_doc(current, register, checked)
        if args.check_doc:
            if new != current:
                print(f"{DOC.relative_to(ROOT)}: the claims table is out of date: run "
                      "`make sources`", file=sys.stderr)
                return 1
            return 0
        if new != current:
            DOC.write_text(new, encoding="utf-8")
            print(f"wrote the claims table of {DOC.relative_to(ROOT)}")
        else:
            print(f"the claims table of {DOC.relative_to(ROOT)} is up to date")
        return 0
    print(report(register, checked, args.today))
    return 1 if args.strict and due(register, checked, args.today) else 0


if __name__ == "__main__":
    sys.exit(main())
