"""The class dashboard: numbers read through nbgrader's Gradebook API, figures with alt text,
and the instructor notebook running headless against a small class and an empty gradebook.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import warnings

import nbformat
import pytest
from conftest import ROOT
from nbclient import NotebookClient
from nbgrader.api import Course, Gradebook
from sqlalchemy.exc import SAWarning

from deepfake_ethics import dashboard as dash
from deepfake_ethics.dashboard import figures as dash_figures
from deepfake_ethics.instructor.nbgrader_run import nbgrader_env
from deepfake_ethics.plots import FigureImage

COURSE = "deepfake-ethics"
NOTEBOOK = ROOT / "instructor" / "class-dashboard.ipynb"

pytestmark = pytest.mark.slow  # runs nbgrader and creates gradebooks


def new_gradebook(url: str, course: str = COURSE) -> Gradebook:
    """nbgrader's Gradebook (which starts `alembic` by name when it creates a database)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PATH", nbgrader_env()["PATH"])
        return Gradebook(url, course)


def build_gradebook(path) -> str:
    """A small class, built with nbgrader's own API.

    a01-test (due 2026-11-20 12:00 UTC): q1 and q2 autograded (1 point each), r3 a written
    answer graded by hand (2 points). ana 4/4 on time; ben 2/4 an hour after the deadline
    but with a 2-hour extension; cai 0/4 a day late, r3 not yet graded; dev submitted
    nothing. a02-test: only ana, 2/2 on time. Another course's assignment must not appear.
    """
    url = f"sqlite:///{path}"
    with new_gradebook(url) as gb, warnings.catch_warnings():
        # nbgrader's add_submission triggers harmless SQLAlchemy warnings in nbgrader's code
        warnings.simplefilter("ignore", SAWarning)
        gb.add_assignment("a01-test", duedate="2026-11-20 12:00:00 UTC")
        gb.add_notebook("a01", "a01-test")
        gb.add_grade_cell("q1", "a01", "a01-test", max_score=1, cell_type="code")
        gb.add_grade_cell("q2", "a01", "a01-test", max_score=1, cell_type="code")
        gb.add_task_cell("r3", "a01", "a01-test", max_score=2, cell_type="markdown")
        gb.add_assignment("a02-test", duedate="2026-11-27 12:00:00 UTC")
        gb.add_notebook("a02", "a02-test")
        gb.add_grade_cell("q1", "a02", "a02-test", max_score=2, cell_type="code")
        for student in ("ana", "ben", "cai", "dev"):
            gb.add_student(student, first_name=student.title(), last_name="Test")

        def grade(assignment, notebook, student, cell, auto=None, manual=None):
            g = gb.find_grade(cell, notebook, assignment, student)
            g.auto_score, g.manual_score = auto, manual
            g.needs_manual_grade = auto is None and manual is None
            gb.db.commit()

        gb.add_submission("a01-test", "ana", timestamp="2026-11-19 10:00:00 UTC")
        grade("a01-test", "a01", "ana", "q1", auto=1)
        grade("a01-test", "a01", "ana", "q2", auto=1)
        grade("a01-test", "a01", "ana", "r3", manual=2)
        gb.add_submission("a01-test", "ben", timestamp="2026-11-20 13:00:00 UTC")
        gb.grant_extension("a01-test", "ben", hours=2)
        grade("a01-test", "a01", "ben", "q1", auto=1)
        grade("a01-test", "a01", "ben", "q2", auto=0)
        grade("a01-test", "a01", "ben", "r3", manual=1)
        gb.add_submission("a01-test", "cai", timestamp="2026-11-21 12:00:00 UTC")
        grade("a01-test", "a01", "cai", "q1", auto=0)
        grade("a01-test", "a01", "cai", "q2", auto=0)
        grade("a01-test", "a01", "cai", "r3")  # written answer waiting for a grader
        gb.add_submission("a02-test", "ana", timestamp="2026-11-26 09:00:00 UTC")
        grade("a02-test", "a02", "ana", "q1", auto=2)
    with new_gradebook(url, "another-course") as gb:
        gb.add_assignment("other-x01", course_id="another-course")
    return url


@pytest.fixture(scope="module")
def class_url(tmp_path_factory) -> str:
    return build_gradebook(tmp_path_factory.mktemp("class") / "gradebook.db")


@pytest.fixture(scope="module")
def data(class_url) -> dash.ClassData:
    return dash.load_class(class_url, COURSE)


