"""The class cycle on a live hub, step by step, as the people of the class do it in
Chromium: used by the live hub tests (folder exchange and ngshare) and by
benchmarks/bench_hub.py. Each step returns what it measured; checks are plain asserts.

``formgrader`` is where the grader's server is: /services/deepfake-ethics (the grader
service of the one-server hub) or /user/grader-deepfake-ethics (Kubernetes, ngshare).
"""

from __future__ import annotations

import json
import re
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hub_server import COURSE_ID
from nbgrader_course import secret_lines, visible_text

from . import hub_pages as hp
from .lab import ROOT, VIEWPORT, LessonPage, expect, menu_bar
from .lab_views import (
    INSTRUCTOR_ITEMS,
    STUDENT_ITEMS,
    has_create_assignment,
    nbgrader_menu,
    news_pop_up,
)

ASSIGNMENT = "a02-legal-aspects"
NOTEBOOK = f"{ASSIGNMENT}.ipynb"
ESSAY = ("Platforms should label synthetic media. A label keeps parody and art possible "
         "while warning viewers, and it costs the honest creator almost nothing.")
HAND_SCORES = [3.0, 2.0]  # the instructor's marks for the two essays
LESSON = "deepfake-ethics-course/notebooks/02-legal-aspects.ipynb"
Shot = Callable[[object, str], None]


def notebook(folder: str) -> dict:
    return json.loads((ROOT / folder / ASSIGNMENT / NOTEBOOK).read_text(encoding="utf-8"))


TASK = next(  # the essay graded by hand: the assignment's (first) task cell
    cell["metadata"]["nbgrader"]["grade_id"] for cell in notebook("source")["cells"]
    if cell["metadata"].get("nbgrader", {}).get("task"))


def points() -> dict[str, float]:
    """Autograded points that follow each answer cell."""
    result, current = {}, None
    for cell in notebook("source")["cells"]:
        meta = cell["metadata"].get("nbgrader", {})
        if cell["cell_type"] == "code" and meta.get("solution"):
            current = meta["grade_id"]
            result[current] = 0.0
        elif meta.get("grade") and current and cell["cell_type"] == "code":
            result[current] += float(meta.get("points", 0))
    return result


class HubLab:
    """Stands in for a LabServer where LessonPage needs one: a user's server on the hub."""

    def __init__(self, hub_url: str, user: str):
        self.base = f"{hub_url}/user/{user}"

    def url(self, path: str = "lab") -> str:
        return f"{self.base}/{path.lstrip('/')}"


