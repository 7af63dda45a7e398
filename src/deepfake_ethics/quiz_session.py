"""One learner working through one quiz: marking, the hint-then-answer stages and the
record in their progress, with no widgets (the widget in :mod:`.quiz_widget` only shows
what this decides)."""

from __future__ import annotations

from dataclasses import dataclass

from .progress import ProgressStore, default_store
from .schema import Quiz


@dataclass(frozen=True)
class Marking:
    """What one check found."""

    correct: bool | None  # None for a reflection, or when nothing was chosen
    chosen: tuple[int, ...]
    stage: str  # "empty", "hint", "answer" or "reflection"


@dataclass
class QuizSession:
    """Attempts at one quiz in this notebook session; the progress file keeps them all."""

    quiz: Quiz
    store: ProgressStore | None = None
    attempts: int = 0
    revealed: bool = False  # the answer was shown, after a second try or on request

    @property
    def progress(self) -> ProgressStore:
        return self.store or default_store()

    def check(self, chosen: tuple[int, ...]) -> Marking:
        """Mark the chosen options (places in the content file) and record the attempt.
        A wrong first try earns a hint; a right answer, a second try or an earlier reveal
        earns the answer."""
        chosen = tuple(sorted(chosen))
        if not chosen:
            return Marking(None, (), "empty")
        self.attempts += 1
        if self.quiz.kind == "reflection":
            marking = Marking(None, chosen, "reflection")
        else:
            correct = self.quiz.mark(chosen)
            stage = "answer" if correct or self.attempts > 1 or self.revealed else "hint"
            self.revealed = self.revealed or stage == "answer"
            marking = Marking(correct, chosen, stage)
        self.progress.record(self.quiz.id, self.quiz.lesson, marking.correct, list(chosen))
        return marking

    def reveal(self) -> None:
        """The learner asked for the answer (nothing is recorded)."""
        self.revealed = True

    @property
    def answer_offered(self) -> bool:
        """After a hint, the answer is one click away; it is never shown unasked."""
        return bool(self.attempts) and not self.revealed and self.quiz.kind != "reflection"

    def save_note(self, text: str) -> None:
        """Save a reflection's free text with the learner's progress (locally)."""
        self.progress.save_note(self.quiz.id, self.quiz.lesson, text)
