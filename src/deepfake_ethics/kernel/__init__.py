"""Code that runs in the student's kernel: while a student works on an assignment, and
while the grader runs the submission in its sandbox.

* :mod:`.checks`     the visible form checks of the assignments' test cells
                     (``check_choice``...), imported by every assignment notebook;
* :mod:`.recording`  the lines the grader adds to a test cell: answers recorded as plain
                     JSON, judged outside the kernel.

Nothing here imports nbgrader, nbconvert or the rest of this package (only the standard
library), so a student's notebook starts fast and the sandboxed kernel holds no grading
logic; ``tests/test_architecture.py`` checks both.
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
