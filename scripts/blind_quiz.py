"""The blind check of the quiz bank (issue 17): can a reader who has not done the lessons
answer the one-answer and multi-select quizzes from cues alone?

``form`` writes every single-answer and multi-select quiz as a plain-text form: its title,
scenario, question and options, with no hint, feedback, explanation, sources, quiz id or
lesson. The items come in an order of their own and each item's options are re-shuffled,
both fixed by a seed, so the position of an option carries nothing and neighbouring items
do not come from the same lesson. Readers write their letters after ``Answer N:``.

``score`` reads filled forms (or plain answer files, one ``N: letters`` line per item),
rebuilds the shuffle from the seed in the form's header and scores each reader: the share
of single-answer items right, the share of multi-selects exactly right, and the share of
multi-select options judged right, each against the chance level. With several readers it
adds the mean and, with ``--items``, how many readers got each item right, to find the items
that are still answered from cues. ``--markdown`` prints rows for the table in
``docs/quiz-quality.md``.

``baseline`` scores mechanical test-wise strategies (always the longest option, the
shortest, the hedged one; on multi-selects, the k longest) against the same keys.

    python scripts/blind_quiz.py form --out /tmp/blind-form.txt
    python scripts/blind_quiz.py score /tmp/reader-1.txt /tmp/reader-2.txt --items
    python scripts/blind_quiz.py score answers.txt --form /tmp/blind-form.txt
    python scripts/blind_quiz.py baseline

The method, the targets and the results are in docs/quiz-quality.md.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import re
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

from deepfake_ethics import bank, cues
from deepfake_ethics.schema import Quiz

DEFAULT_SEED = 20261203
LETTERS = "ABCDEFGH"
WIDTH = 88
# The six lessons; the alternative activity's quizzes join with --all.
LESSON_PREFIXES = ("00-", "01-", "02-", "03-", "04-face", "05-")
HEADER = re.compile(r"^Seed: (\d+)\s+Items: (\d+)\s+Bank: ([0-9a-f]+)\s+Set: ([\w-]+)", re.M)
ANSWER = re.compile(r"^\s*(?:Answer\s+)?(\d+)\s*[:.)]\s*(.*?)\s*$", re.I)


@dataclass(frozen=True)
class FormItem:
    number: int
    quiz: Quiz
    order: tuple[int, ...]  # order[k] = the place in the content file of letter k

    @property
    def key(self) -> frozenset[str]:
        return frozenset(LETTERS[k] for k, i in enumerate(self.order)
                         if self.quiz.options[i].correct)


SETS = ("lessons", "all", "diagnostic", "diagnostic-A", "diagnostic-B")


def scored_quizzes(which: str = "lessons") -> list[Quiz]:
    """The items of a set: the six lessons' one-answer and multi-select quizzes, those plus
    the alternative activity's (``all``), the 22 items of the two diagnostic forms, or one
    form's 11 (``diagnostic-A``: a learner only ever sees one form at a time)."""
    if which.startswith("diagnostic"):
        form = which.partition("-")[2]
        return [q for q in bank.diagnostic_items().values() if not form or q.form == form]
    return [q for q in bank.quizzes().values() if q.kind in ("single", "multiple")
            and (which == "all" or q.lesson.startswith(LESSON_PREFIXES))]


def fingerprint(quizzes: list[Quiz]) -> str:
    """Changes whenever an item's id, options or key change: a form must be scored against
    the bank it was made from."""
    h = hashlib.sha256()
    for q in sorted(quizzes, key=lambda q: q.id):
        h.update(q.id.encode())
        for o in q.options:
            h.update(f"\0{o.correct}\0{o.text}".encode())
    return h.hexdigest()[:12]


def build(seed: int, which: str = "lessons") -> list[FormItem]:
    quizzes = sorted(scored_quizzes(which), key=lambda q: q.id)
    random.Random(f"{seed}:items").shuffle(quizzes)
    items = []
    for n, q in enumerate(quizzes, start=1):
        order = list(range(len(q.options)))
        random.Random(f"{seed}:{q.id}").shuffle(order)
        items.append(FormItem(n, q, tuple(order)))
    return items


