"""Write the self-study cells of every assignment in source/ (idempotent).

Each assignment gets, after its introduction, a short explanation and a set-up cell
(``q = questions("<assignment>")``), and after every autograded test cell a practice cell
in the style of Kaggle Learn's exercises::

    q["2.1"].check()
    # q["2.1"].hint()
    # q["2.1"].solution()

and after every written answer (the cell below a hand-graded question) a cell that reads
the saved answer and shows the rubric as a checklist, then a model answer.

The checks read the answer keys from the course's source/ when a learner has a copy of
the whole course (deepfake_ethics.practice); in a class they say that the instructor
grades the work. ``make release`` runs this script before generating release/.
"""

from __future__ import annotations

import sys

import nbformat
from notebook_tools import SOURCE_DIR, write

from deepfake_ethics.nbgrader_plugins.assignment_format import question_number, reflection_number
from deepfake_ethics.nbgrader_plugins.self_study import SETUP_ID, keys_fingerprint, setup_source

TAG = "practice"

EXPLANATION = """### Checking your work as you go (self-study, not graded)

After each autograded question you will find a small cell like this one:

```python
q["{first}"].check()
# q["{first}"].hint()
# q["{first}"].solution()
```

Run it after your answer's cell. `check()` says whether your answer is right and, if not, \
why; for a nudge, delete the `#` in front of `hint()` and run the cell again; after a \
check, `solution()` shows the model answer and explains it. Try the question before you \
look at the solution: you learn more from a wrong first try than from reading an answer.

After each written answer a similar cell reads your answer as last saved (save with \
Ctrl+S first), and gives its length and the question's rubric as a checklist to read it \
against; then `solution()` shows a model answer, one good answer of many. Nobody marks \
your writing here: your instructor grades it by the same rubric.

These checks need the answer keys of the course's `source/` folder, so they work when you \
have a copy of the whole course (for example on Binder, or after `git clone`). In a class, \
your instructor grades your work instead and these cells say so: they never change your \
grade, and the answer keys are not given to you. Run the cell below once to set them up."""

PRACTICE = """q["{number}"].check()
# q["{number}"].hint()
# q["{number}"].solution()"""

WRITTEN = """q["{number}"].check()  # after writing your answer above and saving the notebook
# q["{number}"].solution()"""


def grade_id(cell) -> str | None:
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def number_of(cell) -> str | None:
    """The question number of an autograded test cell ("2.1", "2.8a"), else None."""
    meta = cell.metadata.get("nbgrader", {})
    if cell.cell_type != "code" or not meta.get("grade"):
        return None
    return question_number(meta.get("grade_id", ""))


def locked(kind: str, grade: str, text: str):
    cell = (nbformat.v4.new_markdown_cell if kind == "markdown" else nbformat.v4.new_code_cell)(
        text)
    cell.metadata = {"nbgrader": {"grade": False, "grade_id": grade, "locked": True,
                                  "schema_version": 3, "solution": False}}
    return cell


def practice_cell(number: str, written: bool = False):
    cell = nbformat.v4.new_code_cell((WRITTEN if written else PRACTICE).format(number=number))
    cell.metadata = {"tags": [TAG]}
    return cell


def with_practice(nb: nbformat.NotebookNode, assignment: str) -> nbformat.NotebookNode:
    """The notebook with its self-study cells written afresh."""
    cells = [c for c in nb.cells if TAG not in c.metadata.get("tags", [])
             and grade_id(c) not in {"practice_intro", SETUP_ID}]
    numbers = [n for n in map(number_of, cells) if n]
    if not numbers:
        return nb
    out = []
    after_question = None  # a written question's number, until its answer cell is placed
    for cell in cells:
        out.append(cell)
        if after_question and reflection_number(cell) is None:
            out.append(practice_cell(after_question, written=True))
            after_question = None
        elif reflection_number(cell):
            after_question = reflection_number(cell)
            continue
        if grade_id(cell) == "intro":
            out.append(locked("markdown", "practice_intro",
                              EXPLANATION.format(first=numbers[0])))
            out.append(locked("code", SETUP_ID, setup_source(assignment, "")))
        number = number_of(cell)
        if number:
            out.append(practice_cell(number))
    if not any(grade_id(c) == SETUP_ID for c in out):
        raise SystemExit(f"{assignment}: no cell with grade_id 'intro' to put the set-up after")
    nb.cells = out
    keys = keys_fingerprint(nb)  # the answer keys this notebook holds (self_study.py)
    for cell in nb.cells:
        if grade_id(cell) == SETUP_ID:
            cell.source = setup_source(assignment, keys)
    for cell in nb.cells:  # new cells get ids that stay the same from run to run
        if grade_id(cell) in {"practice_intro", SETUP_ID}:
            cell.id = grade_id(cell).replace("_", "-")
        elif TAG in cell.metadata.get("tags", []):
            cell.id = "practice-" + cell.source.split('"')[1].replace(".", "-")
    return nb


def main() -> int:
    changed = []
    for folder in sorted(p for p in SOURCE_DIR.iterdir() if p.is_dir()):
        path = folder / f"{folder.name}.ipynb"
        if not path.exists():
            continue
        nb = with_practice(nbformat.read(path, as_version=4), folder.name)
        if write(nb, path):
            changed.append(folder.name)
    print("practice cells written: " + (", ".join(changed) or "none changed"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
