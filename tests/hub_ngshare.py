"""The exchange of the Kubernetes deployment, ngshare, on the live hub of one machine.

deploy/kubernetes/values.yaml cannot run here as it is (it needs a cluster and
KubeSpawner), so its hub settings are applied to the one-server hub of
deploy/jupyterhub/ by ``ngshare_config()``, read from the file itself: ngshare as a hub
service (started by the hub here, installed by its own chart there), the roles of
``hub.loadRoles``, the grader as a JupyterHub user whose server the instructors start and
open, ``NGSHARE_URL`` for every server, and the grader's ``pre_spawn_hook`` of
``hub.extraConfig`` (run as written; only the course directory's path differs). Every
server reads deploy/kubernetes/nbgrader_config.py as its /etc/jupyter/nbgrader_config.py.

ngshare (PyPI) listens on every interface when it runs as a hub service; here it is kept on
127.0.0.1 by wrapping its ``main`` (``ON_LOOPBACK``): nothing else of it changes.
"""

from __future__ import annotations

import json

import yaml
from conftest import ROOT
from hub_env import ngshare_venv
from hub_server import GRADER, HubSite

K8S = ROOT / "deploy" / "kubernetes"
NGSHARE_CONFIG = K8S / "nbgrader_config.py"  # /etc/jupyter/nbgrader_config.py in every pod
ON_LOOPBACK = (
    "import sys\n"
    "import tornado.httpserver as h\n"
    "listen = h.HTTPServer.listen\n"
    "h.HTTPServer.listen = lambda self, port, address=None, **kw: "
    "listen(self, port, '127.0.0.1', **kw)\n"
    "from ngshare.ngshare import main\n"
    "main(sys.argv[1:])\n")

CONFIG = """
# --- deploy/kubernetes/values.yaml on one machine (tests/hub_ngshare.py) ---------------
import json as _json

VALUES = _json.loads({values!r})  # the file's `hub` section
c.JupyterHub.services = [_s for _s in c.JupyterHub.services  # Z2JH runs its own culler
                         if _s["name"] == "idle-culler"] + [{{  # hub.services.ngshare;
    "name": "ngshare",                                       # the hub starts it here
    "url": "http://127.0.0.1:{ngshare_port}",
    "command": {command!r},
}}]
c.Authenticator.allowed_users = set(c.Authenticator.allowed_users) | {{{grader!r}}}
_roles = {{role["name"]: role for role in c.JupyterHub.load_roles}}
for _name, _role in VALUES["loadRoles"].items():
    _roles[_name] = {{"name": _name, **_role}}
c.JupyterHub.load_roles = list(_roles.values())
c.Spawner.environment["NGSHARE_URL"] = {ngshare_url!r}  # singleuser.extraEnv
exec(VALUES["extraConfig"]["deepfake-ethics-grader.py"])  # c.KubeSpawner.pre_spawn_hook
_hook = c.KubeSpawner.pre_spawn_hook


def _pre_spawn_hook(spawner):
    _hook(spawner)
    if "DEEPFAKE_ETHICS_COURSE_ROOT" in spawner.environment:  # /home/jovyan/course there
        spawner.environment["DEEPFAKE_ETHICS_COURSE_ROOT"] = {course!r}


c.Spawner.pre_spawn_hook = _pre_spawn_hook
"""


def values() -> dict:
    return yaml.safe_load((K8S / "values.yaml").read_text(encoding="utf-8"))


def ngshare_config(site: HubSite, admin: str, port: int) -> str:
    """The hub config that adds values.yaml's settings (see the module's docstring)."""
    state = site.base / "ngshare"
    (state / "files").mkdir(parents=True, exist_ok=True)
    state.chmod(0o700)  # ngshare runs as root here, as its own account in its pod
    command = [str(ngshare_venv() / "bin" / "python"), "-c", ON_LOOPBACK, "--admins", admin,
               "--database", f"sqlite:///{state}/ngshare.db", "--storage", f"{state}/files/"]
    return CONFIG.format(values=json.dumps(values()["hub"]), ngshare_port=port,
                         command=command, grader=GRADER, course=str(site.course),
                         ngshare_url=ngshare_url(port))


def ngshare_url(port: int) -> str:
    return f"http://127.0.0.1:{port}/services/ngshare"
