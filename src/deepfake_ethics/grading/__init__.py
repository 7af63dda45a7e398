"""The old name of :mod:`deepfake_ethics.kernel`, kept for notebooks already released.

Assignment notebooks released before the package was split by where its code runs import
their checks as ``from deepfake_ethics.grading import check_choice``, and nbgrader restores
those test cells from the gradebook when it grades them; this alias keeps that line
working. New notebooks import from :mod:`deepfake_ethics.kernel`. Nothing else lives here.
"""

from ..kernel import (
    AnswerFormError,
    check_choice,
    check_choices,
    check_number,
    check_text,
    quietly,
)

__all__ = ["AnswerFormError", "check_choice", "check_choices", "check_number", "check_text",
           "quietly"]
