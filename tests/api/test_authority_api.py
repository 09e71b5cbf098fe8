"""Venue changes and calendar days through the API: public changes (what, why, when, which
office; never who), made with an administrator's officer token, checked like the pages."""

from __future__ import annotations

import json

import pytest

from agora.accounts.tokens import create_token
from agora.notices import services
from agora.notices.models import Notice
from agora.notices.workflow import Status
from agora.rules.models import CalendarDay
from agora.venues.models import Venue, VenueChange
from tests.api.test_closures import API, on, post
from tests.conftest import file


@pytest.fixture
def admin(dana):
    dana.last_name = "Zhaksylykova"  # must never reach a public answer
    dana.save()
    dana.officer.administers = True
    dana.officer.save()
    return dana


@pytest.fixture
def admin_token(admin):
    return create_token(admin, "office")[1]


def test_a_capacity_cut_through_the_api_displaces_and_is_public_in_words(
    client, square, admin, admin_token, bolat
):
    big = file(bolat, square, on(14), on(16), people=900)
    services.decide(big, admin, "accepted", reasoning="Fine.")
    made = post(
        client,
        f"/office/venues/{square.pk}/changes",
        {"reason": "Fenced.", "capacity_override": 500},
        admin_token,
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["displaced"] == [big.reference] and body["changes"]["capacity_override"] == [None, 500]
    assert Notice.objects.get(pk=big.pk).status == Status.UNDER_REVIEW
    listed = client.get(f"{API}/venues/{square.pk}/changes", HTTP_ACCEPT_LANGUAGE="ru").json()
    [change] = listed
    assert any(line.startswith("Вместимость:") and line.endswith("→ 500") for line in change["described"])
    assert change["office"] and "Zhaksylykova" not in json.dumps(listed) and "dana" not in json.dumps(listed)
    assert change["declared_at"].endswith("+05:00")


def test_only_the_fields_given_change_and_null_clears_one(client, square, admin, admin_token):
    square.capacity_override = 800
    square.save()
    made = post(
        client,
        f"/office/venues/{square.pk}/changes",
        {"reason": "From the area again.", "capacity_override": None},
        admin_token,
    )
    assert made.status_code == 201, made.content
    fresh = Venue.objects.get(pk=square.pk)
    assert fresh.capacity_override is None and fresh.designated  # untouched


def test_bad_venue_changes_are_refused_with_the_field_named_and_nothing_saved(client, square, admin_token):
    cases = [
        ({"reason": "x", "capacity_override": 0}, 422),
        ({"reason": "x", "designated": None}, 422),
        ({"reason": "x", "opens_at": "25:00"}, 422),
        ({"reason": "", "designated": False}, 422),
        ({"reason": "Nothing", "designated": True}, 400),  # nothing changes
        ({"reason": "x", "geometry": {"type": "Point", "coordinates": [1, 2]}}, 400),
        ({"reason": "x", "opens_at": "18:00", "closes_at": "09:00"}, 400),
    ]
    for body, status in cases:
        answer = post(client, f"/office/venues/{square.pk}/changes", body, admin_token)
        assert answer.status_code == status, (body, answer.content)
        assert answer.json()["error"]["message"], body
    assert not VenueChange.objects.exists()


def test_a_calendar_day_through_the_api_moves_deadlines_forward(client, square, admin_token, bolat):
    import datetime as dt

    notice = file(bolat, square, on(14, dt.date(2026, 12, 24)), on(16, dt.date(2026, 12, 24)))
    last_day = (notice.decision_due_at - dt.timedelta(minutes=1)).astimezone(square.jurisdiction.tz).date()
    made = post(
        client,
        "/office/calendar-days",
        {"date": str(last_day), "kind": "holiday", "name": "Bridge day"},
        admin_token,
    )
    assert made.status_code == 201, made.content
    assert made.json()["deadlines_moved"] == [notice.reference]
    assert CalendarDay.objects.get().name == "Bridge day"
    again = post(
        client,
        "/office/calendar-days",
        {"date": str(last_day), "kind": "holiday", "name": "Again"},
        admin_token,
    )
    assert again.status_code == 400 and "already declared" in json.dumps(again.json())
