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
* :mod:`.parallel`      ``deepfake-ethics autograde``: the class in parallel, each worker
                        (:mod:`.worker`) with its own list of students;
* :mod:`.names`         student ids and assignment names that are safe to grade;
* :mod:`.gradebook_url` where the gradebook is, and whether its URL can work;
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