# --mask: what a reader could know without the course (real places, laws, courts, companies,
# studies, dates and figures) becomes a code that is the same wherever the same name appears
# in the form, so that what the wording itself gives away (an echo of the scenario, one item
# settling another, a precise option against a vague one) survives and general knowledge
# does not. Longer names first; invented people keep their names.
MASKED = {
    "place": [
        "England and Wales", "Northern Ireland", "United Kingdom", "United States",
        "European Union", "South Korean", "South Korea", "New York", "England", "Wales",
        "Scotland", "Scottish", "UK", "US", "EU", "China", "Chinese", "Korea", "Korean",
        "Australia", "Australian", "Canada", "Canadian", "California", "Tennessee",
        "Virginia", "Minnesota", "Texas", "Ohio", "Georgia", "Colorado", "Oklahoma", "Denmark",
        "Danish", "Beijing", "Shanghai", "Shenzhen", "Hangzhou", "Seoul", "Busan", "Nashville",
        "Leeds", "Cardiff", "Perth", "Manchester", "Glasgow", "Edinburgh", "Berlin", "Paris",
        "Amsterdam", "Austin", "Atlanta", "Denver", "Tulsa", "Nottingham", "London", "Dublin",
        "Hamburg", "Munich", "Madrid", "Rome", "Toronto", "Sydney", "Melbourne", "Brussels",
        "Bristol", "Birmingham", "Liverpool", "Belfast", "Osaka", "Tokyo",
    ],
    "law": [
        "TAKE IT DOWN Act", "DEFIANCE Act", "NO FAKES Act", "ELVIS Act", "AI Basic Act",
        "AI Act", "Online Safety Act", "Crime and Policing Act", "Data (Use and Access) Act",
        "Sexual Offences Act", "Deep Synthesis Provisions", "Labelling Measures", "BitLicense",
        "MiCA", "Article 50(4)", "Art. 50(4)", "Article 50", "Art. 50", "Article 5", "s.66B",
        "s.72", "s.9(3)", "103(a)", "AB 602", "AB 2655", "AB 2839", "Section 230",
        "Kohls v. Bonta", "Li v. Liu", "Deckmyn", "Campbell", "Thaler", "Infopaq",
        "Digital Omnibus", "Royal Assent",
    ],
    "body": [
        "Supreme Court", "Copyright Office", "Federal Trade Commission", "FTC", "Senate",
        "House", "Congress", "Parliament", "Pornhub", "Twitter", "Reddit", "Discord",
        "Gfycat", "YouTube", "Meta", "TikTok", "Deeptrace", "Partnership on AI", "C2PA",
        "Content Credentials", "StopNCII", "SynthID", "Google", "Adobe", "OpenAI", "NCMEC",
        "FinCEN", "Bitcoin",
    ],
    "study": [
        "Nightingale", "Farid", "Groh", "Köbis", "Vaccari", "Chadwick", "Hameleers",
        "Chesney", "Citron", "Zucconi", "Perov",
    ],
}
_MONTHS = ("January|February|March|April|May|June|July|August|September|October|"
           "November|December")
_DATE = re.compile(rf"\b(?:\d{{1,2}} )?(?:{_MONTHS})(?: \d{{4}})?\b|\b(?:19|20)\d{{2}}s?\b")
_FIGURE = re.compile(r"(?<![\w\[])\d+(?:[.,]\d+)*(?:\s?%)?")
LABELS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


