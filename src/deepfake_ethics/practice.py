"""Self-study checks for the graded assignments, as in Kaggle Learn's exercises.

A learner who opens an assignment for practice (from a copy of the whole course, where
``source/`` holds the answer keys) can ask, per question::

    from deepfake_ethics.practice import questions
    q = questions("a02-legal-aspects")
    q["2.1"].check()      # the form first, then right or wrong, and why (the same judge)
    q["2.1"].hint()       # a nudge, without the answer
    q["2.1"].solution()   # after a check of an answer of the right form: the model answer
    q["2.10"].check()     # a written reflection: once saved, its rubric as a checklist
    q["2.10"].solution()  # then a model answer

In a class environment the course's ``source/`` is not there, so these say that the
instructor grades the work: in full the first time in a session (a kernel), briefly after
that. Grading itself never uses this module (while nbgrader runs a notebook, every call
prints the class note): it judges recorded answers outside the student's kernel
(:mod:`deepfake_ethics.nbgrader_plugins`). The hint and the explanation come from the optional
``"hint"`` and ``"explain"`` fields of each answer key in ``source/``.

As in Kaggle's learntools, each autograded question is a pair: a :class:`Problem` holds the
key and judges (recording answers with the grader's own :mod:`.kernel.recording` and
judging them with its :mod:`.nbgrader_plugins.judge`), and a :class:`Question` reads the
learner's namespace and prints. Region markers and question numbers come from
:mod:`.nbgrader_plugins.assignment_format`, with the course's ``nbgrader_config.py``
applied.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .kernel.recording import answer_record, calls_record
from .nbgrader_plugins import rubric
from .nbgrader_plugins.assignment_format import (
    AssignmentFormat,
    course_format,
    default_format,
    is_reflection,
    question_number,
)
from .nbgrader_plugins.judge import Verdict, decided_right, judge
from .nbgrader_plugins.keys import AnswerKey, answer_names, split_key
from .nbgrader_plugins.self_study import CLASS_KEYS, keys_fingerprint

CLASS_NOTE = ("In this class your instructor grades this question, so the course's answer "
              "key is not here. The check of the form of your answer (the cell above) is "
              "what you can run; your feedback will say the rest.")
CLASS_NOTE_SHORT = "(Graded by your instructor: no self-study check here, as said above.)"
_class_note_shown = False


def class_note() -> str:
    """The class note: in full the first time in a session (a kernel), then briefly."""
    global _class_note_shown
    if _class_note_shown:
        return CLASS_NOTE_SHORT
    _class_note_shown = True
    return CLASS_NOTE


def without_solution_markers(source: str, fmt: AssignmentFormat | None = None) -> str:
    """A model answer as a student would type it: nbgrader's solution markers removed."""
    return (fmt or default_format()).without_solution_markers(source)


def _beside_package() -> Path:
    """The folder that holds src/ when the package is installed from a copy of the course
    (an editable install); for an installed wheel, a folder without source/."""
    import deepfake_ethics

    return Path(deepfake_ethics.__file__).resolve().parents[2]


def find_source(assignment: str, start: Path | None = None) -> Path | None:
    """The instructor notebook of ``assignment`` in a copy of the course, if there is one:
    looked for above the working folder, then beside the installed package."""
    places = [start or Path.cwd()]
    places += list(places[0].resolve().parents)
    places.append(_beside_package())
    for folder in places:
        candidate = folder / "source" / assignment / f"{assignment}.ipynb"
        if candidate.is_file():
            return candidate
    return None


def _learners_namespace() -> dict[str, Any]:
    """The names of the learner's kernel (empty outside IPython)."""
    from IPython import get_ipython

    shell = get_ipython()
    return shell.user_ns if shell is not None else {}


def _getter(namespace: dict[str, Any], name: str):
    def get() -> Any:
        if name not in namespace:
            raise NameError(name)
        return namespace[name]
    return get


