"""The deployment configurations under deploy/ load, and say what docs/deployment.md says:
one course id everywhere, the exchange, the grader service, the gradebook from the
environment, and the global nbgrader config mounted in every Kubernetes user pod.
"""

from __future__ import annotations

import json
import shutil
import sys
import types

import pytest
import yaml
from conftest import ROOT
from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

COURSE = "deepfake-ethics"
GRADER = f"grader-{COURSE}"
DEPLOY = ROOT / "deploy"
HUB = DEPLOY / "jupyterhub"
K8S = DEPLOY / "kubernetes"
DEFAULT_NGSHARE = "http://ngshare.jhub.svc.cluster.local:8080/services/ngshare"


def load(path, **env) -> Config:
    """A Python config file as JupyterHub, Jupyter Server or nbgrader would load it."""
    with pytest.MonkeyPatch.context() as mp:
        for name, value in env.items():
            if value is None:
                mp.delenv(name, raising=False)
            else:
                mp.setenv(name, value)
        return PyFileConfigLoader(path.name, path=str(path.parent)).load_config()


def values() -> dict:
    return yaml.safe_load((K8S / "values.yaml").read_text(encoding="utf-8"))


# --- ngshare_exchange is installed in the user image only: a stand-in records its use ---
class _Exchange:
    pass


def _stub_classes() -> dict[str, type]:
    return {name: type(f"Exchange{name.title().replace('_', '')}", (_Exchange,), {})
            for name in ("fetch_assignment", "fetch_feedback", "release_assignment",
                         "release_feedback", "list", "submit", "collect")}


@pytest.fixture
def ngshare_exchange(monkeypatch):
    """A stand-in for ngshare_exchange whose configureExchange does what the real one does
    (ngshare_exchange 0.5.3): point every ExchangeFactory plugin at its classes."""
    module = types.ModuleType("ngshare_exchange")
    module.calls = []
    module.Exchange = type("Exchange", (_Exchange,), {})
    module.classes = _stub_classes()

    def configure_exchange(c, ngshare_url=None):
        module.calls.append(ngshare_url)
        c.ExchangeFactory.exchange = module.Exchange
        for trait, cls in module.classes.items():
            setattr(c.ExchangeFactory, trait, cls)

    module.configureExchange = configure_exchange
    monkeypatch.setitem(sys.modules, "ngshare_exchange", module)
    return module


# --- One machine: JupyterHub with nbgrader's folder exchange --------------------------
def test_global_config_names_the_course_and_the_exchange():
    c = load(HUB / "global_nbgrader_config.py")
    assert c.CourseDirectory.course_id == COURSE
    assert c.Exchange.root == "/srv/nbgrader/exchange"
    assert c.Exchange.path_includes_course is True
    assert c.Exchange.timezone == "UTC"


def test_grader_config_takes_the_gradebook_from_the_environment():
    url = "postgresql://grader:secret@db.example.org/deepfake_ethics"
    c = load(HUB / "grader_nbgrader_config.py", DEEPFAKE_ETHICS_DB_URL=url,
             DEEPFAKE_ETHICS_COURSE_ROOT=None)
    assert c.CourseDirectory.course_id == COURSE
    assert c.CourseDirectory.root == f"/home/{GRADER}/course"
    assert c.CourseDirectory.db_url == url
    c = load(HUB / "grader_nbgrader_config.py", DEEPFAKE_ETHICS_DB_URL=None)
    assert c.CourseDirectory.db_url == f"sqlite:////home/{GRADER}/course/gradebook.db"


def test_course_config_reads_the_same_variable(tmp_path):
    url = f"sqlite:///{tmp_path / 'elsewhere.db'}"
    c = load(ROOT / "nbgrader_config.py", DEEPFAKE_ETHICS_DB_URL=url)
    assert c.CourseDirectory.course_id == COURSE and c.CourseDirectory.db_url == url
    # The course config checks the URL: one that cannot work stops nbgrader with one line
    # (an exception would make nbgrader drop the whole config and grade without it).
    with pytest.raises(SystemExit, match=r"^error: DEEPFAKE_ETHICS_DB_URL: .*does not exist"):
        load(ROOT / "nbgrader_config.py", DEEPFAKE_ETHICS_DB_URL=f"sqlite:///{tmp_path}/no/x.db")


