"""docs/teaching-guide.md lets an instructor plan each lesson: timings, a discussion plan,
an activity, misconceptions and further reading for every lesson; how to run lesson 04 and
its alternative; dated support services for more countries, with what was not verified."""

from __future__ import annotations

import re

from conftest import ROOT, lesson_paths

GUIDE = ROOT / "docs" / "teaching-guide.md"
PARTS = ("**Timing", "**Discussion", "**In-class activity", "**Common misconceptions",
         "**Further reading")
DATE = re.compile(r"\b(19|20)\d\d\b|updated in place")


def sections() -> dict[str, str]:
    text = GUIDE.read_text(encoding="utf-8")
    found = {}
    for match in re.finditer(r"^## (.+)$", text, flags=re.M):
        end = text.find("\n## ", match.end())
        found[match.group(1)] = text[match.end(): end if end != -1 else len(text)]
    return found


def test_every_lesson_has_a_plan():
    found = sections()
    for path in lesson_paths():
        number = path.name[:2]
        section = next((body for title, body in found.items()
                        if title.startswith(f"Lesson {number}:")), None)
        assert section, f"a section for lesson {number}"
        for part in PARTS:
            assert part in section, f"lesson {number}: {part}"


def test_lesson_04_content_note_and_alternative():
    found = sections()
    section = next(body for title, body in found.items() if title.startswith("Running lesson 04"))
    assert "without giving a reason" in section.lower()
    assert "alternatives/04-alternative-likeness-and-consent.ipynb" in section
    assert "a04-alt-likeness-and-consent" in section
    assert "If a student discloses" in section


def test_support_services_are_dated_and_sourced_for_more_countries():
    section = sections()["Support services"]
    rows = [line for line in section.splitlines()
            if line.startswith("| ") and not line.startswith(("| where", "|---"))]
    places = " ".join(row.split("|")[1] for row in rows).lower()
    for place in ("european union", "australia", "canada", "worldwide (directory",
                  "united kingdom", "united states"):
        assert place in places, place
    for row in rows:
        source = row.split("|")[4]
        assert "](https://" in source and DATE.search(source), row
    assert "**What could not be verified.**" in section


def test_links_resolve_and_the_guide_is_linked():
    text = GUIDE.read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if target.startswith("https://"):
            continue
        assert not target.startswith("http:"), target
        if target.startswith("#"):
            continue
        assert (GUIDE.parent / target.split("#")[0]).resolve().exists(), target
    for doc in ("README.md", "docs/instructors.md"):
        assert "teaching-guide.md" in (ROOT / doc).read_text(encoding="utf-8"), doc


def test_every_reflection_quiz_has_a_discussion_plan():
    """The guide names every reflection of the content bank (they change as quizzes do)."""
    import yaml

    text = GUIDE.read_text(encoding="utf-8")
    folder = ROOT / "src" / "deepfake_ethics" / "content" / "quizzes"
    reflections = [quiz["id"] for path in sorted(folder.glob("*.yaml"))
                   for quiz in yaml.safe_load(path.read_text(encoding="utf-8"))["quizzes"]
                   if quiz.get("kind") == "reflection"]
    assert reflections
    for quiz_id in reflections:
        assert text.count(f"`{quiz_id}`") >= 2, f"{quiz_id}: in the table and in a plan"
