"""docs/teaching-guide.md carries a module: timings, a discussion plan, an activity,
misconceptions and further reading for every lesson; a six-week plan and a one-day workshop;
assessment, a capstone with its rubric, accessibility and what to do when the set-up fails;
how to run lesson 04 and its alternative; dated support services for more countries, with
what was not verified. Every reflection position is named in the guide's plan with its
strongest case and its hardest question, and argued in the quiz with its difficulty; the
guide, lesson 03, its quiz and a03 teach one consent rule."""

from __future__ import annotations

import re

import nbformat
from conftest import ROOT, lesson_paths

from deepfake_ethics.content_yaml import read_yaml

GUIDE = ROOT / "docs" / "teaching-guide.md"
QUIZZES = ROOT / "src" / "deepfake_ethics" / "content" / "quizzes"
MODULE = ("A six-week module", "A one-day workshop", "Assessment", "Capstone project",
          "Accessibility", "When Binder or the set-up fails")
DIFFICULTY = "Its difficulty:"  # how every reflection position's feedback names its weak side
HARDEST = "Hardest question"  # how the guide's plan names it
# The consent rule in words that lesson 03, e1-birthday-video, a03 and the guide all use.
CONSENT_RULE = ("anyone other than the maker", "owner")
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


def reflections() -> list[dict]:
    """Every reflection of the content bank, alternative activities included, as written
    in its YAML file (they change as the quizzes do)."""
    found = [quiz for path in sorted(QUIZZES.rglob("*.yaml"))
             for quiz in read_yaml(path)["quizzes"]
             if quiz.get("kind") == "reflection"]
    assert found
    return found


def words(text: str) -> int:
    return len(re.findall(r"\w+", text))


def position(option: dict) -> str:
    """A reflection position's name: its option's words before the first colon."""
    return option["text"].split(":", 1)[0].strip()


def plan(quiz_id: str) -> str:
    """The guide's discussion plan for one reflection: from its '**Discussion plan: `id`'
    to the next paragraph that opens in bold, or the next section."""
    text = GUIDE.read_text(encoding="utf-8")
    marker = f"**Discussion plan: `{quiz_id}`"
    assert text.count(marker) == 1, f"{quiz_id}: one discussion plan in the guide"
    start = text.index(marker) + len(marker)
    ends = [m.start() for m in re.finditer(r"\n(\*\*|## )", text[start:])]
    return text[start: start + ends[0] if ends else len(text)]


def test_every_reflection_quiz_has_a_discussion_plan():
    """The guide names every reflection in its table and gives each a plan of its own."""
    text = GUIDE.read_text(encoding="utf-8")
    for quiz in reflections():
        assert text.count(f"`{quiz['id']}`") >= 2, f"{quiz['id']}: in the table and in a plan"
        assert plan(quiz["id"])


def test_every_reflection_position_is_named_in_the_guide_with_its_strongest_case():
    """Each position of each reflection is in its plan, named as the quiz names it (in
    italics), with a case for it and its hardest question, so that no position is dropped
    or left without its best form."""
    for quiz in reflections():
        bullets = [" ".join(b.split()) for b in re.split(r"\n- ", plan(quiz["id"]))[1:]]
        for option in quiz["options"]:
            name = position(option)
            mine = [b for b in bullets if b.startswith(f"*{name}*")]
            assert len(mine) == 1, f"{quiz['id']}: the plan names *{name}* in one bullet"
            case, _, hardest = mine[0].partition(HARDEST)
            assert words(case) >= 15, f"{quiz['id']}: *{name}* has its case in the plan"
            assert words(hardest) >= 8, f"{quiz['id']}: *{name}* has its hardest question"


def test_every_reflection_position_has_a_name_a_strongest_case_and_a_difficulty():
    """In the quiz, every position is named ('Name: ...'), argued at about the same length
    as the others, and answers for its difficulty in the same words ('Its difficulty:')."""
    for quiz in reflections():
        names = [position(o) for o in quiz["options"]]
        assert all(":" in o["text"] and 1 <= words(n) <= 8
                   for o, n in zip(quiz["options"], names, strict=True)), \
            f"{quiz['id']}: every option opens with the position's name and a colon"
        assert len(set(names)) == len(names), f"{quiz['id']}: names differ"
        lengths = []
        for option, name in zip(quiz["options"], names, strict=True):
            feedback = " ".join(option["feedback"].split())
            assert feedback.count(DIFFICULTY) == 1, f"{quiz['id']}: *{name}* names its difficulty"
            case, _, difficulty = feedback.partition(DIFFICULTY)
            assert words(case) >= 25, f"{quiz['id']}: *{name}* is argued at its strongest"
            assert words(difficulty) >= 12, f"{quiz['id']}: *{name}* has a real difficulty"
            lengths.append(words(feedback))
        assert max(lengths) <= 1.6 * min(lengths), f"{quiz['id']}: positions of like length"


def test_the_guide_carries_a_module():
    """A six-week plan with every lesson and assignment, a workshop, an assessment plan
    (weights, the public source/ and integrity, late work), a capstone with a brief and a
    rubric, accessibility and fallbacks for a failed set-up."""
    found = sections()
    for title in MODULE:
        assert title in found, title
    weeks = found["A six-week module"]
    assert all(f"| {week} |" in weeks for week in range(1, 7))
    for name in ("a02-legal-aspects", "a03-ethical-aspects", "a04-harms-and-consent",
                 "a04-alt-likeness-and-consent", "a05-provenance", "capstone"):
        assert name in weeks, name
    assessment = found["Assessment"]
    assert "%" in assessment and "deepfake-ethics new-course" in assessment
    assert "source/" in assessment and "**Late work.**" in assessment
    capstone = found["Capstone project"]
    assert "**Brief A" in capstone and "**Rubric" in capstone
    points = [row.split("|")[2].strip() for row in capstone.splitlines()
              if row.startswith("| ")]
    assert sum(int(p) for p in points if p.isdigit()) == 20, "the rubric's points add up"
    access = found["Accessibility"].lower()
    for need in ("extra time", "screen reader", "keyboard", "alternatives/04-alternative"):
        assert need in access, need
    fallback = found["When Binder or the set-up fails"]
    for way in ("github.com", "make lab", "JupyterHub", "nbconvert"):
        assert way in fallback, way


def test_one_consent_rule_in_the_guide_lesson_03_its_quiz_and_a03():
    """Whose consent a face swap needs is taught once: the face always; once anyone other
    than the maker sees the clip, the people in the footage and the footage's owner. The
    guide, lesson 03's consent section, quiz e1-birthday-video and a03's checklist say it."""
    lesson = next(p for p in lesson_paths() if p.name.startswith("03-"))
    section = next(c.source for c in nbformat.read(lesson, as_version=4).cells
                   if "### Whose consent, and when" in c.source)
    quiz = next(q for q in read_yaml(QUIZZES / "03-ethical-aspects.yaml")["quizzes"]
                if q["id"] == "e1-birthday-video")
    a03 = ROOT / "source" / "a03-ethical-aspects" / "a03-ethical-aspects.ipynb"
    checklist = next(c.source for c in nbformat.read(a03, as_version=4).cells
                     if c.get("id") == "consent-checklist")
    guide = sections()["Lesson 03: Ethical aspects"]
    for where, text in (("lesson 03", section), ("e1-birthday-video", quiz["explanation"]),
                        ("a03", checklist), ("the guide", guide)):
        text = " ".join(text.split())
        for words_of_rule in CONSENT_RULE:
            assert words_of_rule in text, f"{where}: {words_of_rule!r}"
