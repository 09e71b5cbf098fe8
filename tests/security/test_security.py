"""Attacks, each through the public interfaces: CSRF on every form, XSS in every free-text
field (pages, letters, feeds, exports, API), SQL injection in every filter, path traversal
and IDOR on object URLs, login rate limiting, cookie flags, security headers, and
`check --deploy` under production settings."""

import csv
import io
import json
import os
import subprocess
import sys

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from pypdf import PdfReader

from agora.notices import services
from agora.notices.models import Notice
from tests.conftest import (
    PASSWORD,
    body,
    file_rally,
    future,
    offer_its_own_time_back,
    refuse_with_alternative,
    sign_in_with_totp,
)

XSS = "<script>alert(1)</script>\"'><img src=x onerror=alert(2)>"
SQLI = [
    "' OR '1'='1",
    "1; DROP TABLE notices_notice; --",
    "%' UNION SELECT password FROM auth_user --",
    "\\'",
]


# --- CSRF -------------------------------------------------------------------------------------


def _routes(resolver=None, prefix=""):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            yield from _routes(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern)


def _concrete(route: str) -> str:
    for token, value in (("<int:pk>", "1"), ("<str:reference>", "X"), ("<int:", "1"), ("<str:", "x")):
        while token in route:
            start = route.index(token)
            route = route[:start] + value + route[route.index(">", start) + 1 :]
    return "/" + route.lstrip("^").rstrip("$").replace("\\Z", "")


def test_every_page_refuses_a_post_without_a_csrf_token(db, aigerim):
    """Every URL outside the token-authenticated API and the admin's own: a POST with no
    CSRF token is refused before any view runs, whoever is signed in."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(aigerim)
    checked = 0
    for route in sorted(set(_routes())):
        if route.startswith(("api/", "admin/", "healthz", "static/")) or "(?P" in route or "<path" in route:
            continue
        response = client.post(_concrete(route), {"name": "x", "purpose": "x"})
        assert response.status_code == 403, (route, response.status_code)
        checked += 1
    assert checked > 30  # the organizer, officer, public and account pages


# --- XSS --------------------------------------------------------------------------------------


@pytest.fixture
def hostile(client, square, gandhi, aigerim, bolat, dana):
    """Every free-text field an organizer or officer can write, filled with markup."""
    organizer = aigerim.organizer
    organizer.full_name = XSS
    organizer.save()
    bolat.organizer.organization_name = XSS
    bolat.organizer.save()
    notice = file_rally(aigerim, square, 10, purpose=XSS, equipment=XSS)
    decision = services.decide(notice, dana, "accepted_with_conditions", reasoning=XSS, conditions=XSS)
    refused = file_rally(bolat, square, 12, purpose=XSS)
    services.decide(
        refused,
        dana,
        "refused",
        grounds=["public_order_threat"],
        reasoning=XSS,
        alternative={"venue": gandhi.pk, "starts_at": future(hour=16), "ends_at": future(hour=17)},
    )
    services.appeal(refused, bolat, text=XSS)
    withdrawn = file_rally(aigerim, square, 15, purpose=XSS)
    services.withdraw(withdrawn, aigerim, reason=XSS)
    return {"notice": notice, "decision": decision, "refused": refused, "square": square}


def _assert_escaped(body: str, where: str):
    assert "<script>alert(1)" not in body, where
    assert "<img src=x" not in body, where


def test_markup_in_free_text_is_escaped_in_every_page(client, hostile, aigerim, dana):
    public = [
        "/",
        "/register/",
        f"/places/{hostile['square'].pk}/",
        f"/decisions/{hostile['decision'].reference}/",
        "/statistics/",
        "/audit/",
    ]
    for url in public:
        response = client.get(url)
        assert response.status_code == 200, url
        _assert_escaped(response.content.decode(), url)
    client.force_login(aigerim)
    for url in ["/notices/", f"/notices/{hostile['notice'].pk}/"]:
        _assert_escaped(client.get(url).content.decode(), url)
    client.logout()
    sign_in_with_totp(client, dana)
    for url in [
        "/office/",
        f"/office/notices/{hostile['refused'].pk}/",
        f"/office/notices/{hostile['notice'].pk}/",
    ]:
        body = client.get(url).content.decode()
        _assert_escaped(body, url)
        if "/notices/" in url:
            assert "&lt;script&gt;" in body, url  # shown, as text


def _csv(client) -> list[list[str]]:
    body = b"".join(client.get("/register.csv").streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


def test_markup_stays_text_in_feeds_and_exports(client, hostile):
    atom = client.get("/decisions.atom").content.decode()
    _assert_escaped(atom, "atom")
    ical = client.get(f"/places/{hostile['square'].pk}/calendar.ics")
    assert ical["Content-Type"].startswith("text/calendar")  # never rendered as HTML
    assert ical["X-Content-Type-Options"] == "nosniff"
    rows = _csv(client)
    assert any(XSS in cell for row in rows for cell in row)  # kept verbatim, as data
    data = client.get("/register.json")
    assert data["Content-Type"].startswith("application/json")
    assert XSS in [row["purpose"] for row in json.loads(body(data))["notices"]]
    api = client.get("/api/v1/register")
    assert api["Content-Type"].startswith("application/json") and api["X-Content-Type-Options"] == "nosniff"


def test_a_csv_export_cannot_smuggle_a_spreadsheet_formula(client, square, aigerim):
    file_rally(aigerim, square, 10, purpose='=HYPERLINK("http://evil.example","x")')
    rows = _csv(client)
    cells = [cell for row in rows[1:] for cell in row]
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells if cell), cells
    assert """'=HYPERLINK("http://evil.example","x")""" in cells  # still there, as text


