"""The one course lookup (instructor/course_config.py): nbgrader's configuration read as nbgrader
reads it, system and user folders included, used by the dashboard; a missing gradebook is an
error that says where it looked."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import ROOT

from deepfake_ethics import dashboard as dash
from deepfake_ethics.instructor.course_config import find
from deepfake_ethics.instructor.nbgrader_run import nbgrader_env
from deepfake_ethics.nbgrader_plugins.gradebook_url import GradebookURLError

pytestmark = pytest.mark.slow  # imports nbgrader and runs the course's configuration


@pytest.fixture
def jupyter_folders(tmp_path, monkeypatch) -> tuple[Path, Path]:
    """Jupyter config folders of our own: a site folder (JUPYTER_CONFIG_PATH, as a hub image
    sets it) and the user's (JUPYTER_CONFIG_DIR, ~/.jupyter); no $DEEPFAKE_ETHICS_DB_URL."""
    site, user = tmp_path / "site-jupyter", tmp_path / "home-jupyter"
    site.mkdir()
    user.mkdir()
    monkeypatch.setenv("JUPYTER_CONFIG_PATH", str(site))
    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(user))
    monkeypatch.delenv(dash.ENV_VAR, raising=False)
    return site, user


def config(folder: Path, **settings: str) -> Path:
    path = folder / "nbgrader_config.py"
    path.write_text("c = get_config()\n" + "".join(
        f"c.CourseDirectory.{key} = {value!r}\n" for key, value in settings.items()))
    return path


def test_site_and_user_config_then_the_course_config(tmp_path, jupyter_folders):
    """The hub's layout: the grader's ~/.jupyter names the course; the dashboard is run
    from a folder that is not the course; the course's own file is read last."""
    site, user = jupyter_folders
    course, elsewhere = tmp_path / "course", tmp_path / "elsewhere"
    course.mkdir()
    elsewhere.mkdir()
    config(site, course_id="term-2027", db_url="sqlite:////site/gradebook.db")
    config(user, root=str(course))
    config(course, db_url=f"sqlite:///{course / 'grades.db'}")
    found = find(elsewhere)
    assert (found.root, found.course_id, found.db_url) == \
        (course.resolve(), "term-2027", f"sqlite:///{course / 'grades.db'}")
    assert {Path(p).parent for p in found.loaded} == {site, user, course.resolve()}
    assert Path(found.loaded[-1]).parent == course.resolve(), "the course's file last"
    assert str(site) in found.where() and "/etc/jupyter" in found.where()


def test_dashboard_takes_the_course_id_from_the_configuration(tmp_path, jupyter_folders,
                                                              monkeypatch):
    from nbgrader.api import Gradebook

    _, user = jupyter_folders
    url = f"sqlite:///{tmp_path / 'grades.db'}"
    config(user, course_id="term-2027", db_url=url)
    with pytest.MonkeyPatch.context() as mp:  # nbgrader starts alembic by name
        mp.setenv("PATH", nbgrader_env()["PATH"])
        with Gradebook(url, "term-2027") as gb:
            gb.add_assignment("a01")
        with Gradebook(url, "deepfake-ethics") as gb:
            gb.add_assignment("other")
    monkeypatch.chdir(tmp_path)
    data = dash.load_class()
    assert data.course_id == "term-2027" and [a.name for a in data.assignments] == ["a01"]


def test_missing_gradebook_is_an_error_that_says_where_it_looked(tmp_path, jupyter_folders,
                                                                 monkeypatch):
    _, user = jupyter_folders
    user_config = config(user, course_id="term-2027")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(dash.GradebookMissing) as error:
        dash.load_class()
    message = str(error.value)
    assert f"there is no gradebook sqlite:///{tmp_path.resolve() / 'gradebook.db'}" in message
    assert str(user_config) in message, "the file it read"
    assert "/etc/jupyter" in message and str(tmp_path.resolve()) in message, "where it looked"
    assert "No submissions yet" not in message
    assert not (tmp_path / "gradebook.db").exists()


def test_repository_course_from_the_instructor_folder(jupyter_folders):
    found = find(ROOT / "instructor")
    assert (found.root, found.course_id, found.db_url) == \
        (ROOT, "deepfake-ethics", f"sqlite:///{ROOT / 'gradebook.db'}")
    assert found.loaded == (str(ROOT / "nbgrader_config.py"),)


def test_a_bad_url_in_the_environment_is_one_line(jupyter_folders, monkeypatch):
    monkeypatch.setenv(dash.ENV_VAR, "postgres://grader:s3cret@127.0.0.1/x")
    with pytest.raises(GradebookURLError) as error:
        find(ROOT)
    message = str(error.value)
    assert "unknown database driver 'postgres'" in message
    assert "\n" not in message and "s3cret" not in message


def test_one_output_cap_for_execution_autograded_notebook_and_feedback(jupyter_folders):
    from deepfake_ethics.nbgrader_plugins.execute import GradeExecute
    from deepfake_ethics.nbgrader_plugins.feedback import SanitizeFeedback
    from deepfake_ethics.nbgrader_plugins.preprocessors import NeutraliseOutputs

    config = find(ROOT).config
    caps = {step.__name__: step(config=config).max_output_bytes
            for step in (GradeExecute, NeutraliseOutputs, SanitizeFeedback)}
    text = (ROOT / "nbgrader_config.py").read_text(encoding="utf-8")
    assert text.count("max_output_bytes =") == 1, "one setting in the course's config"
    value = int(re.search(r"^MAX_OUTPUT_BYTES = ([\d_]+)", text, re.M).group(1))
    assert set(caps.values()) == {value}, caps


def test_one_default_output_cap_in_the_code():
    """Without the course's setting, the three steps share one default, a named constant."""
    from deepfake_ethics.nbgrader_plugins.execute import MAX_OUTPUT_BYTES, GradeExecute
    from deepfake_ethics.nbgrader_plugins.feedback import SanitizeFeedback
    from deepfake_ethics.nbgrader_plugins.preprocessors import NeutraliseOutputs

    defaults = {step.__name__: step().max_output_bytes
                for step in (GradeExecute, NeutraliseOutputs, SanitizeFeedback)}
    assert set(defaults.values()) == {MAX_OUTPUT_BYTES}, defaults
