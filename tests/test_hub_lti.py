"""Logging in from the LMS through LTI 1.3, on the live hub (deploy/jupyterhub/ as shipped,
with lti13_config.py switched on by the LMS's settings in the hub's environment).

A simulated LMS (tests/lti_platform.py: its own RSA keys, a JWKS endpoint, the OIDC login
and a signed resource-link launch) launches the tool against the real hub run by
``hub_classroom``, as a browser would. Only paths, ports and where new accounts' homes go
differ from the shipped files.
"""

from __future__ import annotations

import json
import pwd
import re
import secrets
import shutil
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest
import requests
from hub_class import hub_classroom, server_environ
from hub_env import hub_venv
from hub_server import COURSE_ID, GRADER, HUB_DEPLOY
from lti_platform import CLIENT_ID, DEPLOYMENT_ID, INSTRUCTOR, LEARNER, Platform
from shared_env import _remove_account, is_root, require

pytestmark = pytest.mark.slow
TOKEN = secrets.token_hex(24)
FORMGRADE = f"formgrade-{COURSE_ID}"
COURSE_GROUP = f"nbgrader-{COURSE_ID}"
# A driver service with its own token reads users through the REST API; new accounts get
# their homes in the test's folder (so that a killed run's accounts are found and removed).
EXTRA = """
c.JupyterHub.services.append({{"name": "dfe-test-driver", "api_token": {token!r}}})
c.JupyterHub.load_roles.append({{"name": "dfe-test-driver", "services": ["dfe-test-driver"],
                                 "scopes": ["admin:users", "admin:servers", "list:users"]}})
c.LocalAuthenticator.add_user_cmd = ["useradd", "--create-home", "--base-dir", {homes!r},
                                     "--key", "HOME_MODE=0700", "--shell", "/bin/bash"]
"""
CONFIG_DATA = re.compile(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>',
                         re.S)