@dataclass
class ClassFlow:
    classroom: object  # hub_class.Classroom
    chromium: object
    formgrader: str  # path of the grader's server: /services/<course> or /user/<grader>
    shot: Shot = lambda page, name: None
    pages: dict = field(default_factory=dict)
    contexts: list = field(default_factory=list)

    @property
    def url(self) -> str:
        return self.classroom.url

    @property
    def students(self) -> list[str]:
        return self.classroom.students

    def page(self, user: str):
        """Each person has a browser context (cookies) of their own."""
        if user not in self.pages:
            context = self.chromium.new_context(viewport=VIEWPORT)
            context.set_default_timeout(30_000)
            self.contexts.append(context)
            self.pages[user] = context.new_page()
        return self.pages[user]

    def close(self) -> None:
        for context in self.contexts:
            context.close()
        self.contexts.clear()
        self.pages.clear()

    def answers(self) -> list[dict[str, str]]:
        """Student 1: every model answer. Student 2: every other one, the first written so
        that it is right only if the grader's course directory is out of reach when graded
        (it is, in the grading sandbox)."""
        model = hp.model_answers(ROOT / "source" / ASSIGNMENT / NOTEBOOK)
        half = dict(list(model.items())[::2])
        first = next(iter(half))
        right = re.search(r'=\s*("[^"]+")', model[first]).group(1)
        course = self.classroom.site.course / "source"
        half[first] = (f"import os\n{first} = {right} if not os.path.exists({str(course)!r}) "
                       f"else 'the grader was reachable'")
        return [model, half]

    def expected_scores(self) -> dict[str, float]:
        per_answer = points()
        return {student: sum(per_answer[i] for i in answers) + hand
                for student, answers, hand in zip(self.students, self.answers(), HAND_SCORES,
                                                  strict=True)}

    # -- the steps ------------------------------------------------------------------------
    def student_logs_in(self, n: int) -> None:
        """Log in; a student's JupyterLab (no instructor tools, no news pop-up)."""
        student = self.students[n - 1]
        page = self.page(student)
        hp.log_in(page, self.url, student, self.classroom.passwords[student])
        assert not news_pop_up(page), "the news pop-up appeared on the hub"
        menu = nbgrader_menu(page)
        assert menu >= STUDENT_ITEMS and not menu & INSTRUCTOR_ITEMS, menu
        assert not has_create_assignment(page)
        hp.open_assignments(page)
        assert hp.released_row(page, ASSIGNMENT).count() == 0
        self.shot(page, f"student{n}-logged-in")

    def student_logs_in_after_release(self, n: int) -> None:
        """Log in, once the assignment is out; the Assignments panel open."""
        student = self.students[n - 1]
        page = self.page(student)
        hp.log_in(page, self.url, student, self.classroom.passwords[student])
        hp.open_assignments(page)
        self.shot(page, f"student{n}-logged-in")

    def first_quiz(self, n: int = 1) -> None:
        """A lesson in the student's home: run it until its first quiz is interactive."""
        student = self.students[n - 1]
        lesson = LessonPage(self.page(student), HubLab(self.url, student))
        lesson.page.goto(f"{self.url}/user/{student}/lab/tree/{LESSON}")
        lesson.wait_for_notebook()
        lesson.run_all()
        lesson.wait_for_quizzes(1)
        self.shot(lesson.page, f"student{n}-lesson-quiz-interactive")

    def instructor_logs_in(self) -> None:
        user = self.classroom.instructor
        hp.log_in(self.page(user), self.url, user, self.classroom.passwords[user])

    def open_formgrader(self):
        """The formgrader in its own tab (nbgrader issue #1870: not in an iframe)."""
        if "formgrader" not in self.pages:
            self.pages["formgrader"] = self.page(self.classroom.instructor).context.new_page()
        grader = self.pages["formgrader"]
        grader.goto(f"{self.url}{self.formgrader}/formgrader/manage_assignments")
        expect(hp.assignment_row(grader, ASSIGNMENT)).to_be_visible(timeout=hp.SPAWN_MS)
        return grader

    def release(self) -> float:
        """Generate and release a02; returns the time of the click on Release."""
        grader = self.open_formgrader()
        self.shot(grader, "formgrader-manage-assignments")
        hp.formgrader_action(grader, ASSIGNMENT, "assign", "Successfully created")
        hp.assignment_row(grader, ASSIGNMENT).locator("td.release a").click()
        clicked = time.monotonic()
        hp.close_success(grader, "Successfully released")
        expect(hp.assignment_row(grader, ASSIGNMENT)).to_contain_text("released")
        self.shot(grader, "formgrader-released")
        return clicked

    def students_see_it(self) -> float:
        """Each student refreshes the Assignments panel until a02 is listed; returns when
        both see it."""
        for student in self.students:
            hp.wait_until_listed(self.page(student), ASSIGNMENT)
        seen = time.monotonic()
        for student in self.students:
            expect(self.page(student).locator("#course_list_default")).to_contain_text(COURSE_ID)
        self.shot(self.page(self.students[0]), "student1-sees-released-assignment")
        return seen

    def students_submit(self, validate: bool = True) -> None:
        for n, (student, answers) in enumerate(zip(self.students, self.answers(),
                                                    strict=True), 1):
            page = self.page(student)
            fetched = hp.fetch(page, ASSIGNMENT)
            lesson = hp.open_notebook(page, fetched, NOTEBOOK, HubLab(self.url, student))
            filled = hp.answer(page, lesson, notebook("release"), answers, f"Student {n}", ESSAY)
            assert filled == len(answers) + 2  # name, answers, essay
            self.shot(page, f"student{n}-answered")
            if validate:  # Validate saves the notebook first
                result = hp.validate(page, lesson)
                if n == 1:
                    assert hp.SUCCESS in result, result
                self.shot(page, f"student{n}-validated")
            else:
                hp.save(page)
            hp.submit(page, fetched, ASSIGNMENT)
            self.shot(page, f"student{n}-submitted")

    def grade(self) -> dict[str, float]:
        """Collect, autograde, grade the essays, generate and release feedback; returns the
        seconds each part took."""
        grader = self.open_formgrader()
        base = f"{self.url}{self.formgrader}"
        times, start = {}, time.monotonic()
        hp.formgrader_action(grader, ASSIGNMENT, "collect", "Successfully collected")
        expect(hp.assignment_row(grader, ASSIGNMENT).locator("td.num-submissions")).to_have_text(
            str(len(self.students)))
        times["collect"] = time.monotonic() - start
        start = time.monotonic()
        hp.autograde_all(grader, base, ASSIGNMENT, self.students)
        times["autograde"] = time.monotonic() - start
        self.shot(grader, "formgrader-autograded")
        start = time.monotonic()
        hp.grade_by_hand(grader, base, ASSIGNMENT, ASSIGNMENT, TASK,
                         dict(zip(self.students, HAND_SCORES, strict=True)))
        times["grade by hand"] = time.monotonic() - start
        self.shot(grader, "formgrader-essay-graded")
        start = time.monotonic()
        grader.goto(f"{base}/formgrader/manage_assignments")
        hp.formgrader_action(grader, ASSIGNMENT, "generate-feedback", "Successfully generated")
        hp.formgrader_action(grader, ASSIGNMENT, "release-feedback", "Successfully released")
        times["feedback"] = time.monotonic() - start
        self.shot(grader, "formgrader-feedback-released")
        return times

    def feedback_text(self, n: int, home: Path) -> str:
        """The student fetches feedback in the Assignments panel, then opens it."""
        student = self.students[n - 1]
        page = self.page(student)
        hp.fetch_feedback(page, ASSIGNMENT)
        self.shot(page, f"student{n}-feedback-fetched")
        (html,) = (home / COURSE_ID / ASSIGNMENT / "feedback").glob("*/*.html")
        page.goto(f"{self.url}/user/{student}/files/{html.relative_to(home)}")
        self.shot(page, f"student{n}-feedback-score")
        return page.content()

    def course_list(self) -> None:
        """Nbgrader -> Course List in the instructor's server links the grader's server."""
        page = self.page(self.classroom.instructor)
        menu = nbgrader_menu(page)
        assert "Course List" in menu and "Formgrader" not in menu, menu
        menu_bar(page, "Nbgrader", "Course List")
        link = page.locator("#formgrader_list a[target]", has_text=COURSE_ID)
        expect(link).to_have_attribute("href", re.compile(re.escape(self.formgrader) + "/"))
        self.shot(page, "instructor-course-list")


