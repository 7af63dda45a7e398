"""JupyterHub for a class of "The Ethics of Deepfakes" on one Linux server.

Students and instructors log in with their own accounts; assignments travel through
nbgrader's folder exchange (see global_nbgrader_config.py); the course directory belongs to
the Unix account ``grader-deepfake-ethics``, whose server runs as a JupyterHub service that
every instructor can open (the shared formgrader). docs/deployment.md walks through it.

Install as /etc/jupyterhub/jupyterhub_config.py and run JupyterHub as root (it starts each
server, and the grader service, as their own Unix user). Put the class lists beside it:
``instructors.txt`` and ``students.txt``, one JupyterHub user name per line.
"""

import os
import sys

c = get_config()  # noqa: F821 - provided by traitlets when JupyterHub loads this file

HERE = os.path.dirname(os.path.abspath(__file__))
COURSE_ID = "deepfake-ethics"  # the one course id: nbgrader, exchange, service and groups
GRADER = f"grader-{COURSE_ID}"  # Unix account that owns the course directory
GRADER_HOME = f"/home/{GRADER}"
FORMGRADE_GROUP = f"formgrade-{COURSE_ID}"  # nbgrader expects formgrade-<course>
COURSE_GROUP = f"nbgrader-{COURSE_ID}"  # nbgrader expects nbgrader-<course>


def read_names(filename: str) -> list[str]:
    """User names from a file beside this config, one per line ('#' starts a comment)."""
    path = os.path.join(HERE, filename)
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as fh:
        return [line.split("#")[0].strip() for line in fh if line.split("#")[0].strip()]


INSTRUCTORS = read_names("instructors.txt")  # grade, release, collect
STUDENTS = read_names("students.txt")  # fetch, submit, fetch feedback

# --- Who may log in ---------------------------------------------------------------------
c.Authenticator.allowed_users = set(INSTRUCTORS + STUDENTS)  # nobody else
c.Authenticator.admin_users = set(INSTRUCTORS[:1])  # the lead instructor administers the hub
c.Spawner.default_url = "/lab"  # JupyterLab, with the nbgrader panels
# A class logging in at nine o'clock starts every server at once: on a small machine one
# server can take minutes to answer (benchmarks/bench_class_login.py; JupyterHub's 30 s
# default failed every server of 30 students on 2 cores). Wait for them instead.
c.Spawner.http_timeout = 300  # seconds for a started server to answer
c.Spawner.start_timeout = 300  # seconds for the spawner to start it

# --- Groups and roles (JupyterHub >= 3.2 group format) ----------------------------------
c.JupyterHub.load_groups = {
    FORMGRADE_GROUP: {"users": INSTRUCTORS},  # may open the grader service (formgrader)
    COURSE_GROUP: {"users": INSTRUCTORS + STUDENTS},  # members of the course
}
c.JupyterHub.load_roles = [
    {
        "name": FORMGRADE_GROUP,
        "description": "Open the course's formgrader service",
        "groups": [FORMGRADE_GROUP],
        "scopes": [f"access:services!service={COURSE_ID}", "list:services",
                   f"read:services!service={COURSE_ID}"],
    },
    {
        "name": COURSE_GROUP,
        "description": "See the course in nbgrader's course list",
        "groups": [COURSE_GROUP],
        "scopes": ["list:services", f"read:services!service={COURSE_ID}"],
    },
    {
        # The servers' own tokens act with their owner's permissions, so that nbgrader's
        # course list (Nbgrader -> Courses) can find the formgrader service.
        "name": "server",
        "scopes": ["inherit"],
    },
]

# --- The grader's server as a service ---------------------------------------------------
# Its name must be the course id: nbgrader's course list links the formgrader by it. It is
# reached at /services/deepfake-ethics/ and opens in its own browser tab (see the iframe
# note in docs/deployment.md). The gradebook URL (PostgreSQL for a large class) is passed
# on from the hub's environment, so no password is written in a file.
grader_env = {"JUPYTERHUB_DEFAULT_URL": "/lab"}
if os.environ.get("DEEPFAKE_ETHICS_DB_URL"):
    grader_env["DEEPFAKE_ETHICS_DB_URL"] = os.environ["DEEPFAKE_ETHICS_DB_URL"]
c.JupyterHub.services = [
    {
        "name": COURSE_ID,
        "url": "http://127.0.0.1:9999",  # any free local port
        "command": ["jupyterhub-singleuser"],
        "user": GRADER,  # runs as this Unix user, in its home
        "cwd": GRADER_HOME,
        "environment": grader_env,
        "oauth_no_confirm": True,  # instructors are not asked to confirm each login
    },
]

# --- Idle servers are stopped -----------------------------------------------------------
# A student who closes the laptop leaves a server (and its kernels) running: the idle
# culler (jupyterhub-idle-culler, installed beside JupyterHub) stops every user's server
# nobody has used for IDLE_TIMEOUT seconds; work is saved on disk and the next log-in starts
# a fresh server. The grader service is not a user server and keeps running.
IDLE_TIMEOUT = int(os.environ.get("DEEPFAKE_ETHICS_IDLE_TIMEOUT", "3600"))  # seconds
c.JupyterHub.load_roles.append({
    "name": "idle-culler",
    "description": "Stop user servers nobody has used for a while",
    "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
    "services": ["idle-culler"],
})
c.JupyterHub.services.append({
    "name": "idle-culler",
    "command": [sys.executable, "-m", "jupyterhub_idle_culler", f"--timeout={IDLE_TIMEOUT}",
                f"--cull-every={max(5, min(600, IDLE_TIMEOUT // 2))}"],
})

# --- Memory per user --------------------------------------------------------------------
# Shown to each user by JupyterLab's resource indicator where installed; enforced only by
# spawners that can (systemdspawner, KubeSpawner: deploy/kubernetes/values.yaml), not by the
# default LocalProcessSpawner. docs/deployment.md sizes a machine for a class.
c.Spawner.mem_limit = os.environ.get("DEEPFAKE_ETHICS_MEM_LIMIT", "1G")

# --- Log in from the LMS (LTI 1.3) ------------------------------------------------------
# With the LMS's settings in the hub's environment (DEEPFAKE_ETHICS_LTI_ISSUER and the
# others named in lti13_config.py), people arrive from Canvas or Moodle instead of logging
# in with a password: students in their own JupyterLab, instructors in the grader service.
if os.environ.get("DEEPFAKE_ETHICS_LTI_ISSUER"):
    import importlib.util

    _spec = importlib.util.spec_from_file_location("lti13_config",
                                                   os.path.join(HERE, "lti13_config.py"))
    lti13_config = sys.modules["lti13_config"] = importlib.util.module_from_spec(_spec)
    _spec.loader.exec_module(lti13_config)
    lti13_config.configure(c, COURSE_ID, FORMGRADE_GROUP, COURSE_GROUP, GRADER)
