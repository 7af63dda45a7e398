"""Class dashboard for instructors: scores, hard questions, missing and late work.

* :mod:`.gradebook`  the class as plain data, read through nbgrader's API;
* :mod:`.stats`      summaries of that data;
* :mod:`.figures`    the three figures, each with alt text.

``dashboard()`` finds the gradebook of the course it is run in and shows all three views.
A gradebook without submissions gives a short notice instead of empty figures.
"""

from __future__ import annotations

from ..grading.gradebook_url import ENV_VAR, course_db_url
from ..plots import FigureImage
from .figures import (
    question_difficulty_figure,
    score_distribution_figure,
    submission_status_figure,
)
from .gradebook import (
    COURSE_ID,
    AssignmentInfo,
    ClassData,
    Notice,
    QuestionRow,
    SubmissionRow,
    load_class,
)
from .stats import overview, question_rows, score_distribution, submission_status

__all__ = ["COURSE_ID", "ENV_VAR", "AssignmentInfo", "ClassData", "Notice", "QuestionRow",
           "SubmissionRow", "course_db_url", "dashboard", "load_class", "overview",
           "question_difficulty_figure", "question_rows", "score_distribution",
           "score_distribution_figure", "submission_status", "submission_status_figure",
           "views"]


def views(data: ClassData) -> list[FigureImage | Notice]:
    """The overview and the three views, in the order the dashboard shows them."""
    return [overview(data), score_distribution_figure(data),
            question_difficulty_figure(data), submission_status_figure(data)]


def dashboard(db_url: str | None = None, course_id: str = COURSE_ID) -> None:
    """Show the overview, scores, question difficulty and missing/late work of the class.

    ``db_url`` defaults to :func:`course_db_url` (``$DEEPFAKE_ETHICS_DB_URL``, the course's
    nbgrader_config.py, or ``gradebook.db``).
    """
    from IPython.display import display

    for view in views(load_class(db_url, course_id)):
        display(view)
