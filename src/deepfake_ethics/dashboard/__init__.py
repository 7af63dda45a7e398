"""Class dashboard for instructors: scores, hard questions, missing and late work.

* :mod:`.gradebook`  the class as plain data, read through nbgrader's API;
* :mod:`.stats`      summaries of that data;
* :mod:`.figures`    the three figures, each with alt text.

``dashboard()`` finds the course it is run in (its id and gradebook, from nbgrader's
configuration) and shows all three views. A gradebook without submissions gives a short
notice instead of empty figures; a missing gradebook is an error.
"""

from __future__ import annotations

from ..instructor.course_config import GradebookMissing, find
from ..nbgrader_plugins.gradebook_url import ENV_VAR
from ..plots import FigureImage
from .figures import (
    question_difficulty_figure,
    score_distribution_figure,
    submission_status_figure,
)
from .gradebook import (
    AssignmentInfo,
    ClassData,
    Notice,
    QuestionRow,
    SubmissionRow,
    load_class,
)
from .stats import overview, question_rows, score_distribution, submission_status

__all__ = ["ENV_VAR", "AssignmentInfo", "ClassData", "GradebookMissing", "Notice",
           "QuestionRow", "SubmissionRow", "dashboard", "find", "load_class", "overview",
           "question_difficulty_figure", "question_rows", "score_distribution",
           "score_distribution_figure", "submission_status", "submission_status_figure",
           "views"]


def views(data: ClassData) -> list[FigureImage | Notice]:
    """The overview and the three views, in the order the dashboard shows them."""
    return [overview(data), score_distribution_figure(data),
            question_difficulty_figure(data), submission_status_figure(data)]


def dashboard(db_url: str | None = None, course_id: str | None = None) -> None:
    """Show the overview, scores, question difficulty and missing/late work of the class.

    ``db_url`` and ``course_id`` default to the course's, read from nbgrader's configuration
    (:func:`find`); a missing gradebook is an error that says where it looked.
    """
    from IPython.display import display

    for view in views(load_class(db_url, course_id)):
        display(view)