def hub_user(url: str, name: str) -> dict | None:
    request = urllib.request.Request(f"{url}/hub/api/users/{name}",
                                     headers={"Authorization": f"token {TOKEN}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as error:
        if error.code == 404:
            return None
        raise


def account(name: str) -> pwd.struct_passwd | None:
    try:
        return pwd.getpwnam(name)
    except KeyError:
        return None


def lab_page(session: requests.Session, url: str, name: str, log) -> str:
    """The user's JupyterLab page, once their server (started at log-in) answers."""
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        page = session.get(f"{url}/user/{name}/lab", timeout=60)
        if page.status_code == 200 and CONFIG_DATA.search(page.text):
            return page.text
        time.sleep(2)
    raise AssertionError(f"{name}'s lab did not open\n{log()[-4000:]}")


def test_lms_launches_log_students_and_instructors_in_and_bad_launches_are_refused():
    require(is_root(), "the live hub creates Unix accounts and runs JupyterHub as root")
    venv = hub_venv()
    base = Path(tempfile.mkdtemp(prefix="dfe-hub-lti-"))
    db_url = f"sqlite:///{base}/home/{GRADER}/course/gradebook.db"
    suffix = secrets.token_hex(2)
    student, teacher = f"dfe-lti-stu-{suffix}", f"dfe-lti-teach-{suffix}"
    refused = {kind: f"dfe-lti-{kind}-{suffix}" for kind in ("forged", "aud", "old", "other")}
    platform = Platform(venv, base / "platform.log")
    try:
        with platform, hub_classroom(
                base, venv, db_url,
                hub_env={**platform.hub_env(), "DEEPFAKE_ETHICS_LTI_DEPLOYMENT_ID": DEPLOYMENT_ID},
                extra_config=lambda site, _: EXTRA.format(token=TOKEN,
                                                          homes=str(site.homes))) as room:
            url, log = room.url, room.hub.log
            # The tool's configuration, which Canvas can read when the tool is registered.
            tool = requests.get(f"{url}/hub/lti13/config", timeout=30).json()
            assert tool["oidc_initiation_url"] == f"{url}/hub/lti13/oauth_login"
            assert tool["target_link_uri"] == url

            # A student: logged in under their LMS login, in the course group only, with a
            # Unix account of their own, sent on to their server: a student's JupyterLab.
            browser = requests.Session()
            launch = platform.launch(browser, url, student.upper(), [LEARNER])
            assert launch.response.status_code == 302, (launch.response.text[:500], log()[-3000:])
            assert launch.response.headers["Location"] == "/hub/spawn"
            browser.get(f"{url}/hub/spawn", timeout=120)  # where the launch sends them
            assert hub_user(url, student)["groups"] == [COURSE_GROUP]
            home = account(student).pw_dir
            assert Path(home).parent == room.site.homes and account(student).pw_uid >= 1000
            assert Path(home).stat().st_mode & 0o777 == 0o700  # private
            config = json.loads(CONFIG_DATA.search(lab_page(browser, url, student, log))
                                .group(1))
            assert "@jupyter/nbgrader:formgrader" in config["disabledExtensions"]
            assert server_environ(student)["HOME"] == home  # the server runs as the student
            refusal = browser.get(f"{url}/services/{COURSE_ID}/formgrader", timeout=60)
            assert refusal.status_code == 403, (refusal.status_code, refusal.url,
                                                refusal.text[:1000], log()[-3000:])

            # The same launch again (its id_token, state and cookies, replayed) is refused.
            replay = requests.post(launch.url, data=launch.form, cookies=launch.cookies,
                                   allow_redirects=False, timeout=60)
            assert replay.status_code == 400 and "used before" in replay.text
            # Sent from another browser (without the state the hub set there), refused too.
            stolen = requests.post(launch.url, data=launch.form, allow_redirects=False,
                                   timeout=60)
            assert stolen.status_code == 400 and "state missing" in stolen.text

            # An instructor: also in the formgrade group, sent on to the grader service.
            teaching = requests.Session()
            launch = platform.launch(teaching, url, teacher, [INSTRUCTOR, LEARNER])
            assert launch.response.status_code == 302, log()[-3000:]
            assert launch.response.headers["Location"] == f"/services/{COURSE_ID}/"
            assert sorted(hub_user(url, teacher)["groups"]) == [FORMGRADE, COURSE_GROUP]
            grader = teaching.get(f"{url}/services/{COURSE_ID}/formgrader", timeout=120)
            assert grader.status_code == 200 and "formgrader" in grader.url, grader.url

            # Refused: a token signed with a key the LMS does not publish, one meant for
            # another tool, one that has expired, one from another installation of the
            # tool (another course); a login that cannot be an account name,
            # a system account, and a launch without a login name.
            spoiled = [(refused["forged"], {"rogue_key": True}, 400, "signature verification"),
                       (refused["aud"], {"aud": "another-tool"}, 401, "audience"),
                       (refused["old"], {"expired": True}, 400, "expired"),
                       (refused["other"], {"deployment_id": "2:another-course"}, 400,
                        "another installation")]
            for name, spoil, status, reason in spoiled:
                answer = platform.launch(requests.Session(), url, name, [LEARNER],
                                         **spoil).response
                assert answer.status_code == status, (spoil, answer.text[:500])
                assert reason.lower() in answer.text.lower(), (spoil, answer.text[:2000])
            for login, reason in [("jane doe", "not a Unix account name"),
                                  ("daemon", "system account"),
                                  (None, "username=$User.username")]:
                answer = platform.launch(requests.Session(), url, login, [LEARNER]).response
                assert answer.status_code == 400 and reason in answer.text, answer.text[:500]
            for name in refused.values():
                assert hub_user(url, name) is None and account(name) is None, name
    finally:
        for name in (student, teacher):
            _remove_account(name)
        shutil.rmtree(base, ignore_errors=True)


LOAD = """
import json, sys
from traitlets.config.loader import PyFileConfigLoader
c = PyFileConfigLoader("jupyterhub_config.py", path=sys.argv[1]).load_config()
auth = c.JupyterHub.authenticator_class
print(json.dumps({"authenticator": auth.__name__, "bases": [b.__name__ for b in auth.__mro__],
                  "lti": dict(c.LTI13Authenticator), "course": dict(c.CourseLTI13Authenticator),
                  "allow_all": c.Authenticator.allow_all,
                  "manage_groups": c.Authenticator.manage_groups,
                  "admin": sorted(c.Authenticator.admin_users),
                  "blocked": sorted(c.Authenticator.blocked_users),
                  "load_groups": c.JupyterHub.load_groups,
                  "create_users": c.LocalAuthenticator.create_system_users}, default=list))
"""


def test_the_shipped_config_with_the_lms_settings_and_without_some_of_them(tmp_path):
    """jupyterhub_config.py as JupyterHub reads it, in the hub's environment: the LMS's
    four settings switch LTI on; one of them missing stops the hub, naming it."""
    venv = hub_venv()
    for shipped in ("jupyterhub_config.py", "lti13_config.py"):
        shutil.copy(HUB_DEPLOY / shipped, tmp_path)
    (tmp_path / "instructors.txt").write_text("lead\nsecond\n")
    platform = Platform(venv, tmp_path / "unused.log", port=8443)
    env = {"PATH": f"{venv}/bin:/usr/bin:/bin", "LANG": "C.UTF-8", **platform.hub_env()}
    done = subprocess.run([str(venv / "bin" / "python"), "-c", LOAD, str(tmp_path)],
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    c = json.loads(done.stdout)
    assert c["authenticator"] == "CourseLTI13Authenticator"
    assert {"LocalAuthenticator", "LTI13Authenticator"} <= set(c["bases"])
    assert c["lti"] == {"issuer": platform.issuer, "client_id": [CLIENT_ID],
                        "authorize_url": f"{platform.issuer}/authorize",
                        "jwks_endpoint": f"{platform.issuer}/jwks",
                        "username_key": "custom_username"}
    assert c["course"] == {"course_id": COURSE_ID, "formgrade_group": FORMGRADE,
                           "course_group": COURSE_GROUP, "deployment_ids": []}
    assert c["allow_all"] is True and c["manage_groups"] is True and c["create_users"] is True
    assert c["load_groups"] == {} and c["admin"] == ["lead"] and c["blocked"] == [GRADER]

    del env["DEEPFAKE_ETHICS_LTI_JWKS_URL"], env["DEEPFAKE_ETHICS_LTI_CLIENT_ID"]
    done = subprocess.run([str(venv / "bin" / "python"), "-c", LOAD, str(tmp_path)],
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert ("LTI 1.3 login: DEEPFAKE_ETHICS_LTI_CLIENT_ID, DEEPFAKE_ETHICS_LTI_JWKS_URL not "
            "set in the hub's environment") in done.stderr