@dataclass(frozen=True)
class Problem:
    """One autograded question's data, and its judge: the grader's recording and judge
    applied to a namespace. It prints nothing."""

    number: str
    key: AnswerKey
    points: float
    solution_source: str = ""
    visible: str = ""  # the test cell's visible check of the answer's form

    def records(self, namespace: dict[str, Any]) -> list[dict[str, Any]]:
        """What the grader's kernel would record of the answers in ``namespace``."""
        if self.key["kind"] == "calls":
            name = self.key["function"]
            cases = json.dumps([case["args"] for case in self.key["cases"]])
            return [calls_record(name, _getter(namespace, name), cases)]
        form = "figure" if self.key["kind"] == "bar_chart" else "plain"
        return [answer_record(name, _getter(namespace, name), form)
                for name in answer_names(self.key)]

    def verdict(self, records: list[dict[str, Any]]) -> Verdict:
        return judge(self.key, records, self.points)

    def form_problem(self, namespace: dict[str, Any]) -> str | None:
        """What the test cell's visible check says about the answer's form (case, type,
        an option that does not exist), or None if the form is fine. It runs on a copy of
        the names, with its printing silenced, as the test cell would."""
        if not self.visible.strip():
            return None
        from .kernel.checks import AnswerFormError

        names = dict(namespace)
        with contextlib.redirect_stdout(io.StringIO()), \
                contextlib.redirect_stderr(io.StringIO()):
            try:
                exec(compile(self.visible, f"<check of {self.number}>", "exec"), names)
            except AnswerFormError as problem:
                return str(problem)
            except Exception:  # a missing answer or a failing function: the judge says
                return None
        return None

    def cases_missed(self, records: list[dict[str, Any]]) -> list[str]:
        """For a decision function: the described cases it decided wrongly."""
        if self.key["kind"] != "calls" or not records:
            return []
        results = records[0].get("results", [])
        return [case.get("about", "") for case, got in zip(self.key["cases"], results,
                                                           strict=False)
                if not decided_right(case["expect"], got) and case.get("about")]


@dataclass
class Question:
    """The learner's view of one autograded question: it reads the learner's namespace and
    prints what its :class:`Problem` judges (``problem`` is None in a class)."""

    number: str
    problem: Problem | None = None
    checked: bool = field(default=False, repr=False)

    @property
    def key(self) -> AnswerKey | None:
        return self.problem.key if self.problem else None

    @property
    def visible(self) -> str:
        return self.problem.visible if self.problem else ""

    def verdict(self) -> Verdict | None:
        """The verdict on the answer as it is now (None in a class environment)."""
        if self.problem is None:
            return None
        return self.problem.verdict(self.problem.records(_learners_namespace()))

    def check(self) -> None:
        """Say whether the current answer is right, and why not. An answer of the wrong
        form (a capital letter, a list for a set, an option that does not exist) is told
        apart from a wrong one, and does not open the model answer."""
        if self.problem is None:
            print(class_note())
            return
        namespace = _learners_namespace()
        records = self.problem.records(namespace)
        verdict = self.problem.verdict(records)
        me = f'q["{self.number}"]'
        blank = verdict.score == 0 and "has no answer" in verdict.message
        form = None if blank else self.problem.form_problem(namespace)
        if form:
            print(f"✘ Not yet: the form of your answer. {form}\nFix the form, run the "
                  f"cell, then {me}.check() again; the model answer opens after a check of "
                  "an answer of the right form.")
            return
        if not blank:
            self.checked = True
        mark = {"correct": "✔ Right", "partly right": "◑ Partly right",
                "no points": "✘ Not yet"}[verdict.status]
        then = (f"Why it is right: {me}.solution()" if verdict.status == "correct"
                else f"A nudge: {me}.hint(); the model answer: {me}.solution()")
        print(f"{mark} ({verdict.score:g} of {verdict.max_score:g} point(s)). "
              f"{verdict.message}{_listed(self.problem.cases_missed(records))}\n{then}")

    def hint(self) -> None:
        """A nudge towards the answer, without giving it."""
        if self.problem is None:
            print(class_note())
            return
        print("Hint: " + self.problem.key.get("hint", "Read the rule the question names "
                                              "again, and apply it to each fact of the "
                                              "scenario."))

    def solution(self) -> None:
        """The model answer and its explanation, after at least one check."""
        if self.problem is None:
            print(class_note())
            return
        if not self.checked:
            print(f"Try it first: write your answer, run its cell, then "
                  f'q["{self.number}"].check(). The model answer comes after a check of '
                  "an answer of the right form.")
            return
        print("Model answer:\n")
        print(self.problem.solution_source.strip())
        if self.problem.key.get("explain"):
            print("\nWhy: " + self.problem.key["explain"])