class Masker:
    """Codes for real names, dates and figures, the same code for the same text."""

    def __init__(self) -> None:
        self.codes: dict[tuple[str, str], str] = {}
        names = [(n, kind) for kind, listed in MASKED.items() for n in listed]
        names.sort(key=lambda nk: -len(nk[0]))
        self.pattern = re.compile(
            "|".join(rf"(?<![\w-]){re.escape(n)}(?![\w-])" for n, _ in names))
        self.kind_of = dict(names)

    def _code(self, kind: str, text: str) -> str:
        key = (kind, text)
        if key not in self.codes:
            n = sum(k == kind for k, _ in self.codes)
            label = LABELS[n % 26] * (n // 26 + 1)  # A..Z, AA..ZZ: no digit to re-mask
            self.codes[key] = f"[{kind} {label}]"
        return self.codes[key]

    def _figure(self, m: re.Match) -> str:
        before, after = m.string[:m.start()], m.string[m.end():]
        if (before.endswith("(") and after.startswith(")") and len(m[0]) <= 2) \
                or before.lower().endswith(("lesson ", "lessons ", "item ")):
            return m[0]  # an invented person's age, a lesson's number: nothing to know
        return self._code("figure", m[0])

    def __call__(self, text: str) -> str:
        text = self.pattern.sub(lambda m: self._code(self.kind_of[m[0]], m[0]), text)
        text = _FIGURE.sub(self._figure, _DATE.sub(lambda m: self._code("date", m[0]), text))
        return text


def _wrap(text: str, indent: str = "") -> str:
    text = re.sub(r"\s+", " ", text.replace("*", "")).strip()
    return textwrap.fill(text, WIDTH, initial_indent=indent, subsequent_indent=indent)


def form_text(seed: int, which: str = "lessons", mask: bool = False) -> str:
    items = build(seed, which)
    quizzes = [it.quiz for it in items]
    masker = Masker() if mask else (lambda text: text)
    lines = [
        "QUIZ FORM",
        "",
        f"Seed: {seed}  Items: {len(items)}  Bank: {fingerprint(quizzes)}  "
        f"Set: {which}",
        "(Leave the line above as it is: it is needed to score the form.)",
        "",
        _wrap("These are short scenarios about invented people, from a course on the ethics "
              "and law of deepfakes. Please answer them without looking anything up and "
              "without having read the course. Nobody expects you to know the answers: if "
              "you are unsure, choose what seems most likely. Answer every item."),
        "",
        _wrap("'Choose ONE' items have exactly one right option: write one letter. 'Choose "
              "ALL that are right' items have at least one right option and may have "
              "several: write every letter you think is right, for example 'A C'."),
        "",
        "Write your letters after 'Answer N:' at the end of each item.",
        "",
    ]
    if mask:
        lines[-1:-1] = ["", _wrap(
            "Real places, laws, courts, organisations, studies, dates and figures are "
            "replaced by codes such as [place C] or [date G]. A code stands for the same "
            "name, date or figure wherever it appears in this form; different codes stand "
            "for different ones. The names of the invented people are kept.")]
    for it in items:
        q = it.quiz
        how = ("Choose ONE" if q.kind != "multiple"
               else "Choose ALL that are right (one or more)")
        lines += ["=" * WIDTH, f"Item {it.number} of {len(items)}. {how}", "",
                  _wrap(masker(q.title)), "", _wrap(masker(q.scenario)), "",
                  _wrap(masker(q.question)), ""]
        for k, i in enumerate(it.order):
            text = re.sub(r"\s+", " ", masker(q.options[i].text).replace("*", "")).strip()
            lines.append(textwrap.fill(text, WIDTH, initial_indent=f"  {LETTERS[k]}) ",
                                       subsequent_indent="     "))
        lines += ["", f"Answer {it.number}: ", ""]
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Score:
    name: str
    single_right: int
    single_total: int
    multi_exact: int
    multi_total: int
    options_right: int  # multi-select options judged right (ticked if right, not if wrong)
    options_total: int
    unanswered: int
    per_item: dict[str, bool]

    def share(self, a: int, b: int) -> float:
        return a / b if b else 0.0


def parse_answers(text: str) -> tuple[dict[int, frozenset[str]], tuple[int, int, str, str] | None]:
    """The letters chosen for each item number, and the form's header (seed, items, bank,
    set) if there is one. In a filled form only the "Answer N:" lines count; a plain answer
    file has one "N: letters" line per item."""
    header = HEADER.search(text)
    meta = (int(header[1]), int(header[2]), header[3], header[4]) if header else None
    answers: dict[int, frozenset[str]] = {}
    for line in text.splitlines():
        m = ANSWER.match(line)
        if not m or (header and not line.lstrip().lower().startswith("answer")):
            continue
        answers[int(m[1])] = frozenset(x.upper() for x in re.findall(r"\b([A-Ha-h])\b", m[2]))
    return answers, meta


def score(name: str, items: list[FormItem], answers: dict[int, frozenset[str]]) -> Score:
    s_right = s_total = m_exact = m_total = o_right = o_total = missing = 0
    per_item = {}
    for it in items:
        chosen = answers.get(it.number, frozenset())
        if not chosen:
            missing += 1
        right = chosen == it.key
        per_item[it.quiz.id] = right
        if it.quiz.kind != "multiple":
            s_total += 1
            s_right += right
        else:
            m_total += 1
            m_exact += right
            letters = LETTERS[:len(it.order)]
            o_total += len(letters)
            o_right += sum((letter in chosen) == (letter in it.key) for letter in letters)
    return Score(name, s_right, s_total, m_exact, m_total, o_right, o_total, missing, per_item)


def chance(items: list[FormItem]) -> tuple[float, float]:
    singles = [1 / len(it.order) for it in items if it.quiz.kind != "multiple"]
    multis = [1 / (2 ** len(it.order) - 1) for it in items if it.quiz.kind == "multiple"]
    return (sum(singles) / len(singles) if singles else 0.0,
            sum(multis) / len(multis) if multis else 0.0)


def report(scores: list[Score], items: list[FormItem], markdown: bool, per_item: bool) -> str:
    c_single, c_multi = chance(items)
    out = []
    if markdown:
        out.append("| reader | single answer right | multi-select exactly right | "
                   "multi-select options judged right |")
        out.append("|---|---|---|---|")
    for s in scores:
        a = s.share(s.single_right, s.single_total)
        b = s.share(s.multi_exact, s.multi_total)
        c = s.share(s.options_right, s.options_total)
        if markdown:
            out.append(f"| {s.name} | {s.single_right}/{s.single_total} ({a:.0%}) | "
                       f"{s.multi_exact}/{s.multi_total} ({b:.0%}) | "
                       f"{s.options_right}/{s.options_total} ({c:.0%}) |")
        else:
            out.append(f"{s.name}: single {s.single_right}/{s.single_total} ({a:.0%}), "
                       f"multi exact {s.multi_exact}/{s.multi_total} ({b:.0%}), "
                       f"multi options {s.options_right}/{s.options_total} ({c:.0%})"
                       + (f", {s.unanswered} unanswered" if s.unanswered else ""))
    if len(scores) > 1:
        mean = [sum(f(s) for s in scores) / len(scores) for f in (
            lambda s: s.share(s.single_right, s.single_total),
            lambda s: s.share(s.multi_exact, s.multi_total),
            lambda s: s.share(s.options_right, s.options_total))]
        out.append(f"| mean of {len(scores)} | {mean[0]:.0%} | {mean[1]:.0%} | {mean[2]:.0%} |"
                   if markdown else
                   f"mean of {len(scores)} readers: single {mean[0]:.0%}, multi exact "
                   f"{mean[1]:.0%}, multi options {mean[2]:.0%}")
    out.append(f"{'| chance | ' if markdown else 'chance: single '}{c_single:.0%}"
               f"{' | ' if markdown else ', multi exact '}{c_multi:.1%}"
               f"{' | 50% |' if markdown else ', multi options 50%'}")
    if not markdown:
        out.append("targets (docs/quiz-quality.md): single at most 40%, multi exact at most 15%")
    if per_item:
        out.append("")
        out.append("readers right, item by item (items answered right by most readers "
                   "may still carry a cue):")
        for it in items:
            n = sum(s.per_item[it.quiz.id] for s in scores)
            out.append(f"  {it.number:3} {it.quiz.id:34} {it.quiz.kind:8} "
                       f"{n}/{len(scores)} key {' '.join(sorted(it.key))}")
    return "\n".join(out)


def baseline(items: list[FormItem]) -> str:
    """Mechanical test-wise strategies against the keys."""
    def length(it: FormItem, k: int) -> int:
        return len(it.quiz.options[it.order[k]].text)

    def hedged(it: FormItem, k: int) -> bool:
        return bool(cues.HEDGE.search(it.quiz.options[it.order[k]].text))

    singles = [it for it in items if it.quiz.kind != "multiple"]
    multis = [it for it in items if it.quiz.kind == "multiple"]
    rows = []
    for name, pick in (("longest", max), ("shortest", min)):
        hits = sum(LETTERS[pick(range(len(it.order)), key=lambda k, it=it: length(it, k))]
                   in it.key for it in singles)
        rows.append(f"single, always the {name}: {hits}/{len(singles)}")
    hits = 0
    for it in singles:
        ranked = sorted(range(len(it.order)), key=lambda k, it=it: length(it, k))
        hits += LETTERS[ranked[len(ranked) // 2]] in it.key
    rows.append(f"single, always a middle length: {hits}/{len(singles)}")
    hits = sum(any(hedged(it, k) and LETTERS[k] in it.key for k in range(len(it.order)))
               and sum(hedged(it, k) for k in range(len(it.order))) == 1 for it in singles)
    rows.append(f"single, the only hedged option, where there is one: {hits}/{len(singles)}")
    for k in range(1, 5):
        hits = sum(frozenset(LETTERS[j] for j in sorted(
            range(len(it.order)), key=lambda j, it=it: -length(it, j))[:k]) == it.key
            for it in multis)
        rows.append(f"multi, the {k} longest: {hits}/{len(multis)} exactly right")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    f = sub.add_parser("form", help="write the blind form")
    f.add_argument("--seed", type=int, default=DEFAULT_SEED)
    f.add_argument("--out", type=Path, help="file to write (default: print)")
    f.add_argument("--all", action="store_true", help="add the alternative activity's quizzes")
    f.add_argument("--mask", action="store_true",
                   help="replace real names, dates and figures by consistent codes")
    f.add_argument("--diagnostic", nargs="?", const="both", choices=("both", "A", "B"),
                   help="the diagnostic's items instead of the lessons' (both forms, or one)")
    s = sub.add_parser("score", help="score filled forms or answer files")
    s.add_argument("answers", type=Path, nargs="+")
    s.add_argument("--items", action="store_true", help="show each item's results")
    s.add_argument("--markdown", action="store_true", help="rows for docs/quiz-quality.md")
    s.add_argument("--force", action="store_true", help="score although the bank has changed")
    s.add_argument("--form", type=Path,
                   help="the form that plain answer files (with no header) answer")
    b = sub.add_parser("baseline", help="score mechanical test-wise strategies")
    b.add_argument("--seed", type=int, default=DEFAULT_SEED)
    b.add_argument("--all", action="store_true")
    b.add_argument("--diagnostic", nargs="?", const="both", choices=("both", "A", "B"))
    args = parser.parse_args(argv)

    form = getattr(args, "diagnostic", None)
    which = ("diagnostic" if form == "both" else f"diagnostic-{form}" if form
             else "all" if getattr(args, "all", False) else "lessons")
    if args.command == "form":
        text = form_text(args.seed, which, args.mask)
        if args.out:
            args.out.write_text(text, encoding="utf-8")
            print(f"wrote {args.out} ({len(build(args.seed, which))} items, seed "
                  f"{args.seed})")
        else:
            print(text, end="")
        return 0
    if args.command == "baseline":
        print(baseline(build(args.seed, which)))
        return 0

    scores, items = [], None
    for path in args.answers:
        answers, meta = parse_answers(path.read_text(encoding="utf-8"))
        if meta is None and args.form:
            meta = parse_answers(args.form.read_text(encoding="utf-8"))[1]
        seed, count, print_, which = meta or (DEFAULT_SEED, None, None, "lessons")
        if which not in SETS:
            print(f"{path}: unknown set {which!r}", file=sys.stderr)
            return 2
        items = build(seed, which)
        if print_ and print_ != fingerprint([it.quiz for it in items]) and not args.force:
            print(f"{path}: the bank has changed since this form was made (bank {print_}); "
                  "regenerate the form, or score with --force", file=sys.stderr)
            return 2
        if count is not None and count != len(items):
            print(f"{path}: the form had {count} items, the bank has {len(items)}",
                  file=sys.stderr)
            return 2
        unknown = sorted(n for n in answers if not 1 <= n <= len(items))
        if unknown:
            print(f"{path}: no item numbered {unknown}", file=sys.stderr)
            return 2
        scores.append(score(path.stem, items, answers))
    print(report(scores, items, args.markdown, args.items))
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
