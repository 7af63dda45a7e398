"""A small LMS for the live LTI 1.3 tests, on 127.0.0.1: its own RSA key pair, a JWKS
endpoint, and the platform's half of an LTI 1.3 resource-link launch.

A launch is what a learner's browser does when they click the tool in Canvas or Moodle
(the OIDC third-party-initiated login of the LTI security framework):

1. the browser posts the login initiation (``iss``, ``login_hint``, ``target_link_uri``,
   ``client_id``) to the tool's login URL; the hub answers with a redirect to the
   platform's authorization URL carrying its ``state`` and ``nonce`` (and cookies);
2. the platform answers that request with a form that posts a signed ``id_token`` (the
   launch's claims, with the hub's nonce) and the ``state`` to the hub's launch URL;
3. the browser posts that form; the hub checks the token and logs the person in.

``Platform`` starts the server (``python lti_platform.py PORT``, with the hub's
environment, which has PyJWT and cryptography through ltiauthenticator) and plays the
browser with a ``requests`` session. A launch can be spoiled on purpose: signed with a key
the JWKS does not hold, addressed to another client, from another deployment of the tool,
or already expired.
"""

from __future__ import annotations

import contextlib
import json
import re
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

CLIENT_ID = "deepfake-ethics-hub"
DEPLOYMENT_ID = "1:course-101"
KID = "platform-key-1"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
FORM_FIELD = re.compile(r'<input type="hidden" name="(\w+)" value="([^"]*)"')
FORM_ACTION = re.compile(r'<form method="post" action="([^"]+)"')


@dataclass
class Launch:
    """One launch as the browser made it: the form it posted to the hub's launch URL, the
    cookies it sent with it, and the hub's answer."""

    url: str
    form: dict[str, str]
    cookies: dict[str, str]
    response: object  # requests.Response


@dataclass
class Platform:
    """The simulated LMS, run from ``venv``'s Python (it signs with PyJWT)."""

    venv: Path
    log_path: Path
    port: int = 0
    proc: subprocess.Popen | None = None
    launches: list[Launch] = field(default_factory=list)

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def hub_env(self) -> dict[str, str]:
        """What the hub's environment names (docs/deployment.md): the LMS's settings."""
        return {"DEEPFAKE_ETHICS_LTI_ISSUER": self.issuer,
                "DEEPFAKE_ETHICS_LTI_CLIENT_ID": CLIENT_ID,
                "DEEPFAKE_ETHICS_LTI_AUTHORIZE_URL": f"{self.issuer}/authorize",
                "DEEPFAKE_ETHICS_LTI_JWKS_URL": f"{self.issuer}/jwks"}

    def start(self) -> Platform:
        from processes import free_port, wait_until_answering

        self.port = free_port()
        with self.log_path.open("w") as log:
            self.proc = subprocess.Popen(
                [str(self.venv / "bin" / "python"), __file__, str(self.port)],
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True)
        wait_until_answering(self.proc, f"{self.issuer}/jwks", 60,
                             lambda: self.log_path.read_text(), check=json.loads)
        return self

    def stop(self) -> None:
        from processes import stop_process_group

        if self.proc is not None:
            stop_process_group(self.proc, grace=5)
            self.proc = None

    def launch(self, session, hub_url: str, login: str | None, roles: list[str],
               **spoil: object) -> Launch:
        """Launch the tool as ``login`` (the custom parameter username) with ``roles``;
        ``spoil`` may set ``aud``, ``deployment_id``, ``rogue_key=True`` or
        ``expired=True``. Returns the
        hub's answer to the launch itself (redirects not followed)."""
        custom = {"username": login} if login is not None else {}
        request = urllib.request.Request(
            f"{self.issuer}/launches", method="POST",
            data=json.dumps({"custom": custom, "roles": roles, "spoil": spoil}).encode())
        with urllib.request.urlopen(request, timeout=10) as answer:
            login_hint = json.loads(answer.read())["login_hint"]
        init = session.post(f"{hub_url}/hub/lti13/oauth_login", allow_redirects=False,
                            data={"iss": self.issuer, "login_hint": login_hint,
                                  "target_link_uri": f"{hub_url}/hub",
                                  "client_id": CLIENT_ID,
                                  "lti_deployment_id": DEPLOYMENT_ID}, timeout=30)
        assert init.status_code == 302, (init.status_code, init.text[:2000])
        page = session.get(init.headers["Location"], timeout=30)  # the platform's form
        assert page.status_code == 200, page.text[:2000]
        url = FORM_ACTION.search(page.text).group(1)
        form = dict(FORM_FIELD.findall(page.text))
        cookies = session.cookies.get_dict()
        response = session.post(url, data=form, allow_redirects=False, timeout=60)
        launch = Launch(url, form, cookies, response)
        self.launches.append(launch)
        return launch

    def __enter__(self) -> Platform:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


