"""nbgrader settings for every user pod on Zero to JupyterHub, with the ngshare exchange.

values.yaml mounts this file as /etc/jupyter/nbgrader_config.py (its singleuser.extraFiles
holds a copy: tests/test_deployment_configs.py checks that both are the same). The user
image needs nbgrader and ngshare_exchange installed; see docs/deployment.md.
"""

import os

from ngshare_exchange import configureExchange

c = get_config()  # noqa: F821 - provided by traitlets when nbgrader loads this file

NGSHARE_URL = os.environ.get(  # ngshare's Kubernetes service, in JupyterHub's namespace
    "NGSHARE_URL", "http://ngshare.jhub.svc.cluster.local:8080/services/ngshare")

configureExchange(c, NGSHARE_URL)  # release, fetch, submit, collect through ngshare
c.CourseDirectory.course_id = "deepfake-ethics"  # students need no config of their own
c.Exchange.path_includes_course = True  # fetched work lands in ~/deepfake-ethics/<assignment>
c.Exchange.timezone = "UTC"  # timestamps in one zone, as the gradebook's lateness expects
