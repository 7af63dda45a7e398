"""One learner working through one quiz: marking, the hint-then-answer stages and the
record in their progress, with no widgets. Every action returns a
:class:`.quiz_feedback.Feedback`; the view in :mod:`.quiz_widget` only shows it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from .progress import ProgressStore, default_store
from .quiz_feedback import (
    Feedback,
    answer_html,
    empty_html,
    hint_html,
    note_status_html,
    option_order,
    reflection_html,
    shown_answer_html,
)
from .schema import Quiz


@dataclass
class QuizSession:
    """Attempts at one quiz in this notebook session; the progress file keeps them all."""

    quiz: Quiz
    store: ProgressStore | None = None
    attempts: int = 0
    revealed: bool = False  # the answer was shown, after a second try or on request
    order: tuple[int, ...] = field(init=False)  # the options as this learner sees them

    def __post_init__(self) -> None:
        self.order = option_order(self.quiz, self.progress.learner_id())

    @property
    def progress(self) -> ProgressStore:
        return self.store or default_store()

    @property
    def note(self) -> str:
        """The reflection's reasoning saved so far ("" if none)."""
        return self.progress.note(self.quiz.id)

    def check(self, chosen: tuple[int, ...],
              show: Callable[[Feedback], object] | None = None) -> Feedback:
        """Mark the chosen options (places in the content file) and record the attempt.
        A wrong first try earns a hint; a right answer, a second try or an earlier reveal
        earns the answer. ``show`` gets the feedback before the record is written (a
        durable write to disk), so that the learner does not wait for it."""
        q = self.quiz
        chosen = tuple(sorted(chosen))
        if not chosen:
            result = Feedback(empty_html(q), stage="empty")
            if show is not None:
                show(result)
            return result
        self.attempts += 1
        if q.kind == "reflection":
            result = Feedback(reflection_html(q, self.order, chosen), None, chosen,
                              "reflection", locked=True, retry=True, note=True)
        else:
            correct = bool(q.mark(chosen))
            if correct or self.attempts > 1 or self.revealed:
                self.revealed = True
                result = Feedback(answer_html(q, self.order, chosen, correct), correct,
                                  chosen, "answer", locked=True, retry=True)
            else:
                result = Feedback(hint_html(q, chosen), False, chosen, "hint", locked=True,
                                  retry=True, reveal=True)
        if show is not None:
            show(result)
        self.progress.record(q.id, q.lesson, result.correct, list(chosen), q.version)
        return result

    def retry(self) -> Feedback:
        """Clear the feedback for another try; after a hint the answer stays one click
        away (it is never shown unasked)."""
        return Feedback("", reveal=self.answer_offered, note=self.quiz.kind == "reflection"
                        and self.attempts > 0)

    def reveal(self) -> Feedback:
        """The learner asked for the answer (nothing is recorded)."""
        self.revealed = True
        return Feedback(shown_answer_html(self.quiz, self.order), stage="answer shown",
                        locked=True, retry=True)

    @property
    def answer_offered(self) -> bool:
        """After a hint, the answer is one click away; it is never shown unasked."""
        return bool(self.attempts) and not self.revealed and self.quiz.kind != "reflection"

    def save_note(self, text: str) -> str:
        """Save a reflection's free text with the learner's progress (locally); returns
        what to tell the learner."""
        self.progress.save_note(self.quiz.id, self.quiz.lesson, text)
        return note_status_html(text)
