"""The software of the live JupyterHub tests, installed the way docs/deployment.md says.

One environment (``HUB_VENV``, readable by every account, like the guide's /opt/jupyterhub)
runs JupyterHub, every user's server and the grader service: Debian's Python with the
course package and its PostgreSQL driver, JupyterHub, its idle culler and its LTI
authenticator from PyPI (which brings PyJWT, used by the simulated LMS of
tests/lti_platform.py too), and ngshare_exchange.
ngshare_exchange 0.5.3 declares ``jupyter-core<4.11.2``, which JupyterLab 4 cannot use, so
it is installed with ``--no-deps``, as deploy/kubernetes/Dockerfile does (everything it
imports comes with nbgrader). JupyterHub's proxy, configurable-http-proxy, comes from the
npm registry into ``HUB_VENV/proxy``.

ngshare, the exchange service of the Kubernetes deployment, runs from an environment of
its own (``NGSHARE_VENV``), as it runs in a pod of its own there: ngshare 0.6.0 needs
SQLAlchemy 1.x (with SQLAlchemy 2 it answers a release with success and stores nothing),
while JupyterHub and nbgrader here use SQLAlchemy 2. Both are built once and kept while
the project and these pins are unchanged.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from shared_env import cached_venv, require

HUB_VENV = Path(os.environ.get("DEEPFAKE_ETHICS_HUB_VENV", "/opt/deepfake-ethics-hub-venv"))
JUPYTERHUB = "jupyterhub>=5.2,<7"
IDLE_CULLER = "jupyterhub-idle-culler==2.0.0"  # deploy/jupyterhub/jupyterhub_config.py
LTI_AUTHENTICATOR = "jupyterhub-ltiauthenticator==1.6.3"  # deploy/jupyterhub/lti13_config.py
NGSHARE = ["ngshare==0.6.0", "sqlalchemy>=1.4,<2"]  # see above
NGSHARE_VENV = Path(os.environ.get("DEEPFAKE_ETHICS_NGSHARE_VENV",
                                   "/opt/deepfake-ethics-ngshare-venv"))
NGSHARE_EXCHANGE = "ngshare-exchange==0.5.3"  # as in deploy/kubernetes/Dockerfile
PROXY = "configurable-http-proxy@5"
PIP = ["{venv}/bin/python", "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
INSTALL_HINT = "`apt-get install nodejs npm` (bash .ci/install-server-deps does)"


def hub_venv() -> Path:
    """The hub's environment, built if needed (a few minutes the first time)."""
    require(shutil.which("npm") and shutil.which("node"),
            f"node and npm are missing (configurable-http-proxy is an npm package): "
            f"{INSTALL_HINT}")
    return cached_venv(HUB_VENV, extras="[postgres]", steps=[
        [*PIP, JUPYTERHUB, IDLE_CULLER, LTI_AUTHENTICATOR],
        [*PIP, "--no-deps", NGSHARE_EXCHANGE],
        ["npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix",
         "{venv}/proxy", PROXY],
    ])


def ngshare_venv() -> Path:
    """ngshare's own environment."""
    return cached_venv(NGSHARE_VENV, project=False, steps=[[*PIP, *NGSHARE]])


def proxy_command(venv: Path) -> list[str]:
    return [str(venv / "proxy" / "node_modules" / ".bin" / "configurable-http-proxy")]
