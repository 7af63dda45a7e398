"""``deepfake-ethics new-course DIR``: a private course directory for a graded class.

The course repository is public, and so is its ``source/``: the model answers, the answer
keys of the hidden tests and the marking schemes. A graded class is run from a private copy
instead, where the instructor can change the scenarios and keys before releasing. This
module makes that copy: ``source/`` (the chosen assignments and ``header.ipynb``), the
course's ``nbgrader_config.py`` (which points at the folder it is in), a ``.gitignore``
for student data, a README, and an empty gradebook created by nbgrader's own command. The
folder is readable by its owner only. Nothing is left behind if a step fails.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..layout import assignment_names
from ..nbgrader_plugins import gradebook_url, names
from .nbgrader_run import run_nbgrader

CONFIG = "nbgrader_config.py"
HEADER = Path("source") / "header.ipynb"
DASHBOARD = Path("instructor") / "class-dashboard.ipynb"  # the class dashboard notebook
LAB_CONFIG = Path("jupyter") / "instructor"  # an instructor's JupyterLab settings
IGNORED = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__", "*.pyc", ".DS_Store")
GITIGNORE = """\
# Student data and grading output: never commit them, even to a private repository.
submitted/
autograded/
feedback/
downloaded/
gradebook.db
gradebook.db-journal
gradebook.db.*
logs/
quarantine/
.nbgrader.log
nbgrader_step*/
grades.csv
backups/
.ipynb_checkpoints/
__pycache__/
"""


# Appended to the copied nbgrader_config.py: what makes the copy a class.
PRIVATE_SETTINGS = """
# --- A private course (written by deepfake-ethics new-course) ----------------------------
# The self-study cells of the notebooks released from here say that you grade the work:
# they never judge with the answer keys of the public course, which may differ from yours
# (nbgrader_plugins/self_study.py). The rubrics the notebooks show stay.
c.StampSelfStudy.public_keys = False
"""


class CourseError(Exception):
    """The course directory cannot be made as asked; nothing was written."""


@dataclass
class NewCourse:
    """What :func:`new_course` made."""

    directory: Path
    assignments: list[str]
    db_url: str

    def summary(self) -> str:
        """What was made and what to do next, for the terminal."""
        first = self.assignments[0]
        return "\n".join([
            f"Private course directory: {self.directory} (readable by you only)",
            f"  assignments: {', '.join(self.assignments)}",
            f"  gradebook:   {gradebook_url.redact(self.db_url)} (empty)",
            "Its source/ holds the model answers and answer keys, which are also public in the "
            "course repository:",
            "change the scenarios and keys in this copy before a graded class (its README.md "
            "says how).",
            "Next:",
            f"  cd {self.directory}",
            f"  nbgrader generate_assignment {first}",
            f"  nbgrader release_assignment {first}",
            "  deepfake-ethics lab      # JupyterLab here: Formgrader and the class dashboard",
        ])


def available_assignments(origin: Path) -> list[str]:
    """The assignments of a course: folders of ``source/`` holding a notebook."""
    return assignment_names(origin)


def new_course(directory: Path, origin: Path, assignments: list[str] | None = None,
               today: dt.date | None = None) -> NewCourse:
    """Make a private course directory at ``directory`` from the course repository at
    ``origin`` with ``assignments`` (default: all). Raises :class:`CourseError`."""
    origin = origin.expanduser().resolve()
    directory = directory.expanduser().resolve()
    chosen = _check(directory, origin, assignments)
    directory.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{directory.name}.partial-",
                                    dir=directory.parent))
    try:
        _fill(staging, origin, chosen, today or dt.date.today())
        _create_gradebook(staging)
        if directory.exists():
            directory.rmdir()  # checked empty above
        staging.rename(directory)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return NewCourse(directory, chosen, gradebook_url.from_environment(
        "sqlite:///" + str(directory / "gradebook.db")))


def _check(directory: Path, origin: Path, assignments: list[str] | None) -> list[str]:
    """The assignments to copy, after checking the origin, the names and the target."""
    if not (origin / CONFIG).is_file() or not (origin / HEADER).is_file():
        raise CourseError(f"{origin} is not a copy of the course repository (it needs "
                          f"{CONFIG} and {HEADER}): run the command there, or give "
                          "--from PATH")
    available = available_assignments(origin)
    chosen = list(dict.fromkeys(assignments or available))
    bad = names.bad_names("assignment", chosen)
    unknown = [f"no assignment {a!r} in {origin / 'source'}" for a in chosen
               if a not in available and names.problem(a) is None]
    if bad or unknown:
        raise CourseError("; ".join(bad + unknown) + f" (available: {', '.join(available)})")
    if not chosen:
        raise CourseError(f"{origin / 'source'} holds no assignment")
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise CourseError(f"{directory} already exists and is not an empty folder: "
                          "choose a new one")
    if directory == origin or directory.is_relative_to(origin):
        raise CourseError(f"{directory} is inside the course repository {origin}: a private "
                          "course must live outside it, where no `git add` of the public "
                          "repository can reach it")
    return chosen


def _fill(target: Path, origin: Path, assignments: list[str], today: dt.date) -> None:
    """Copy source/, the header and the config; write .gitignore and README.md."""
    (target / "source").mkdir()
    shutil.copy2(origin / HEADER, target / HEADER)
    for name in assignments:
        shutil.copytree(origin / "source" / name, target / "source" / name, ignore=IGNORED)
    if (origin / DASHBOARD).is_file():  # a private course made before it was copied has none
        (target / DASHBOARD.parent).mkdir()
        shutil.copy2(origin / DASHBOARD, target / DASHBOARD)
    if (origin / LAB_CONFIG).is_dir():
        shutil.copytree(origin / LAB_CONFIG, target / LAB_CONFIG, ignore=IGNORED)
    shutil.copy2(origin / CONFIG, target / CONFIG)
    if PRIVATE_SETTINGS not in (origin / CONFIG).read_text(encoding="utf-8"):  # a new term
        with (target / CONFIG).open("a", encoding="utf-8") as config:      # of a private
            config.write(PRIVATE_SETTINGS)                                 # course has it
    (target / ".gitignore").write_text(GITIGNORE, encoding="utf-8")
    (target / "README.md").write_text(_readme(origin, assignments, today), encoding="utf-8")
    os.chmod(target, 0o700)


def _create_gradebook(course: Path) -> None:
    """An empty gradebook, created by nbgrader's own command with the course's config
    (``$DEEPFAKE_ETHICS_DB_URL`` if set, else ``gradebook.db`` in the course)."""
    done = run_nbgrader("db", "student", "list", cwd=course, check=False)
    if done.returncode != 0:
        lines = [line for line in (done.stderr + done.stdout).splitlines() if line.strip()]
        raise CourseError("nbgrader could not create the gradebook: "
                          + (lines[-1] if lines else f"exit code {done.returncode}"))


def _readme(origin: Path, assignments: list[str], today: dt.date) -> str:
    listed = "\n".join(f"- `{a}`" for a in assignments)
    return f"""\