@pytest.fixture
def hub_config(tmp_path):
    """jupyterhub_config.py loaded beside a class list, as installed in /etc/jupyterhub."""
    shutil.copy(HUB / "jupyterhub_config.py", tmp_path)
    (tmp_path / "instructors.txt").write_text("ada\nbo  # co-grader\n\n")
    (tmp_path / "students.txt").write_text("# term 1\ns001\ns002\n")

    def loader(**env):
        return load(tmp_path / "jupyterhub_config.py", **env)
    return loader


def test_grader_service_runs_the_course_server_as_the_grader(hub_config):
    c = hub_config(DEEPFAKE_ETHICS_DB_URL=None)
    (service,) = [s for s in c.JupyterHub.services if s["name"] != "idle-culler"]
    assert service["name"] == COURSE, "nbgrader's course list finds the formgrader by name"
    assert service["command"] == ["jupyterhub-singleuser"]
    assert service["user"] == GRADER and service["cwd"] == f"/home/{GRADER}"
    assert service["url"].startswith("http://127.0.0.1:")
    assert service["oauth_no_confirm"] is True
    assert "DEEPFAKE_ETHICS_DB_URL" not in service["environment"]
    url = "postgresql://grader:secret@127.0.0.1/deepfake_ethics"
    (service,) = [s for s in hub_config(DEEPFAKE_ETHICS_DB_URL=url).JupyterHub.services
                  if s["name"] != "idle-culler"]
    assert service["environment"]["DEEPFAKE_ETHICS_DB_URL"] == url


def test_idle_servers_are_stopped_after_the_configured_time(hub_config):
    """The idle culler runs as a service with only the scopes it needs (live:
    tests/test_hub_idle.py)."""
    (culler,) = [s for s in hub_config().JupyterHub.services if s["name"] == "idle-culler"]
    assert culler["command"][1:3] == ["-m", "jupyterhub_idle_culler"]
    assert "--timeout=3600" in culler["command"]
    assert "--timeout=900" in [s for s in hub_config(DEEPFAKE_ETHICS_IDLE_TIMEOUT="900")
                               .JupyterHub.services if s["name"] == "idle-culler"][0]["command"]
    (role,) = [r for r in hub_config().JupyterHub.load_roles if r["name"] == "idle-culler"]
    assert role["services"] == ["idle-culler"]
    assert set(role["scopes"]) == {"list:users", "read:users:activity", "read:servers",
                                   "delete:servers"}


def test_hub_groups_and_roles_give_instructors_the_formgrader(hub_config):
    c = hub_config()
    assert c.Authenticator.allowed_users == {"ada", "bo", "s001", "s002"}
    assert c.Authenticator.admin_users == {"ada"}
    groups = c.JupyterHub.load_groups
    assert groups[f"formgrade-{COURSE}"] == {"users": ["ada", "bo"]}
    assert groups[f"nbgrader-{COURSE}"] == {"users": ["ada", "bo", "s001", "s002"]}
    roles = {r["name"]: r for r in c.JupyterHub.load_roles}
    assert roles[f"formgrade-{COURSE}"]["groups"] == [f"formgrade-{COURSE}"]
    assert f"access:services!service={COURSE}" in roles[f"formgrade-{COURSE}"]["scopes"]
    assert f"access:services!service={COURSE}" not in roles[f"nbgrader-{COURSE}"]["scopes"]


def test_hub_without_class_lists_lets_nobody_in(tmp_path):
    shutil.copy(HUB / "jupyterhub_config.py", tmp_path)
    c = load(tmp_path / "jupyterhub_config.py")
    assert c.Authenticator.allowed_users == set()