def _listed(missed: list[str]) -> str:
    """The cases a decision function decided wrongly, as lines (at most six named)."""
    if not missed:
        return ""
    listed = "".join(f"\n  - {about}" for about in missed[:6])
    more = f"\n  - and {len(missed) - 6} more" if len(missed) > 6 else ""
    return f"\nCases it decided wrongly:{listed}{more}"


_WORD_RANGE = re.compile(r"\bIn (\d+) to (\d+) words\b")


def _words(text: str) -> int:
    return len(re.findall(r"[\w'’-]+", text))


def learners_notebook(assignment: str, start: Path | None = None) -> Path | None:
    """The learner's saved copy of the assignment: the notebook of this kernel's session
    (Jupyter Server names it in ``JPY_SESSION_NAME``), else the assignment's notebook in
    the working folder."""
    session = os.environ.get("JPY_SESSION_NAME", "")
    if session.endswith(f"{assignment}.ipynb") and Path(session).is_file():
        return Path(session)
    candidate = (start or Path.cwd()) / f"{assignment}.ipynb"
    return candidate if candidate.is_file() else None


@dataclass
class Reflection:
    """A hand-graded written answer, for self-study: its rubric as a checklist and, once the
    learner has written an answer, the model answer (with a copy of the whole course)."""

    number: str
    assignment: str
    grade_id: str
    points: float
    question: str  # the question cell as students see it (the rubric included)
    model: str = ""  # the model answer; '' in a class environment
    start: Path | None = None
    checked: bool = field(default=False, repr=False)
    placeholder: str = field(default_factory=lambda: default_format().text_stub, repr=False)

    def answer(self) -> str | None:
        """The learner's answer as last saved, or None if the notebook is not found."""
        import nbformat

        path = learners_notebook(self.assignment, self.start)
        if path is None:
            return None
        cells = nbformat.read(path, as_version=4).cells
        for cell, after in zip(cells, cells[1:], strict=False):
            if cell.metadata.get("nbgrader", {}).get("grade_id") == self.grade_id:
                return after.source
        return None

    def criteria(self) -> None:
        """The rubric, as a checklist to read an answer against."""
        items = rubric.criteria(self.question)
        print(f"Question {self.number} ({self.points:g} points, graded by hand). "
              "Read your answer against each criterion; each earns 1, ½ or 0 points:")
        for n, c in enumerate(items, start=1):
            print(f"\n[ ] {n}. {c.name}\n    1 point: {c.full}\n    ½ point: {c.half}"
                  f"\n    0 points: {c.none}")

    def check(self) -> None:
        """Once there is an answer: its length against the question's and the checklist;
        then the model answer opens (with a copy of the course)."""
        me = f'q["{self.number}"]'
        text = self.answer()
        if text is None:
            print(f"Your notebook {self.assignment}.ipynb was not found in this folder, so "
                  "your answer cannot be read. Here is the rubric to check it by yourself:")
            self.criteria()
            return
        written = text.replace(self.placeholder, "").strip()
        count = _words(written)
        if count < 30:
            print(f"✘ Not yet: write your answer in the cell below Question {self.number} "
                  f"(it has {count} words now), save the notebook (Ctrl+S or File > Save), "
                  f"then run {me}.check() again. The criteria, to write it with: "
                  f"{me}.criteria()")
            return
        self.checked = True
        span = _WORD_RANGE.search(self.question)
        length = f"Your saved answer has {count} words"
        if span:
            low, high = int(span[1]), int(span[2])
            length += (f", within the {low} to {high} asked." if low <= count <= high else
                       f"; the question asks for {low} to {high}.")
        print(length + " Nobody marks it here: read it against the rubric.")
        self.criteria()
        print(f"\nThen compare: {me}.solution()" if self.model else "\n" + class_note())

    def hint(self) -> None:
        """A reflection's hint is its rubric."""
        self.criteria()

    def solution(self) -> None:
        """The model answer, after a check of a written answer."""
        if not self.model:
            print(class_note())
            return
        if not self.checked:
            print(f'Write your own answer first, save, then q["{self.number}"].check(); '
                  "the model answer comes after that.")
            return
        print("A model answer (one good answer of many; yours may argue differently and "
              "still meet every criterion):\n")
        print(self.model)


