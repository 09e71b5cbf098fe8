"""Limits that hold with many workers, as in production: gunicorn with three worker
processes (AGORA_PRODUCTION=1, so REDIS_URL is required) sharing one Redis. Each limit is
tried through real HTTP, one request after another or all at once, so requests land on
different workers; a per-process cache would let each worker count on its own (measured
without Redis: 360 of 500 calls through a limit of 120, 15 sign-in attempts instead of 5, a
TOTP code accepted twice). The background queue is Redis too: a filing's email is sent by a
consumer in another process."""

from __future__ import annotations

import base64
import concurrent.futures
import http.cookiejar
import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from agora.benchmarks import redisserver
from agora.benchmarks.server import Server
from agora.demo import DEMO_PASSWORD
from agora.notices.signing import DEMO_P12, DEMO_PASSPHRASE, demo_ca

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not redisserver.available(), reason="needs Redis (or redis-server, or root with apt-get)"
    ),
]

ANONYMOUS_LIMIT = 20


def agora(env: dict, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "agora.cli", *args], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    return done.stdout


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The demo city behind gunicorn (3 workers) on one Redis, and the environment to run
    more processes (a queue consumer) against the same."""
    where = tmp_path_factory.mktemp("workers")
    # each pytest-xdist worker its own Redis database: this module's tests may run on two
    # workers at once, and one's fixture empties its database (a used TOTP code's marker went)
    worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
    with redisserver.redis_url(db=13 - worker % 4) as redis:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "agora.settings",
            "DATABASE_URL": f"sqlite:///{where / 'agora.sqlite3'}",
            "AGORA_PRODUCTION": "1",
            "SECRET_KEY": "a-secret-key-for-the-multi-worker-tests-only-0123456789",
            "REDIS_URL": redis,
            "ALLOWED_HOSTS": "127.0.0.1",
            "DEBUG": "0",
            "HUEY_IMMEDIATE": "0",
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(where / "mail"),
            "AGORA_API_RATE_ANONYMOUS": f"{ANONYMOUS_LIMIT}/h",
            # production keys, as an authority configures them (docs/signing.md)
            "AGORA_LOG_KEY": base64.b64encode(bytes(range(32))).decode(),
            "AGORA_SIGNER_PKCS12": str(demo_ca(where / "keys").parent / DEMO_P12),
            "AGORA_SIGNER_PASSPHRASE": DEMO_PASSPHRASE.decode(),
        }
        env.pop("PYTEST_ADDOPTS", None)
        agora(env, "migrate", "--noinput", "--verbosity", "0")
        agora(env, "load-demo")
        server = Server(env["DATABASE_URL"], workers=3, log_path=str(where / "server.log"), env=env)
        with server:
            yield {"url": server.url, "env": env, "mail": where / "mail"}


class Browser:
    """One visitor with their own cookies, speaking plain HTTP to the server."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect()
        )

    def get(self, path: str):
        return self._open(urllib.request.Request(self.base + path))  # noqa: S310 (our own http URL)

    def post(self, path: str, fields: dict):
        page = self.get(path)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert token, f"no CSRF token on {path}"
        body = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": token.group(1)}).encode()
        headers = {"Referer": self.base + path}
        request = urllib.request.Request(self.base + path, data=body, headers=headers)  # noqa: S310
        return self._open(request)

    def _open(self, request):
        try:
            response = self.opener.open(request, timeout=30)
        except urllib.error.HTTPError as error:
            response = error
        response.text = response.read().decode()
        return response


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect is an answer to look at


def sign_in(site, username: str, password: str = DEMO_PASSWORD) -> tuple[Browser, object]:
    browser = Browser(site["url"])
    return browser, browser.post("/accounts/login/", {"login": username, "password": password})


def test_the_anonymous_api_limit_holds_across_workers(site):
    if time.time() % 3600 > 3600 - 30:  # the hour's window turns soon: start in the next one
        time.sleep(3600 - time.time() % 3600 + 1)

    def call(_):
        try:
            with urllib.request.urlopen(site["url"] + "/api/v1/venues", timeout=30) as response:  # noqa: S310
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    with concurrent.futures.ThreadPoolExecutor(24) as pool:
        answers = list(pool.map(call, range(3 * ANONYMOUS_LIMIT)))
    assert answers.count(200) == ANONYMOUS_LIMIT
    assert answers.count(429) == 2 * ANONYMOUS_LIMIT


def test_the_sign_in_limit_holds_across_workers(site):
    """The rulebook of sign-in: 5 failed attempts per account in 5 minutes (settings)."""
    said = []
    for _ in range(8):
        _, response = sign_in(site, "aigerim", "not-her-password")
        said.append("Too many failed login attempts" in response.text)
    assert said == [False] * 5 + [True] * 3


def test_a_totp_code_is_accepted_once_whatever_the_worker(site):
    code = agora(site["env"], "demo-totp", "dana").strip()  # the server's clock, not the pinned one
    first, response = sign_in(site, "dana")
    assert response.status == 302 and "/2fa/authenticate" in response.headers["Location"]
    assert first.post("/accounts/2fa/authenticate/", {"code": code}).status == 302  # signed in
    assert first.get("/office/").status == 200
    for _ in range(4):  # the same code again, in new sessions (so, other workers)
        other, _ = sign_in(site, "dana")
        again = other.post("/accounts/2fa/authenticate/", {"code": code})
        assert again.status == 200 and "Incorrect code" in again.text
        assert other.get("/office/").status == 302  # not signed in


def test_a_filings_email_is_sent_by_a_consumer_in_another_process(site):
    made = agora(
        site["env"],
        "shell",
        "-c",
        "import json; from django.contrib.auth import get_user_model; "
        "from agora.accounts.tokens import create_token; from agora.venues.models import Venue; "
        "user = get_user_model().objects.get(username='aigerim'); "
        "_, token = create_token(user, 'queue test'); "
        "print(json.dumps({'token': token, 'venue': Venue.objects.get(slug='republic-square').pk}))",
    )
    facts = json.loads(made.strip().splitlines()[-1])
    starts = time.strftime("%Y-%m-%dT11:00:00+05:00", time.gmtime(time.time() + 20 * 86400))
    body = {
        "assembly_type": "rally",
        "purpose": "Queue test",
        "venue": facts["venue"],
        "starts_at": starts,
        "ends_at": starts.replace("T11:", "T12:"),
        "expected_participants": 50,
    }
    request = urllib.request.Request(  # noqa: S310 (our own http URL)
        site["url"] + "/api/v1/notices",
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {facts['token']}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        reference = json.loads(response.read())["reference"]
    mail = site["mail"]
    assert not mail.exists() or not any(
        reference in f.read_text() for f in mail.iterdir()
    )  # queued, not sent
    consumer = subprocess.Popen(
        [sys.executable, "-m", "agora.cli", "run_huey", "--quiet"],
        env=site["env"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if mail.exists() and any(reference in f.read_text() for f in mail.iterdir()):
                break
            time.sleep(0.3)
        else:
            pytest.fail(f"no email about {reference} within 60 s")
    finally:
        consumer.terminate()
        consumer.wait(timeout=20)