def test_csp_workaround_frames_only_the_grader_itself():
    c = load(HUB / "grader_jupyter_server_config.py")
    csp = c.ServerApp.tornado_settings["headers"]["Content-Security-Policy"]
    assert csp == "frame-ancestors 'self'"


# --- Kubernetes: Zero to JupyterHub with ngshare --------------------------------------
def test_kubernetes_config_uses_the_ngshare_exchange(ngshare_exchange):
    # What the file decides: ngshare's URL (default and from the environment) and the
    # course settings. What configureExchange then does is ngshare_exchange's own, run for
    # real by tests/browser/test_hub_ngshare.py.
    c = load(K8S / "nbgrader_config.py", NGSHARE_URL=None)
    assert ngshare_exchange.calls == [DEFAULT_NGSHARE]
    assert c.CourseDirectory.course_id == COURSE
    assert c.Exchange.path_includes_course is True
    load(K8S / "nbgrader_config.py", NGSHARE_URL="http://ngshare.other:8080/services/ngshare")
    assert ngshare_exchange.calls[-1] == "http://ngshare.other:8080/services/ngshare"


def test_values_mount_the_global_nbgrader_config_in_every_user_pod():
    singleuser = values()["singleuser"]
    mounted = {f["mountPath"]: f for f in singleuser["extraFiles"].values()}
    config = mounted["/etc/jupyter/nbgrader_config.py"]
    assert config["stringData"] == (K8S / "nbgrader_config.py").read_text(encoding="utf-8"), \
        "values.yaml carries an exact copy of deploy/kubernetes/nbgrader_config.py"
    assert singleuser["extraEnv"]["NGSHARE_URL"] == DEFAULT_NGSHARE
    assert singleuser["image"]["name"] and singleuser["image"]["tag"]


def test_values_register_ngshare_as_a_hub_service():
    hub = values()["hub"]
    ngshare = hub["services"]["ngshare"]
    assert ngshare["url"] == DEFAULT_NGSHARE.removesuffix("/services/ngshare")
    assert "apiToken" not in ngshare, "the token is given at install time, never committed"
    roles = hub["loadRoles"]
    for role in ("user", "server"):
        assert "access:services!service=ngshare" in roles[role]["scopes"]
    grader = roles[f"formgrade-{COURSE}"]
    assert f"access:servers!user={GRADER}" in grader["scopes"]
    assert grader["groups"] == [f"formgrade-{COURSE}"]
    assert set(hub["config"]["JupyterHub"]["load_groups"]) == {f"formgrade-{COURSE}"}
    assert GRADER in hub["config"]["Authenticator"]["allowed_users"]


def test_only_the_grader_server_gets_the_gradebook_url(monkeypatch):
    hub = values()["hub"]
    source = hub["extraEnv"]["DEEPFAKE_ETHICS_DB_URL"]
    assert source["valueFrom"]["secretKeyRef"]["key"] == "db-url", "from a Secret"
    c = Config()
    for name, snippet in hub["extraConfig"].items():
        exec(compile(snippet, name, "exec"), {"c": c})
    hook = c.KubeSpawner.pre_spawn_hook
    monkeypatch.setenv("DEEPFAKE_ETHICS_DB_URL", "postgresql://grader:pw@postgres/df")

    def spawner(name):
        return types.SimpleNamespace(user=types.SimpleNamespace(name=name), environment={},
                                     extra_container_config={})

    grader, student = spawner(GRADER), spawner("s001")
    hook(grader)
    hook(student)
    assert grader.environment == {"DEEPFAKE_ETHICS_DB_URL": "postgresql://grader:pw@postgres/df",
                                  "DEEPFAKE_ETHICS_COURSE_ROOT": "/home/jovyan/course"}
    assert student.environment == {}
    # Only the grader's pod may create the user namespaces of the grading sandbox.
    assert grader.extra_container_config["securityContext"]["seccompProfile"] == {
        "type": "Unconfined"}
    assert student.extra_container_config == {}
    # The grader's nbgrader config reads both variables.
    c = load(HUB / "grader_nbgrader_config.py", **grader.environment)
    assert c.CourseDirectory.root == "/home/jovyan/course"
    assert c.CourseDirectory.db_url == "postgresql://grader:pw@postgres/df"


