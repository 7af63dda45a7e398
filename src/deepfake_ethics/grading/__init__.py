"""Grading: everything that runs when an instructor grades, and the checks students see.

Learner side (imported in the students' notebooks):

* :mod:`.checks`     the visible form checks of the assignments (``check_choice``...);
* :mod:`.recording`  the only grading code that runs in the student's kernel: it records
                     answers as plain JSON.

Grader side (nbgrader preprocessors and commands, in the grader's own process):

* :mod:`.sandbox`       a bubblewrap sandbox around every kernel that runs student code;
* :mod:`.assignment_format` nbgrader's region markers, read from its configuration;
* :mod:`.keys`          answer keys (the hidden regions hold data, never code);
* :mod:`.execute`       running a submission in the sandbox with keys kept out;
* :mod:`.judge`         comparing recorded answers with keys, with partial credit;
* :mod:`.preprocessors` the judge's verdicts as nbgrader outputs; inert, capped output;
* :mod:`.feedback`      feedback: nbgrader's own clean-up plus verdicts only;
* :mod:`.parallel`      ``deepfake-ethics autograde``: the class in one work queue that
                        worker processes (:mod:`.worker`) take students from;
* :mod:`.names`         student ids and assignment names that are safe to grade;
* :mod:`.course_config` the course (root, id, gradebook) as nbgrader's configuration gives it;
* :mod:`.gradebook_url` whether a gradebook URL can work;
* :mod:`.course`        ``deepfake-ethics new-course``: a private course directory.
"""

from .checks import (
    AnswerFormError,
    check_choice,
    check_choices,
    check_number,
    check_text,
    quietly,
)

__all__ = ["AnswerFormError", "check_choice", "check_choices", "check_number", "check_text",
           "quietly"]
