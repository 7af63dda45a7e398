"""Cue statistics of the quiz bank: could someone pass the quizzes without reading them?

Multiple-choice items give themselves away when the right option is habitually the
longest, sits in the same place, or stands out by wording (Haladyna, Downing and
Rodriguez, 2002). These functions measure those habits over a set of quizzes, and
:func:`problems` lists every limit a bank breaks; ``python -m deepfake_ethics.cues``
prints the figures for the course's own bank.

The limits:

* single answer: the right option is the longest (ties count) in at most a third of the
  quizzes; its length is close to the others' (pooled and in every quiz); and among
  quizzes with the same number of options (at least twice as many quizzes as options),
  no place holds more than 40% of the right answers, or fewer than 15%;
* several answers: the first and the last option are each right in between a third and
  two thirds of the quizzes, and right options are not habitually longer;
* wording: distractors use sweeping words ("never", "only", "nothing"...) at most ten
  points more often than right options do, and no option is "all/none of the above".

Options are also shown in an order of their own to each learner (see
:func:`.quiz_widget.option_order`); these limits keep the authored order, which the text
version of a quiz shows, free of cues too.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from .schema import Quiz

SWEEPING = re.compile(r"\b(always|never|none|nothing|nobody|no one|every|all|only|cannot|"
                      r"must)\b", re.IGNORECASE)
ABOVE = re.compile(r"\b(all|none) of the above\b", re.IGNORECASE)

MAX_LONGEST_SHARE = 1 / 3
MAX_POOLED_RATIO = 1.15  # mean length of right options / mean length of distractors
MAX_QUIZ_RATIO = 1.5  # the same, within one quiz
POSITION_SHARE = (0.15, 0.40)  # of right answers in one place, single answer
END_SHARE = (1 / 3, 2 / 3)  # first or last option right, several answers
MAX_SWEEPING_GAP = 0.10


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
    sweeping_wrong: float  # share of distractors with a sweeping word
    sweeping_right: float  # share of right options with a sweeping word
    above: tuple[str, ...]  # quizzes with an "all/none of the above" option


def _mean(values: list[int]) -> float:
    return sum(values) / len(values) if values else 0.0


def _ratio(right: list[int], wrong: list[int]) -> float:
    return _mean(right) / _mean(wrong) if wrong and right else 1.0


def measure(quizzes: Iterable[Quiz]) -> Cues:
    """Cue figures of the single- and several-answer quizzes (reflections have no key)."""
    scored = [q for q in quizzes if q.kind in ("single", "multiple")]
    single = [q for q in scored if q.kind == "single"]
    multiple = [q for q in scored if q.kind == "multiple"]

    def lengths(q: Quiz, correct: bool) -> list[int]:
        return [len(o.text) for o in q.options if o.correct is correct]

    longest = sum(max(lengths(q, True)) >= max(len(o.text) for o in q.options)
                  for q in single)
    places: dict[int, Counter[int]] = {}
    for q in single:
        places.setdefault(len(q.options), Counter())[min(q.correct_indices)] += 1
    positions = {n: {i: count[i] / sum(count.values()) for i in range(n)}
                 for n, count in places.items()}
    worst = max(((q.id, _ratio(lengths(q, True), lengths(q, False))) for q in scored),
                key=lambda item: item[1], default=("", 1.0))
    wrong = [o.text for q in scored for o in q.options if not o.correct]
    right = [o.text for q in scored for o in q.options if o.correct]
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
        sweeping_wrong=_mean([bool(SWEEPING.search(t)) for t in wrong]),
        sweeping_right=_mean([bool(SWEEPING.search(t)) for t in right]),
        above=tuple(q.id for q in scored if any(ABOVE.search(o.text) for o in q.options)),
    )


def problems(cues: Cues) -> list[str]:
    """Every limit (see the module doc) that these figures break, in plain words."""
    found = []
    if cues.longest_share > MAX_LONGEST_SHARE:
        found.append(f"the right option is the longest in {cues.longest_share:.0%} of "
                     "single-answer quizzes (at most a third)")
    if cues.single_ratio > MAX_POOLED_RATIO:
        found.append(f"right options of single-answer quizzes are {cues.single_ratio:.2f} "
                     f"times as long as distractors (at most {MAX_POOLED_RATIO})")
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
    if cues.multiple_ratio > MAX_POOLED_RATIO:
        found.append(f"right options of several-answer quizzes are {cues.multiple_ratio:.2f} "
                     f"times as long as distractors (at most {MAX_POOLED_RATIO})")
    if cues.sweeping_wrong - cues.sweeping_right > MAX_SWEEPING_GAP:
        found.append(f"{cues.sweeping_wrong:.0%} of distractors use a sweeping word, against "
                     f"{cues.sweeping_right:.0%} of right options (gap at most "
                     f"{MAX_SWEEPING_GAP:.0%})")
    found += [f"{qid} has an 'all/none of the above' option" for qid in cues.above]
    return found


def main() -> int:
    from .bank import quizzes

    cues = measure(quizzes().values())
    for field, value in vars(cues).items():
        print(f"{field:15} {value}")
    found = problems(cues)
    print("\n".join(["", *found]) if found else "\nno cues above the limits")
    return 1 if found else 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
