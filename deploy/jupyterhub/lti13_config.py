"""Log in from the LMS (Canvas, Moodle, ...) through LTI 1.3, with JupyterHub's own
ltiauthenticator (``pip install jupyterhub-ltiauthenticator`` beside JupyterHub).

jupyterhub_config.py calls :func:`configure` when the hub's environment names the LMS
(``DEEPFAKE_ETHICS_LTI_ISSUER``; the other settings are listed in ``SETTINGS``). Then:

* the LMS, not a password, says who logs in: ltiauthenticator checks the launch (the
  signature against the LMS's published keys, the audience, the time, the nonce and state
  it set itself), and this hub also refuses a launch whose nonce it has seen before;
* the person's name on the hub, their Unix account and their nbgrader student id are their
  LMS login name (``deepfake_ethics.lms``), sent by the tool's custom parameter
  ``username=$User.username``; a login that cannot be such a name is refused with the reason;
* a new person gets a Unix account at the first launch (LocalAuthenticator's
  ``create_system_users``, ``useradd`` with a private home), so that their server runs as
  themselves and nbgrader's folder exchange can tell students apart;
* everyone is in the course group; an Instructor of the LMS course (or a teaching
  assistant) is also in the formgrade group and lands in the grader service (the
  formgrader), a student in their own JupyterLab.
"""

from __future__ import annotations

import os
import pwd
import time
from typing import Any

from jupyterhub.auth import LocalAuthenticator
from jupyterhub.utils import url_path_join
from ltiauthenticator.lti13.auth import LTI13Authenticator
from ltiauthenticator.lti13.error import LoginError
from ltiauthenticator.lti13.handlers import LTI13CallbackHandler
from traitlets import Set, Unicode

from deepfake_ethics.lms import NotACourseName, is_instructor, launch_name

# Environment variable -> LTI13Authenticator setting (all four are given by the LMS when
# the tool is registered: docs/deployment.md, "Log in from Canvas or Moodle").
SETTINGS = {
    "DEEPFAKE_ETHICS_LTI_ISSUER": "issuer",  # the platform's issuer (iss claim)
    "DEEPFAKE_ETHICS_LTI_CLIENT_ID": "client_id",  # the tool's client id in the LMS
    "DEEPFAKE_ETHICS_LTI_AUTHORIZE_URL": "authorize_url",  # the platform's OIDC auth URL
    "DEEPFAKE_ETHICS_LTI_JWKS_URL": "jwks_endpoint",  # the platform's public keys
}
DEPLOYMENT_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/deployment_id"
ADD_USER = ["useradd", "--create-home", "--key", "HOME_MODE=0700", "--shell", "/bin/bash"]
FIRST_PERSON_UID = 1000  # accounts below are the system's own (root, daemons): never a login


class CourseCallbackHandler(LTI13CallbackHandler):
    """The launch's last step: an instructor goes on to the grader service."""

    def get_next_url(self, user: Any = None) -> str:
        auth = self.authenticator
        if user is not None and auth.formgrade_group in {g.name for g in user.groups}:
            return url_path_join(self.base_url, "services", auth.course_id, "/")
        return super().get_next_url(user)


class CourseLTI13Authenticator(LocalAuthenticator, LTI13Authenticator):
    """ltiauthenticator's LTI 1.3 login, with the course's names, groups and accounts."""

    callback_handler = CourseCallbackHandler
    course_id = Unicode(help="The course id (the grader service's name)").tag(config=True)
    formgrade_group = Unicode(help="The group of those who grade").tag(config=True)
    course_group = Unicode(help="The group of everyone in the course").tag(config=True)
    deployment_ids = Set(Unicode(), help="The tool's deployments (installations) in the LMS "
                         "whose launches are taken; empty: any").tag(config=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._nonces: dict[str, float] = {}  # nonce -> when its id_token expires

    def refuse_replay(self, claims: dict[str, Any]) -> None:
        """A launch's id_token is used once: its nonce is kept until the token expires."""
        now = time.time()
        self._nonces = {n: exp for n, exp in self._nonces.items() if exp > now}
        nonce = claims.get("nonce")
        if not nonce or nonce in self._nonces:
            raise LoginError("this launch was used before: start it again from the LMS")
        self._nonces[nonce] = float(claims.get("exp") or now + 3600)

    async def authenticate(self, handler: Any, data: dict[str, Any] | None = None) -> dict:
        claims = data or {}
        self.refuse_replay(claims)
        deployment = claims.get(DEPLOYMENT_CLAIM)
        if self.deployment_ids and deployment not in self.deployment_ids:
            raise LoginError(f"this launch comes from another installation of the tool in "
                             f"the LMS (deployment {deployment!r})")
        try:
            name = launch_name(claims)
        except NotACourseName as error:
            raise LoginError(str(error)) from None
        if system_account(name):
            raise LoginError(f"the LMS login {name!r} is a system account of this server")
        groups = [self.course_group]
        if is_instructor(claims):
            groups.append(self.formgrade_group)
        self.log.info("LTI launch: %s as %s", name, "instructor" if len(groups) > 1
                      else "student")
        return {"name": name, "groups": groups, "auth_state": claims}


def system_account(name: str) -> bool:
    """Whether ``name`` is an account of the system itself (root, a daemon)."""
    try:
        return pwd.getpwnam(name).pw_uid < FIRST_PERSON_UID
    except KeyError:
        return False


def configure(c: Any, course_id: str, formgrade_group: str, course_group: str,
              grader: str) -> None:
    """Make ``c`` (the hub's config) log people in from the LMS."""
    missing = [name for name in SETTINGS if not os.environ.get(name)]
    if missing:
        raise SystemExit(f"LTI 1.3 login: {', '.join(missing)} not set in the hub's "
                         "environment (see docs/deployment.md)")
    c.JupyterHub.authenticator_class = CourseLTI13Authenticator  # instead of passwords
    # The names of jupyterhub_config.py: the grader service, and the groups nbgrader reads.
    c.CourseLTI13Authenticator.course_id = course_id
    c.CourseLTI13Authenticator.formgrade_group = formgrade_group
    c.CourseLTI13Authenticator.course_group = course_group
    # Nobody logs in as the grader account, whatever the LMS calls them.
    c.Authenticator.blocked_users = {grader}
    for variable, setting in SETTINGS.items():  # the LMS's issuer, client id and URLs
        value = os.environ[variable]
        setattr(c.LTI13Authenticator, setting, [value] if setting == "client_id" else value)
    # The claim ltiauthenticator's own get_username would read: the one lms.py reads.
    c.LTI13Authenticator.username_key = "custom_username"
    # Whoever the LMS launches may enter: the LMS decides who is in the course; with
    # DEEPFAKE_ETHICS_LTI_DEPLOYMENT_ID, only from these installations of the tool.
    c.Authenticator.allow_all = True
    deployments = os.environ.get("DEEPFAKE_ETHICS_LTI_DEPLOYMENT_ID", "")
    c.CourseLTI13Authenticator.deployment_ids = {d.strip() for d in deployments.split(",")
                                                 if d.strip()}
    # Groups come from each launch's roles (the authenticator manages them), so the class
    # lists' groups are not loaded; the roles of jupyterhub_config.py still name them.
    c.Authenticator.manage_groups = True
    c.JupyterHub.load_groups = {}
    # A Unix account for each new person, at their first launch (useradd, private home).
    c.LocalAuthenticator.create_system_users = True
    c.LocalAuthenticator.add_user_cmd = ADD_USER