def test_reads_assignments_students_and_submissions(data):
    assert [a.name for a in data.assignments] == ["a01-test", "a02-test"]
    assert data.assignments[0].duedate == dt.datetime(2026, 11, 20, 12)
    assert data.assignments[0].max_score == 4
    assert data.assignments[0].notebooks == ("a01",)
    assert data.students == ("ana", "ben", "cai", "dev")
    subs = {(s.assignment, s.student): s for s in data.submissions}
    assert set(subs) == {("a01-test", "ana"), ("a01-test", "ben"), ("a01-test", "cai"),
                         ("a02-test", "ana")}
    assert (subs["a01-test", "ana"].score, subs["a01-test", "ana"].max_score) == (4, 4)
    assert subs["a01-test", "ben"].score == 2 and subs["a01-test", "ben"].percent == 50
    assert not subs["a01-test", "ben"].late, "the extension covers ben's hour"
    assert subs["a01-test", "cai"].seconds_late == 86400 and subs["a01-test", "cai"].late
    assert subs["a01-test", "cai"].needs_manual_grade
    assert subs["a01-test", "cai"].timestamp == dt.datetime(2026, 11, 21, 12)
    assert not data.empty


def test_score_distribution_values(data):
    a01, a02 = dash.score_distribution(data)
    assert a01["percents"] == [0, 50, 100]
    assert (a01["count"], a01["median"], a01["min"], a01["max"]) == (3, 50, 0, 100)
    assert (a01["q1"], a01["q3"], a01["mean"]) == (25, 75, 50)
    assert (a01["late"], a01["needs_manual_grade"]) == (1, 1)
    assert a02["percents"] == [100] and a02["median"] == 100 and a02["q1"] == 100


def test_question_difficulty(data):
    rows = {(q.assignment, q.name): q for q in data.questions}
    assert list(rows) == [("a01-test", "q1"), ("a01-test", "q2"), ("a01-test", "r3"),
                          ("a02-test", "q1")]
    q1, q2, r3 = rows["a01-test", "q1"], rows["a01-test", "q2"], rows["a01-test", "r3"]
    assert (q1.graded, q1.full_marks, q1.pending, q1.autograded) == (3, 2, 0, True)
    assert q1.share_full == pytest.approx(200 / 3)
    assert q1.mean_percent == pytest.approx(200 / 3)
    assert (q2.graded, q2.full_marks) == (3, 1) and q2.share_full == pytest.approx(100 / 3)
    assert (r3.graded, r3.full_marks, r3.pending, r3.autograded) == (2, 1, 1, False)
    assert r3.mean_score == 1.5 and r3.mean_percent == 75 and r3.share_full == 50
    other = rows["a02-test", "q1"]
    assert (other.graded, other.full_marks, other.share_full) == (1, 1, 100)
    assert [q.name for q in dash.question_rows(data, "a02-test")] == ["q1"]


def test_missing_and_late(data):
    a01, a02 = dash.submission_status(data)
    assert (a01["students"], a01["on_time"], a01["late"], a01["missing"]) == (4, 2, 1, 1)
    assert a01["late_students"] == ["cai"] and a01["missing_students"] == ["dev"]
    assert (a02["on_time"], a02["late"], a02["missing"]) == (1, 0, 3)
    assert a02["missing_students"] == ["ben", "cai", "dev"]