def test_ngshare_values():
    v = yaml.safe_load((K8S / "ngshare-values.yaml").read_text(encoding="utf-8"))
    assert v["ngshare"]["admins"], "someone must be able to create the course"
    assert not v["ngshare"].get("hub_api_token"), "the token is given at install time"
    assert v["ngshare"]["debug"] is False
    assert v["deployment"]["port"] == 8080 and ":8080/" in DEFAULT_NGSHARE


def test_dockerfile_installs_the_exchange_and_hides_grading_tools_from_students():
    text = (K8S / "Dockerfile").read_text(encoding="utf-8")
    assert '--no-deps "ngshare-exchange==' in text
    # The student's JupyterLab of jupyter/student/, at the level below ~/.jupyter.
    assert "COPY jupyter/student/ /etc/jupyter/" in text
    assert "--sys-prefix" not in text.replace("(--sys-prefix)", "")
    student = ROOT / "jupyter" / "student"
    page = json.loads((student / "labconfig" / "page_config.d" /
                       "deepfake-ethics-student.json").read_text())["disabledExtensions"]
    assert page["@jupyter/nbgrader:formgrader"] and page["@jupyter/nbgrader:create-assignment"]
    server = json.loads((student / "jupyter_server_config.d" /
                         "deepfake-ethics-student.json").read_text())
    assert server["ServerApp"]["jpserver_extensions"][
        "nbgrader.server_extensions.formgrader"] is False
    assert "bubblewrap" in text, "the grader's server grades in a sandbox"
    copied = [line for line in text.splitlines() if line.startswith("COPY")]
    assert copied and not any("source" in line.split() for line in copied), \
        "the solutions (source/) never go into the image students run"


def test_user_image_never_holds_the_answers():
    """The user image is the students' too: it gets the package and nothing else, never
    source/ (model answers, keys, marking schemes), a gradebook or student work."""
    allowed = {"pyproject.toml", "README.md", "LICENSE", "LICENSE-CONTENT.md", "src",
               "jupyter/student", "constraints/2026-12.txt"}  # the term's exact versions
    copies = [line.split()[1:] for line in (K8S / "Dockerfile").read_text().splitlines()
              if line.startswith(("COPY", "ADD"))]
    assert copies, "the Dockerfile copies the package"
    for args in copies:
        sources = [a.rstrip("/") for a in args[:-1] if not a.startswith("--")]
        assert set(sources) <= allowed, sources
    rules = [line.strip() for line in (K8S / "Dockerfile.dockerignore").read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    assert rules[0] == "*", "the build context starts empty"
    assert {r[1:] for r in rules if r.startswith("!")} == allowed
    assert not list((ROOT / "src").rglob("*.ipynb")), "no notebook of source/ in the package"
    for config in (HUB / "global_nbgrader_config.py", K8S / "nbgrader_config.py"):
        assert "source" not in config.read_text(), config


def test_deployment_guide_covers_every_file():
    guide = (ROOT / "docs" / "deployment.md").read_text(encoding="utf-8")
    for path in sorted(p for p in DEPLOY.rglob("*")
                       if p.is_file() and "__pycache__" not in p.parts):  # not shipped
        assert str(path.relative_to(ROOT)) in guide, f"docs/deployment.md: {path.name}"
    for term in ("path_includes_course", "DEEPFAKE_ETHICS_DB_URL", "#1870",
                 "frame-ancestors", "configureExchange", "ngshare"):
        assert term in guide, term


def test_a_class_logging_in_at_once_is_waited_for(hub_config):
    """With JupyterHub's 30-second default, every server of 30 students starting at once
    on 2 cores failed (benchmarks/bench_class_login.py): the hub waits longer."""
    c = hub_config()
    assert c.Spawner.http_timeout >= 120 and c.Spawner.start_timeout >= 120
