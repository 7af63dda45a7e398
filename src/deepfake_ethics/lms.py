"""Who a person arriving from the LMS is in the course.

An LTI 1.3 launch (Canvas, Moodle, ...) carries the person's claims, signed by the LMS.
One name serves as the JupyterHub user name, the Unix account that runs the person's
server, and the nbgrader student id: the LMS login name, which the tool's registration
sends as the custom parameter ``username=$User.username`` (the LTI variable for the login
name, which Canvas exports as "SIS Login ID" and Moodle as "Username"). The grade
exports (``nbgrader_plugins/lms_export.py``) map nbgrader ids back to LMS rows through the same
name, so :func:`login_name` is the one place that turns a login into an id.

Roles come from the launch's roles claim: an Instructor of the course (or one of the
Instructor sub-roles, such as a teaching assistant) grades; everyone else is a student.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .nbgrader_plugins.names import problem

CUSTOM_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/custom"
ROLES_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/roles"
USERNAME_PARAMETER = "username"  # custom parameter: username=$User.username
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
INSTRUCTOR_SUB_ROLES = "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#"
# A Unix account name that every Linux tool accepts (Debian's adduser default pattern,
# at most 32 characters); it is then also a safe nbgrader id (nbgrader_plugins/names.py).
UNIX_NAME = re.compile(r"[a-z_][a-z0-9_-]{0,31}")


class NotACourseName(ValueError):
    """The LMS sent no login name, or one that cannot be an account and a student id."""


def login_name(login: str) -> str:
    """The course's name for an LMS login: lower case (JupyterHub's and Unix's
    convention); raises :class:`NotACourseName` saying why it cannot be used."""
    name = login.strip().lower()
    reason = problem(name)
    if reason is None and not UNIX_NAME.fullmatch(name):
        reason = ("is not a Unix account name (a lower-case letter or '_', then letters, "
                  "digits, '-' or '_', at most 32 characters)")
    if reason:
        raise NotACourseName(f"the LMS login {login!r} {reason}")
    return name


def launch_name(claims: Mapping[str, Any]) -> str:
    """The course's name of the person in an LTI launch (its ``username`` custom
    parameter)."""
    login = (claims.get(CUSTOM_CLAIM) or {}).get(USERNAME_PARAMETER)
    if not isinstance(login, str) or not login or login.startswith("$"):
        raise NotACourseName(
            "the launch carries no login name: add the custom parameter "
            f"'{USERNAME_PARAMETER}=$User.username' to the tool in the LMS")
    return login_name(login)


def is_instructor(claims: Mapping[str, Any]) -> bool:
    """Whether the launch's roles make the person an instructor of the course."""
    roles = claims.get(ROLES_CLAIM) or []
    return any(role in (INSTRUCTOR, "Instructor") or role.startswith(INSTRUCTOR_SUB_ROLES)
               for role in roles if isinstance(role, str))
