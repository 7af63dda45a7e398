"""Cue statistics of the quiz bank: could someone pass the quizzes without reading them?

Multiple-choice items give themselves away when the right option is habitually the
longest (or the shortest), sits in the same place, stands out by wording, or echoes the
question (Haladyna, Downing and Rodriguez, 2002). These functions measure those habits over
a set of quizzes, and :func:`problems` lists every limit a bank breaks;
``python -m deepfake_ethics.cues`` prints the figures for the course's own bank.

Each figure is held near what blind guessing would give. The limits:

* **length**, single answer: the right option is the longest (ties count) in at most a
  third of the quizzes, and the shortest in at most a third; it is neither in at most 65%
  (chance with four options: 50%), so a reader cannot bet on the middle length either. Its
  mean length is within 15% of the distractors' (pooled, both ways) and within 50% in every
  quiz. Several answers: right options are within 15% of the distractors' length, both ways;
* **place**, single answer: among quizzes with the same number of options (at least twice
  as many quizzes as options), no place holds more than 40% of the right answers, or fewer
  than 15%. Several answers: the first and the last option are each right in between a third
  and two thirds of the quizzes;
* **hedged and absolute words**: right options carry a hedge ("may", "usually", "depends",
  "can", "some"...) at most ten points more often than distractors, and distractors carry an
  absolute word ("always", "never", "all", "only", "banned", "illegal"...) at most ten points
  more often than right options; in at most a fifth of the one-answer quizzes is the right
  option the odd one out by wording (the only hedged option, or the only one without an
  absolute word while the others have one); no option is "all/none of the above";
* **echoes**: words of the title, scenario and question (content words, not names of
  grammar) are not echoed by right options more than by distractors: the pooled rate of such
  words per option is at most 1.3 times the distractors', and in at most 40% of the quizzes
  do the right options hold more stem words that no distractor has than the distractors hold
  that no right option has (per option). In several-answer quizzes, a word shared by every
  right option and by no distractor (the "realistic" of the three right uploads) appears in
  at most a quarter of the quizzes;
* **how many are right**, several answers: no one count of right options covers more than
  half of the quizzes, at least three different counts are used once there are six or more
  quizzes, and at most a tenth have every option right;
* **leaks**: no hint, and no wrong option's feedback, repeats five or more words in a row of
  a right option (the schema already refuses a hint that quotes a whole right option); the
  diagnostic's items, which show nothing before their whole form is submitted, are exempt.

Options are also shown in an order of their own to each learner (see
:func:`.quiz_widget.option_order`); these limits keep the authored order, which the text
version of a quiz shows, free of cues too. What no program can see, such as the right option
being the kindest or the most careful, or the character in the scenario being always wrong,
is checked blind: see ``docs/quiz-quality.md`` and ``scripts/blind_quiz.py``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from .schema import Quiz

HEDGE = re.compile(r"\b(may|might|can|could|usually|often|sometimes|some|depends?|generally|"
                   r"likely|partly|probably|perhaps|possibly|rarely|mostly|tends?|"
                   r"in part|not necessarily)\b", re.IGNORECASE)
ABSOLUTE = re.compile(r"\b(always|never|none|nothing|nobody|no one|every|everyone|everything|"
                      r"all|only|cannot|can't|must|banned|illegal|entirely|completely|"
                      r"whatever|impossible|guaranteed?)\b", re.IGNORECASE)
SWEEPING = ABSOLUTE  # the name the first version of this module used
ABOVE = re.compile(r"\b(all|none) of the above\b", re.IGNORECASE)
WORD = re.compile(r"[a-z][a-z'-]*[a-z]")
# Words that say nothing about the content: grammar, and the words every quiz uses.
_STOP_WORDS = """
a about above after again against all also am an and any are aren't as at be because been
before being below between both but by can cannot could did do does doing done down during
each even ever few for from further had has have having he her here hers herself him himself
his how i if in into is isn't it it's its itself just least less let like made make makes
many may me might more most much must my myself no nor not now of off on once one only or
other others our ours ourselves out over own per quite rather same say says she should so
some such than that the their theirs them themselves then there these they this those
through to too under until up upon us very was wasn't we were what when where which while
who whom whose why will with within without would yes yet you your yours yourself
choose apply right wrong statement statements which following true answer answers option
options quiz someone something
"""
STOP = frozenset(_STOP_WORDS.split())

MAX_LONGEST_SHARE = 1 / 3
MAX_SHORTEST_SHARE = 1 / 3
MAX_MIDDLE_SHARE = 0.65  # right option neither longest nor shortest (chance with 4: 50%)
MAX_POOLED_RATIO = 1.15  # mean length of right options / mean length of distractors
MAX_QUIZ_RATIO = 1.5  # the same, within one quiz
POSITION_SHARE = (0.15, 0.40)  # of right answers in one place, single answer
END_SHARE = (1 / 3, 2 / 3)  # first or last option right, several answers
MAX_SWEEPING_GAP = 0.10  # distractors with an absolute word minus right options with one
MAX_HEDGE_GAP = 0.10  # right options with a hedge minus distractors with one
MAX_ODD_WORDING_SHARE = 0.20  # single: right option the odd one out by hedge or absolute
MAX_ECHO_RATIO = 1.3  # stem words per right option / stem words per distractor
MAX_ECHO_SHARE = 0.40  # quizzes whose right options echo the stem more than distractors
MAX_SHARED_WORD_SHARE = 0.25  # several: a word in every right option and no distractor
MAX_COUNT_SHARE = 0.5  # several: quizzes with the commonest number of right options
MIN_DISTINCT_COUNTS = 3  # several: different numbers of right options, given 6+ quizzes
MAX_ALL_RIGHT_SHARE = 0.10  # several: every option right
LEAK_WORDS = 5  # words in a row of a right option that a hint or wrong feedback may not repeat


@dataclass(frozen=True)
class Cues:
    """The figures for one set of quizzes."""

    single: int
    multiple: int
    longest_share: float  # single: share of quizzes whose right option is the longest
    single_ratio: float  # single: mean right length / mean distractor length
    worst_quiz: tuple[str, float]  # the quiz whose right options stand out most by length
    positions: dict[int, dict[int, float]]  # single: options -> place -> share of answers
    group_sizes: dict[int, int]  # single: options -> number of quizzes
    first_right: float  # several: share of quizzes whose first option is right
    last_right: float  # several: share of quizzes whose last option is right
    multiple_ratio: float  # several: mean right length / mean distractor length
    sweeping_wrong: float  # share of distractors with an absolute word
    sweeping_right: float  # share of right options with an absolute word
    above: tuple[str, ...]  # quizzes with an "all/none of the above" option
    shortest_share: float = 0.0  # single: share whose right option is the shortest
    middle_share: float = 0.0  # single: share whose right option is neither
    hedge_right: float = 0.0  # share of right options with a hedge word
    hedge_wrong: float = 0.0  # share of distractors with a hedge word
    odd_wording: tuple[str, ...] = ()  # single: right option the odd one out by wording
    echo_right: float = 0.0  # stem words per right option
    echo_wrong: float = 0.0  # stem words per distractor
    echo_quizzes: tuple[str, ...] = ()  # right options hold more stem words of their own
    shared_words: dict[str, tuple[str, ...]] = field(default_factory=dict)  # several
    right_counts: dict[int, int] = field(default_factory=dict)  # several: count -> quizzes
    all_right: tuple[str, ...] = ()  # several: quizzes with every option right
    leaks: tuple[str, ...] = ()  # "quiz: where" a hint or wrong feedback repeats a right option

    @property
    def odd_wording_share(self) -> float:
        return len(self.odd_wording) / self.single if self.single else 0.0

    @property
    def echo_share(self) -> float:
        scored = self.single + self.multiple
        return len(self.echo_quizzes) / scored if scored else 0.0

    @property
    def shared_word_share(self) -> float:
        return len(self.shared_words) / self.multiple if self.multiple else 0.0


def _mean(values: list) -> float:
    return sum(values) / len(values) if values else 0.0


def _ratio(right: list[int], wrong: list[int]) -> float:
    return _mean(right) / _mean(wrong) if wrong and right else 1.0


def words(text: str) -> set[str]:
    """The content words of a text, lower-case, a plural or possessive 's' taken off."""
    found = set()
    for w in WORD.findall(text.lower().replace("\u2019", "'")):
        if w.endswith("'s"):
            w = w[:-2]
        if len(w) > 4 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
            w = w[:-1]
        if len(w) >= 3 and w not in STOP:
            found.add(w)
    return found


def _odd_by_wording(q: Quiz) -> bool:
    """Whether the right option of a one-answer quiz stands out by its wording alone."""
    hedged = [bool(HEDGE.search(o.text)) for o in q.options]
    plain = [not ABSOLUTE.search(o.text) for o in q.options]
    key = min(q.correct_indices)
    lone_hedge = sum(hedged) == 1 and hedged[key]
    lone_plain = sum(plain) == 1 and plain[key] and len(q.options) >= 3
    return lone_hedge or lone_plain


def _echoes(q: Quiz) -> tuple[list[int], list[int], bool]:
    """Stem words per right option and per distractor, and whether the right options hold
    more stem words that no distractor has than the distractors hold that no right option
    has (each divided by the number of options of its side)."""
    stem = words(" ".join((q.title, q.scenario, q.question)))
    found = [words(o.text) & stem for o in q.options]
    right = [i for i, o in enumerate(q.options) if o.correct]
    wrong = [i for i, o in enumerate(q.options) if not o.correct]
    in_right = set().union(*(found[i] for i in right)) if right else set()
    in_wrong = set().union(*(found[i] for i in wrong)) if wrong else set()
    own_right = len(in_right - in_wrong) / len(right) if right else 0.0
    own_wrong = len(in_wrong - in_right) / len(wrong) if wrong else 0.0
    return [len(found[i]) for i in right], [len(found[i]) for i in wrong], own_right > own_wrong


def _shared_words(q: Quiz) -> tuple[str, ...]:
    """Words in every right option and in no distractor (several answers, two or more right)."""
    right = [words(o.text) for o in q.options if o.correct]
    wrong = [words(o.text) for o in q.options if not o.correct]
    if len(right) < 2 or not wrong:
        return ()
    return tuple(sorted(set.intersection(*right) - set().union(*wrong)))


def _runs(text: str, n: int = LEAK_WORDS) -> set[tuple[str, ...]]:
    w = re.findall(r"[a-z0-9']+", text.lower().replace("\u2019", "'"))
    return {tuple(w[i:i + n]) for i in range(len(w) - n + 1)}


def leaks(q: Quiz) -> list[str]:
    """Where a hint or a wrong option's feedback repeats a run of words of a right option:
    what a learner reads before the answer, or about a wrong choice, should not give the
    right one away. A diagnostic item (one with a ``form``) shows no hint and no feedback
    until its whole form is submitted, so it has nothing to leak at a first try."""
    if getattr(q, "form", None):
        return []
    right = set().union(*(_runs(o.text) for o in q.options if o.correct))
    found = [f"{q.id}: hint"] if _runs(q.hint) & right else []
    found += [f"{q.id}: feedback of option {i + 1}" for i, o in enumerate(q.options)
              if not o.correct and _runs(o.feedback) & right]
    return found


def measure(quizzes: Iterable[Quiz]) -> Cues:
    """Cue figures of the single- and several-answer quizzes (reflections have no key)."""
    scored = [q for q in quizzes if q.kind in ("single", "multiple")]
    single = [q for q in scored if q.kind == "single"]
    multiple = [q for q in scored if q.kind == "multiple"]

    def lengths(q: Quiz, correct: bool) -> list[int]:
        return [len(o.text) for o in q.options if o.correct is correct]

    longest = sum(max(lengths(q, True)) >= max(len(o.text) for o in q.options)
                  for q in single)
    shortest = sum(min(lengths(q, True)) <= min(len(o.text) for o in q.options)
                   for q in single)
    middle = sum(min(len(o.text) for o in q.options) < max(lengths(q, True))
                 < max(len(o.text) for o in q.options) for q in single)
    places: dict[int, Counter[int]] = {}
    for q in single:
        places.setdefault(len(q.options), Counter())[min(q.correct_indices)] += 1
    positions = {n: {i: count[i] / sum(count.values()) for i in range(n)}
                 for n, count in places.items()}
    worst = max(((q.id, _ratio(lengths(q, True), lengths(q, False))) for q in scored),
                key=lambda item: item[1], default=("", 1.0))
    wrong = [o.text for q in scored for o in q.options if not o.correct]
    right = [o.text for q in scored for o in q.options if o.correct]
    echo_right: list[int] = []
    echo_wrong: list[int] = []
    echo_quizzes = []
    for q in scored:
        r, w, stands_out = _echoes(q)
        echo_right += r
        echo_wrong += w
        if stands_out:
            echo_quizzes.append(q.id)
    counts = Counter(len(q.correct_indices) for q in multiple)
    return Cues(
        single=len(single), multiple=len(multiple),
        longest_share=longest / len(single) if single else 0.0,
        single_ratio=_ratio([n for q in single for n in lengths(q, True)],
                            [n for q in single for n in lengths(q, False)]),
        worst_quiz=worst, positions=positions,
        group_sizes={n: sum(count.values()) for n, count in places.items()},
        first_right=_mean([q.options[0].correct for q in multiple]),
        last_right=_mean([q.options[-1].correct for q in multiple]),
        multiple_ratio=_ratio([n for q in multiple for n in lengths(q, True)],
                              [n for q in multiple for n in lengths(q, False)]),
        sweeping_wrong=_mean([bool(ABSOLUTE.search(t)) for t in wrong]),
        sweeping_right=_mean([bool(ABSOLUTE.search(t)) for t in right]),
        above=tuple(q.id for q in scored if any(ABOVE.search(o.text) for o in q.options)),
        shortest_share=shortest / len(single) if single else 0.0,
        middle_share=middle / len(single) if single else 0.0,
        hedge_right=_mean([bool(HEDGE.search(t)) for t in right]),
        hedge_wrong=_mean([bool(HEDGE.search(t)) for t in wrong]),
        odd_wording=tuple(q.id for q in single if _odd_by_wording(q)),
        echo_right=_mean(echo_right), echo_wrong=_mean(echo_wrong),
        echo_quizzes=tuple(echo_quizzes),
        shared_words={q.id: s for q in multiple if (s := _shared_words(q))},
        right_counts=dict(sorted(counts.items())),
        all_right=tuple(q.id for q in multiple if len(q.correct_indices) == len(q.options)),
        leaks=tuple(where for q in scored for where in leaks(q)),
    )


def problems(cues: Cues) -> list[str]:
    """Every limit (see the module doc) that these figures break, in plain words."""
    found = []
    if cues.longest_share > MAX_LONGEST_SHARE:
        found.append(f"the right option is the longest in {cues.longest_share:.0%} of "
                     "single-answer quizzes (at most a third)")
    if cues.shortest_share > MAX_SHORTEST_SHARE:
        found.append(f"the right option is the shortest in {cues.shortest_share:.0%} of "
                     "single-answer quizzes (at most a third)")
    if cues.middle_share > MAX_MIDDLE_SHARE:
        found.append(f"the right option is neither the longest nor the shortest in "
                     f"{cues.middle_share:.0%} of single-answer quizzes (at most "
                     f"{MAX_MIDDLE_SHARE:.0%})")
    for name, ratio in (("single", cues.single_ratio), ("several", cues.multiple_ratio)):
        label = "single-answer" if name == "single" else "several-answer"
        if ratio > MAX_POOLED_RATIO:
            found.append(f"right options of {label} quizzes are {ratio:.2f} times as long as "
                         f"distractors (at most {MAX_POOLED_RATIO})")
        elif ratio < 1 / MAX_POOLED_RATIO:
            found.append(f"right options of {label} quizzes are only {ratio:.2f} times as long "
                         f"as distractors (at least {1 / MAX_POOLED_RATIO:.2f})")
    if cues.worst_quiz[1] > MAX_QUIZ_RATIO:
        found.append(f"in {cues.worst_quiz[0]} the right options are {cues.worst_quiz[1]:.2f} "
                     f"times as long as the distractors (at most {MAX_QUIZ_RATIO})")
    low, high = POSITION_SHARE
    for n, shares in cues.positions.items():
        if cues.group_sizes[n] < 2 * n:  # too few quizzes of this size to judge
            continue
        for place, share in shares.items():
            if not low <= share <= high:
                found.append(f"in quizzes with {n} options, place {place + 1} holds {share:.0%} "
                             f"of the right answers (between {low:.0%} and {high:.0%})")
    low, high = END_SHARE
    for name, share in (("first", cues.first_right), ("last", cues.last_right)):
        if cues.multiple and not low <= share <= high:
            found.append(f"the {name} option is right in {share:.0%} of several-answer "
                         "quizzes (between a third and two thirds)")
    if cues.sweeping_wrong - cues.sweeping_right > MAX_SWEEPING_GAP:
        found.append(f"{cues.sweeping_wrong:.0%} of distractors use a sweeping word such as "
                     f"'never' or 'only', "
                     f"against {cues.sweeping_right:.0%} of right options (gap at most "
                     f"{MAX_SWEEPING_GAP:.0%})")
    if cues.hedge_right - cues.hedge_wrong > MAX_HEDGE_GAP:
        found.append(f"{cues.hedge_right:.0%} of right options use a hedge word, against "
                     f"{cues.hedge_wrong:.0%} of distractors (gap at most {MAX_HEDGE_GAP:.0%})")
    if cues.odd_wording_share > MAX_ODD_WORDING_SHARE:
        found.append(f"the right option is the odd one out by hedge or absolute words in "
                     f"{cues.odd_wording_share:.0%} of single-answer quizzes (at most "
                     f"{MAX_ODD_WORDING_SHARE:.0%}): {', '.join(cues.odd_wording)}")
    if cues.echo_wrong and cues.echo_right / cues.echo_wrong > MAX_ECHO_RATIO or (
            not cues.echo_wrong and cues.echo_right > 0.5):
        found.append(f"right options echo the title, scenario and question with "
                     f"{cues.echo_right:.2f} words each, distractors with {cues.echo_wrong:.2f} "
                     f"(at most {MAX_ECHO_RATIO} times as many)")
    if cues.echo_share > MAX_ECHO_SHARE:
        found.append(f"in {cues.echo_share:.0%} of quizzes the right options hold more words of "
                     f"the title, scenario and question of their own than the distractors do "
                     f"(at most {MAX_ECHO_SHARE:.0%})")
    if cues.shared_word_share > MAX_SHARED_WORD_SHARE:
        listed = "; ".join(f"{qid}: {', '.join(w)}" for qid, w in cues.shared_words.items())
        found.append(f"in {cues.shared_word_share:.0%} of several-answer quizzes a word appears "
                     f"in every right option and in no distractor (at most "
                     f"{MAX_SHARED_WORD_SHARE:.0%}): {listed}")
    if cues.multiple:
        count, quizzes = max(cues.right_counts.items(), key=lambda item: item[1])
        if quizzes / cues.multiple > MAX_COUNT_SHARE:
            found.append(f"{quizzes} of {cues.multiple} several-answer quizzes have exactly "
                         f"{count} right options (at most half share one count)")
        if cues.multiple >= 6 and len(cues.right_counts) < MIN_DISTINCT_COUNTS:
            found.append(f"several-answer quizzes use only {len(cues.right_counts)} different "
                         f"numbers of right options (at least {MIN_DISTINCT_COUNTS})")
        if len(cues.all_right) / cues.multiple > MAX_ALL_RIGHT_SHARE:
            found.append(f"every option is right in {len(cues.all_right)} of {cues.multiple} "
                         "several-answer quizzes (at most a tenth)")
    found += [f"{qid} has an 'all/none of the above' option" for qid in cues.above]
    found += [f"{where} repeats {LEAK_WORDS} or more words in a row of a right option"
              for where in cues.leaks]
    return found


def main() -> int:
    from .bank import quizzes

    cues = measure(quizzes().values())
    for name, value in vars(cues).items():
        print(f"{name:15} {value}")
    for name in ("odd_wording_share", "echo_share", "shared_word_share"):
        print(f"{name:15} {getattr(cues, name)}")
    found = problems(cues)
    print("\n".join(["", *found]) if found else "\nno cues above the limits")
    return 1 if found else 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