def _texts(fig) -> str:
    return " ".join(t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text")))


def test_score_figure_has_title_labels_and_alt_text(data, kept):
    out = dash.score_distribution_figure(data)
    assert isinstance(out, FigureImage)
    ax = kept[0].axes[0]
    assert ax.get_title(loc="left") == "Scores per assignment"
    assert "% of the assignment's maximum" in ax.get_xlabel()
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a01-test", "a02-test"]
    assert "Median score a01-test: 50% (3 submissions, range 0–100%, 1 late)" in out.alt
    assert "Median score a02-test: 100% (1 submission, range 100–100%)" in out.alt
    assert "1 submission still has answers to grade by hand" in out.caption
    assert f'alt="{html.escape(out.alt)}"' in out._repr_html_()
    assert b"Scores per assignment" in out.svg


def _render_and_keep(figs, fig, alt, caption):
    from deepfake_ethics.plots import render

    figs.append(fig)
    return render(fig, alt, caption)


@pytest.fixture
def kept(monkeypatch):
    """Matplotlib figures passed to render(), so tests can inspect axes and labels."""
    figs = []
    monkeypatch.setattr(dash_figures, "render", lambda fig, alt, caption:
                        _render_and_keep(figs, fig, alt, caption))
    return figs


def test_difficulty_figure_has_titles_labels_and_alt_text(data, kept):
    out = dash.question_difficulty_figure(data)
    fig = kept[0]
    assert fig.get_suptitle() == "Difficulty of each question"
    first, second = fig.axes[:2]
    assert first.get_title(loc="left") == "a01-test (3 submissions)"
    assert second.get_title(loc="left") == "a02-test (1 submission)"
    assert [t.get_text() for t in first.get_yticklabels()] == ["q1", "q2", "r3 (by hand)"]
    assert "full marks" in second.get_xlabel()
    assert fig.get_supylabel() == "Question (graded cell)"
    assert ("a01-test: hardest q2, full marks in 1 of 3 (33%); easiest q1, 2 of 3 (67%); "
            "1 of 3 questions below half") in out.alt
    assert "a02-test: hardest q1, full marks in 1 of 1 (100%)" in out.alt
    assert "1/2, 1 to grade" in _texts(fig), "pending hand grading is shown on the bar"


def test_status_figure_has_title_labels_and_alt_text(data, kept):
    out = dash.submission_status_figure(data)
    ax = kept[0].axes[0]
    assert ax.get_title(loc="left") == "Submitted on time, late, or missing"
    assert ax.get_xlabel() == "Students (all 4 in the gradebook)"
    assert "a01-test: 2 on time, 1 late, 1 missing" in out.alt
    assert "a02-test: 1 on time, 0 late, 3 missing" in out.alt
    assert "Missing a01-test: dev." in out.caption
    assert "Missing a02-test: ben, cai, dev." in out.caption
    assert "Late a01-test: cai." in out.caption
    patches = ax.patches
    assert {p.get_hatch() for p in patches if p.get_width()} >= {"//", "xx"}, \
        "late and missing differ in pattern, not only in colour"


def test_empty_gradebook_gives_notices(tmp_path):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    with new_gradebook(url) as gb:
        gb.add_assignment("a01-test")
        gb.add_student("ana")
    data = dash.load_class(url, COURSE)
    assert data.empty and data.students == ("ana",)
    for view in dash.views(data):
        assert isinstance(view, dash.Notice)
        assert "No submissions yet" in repr(view)
        assert "No submissions yet" in view._repr_html_()


def test_missing_or_blank_database_is_an_error_and_left_alone(tmp_path):
    path = tmp_path / "nothing-here.db"
    with pytest.raises(dash.GradebookMissing, match="there is no gradebook"):
        dash.load_class(f"sqlite:///{path}", COURSE)
    assert not path.exists()
    blank = tmp_path / "blank.db"
    blank.write_bytes(b"")
    with pytest.raises(dash.GradebookMissing, match="is not an nbgrader gradebook"):
        dash.load_class(f"sqlite:///{blank}", COURSE)
    assert blank.read_bytes() == b"", "no tables created"


def test_unknown_course_is_an_error_and_not_added(class_url):
    with pytest.raises(dash.GradebookMissing) as error:
        dash.load_class(class_url, "no-such-course")
    assert "has no course 'no-such-course'" in str(error.value)
    assert "'another-course', 'deepfake-ethics'" in str(error.value), "the courses it has"
    with new_gradebook(class_url) as gb:
        assert {c.id for c in gb.db.query(Course)} == {COURSE, "another-course"}


def test_dashboard_shows_overview_and_three_figures(class_url, monkeypatch):
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", shown.append)
    dash.dashboard(class_url, COURSE)
    assert [type(v) for v in shown] == [dash.Notice, FigureImage, FigureImage, FigureImage]
    monkeypatch.chdir(ROOT / "instructor")  # the course's nbgrader_config.py is one up
    monkeypatch.setenv(dash.ENV_VAR, class_url)
    shown.clear()
    dash.dashboard()
    assert len(shown) == 4 and repr(shown[0]).startswith("4 submissions")


def test_overview_hides_passwords(data):
    text = repr(dash.overview(data))
    assert text.startswith("4 submissions (1 late, 1 with answers still to grade by hand)")
    shown = repr(dash.overview(dash.ClassData(COURSE, "postgresql://grader:s3cret@db/x")))
    assert "s3cret" not in shown and "No submissions yet" in shown


def _run_notebook(url: str, monkeypatch) -> nbformat.NotebookNode:
    monkeypatch.setenv(dash.ENV_VAR, url)
    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            assert out.output_type != "error", f"{cell.source!r}: {out.get('evalue')}"
            assert not (out.output_type == "stream" and out.name == "stderr"), \
                f"{cell.source!r} wrote to stderr: {out.text!r}"
    return nb


def _html(nb) -> str:
    return "\n".join(o.get("data", {}).get("text/html", "") for c in nb.cells
                     for o in c.get("outputs", []))


def test_notebook_runs_headless_against_a_class(class_url, monkeypatch):
    nb = _run_notebook(class_url, monkeypatch)
    page = _html(nb)
    alts = re.findall(r'<img [^>]*alt="([^"]+)"', page)
    assert len(alts) == 3, "three figures, each with alt text"
    assert any("Median score a01-test: 50%" in html.unescape(a) for a in alts)
    assert any("a01-test: 2 on time, 1 late, 1 missing" in html.unescape(a) for a in alts)


def test_notebook_runs_headless_against_an_empty_gradebook(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    with new_gradebook(url) as gb:
        gb.add_assignment("a01-test")
    nb = _run_notebook(url, monkeypatch)
    page = _html(nb)
    assert "No submissions yet" in page
    assert "<img" not in page


def test_notebook_is_committed_clean():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    assert "widgets" not in nb.metadata
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