def test_markup_is_printed_as_text_in_the_pdf_letter(client, hostile, aigerim):
    client.force_login(aigerim)
    pdf = client.get(f"/letters/{hostile['decision'].reference}.pdf").content
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "<script>alert(1)</script>" in text.replace("\n", "")  # rendered as text, not as HTML


# --- SQL injection ----------------------------------------------------------------------------


@pytest.mark.parametrize("attack", SQLI)
@pytest.mark.parametrize("field", ["venue", "type", "outcome", "ground", "date_from", "date_to", "q"])
def test_injection_strings_in_register_filters_find_nothing_and_break_nothing(
    client, square, aigerim, field, attack
):
    file_rally(aigerim, square, 10)
    for url in ("/register/", "/register.json", "/register.csv", "/api/v1/register"):
        response = client.get(url, {field: attack})
        assert response.status_code in (200, 400, 404, 422), (url, response.status_code)
        if url == "/register.json" and response.status_code == 200:
            assert json.loads(body(response))["notices"] == []  # "OR 1=1" did not widen the filter
    assert Notice.objects.count() == 1


def test_injection_strings_in_the_api_body_are_just_text(client, square, aigerim):
    from agora.accounts.tokens import create_token

    token = create_token(aigerim, "t")[1]
    body = {
        "assembly_type": "rally",
        "purpose": SQLI[1],
        "venue": square.pk,
        "starts_at": future(hour=10).isoformat(),
        "ends_at": future(hour=11).isoformat(),
        "expected_participants": 5,
    }
    response = client.post(
        "/api/v1/notices",
        json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 201
    assert Notice.objects.get().purpose == SQLI[1]


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("get", "/letters/ALA-2026-000001-D1%00.pdf", None),
        ("get", "/decisions/X%00/", None),
        ("get", "/register/?q=a%00b", None),
        ("get", "/api/v1/register?type=a%00", None),
        ("get", "/api/v1/decisions/X%00", None),
        ("post", "/api/v1/notices/precheck", '{"purpose": "a\\u0000b"}'),
    ],
)
def test_a_nul_character_anywhere_is_a_clear_400(client, aigerim, method, url, body):
    """PostgreSQL text cannot hold NUL; it used to reach a query and fail there (a 500)."""
    client.force_login(aigerim)
    response = getattr(client, method)(url, body, content_type="application/json")
    assert response.status_code == 400
    assert "NUL character" in response.content.decode()


# --- path traversal and IDOR ------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/letters/..%2F..%2F..%2Fetc%2Fpasswd.pdf",
        "/letters/../../settings.py",
        "/letters/%2e%2e%2f%2e%2e%2fagora%2fsettings.py.pdf",
        "/letters/....//....//etc/passwd.pdf",
        "/letters/ALA-2026-000001-D1%00.pdf",
    ],
)
def test_letter_downloads_do_not_traverse_paths(client, aigerim, path):
    client.force_login(aigerim)
    response = client.get(path)
    assert response.status_code in (400, 404)
    assert b"root:" not in response.content and b"SECRET_KEY" not in response.content


