"""The edges issue 14 found by hand, each now a clear 4xx instead of a 500: dates at the ends
of the calendar, UTC offsets no zone has, crafted cursors, NUL in bodies of any type, and a
body too large (in the API's error shape)."""

from __future__ import annotations

import base64
import json

import pytest
from django.test import Client

from agora.accounts.tokens import create_token
from tests.conftest import sign_in_with_totp


@pytest.fixture
def plain():
    """A client that answers like a server does (a 500, not a raised exception)."""
    return Client(raise_request_exception=False)


def cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_dates_at_the_ends_of_the_calendar_are_refused_in_words(plain, square, day):
    for url in (
        f"/places/{square.pk}/?date={day}",
        f"/places/{square.pk}/?date={day}&view=week",
        f"/register/?date_to={day}",
        f"/register/?date_from={day}",
        f"/register.csv?date_to={day}",
        f"/register.json?date_from={day}",
        f"/places/{square.pk}/availability/?date={day}",
        f"/api/v1/venues/{square.pk}/availability?date={day}",
        f"/api/v1/register?date_to={day}",
    ):
        answer = plain.get(url)
        assert answer.status_code < 500, url
    page = plain.get(f"/places/{square.pk}/?date={day}")
    assert page.status_code == 400 and "between the years" in page.content.decode()


def test_the_day_sheet_refuses_a_date_out_of_range(plain, square, dana):
    sign_in_with_totp(plain, dana)
    for day in ("9999-12-31", "0001-01-01"):
        answer = plain.get("/office/day/", {"venue": square.pk, "date": day})
        assert answer.status_code < 500 and "between the years" in answer.content.decode()


def test_a_utc_offset_no_zone_has_is_refused_with_the_field_named(plain, square, aigerim):
    token = create_token(aigerim, "organizer")[1]
    body = {
        "venue": square.pk,
        "assembly_type": "rally",
        "purpose": "Clean air",
        "starts_at": "2026-12-20T10:00:00+23:59",
        "ends_at": "2026-12-20T12:00:00+23:59",
        "expected_participants": 10,
    }
    answer = plain.post(
        "/api/v1/notices/precheck",
        json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert answer.status_code == 422
    assert "real UTC offset" in json.dumps(answer.json()["error"]["fields"])


@pytest.mark.parametrize(
    "crafted",
    [
        "2026-12-01T10:00:00+23:59|5",
        "2026-12-01T10:00:00|5",
        "9999-12-31T23:59:59+14:00|5",
        "2026-12-01T10:00:00+05:00|99999999999999999999",
    ],
)
def test_a_crafted_cursor_starts_from_the_top_or_is_refused(plain, square, crafted):
    assert plain.get("/register/", {"cursor": cursor(crafted)}).status_code == 200
    assert plain.get("/api/v1/register", {"cursor": cursor(crafted)}).status_code in (200, 422)
    assert plain.get("/api/v1/closures", {"cursor": cursor(crafted)}).status_code == 422


@pytest.mark.parametrize("content_type", ["text/plain", "application/json-patch+json", "application/xml"])
def test_a_nul_in_a_body_of_any_type_is_a_clear_400(plain, aigerim, content_type):
    token = create_token(aigerim, "organizer")[1]
    answer = plain.post(
        "/api/v1/notices/precheck",
        '{"purpose": "a\\u0000b"}',
        content_type=content_type,
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert answer.status_code == 400 and "NUL" in answer.json()["error"]["message"]


def test_a_nul_in_a_multipart_form_is_a_clear_400(plain, aigerim):
    token = create_token(aigerim, "organizer")[1]
    answer = plain.post(
        "/api/v1/notices/precheck", {"purpose": "a\x00b"}, HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert answer.status_code == 400 and answer.json()["error"]["code"] == "bad_request"


def test_a_body_too_large_is_refused_in_the_apis_shape(plain, aigerim):
    token = create_token(aigerim, "organizer")[1]
    answer = plain.post(
        "/api/v1/notices/precheck",
        "x" * 5_000_000,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert answer.status_code == 413
    assert (
        answer.json()["error"]["code"] == "payload_too_large"
        and "at most" in answer.json()["error"]["message"]
    )
    page = plain.post("/register/", "x" * 5_000_000, content_type="application/x-www-form-urlencoded")
    assert page.status_code == 413 and "too large" in page.content.decode()


def test_the_atom_feed_carries_user_text_as_text_never_markup(client, square, aigerim, dana):
    from xml.etree import ElementTree

    from agora.notices import services
    from tests.conftest import file_rally

    notice = file_rally(aigerim, square, 10)
    services.decide(notice, dana, "accepted", reasoning="<img src=x onerror=alert(1)> fine")
    root = ElementTree.fromstring(client.get("/decisions.atom").content)  # noqa: S314 (our own feed)
    atom = "{http://www.w3.org/2005/Atom}"
    summaries = root.findall(f"{atom}entry/{atom}summary")
    assert summaries and all(s.get("type") == "text" for s in summaries)
    assert any("<img src=x onerror=alert(1)>" in (s.text or "") for s in summaries)  # as text
    assert not any(list(s) for s in summaries)  # no element inside a summary


def test_every_csv_cell_is_quoted_and_no_piece_of_a_cell_starts_a_formula(client, square, aigerim):
    from tests.conftest import file_rally

    file_rally(aigerim, square, 10, purpose='Clean air; =HYPERLINK("http://evil.example","x"), @SUM(A1)')
    text = b"".join(client.get("/register.csv").streaming_content).decode()
    lines = [line for line in text.splitlines() if line]
    assert all(line.startswith('"') and line.endswith('"') for line in lines), lines[:3]
    for separator in (";", ","):  # as a Russian or an English spreadsheet splits the line
        pieces = [p.strip().strip('"').strip() for line in lines[1:] for p in line.split(separator)]
        assert not any(p.startswith(("=", "+", "-", "@")) for p in pieces if p), separator
    assert """Clean air; '=HYPERLINK(""http://evil.example"",""x""), '@SUM(A1)""" in text


def test_the_secret_of_a_notice_is_never_public(client, square, aigerim):
    from agora.notices import services
    from tests.conftest import file_rally

    notice = file_rally(aigerim, square, 10)
    services.withdraw(notice, aigerim, reason="Event postponed.")
    notice.refresh_from_db()
    other = file_rally(aigerim, square, 12)
    assert len(notice.secret) == 64 and notice.secret != other.secret  # one key per notice
    for url in ("/register/", "/register.json", "/audit/events.jsonl", "/decisions.atom", "/api/v1/register"):
        body = client.get(url)
        text = b"".join(body.streaming_content) if body.streaming else body.content
        assert notice.secret.encode() not in text, url