# --- The platform's server (run with the hub's Python) ---------------------------------

def serve(port: int) -> None:  # pragma: no cover - runs in its own process
    import secrets
    import uuid
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from urllib.parse import parse_qs, urlparse

    import jwt
    from cryptography.hazmat.primitives.asymmetric import rsa

    issuer = f"http://127.0.0.1:{port}"
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    rogue = rsa.generate_private_key(public_exponent=65537, key_size=2048)  # not published
    jwk = {**jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key(), as_dict=True),
           "kid": KID, "alg": "RS256", "use": "sig"}
    pending: dict[str, dict] = {}  # login_hint -> the launch the test asked for

    def id_token(launch: dict, nonce: str) -> str:
        spoil = launch["spoil"]
        now = int(time.time()) - (600 if spoil.get("expired") else 0)
        login = launch["custom"].get("username") or "anonymous"
        claims = {
            "iss": issuer, "aud": spoil.get("aud", CLIENT_ID), "azp": CLIENT_ID,
            "sub": f"lms-user-{login}", "iat": now, "exp": now + 300, "nonce": nonce,
            "name": login.title(), "email": f"{login}@example.edu",
            "https://purl.imsglobal.org/spec/lti/claim/version": "1.3.0",
            "https://purl.imsglobal.org/spec/lti/claim/message_type": "LtiResourceLinkRequest",
            "https://purl.imsglobal.org/spec/lti/claim/deployment_id":
                spoil.get("deployment_id", DEPLOYMENT_ID),
            "https://purl.imsglobal.org/spec/lti/claim/target_link_uri": launch["target"],
            "https://purl.imsglobal.org/spec/lti/claim/resource_link": {"id": "deepfakes-1"},
            "https://purl.imsglobal.org/spec/lti/claim/roles": launch["roles"],
            "https://purl.imsglobal.org/spec/lti/claim/context": {
                "id": "course-101", "label": "DFE101", "title": "The Ethics of Deepfakes"},
            "https://purl.imsglobal.org/spec/lti/claim/custom": launch["custom"],
        }
        signer = rogue if spoil.get("rogue_key") else key
        return jwt.encode(claims, signer, algorithm="RS256", headers={"kid": KID})

    class Handler(BaseHTTPRequestHandler):
        def answer(self, status: int, body: str, kind: str = "application/json") -> None:
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            url = urlparse(self.path)
            if url.path == "/jwks":
                return self.answer(200, json.dumps({"keys": [jwk]}))
            if url.path != "/authorize":
                return self.answer(404, "{}")
            args = {k: v[0] for k, v in parse_qs(url.query).items()}
            expected = {"response_type": "id_token", "scope": "openid",
                        "response_mode": "form_post", "prompt": "none",
                        "client_id": CLIENT_ID}
            wrong = [k for k, v in expected.items() if args.get(k) != v]
            launch = pending.pop(args.get("login_hint", ""), None)
            if wrong or launch is None or not args.get("nonce") or not args.get("state"):
                return self.answer(400, json.dumps({"wrong": wrong or ["login_hint"]}))
            launch["target"] = args["redirect_uri"]
            token = id_token(launch, args["nonce"])
            page = (f'<form method="post" action="{args["redirect_uri"]}">'
                    f'<input type="hidden" name="id_token" value="{token}">'
                    f'<input type="hidden" name="state" value="{args["state"]}">'
                    "</form><script>document.forms[0].submit()</script>")
            return self.answer(200, page, "text/html")

        def do_POST(self) -> None:
            if self.path != "/launches":
                return self.answer(404, "{}")
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            hint = uuid.uuid4().hex + secrets.token_hex(4)
            pending[hint] = body
            return self.answer(200, json.dumps({"login_hint": hint}))

    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()


if __name__ == "__main__":  # pragma: no cover
    with contextlib.suppress(KeyboardInterrupt):
        serve(int(sys.argv[1]))
