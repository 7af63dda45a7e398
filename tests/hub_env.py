"""The software of the live JupyterHub tests, installed the way docs/deployment.md says.

One environment (``HUB_VENV``, readable by every account, like the guide's /opt/jupyterhub)
runs JupyterHub, every user's server and the grader service: Debian's Python with the
course package and its PostgreSQL driver, JupyterHub from PyPI, ngshare (the exchange
service of the Kubernetes deployment) and ngshare_exchange. ngshare_exchange 0.5.3 declares
``jupyter-core<4.11.2``, which JupyterLab 4 cannot use, so it is installed with
``--no-deps``, as deploy/kubernetes/Dockerfile does (everything it imports comes with
nbgrader). JupyterHub's proxy, configurable-http-proxy, comes from the npm registry into
``HUB_VENV/proxy``. Built once and kept while the project and these pins are unchanged.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from shared_env import cached_venv, require

HUB_VENV = Path(os.environ.get("DEEPFAKE_ETHICS_HUB_VENV", "/opt/deepfake-ethics-hub-venv"))
JUPYTERHUB = "jupyterhub>=5.2,<7"
NGSHARE = "ngshare==0.6.0"
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
        [*PIP, JUPYTERHUB, NGSHARE],
        [*PIP, "--no-deps", NGSHARE_EXCHANGE],
        ["npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix",
         "{venv}/proxy", PROXY],
    ])


def proxy_command(venv: Path) -> list[str]:
    return [str(venv / "proxy" / "node_modules" / ".bin" / "configurable-http-proxy")]