def test_no_object_url_opens_someone_elses_object(client, square, gandhi, aigerim, bolat, dana, yerlan):
    mine = file_rally(aigerim, square, 10)
    decision = services.decide(mine, dana, "accepted")
    refused = file_rally(aigerim, square, 12)
    refuse_with_alternative(refused, dana, gandhi)
    offer = offer_its_own_time_back(refused)
    client.force_login(bolat)  # another organizer
    for method, url in [
        ("get", f"/notices/{mine.pk}/"),
        ("post", f"/notices/{mine.pk}/withdraw/"),
        ("post", f"/notices/{refused.pk}/alternative/"),
        ("post", f"/notices/{refused.pk}/appeal/"),
        ("post", f"/offers/{offer.pk}/"),
        ("get", f"/letters/{decision.reference}.pdf"),
    ]:
        assert getattr(client, method)(url, {"answer": "accept", "text": "x"}).status_code in (403, 404), url
    client.logout()
    sign_in_with_totp(client, yerlan)  # an officer of another city
    for method, url in [
        ("get", f"/office/notices/{mine.pk}/"),
        ("post", f"/office/notices/{refused.pk}/"),
        ("post", f"/office/notices/{mine.pk}/attendance/"),
        ("get", f"/letters/{decision.reference}.pdf"),
    ]:
        assert getattr(client, method)(url, {"action": "check_in", "outcome": "accepted"}).status_code in (
            403,
            404,
        ), url
    mine.refresh_from_db()
    refused.refresh_from_db()
    assert (mine.status, refused.status) == ("accepted", "refused")


# --- sign-in, cookies, headers, deploy checks --------------------------------------------------


def test_repeated_failed_sign_ins_are_rate_limited(client, aigerim):
    for _ in range(5):
        client.post("/accounts/login/", {"login": "aigerim", "password": "wrong-password"})
    # the limit holds even for the right password now
    response = client.post("/accounts/login/", {"login": "aigerim", "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert "Too many failed login attempts" in response.content.decode()


def test_the_session_cookie_is_httponly_and_samesite(client, aigerim):
    response = client.post("/accounts/login/", {"login": "aigerim", "password": PASSWORD})
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"


def test_pages_send_the_security_headers(client, db):
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    for directive in (
        "default-src 'self'",
        "script-src 'self'",
        "frame-ancestors 'none'",
        "object-src 'none'",
    ):
        assert directive in policy
    assert "unsafe-inline" not in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response  # not over plain HTTP


PRODUCTION = {
    "AGORA_PRODUCTION": "1",
    "HTTPS": "1",
    "DEBUG": "0",
    "SECRET_KEY": "k" * 20 + "Zx9-q7#pL2vB8nR4sT6wY1uE3oI5aD0fG",
    "ALLOWED_HOSTS": "agora.example.org",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
}


def test_production_settings_pass_check_deploy_and_set_secure_cookies_and_hsts():
    env = {**os.environ, **PRODUCTION, "DJANGO_SETTINGS_MODULE": "agora.settings"}
    env.pop("DATABASE_URL", None)
    check = subprocess.run(
        [sys.executable, "-m", "agora.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert "no issues" in check.stdout
    probe = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, s.DEBUG]))"
    )
    shown = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
    assert json.loads(shown.stdout) == [True, True, 31536000, False]


def test_hsts_is_sent_over_https_in_production(client, db, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    response = Client().get("/", secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


def test_production_refuses_to_start_without_a_secret_key():
    env = {**os.environ, **PRODUCTION, "DJANGO_SETTINGS_MODULE": "agora.settings"}
    env.pop("SECRET_KEY")
    done = subprocess.run(
        [sys.executable, "-m", "agora.cli", "check"], env=env, capture_output=True, text=True
    )
    assert done.returncode != 0 and "SECRET_KEY must be set" in done.stderr


def test_production_refuses_to_start_without_redis_and_says_why():
    env = {**os.environ, **PRODUCTION, "DJANGO_SETTINGS_MODULE": "agora.settings"}
    env.pop("REDIS_URL")
    done = subprocess.run(
        [sys.executable, "-m", "agora.cli", "check"], env=env, capture_output=True, text=True
    )
    assert done.returncode != 0 and "REDIS_URL must be set" in done.stderr and "all workers" in done.stderr


def test_database_connections_are_checked_before_reuse(settings):
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True