def _number(grade_id: str) -> str:
    """ "answer2_1" and "test_answer2_1" -> "2.1" (a grade id without a number stays)."""
    return question_number(grade_id) or grade_id


def _class_reflections(assignment: str, start: Path | None) -> dict[str, Reflection]:
    """In a class: the reflections of the learner's own copy, with their rubrics (which
    students see) and no model answer."""
    import nbformat

    path = learners_notebook(assignment, start)
    if path is None:
        return {}
    return {_number(m["grade_id"]): Reflection(_number(m["grade_id"]), assignment,
                                              m["grade_id"], float(m["points"]),
                                              rubric.visible_part(c.source), "", start)
            for c in nbformat.read(path, as_version=4).cells
            if is_reflection(c) and (m := c.metadata["nbgrader"]).get("grade_id")}


def questions(assignment: str, start: Path | None = None, keys: str | None = None
              ) -> dict[str, Question | Reflection]:
    """The questions of an assignment, by number ("2.1"), ready for practice: autograded
    ones and written reflections.

    ``keys`` is what the notebook's set-up cell says it was generated with
    (:mod:`.nbgrader_plugins.self_study`): the fingerprint of its answer keys, so that only
    a ``source/`` with those very keys judges, or ``"instructor"`` in a class, where the
    instructor grades and only the rubrics the notebook holds are shown."""
    import nbformat

    if os.environ.get("NBGRADER_EXECUTION"):  # never during grading
        return _ClassQuestions()
    source = None if keys == CLASS_KEYS else find_source(assignment, start)
    nb = nbformat.read(source, as_version=4) if source is not None else None
    if nb is None or (keys is not None and keys_fingerprint(nb) != keys):
        return _ClassQuestions(_class_reflections(assignment, start))
    fmt = course_format(source.resolve().parents[2])  # the course: source/<a>/<a>.ipynb
    solutions: dict[str, str] = {}
    found = _Questions()
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        grade_id = meta.get("grade_id", "")
        if is_reflection(cell):
            found[_number(grade_id)] = Reflection(
                _number(grade_id), assignment, grade_id, float(meta.get("points", 0)),
                rubric.visible_part(cell.source, fmt), rubric.model_answer(cell.source, fmt),
                start, placeholder=fmt.text_stub)
        if cell.cell_type == "code" and meta.get("solution"):
            lines = without_solution_markers(cell.source, fmt).splitlines()
            solutions[_number(grade_id)] = "\n".join(
                line for line in lines if not line.rstrip().endswith("= ...")).strip()
        if cell.cell_type == "code" and meta.get("grade"):
            visible, key = split_key(cell.source, grade_id, fmt)
            if key is not None:
                number = _number(grade_id)
                found[number] = Question(number, Problem(
                    number, key, float(meta.get("points", 0)), solutions.get(number, ""),
                    visible))
    return found


class _Questions(dict):
    """The questions of an assignment; an unknown number says which numbers exist."""

    def __missing__(self, number: str) -> Question:
        raise KeyError(f"No question {number!r} in this assignment; the numbers "
                       f"are {', '.join(sorted(self))}.")


class _ClassQuestions(dict):
    """Every autograded question says that the instructor grades it; reflections keep
    their rubric."""

    def __missing__(self, number: str) -> Question:
        return Question(str(number))