# The Ethics of Deepfakes: private course directory

Made by `deepfake-ethics new-course` on {today.isoformat()} from `{origin}`.

**Keep this folder private.** `source/` holds the model answers, the answer keys of the
hidden tests and the marking schemes; once you grade, `submitted/`, `autograded/`,
`feedback/`, `logs/`, `quarantine/` and the gradebook hold student work and grades. Do not
copy it into the public course repository or anywhere students can read. `.gitignore` keeps student
data out of git; if you version this folder, use a private repository.

Assignments:

{listed}

## The answers in the public repository

The course repository is public, and its `source/` has the same model answers and keys as
this copy: a student who looks can read them. Before a graded class, change what the
answers depend on here, in `source/<assignment>/<assignment>.ipynb`:

1. Rewrite the scenarios of the questions (people, countries, facts) and the hidden cases
   of the decision functions, so that the public answers no longer fit.
2. Update the model answers (`### BEGIN SOLUTION` cells) and the answer keys (`### BEGIN
   HIDDEN TESTS` regions) to match; the marking schemes too. The format is described in
   `docs/assignment-format.md` of the course repository.
3. Regenerate the student version and check it, in this folder:

   ```bash
   nbgrader generate_assignment a02-legal-aspects --force   # release/ from source/
   ```

   then submit the model answers as a test student and autograde them: they must get every
   autograded point.

## Grading from here

Run every nbgrader command in this folder: `nbgrader_config.py` points at it (its
`source/`, `release/`, `submitted/`, `autograded/`, `feedback/` and `gradebook.db`). Set
`DEEPFAKE_ETHICS_DB_URL` for a PostgreSQL gradebook.

```bash
nbgrader generate_assignment a02-legal-aspects
nbgrader release_assignment a02-legal-aspects
nbgrader collect a02-legal-aspects
deepfake-ethics autograde a02-legal-aspects      # or: nbgrader autograde a02-legal-aspects
deepfake-ethics lab                              # Formgrader (grade by hand) and the dashboard
nbgrader generate_feedback a02-legal-aspects
nbgrader release_feedback a02-legal-aspects
nbgrader export --to=grades.csv
```

`deepfake-ethics lab` opens an instructor's JupyterLab in this folder (settings in
`jupyter/instructor/`): *Nbgrader -> Formgrader* grades this course's gradebook, and
`instructor/class-dashboard.ipynb` shows how the class is doing.

A submission that cannot be graded is reported by name with its reason; nbgrader's log is
kept in `logs/nbgrader.log`, and each `deepfake-ethics autograde` run's logs in
`logs/autograde/<assignment>/<time>/`.
"""
