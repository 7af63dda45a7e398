"""Loading the content bank: quiz files and figure files shipped with the package, the
before-and-after diagnostic, the register of claims that change on a date, and the list of
support services."""

from __future__ import annotations

import functools
import re
from importlib import resources
from pathlib import Path

from .claims import Register, parse_claims_file
from .content_yaml import read_yaml
from .schema import (
    DIAGNOSTIC_FORMS,
    ContentError,
    FigureSpec,
    Quiz,
    parse_diagnostic_file,
    parse_figure_file,
    parse_quiz_file,
)
from .support import SupportList, parse_support_file

CONTENT_DIR = Path(str(resources.files(__package__).joinpath("content")))
QUIZ_DIR = CONTENT_DIR / "quizzes"
# The quizzes of an alternative activity (notebooks/alternatives/NN-alternative-*.ipynb),
# one file each, named like the notebook: quizzes/alternatives/<notebook name>.yaml.
ALTERNATIVES = "alternatives"
FIGURE_DIR = CONTENT_DIR / "figures"
_FIGURE_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")  # as the schema allows; never a path
DIAGNOSTIC_FILE = CONTENT_DIR / "diagnostic.yaml"


def load_quiz_file(path: Path | str) -> list[Quiz]:
    """Read and validate one lesson's quiz file."""
    path = Path(path)
    return parse_quiz_file(read_yaml(path), path)


def load_figure_file(path: Path | str) -> FigureSpec:
    """Read and validate one figure file."""
    path = Path(path)
    return parse_figure_file(read_yaml(path), path)


@functools.cache
def faqs(path: Path = CONTENT_DIR / "faq.yaml") -> dict[str, dict[str, str]]:
    """The source post's questions by id (L1..P3): their lesson and wording."""
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise ContentError(path, None, None, "expected a mapping of question ids (L1, E1, ...)")
    for faq_id, entry in data.items():
        if not isinstance(entry, dict) or not {"lesson", "question"} <= set(entry):
            raise ContentError(path, faq_id, None, "needs 'lesson' and 'question'")
    return data


def quiz_files(directory: Path = QUIZ_DIR) -> list[Path]:
    """The quiz files: one per lesson, then one per alternative activity."""
    return sorted(directory.glob("*.yaml")) + sorted((directory / ALTERNATIVES).glob("*.yaml"))


def alternative_lessons(directory: Path = QUIZ_DIR) -> set[str]:
    """The ``lesson`` names of the alternative activities that have quizzes."""
    return {p.stem for p in (directory / ALTERNATIVES).glob("*.yaml")}


@functools.cache
def quizzes(directory: Path = QUIZ_DIR) -> dict[str, Quiz]:
    """Every quiz of the course by id, in lesson order, the alternative activities' last
    (cached after the first call)."""
    bank: dict[str, Quiz] = {}
    for path in quiz_files(directory):
        for q in load_quiz_file(path):
            if q.id in bank:
                raise ContentError(path, q.id, "id", f"also used in lesson '{bank[q.id].lesson}'")
            if q.faq and q.faq not in faqs():
                raise ContentError(path, q.id, "faq", f"no question '{q.faq}' in faq.yaml")
            bank[q.id] = q
    return bank


@functools.cache
def diagnostic_items(path: Path = DIAGNOSTIC_FILE) -> dict[str, Quiz]:
    """The items of the before-and-after diagnostic by id (``content/diagnostic.yaml``):
    each form has exactly one item for each FAQ of ``faq.yaml``, and no item is a quiz."""
    items = parse_diagnostic_file(read_yaml(path), path)
    bank = quizzes()
    for q in items:
        if q.id in bank:
            raise ContentError(path, q.id, "id", f"also a quiz of lesson '{bank[q.id].lesson}': "
                               "a diagnostic item is used nowhere else")
        if q.faq not in faqs():
            raise ContentError(path, q.id, "faq", f"no question '{q.faq}' in faq.yaml")
    for form in DIAGNOSTIC_FORMS:
        found = [q.faq for q in items if q.form == form]
        for faq_id in faqs():
            if found.count(faq_id) != 1:
                raise ContentError(path, None, "items", f"form {form} has {found.count(faq_id)} "
                                   f"items for {faq_id}; it needs exactly one for each FAQ")
    return {q.id: q for q in items}


def diagnostic_form(form: str) -> list[Quiz]:
    """The items of one form of the diagnostic, in the order of the FAQs (L1 ... P3)."""
    order = list(faqs())
    return sorted((q for q in diagnostic_items().values() if q.form == form),
                  key=lambda q: order.index(q.faq))


@functools.cache
def _figure_file(path: Path) -> FigureSpec:
    """One figure file, read once; it must be named after its figure: ``<id>.yaml``."""
    fig = load_figure_file(path)
    if fig.id != path.stem:
        raise ContentError(path, fig.id, "id", f"the file of figure '{fig.id}' is named "
                           f"'{fig.id}.yaml', so that a lesson reads only its own figures")
    return fig


@functools.cache
def figures(directory: Path = FIGURE_DIR) -> dict[str, FigureSpec]:
    """Every figure of the course by id (cached after the first call)."""
    return {path.stem: _figure_file(path) for path in sorted(directory.glob("*.yaml"))}


def get_quiz(quiz_id: str) -> Quiz:
    """The quiz with this id; a helpful KeyError if there is none."""
    bank = quizzes()
    if quiz_id not in bank:
        raise KeyError(f"no quiz '{quiz_id}' in {QUIZ_DIR}; known ids: {', '.join(bank)}")
    return bank[quiz_id]


def get_figure(figure_id: str) -> FigureSpec:
    """The figure with this id, reading its file only; a helpful KeyError if there is none."""
    path = FIGURE_DIR / f"{figure_id}.yaml"
    if not (isinstance(figure_id, str) and _FIGURE_ID.fullmatch(figure_id) and path.is_file()):
        raise KeyError(f"no figure {figure_id!r} in {FIGURE_DIR}; known ids: "
                       f"{', '.join(figures())}")
    return _figure_file(path)


@functools.cache
def claims(path: Path = CONTENT_DIR / "claims.yaml") -> Register:
    """The register of claims that change on a date (``content/claims.yaml``), validated."""
    return parse_claims_file(read_yaml(path), path)


@functools.cache
def support(path: Path = CONTENT_DIR / "support.yaml") -> SupportList:
    """The support services the course points to (``content/support.yaml``), validated."""
    return parse_support_file(read_yaml(path), path)


def sources_checked(path: Path = CONTENT_DIR / "sources.yaml") -> dict[str, str]:
    """When each cited source was last checked, by URL: ``sources.yaml``, and the support
    services of ``support.yaml`` (whose dates live there only)."""
    data = read_yaml(path) or {}
    found = {}
    for url, fields in data.items():
        value = (fields or {}).get("checked")
        if hasattr(value, "isoformat"):
            value = value.isoformat()
        if value is not None:
            found[str(url)] = str(value)
    for service in support().services.values():
        if service.url:
            found.setdefault(service.url, service.checked)
    return found