# -- shared by the live hub tests (folder exchange and ngshare) ----------------------------

class Shots:
    """Numbered screenshots of the whole class in one folder, whoever's page they show."""

    def __init__(self, folder: Path):
        self.folder, self.step = folder, 0
        folder.mkdir(parents=True, exist_ok=True)

    def __call__(self, page, name: str) -> None:
        self.step += 1
        page.evaluate("() => new Promise(r => requestAnimationFrame("
                      "() => requestAnimationFrame(r)))")
        page.screenshot(path=self.folder / f"{self.step:02d}-{name}.png", animations="disabled")


def keep_log(base: Path, artifacts: Path, name: str) -> None:
    log = base / "jupyterhub.log"
    if log.exists():
        shutil.copy(log, artifacts / f"jupyterhub-{name}.log")


def gradebook_scores(db_url: str) -> dict[str, float]:
    """Each submission's total score, read from the PostgreSQL gradebook."""
    from nbgrader.api import Gradebook

    with Gradebook(db_url, COURSE_ID) as gb:
        return {s.student.id: s.score for s in gb.find_assignment(ASSIGNMENT).submissions}


def check_feedback(flow, n: int) -> None:
    """The student's own score, and no line of a solution (but their own), hidden test or
    mark scheme."""
    student = flow.students[n - 1]
    text = visible_text(flow.feedback_text(n, flow.classroom.home(student)))
    score = re.search(r"Score: ([\d.]+) / ([\d.]+)", text)
    assert score, text[:500]
    assert float(score.group(1)) == pytest.approx(flow.expected_scores()[student])
    own = "\n".join(flow.answers()[n - 1].values())
    leaked = [line for line in secret_lines(ASSIGNMENT) if line in text and line not in own]
    assert not leaked, leaked
    assert "HIDDEN TESTS" not in text and "MARK SCHEME" not in text
