"""Which answer keys a released notebook's self-study cells may use.

The self-study cells (:mod:`deepfake_ethics.practice`) judge a learner's answers with the
answer keys of a course's ``source/`` that the learner can read. On a shared server where
the course package is installed from a clone of the public course, that is the *public*
``source/``, whatever course the notebook came from: a private class whose instructor
changed a key would hear "right" for the public answer and see the public model answers.

So each released notebook's set-up cell names the keys it was generated with:

* ``keys="<fingerprint>"``: a hash of the source notebook's graded cells (answers, tests,
  tasks). The checks judge only with a ``source/`` whose fingerprint is the same, that is,
  with the very keys the notebook was made from;
* ``keys="instructor"``: the course is a class (``StampSelfStudy.public_keys = False``, which
  ``deepfake-ethics new-course`` writes into a private course's configuration). The checks
  then say plainly that the instructor grades the work, and show only what the notebook
  itself holds (each reflection's rubric).

:class:`.preprocessors.StampSelfStudy` writes that cell when nbgrader generates an
assignment, before nbgrader records the cells in the gradebook;
``scripts/practice_cells.py`` writes the same cell into ``source/``. This module imports
neither nbgrader nor nbformat: the learner's kernel reads it.
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nbformat import NotebookNode

SETUP_ID = "practice_setup"  # the grade id of the set-up cell
CLASS_KEYS = "instructor"  # the keys of a class: none for self-study
SETUP = '''from deepfake_ethics.practice import questions

# self-study checks for this assignment (not graded)
q = questions("{assignment}", keys="{keys}")'''


def keys_fingerprint(nb: NotebookNode) -> str:
    """A short hash of what decides grades in an instructor's notebook: every answer, test
    and task cell (grade id, type and source), in order."""
    graded = []
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("grade") or meta.get("solution") or meta.get("task"):
            graded.append([meta.get("grade_id", ""), cell.get("cell_type", ""),
                           cell.get("source", "")])
    return hashlib.sha256(json.dumps(graded).encode()).hexdigest()[:16]


def setup_source(assignment: str, keys: str) -> str:
    """The set-up cell of an assignment's self-study checks."""
    return SETUP.format(assignment=assignment, keys=keys)
