"""Closures through the API: the public list of the authority's acts (never who declared one,
only which office), and declaring and lifting them with an administrator's officer token."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agora.accounts.tokens import create_token
from agora.audit.models import AuditEvent
from agora.notices import authority, services
from agora.notices.workflow import Status
from agora.venues.models import Closure
from tests.conftest import ALMATY, file

API = "/api/v1"
DAY = dt.date(2026, 12, 10)  # nine days after the pinned today: beyond the 72 hours' notice


def on(hour: int, day: dt.date = DAY) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), ALMATY)


def bearer(token):
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def post(client, path, data, token, **headers):
    return client.post(
        API + path, json.dumps(data), content_type="application/json", **bearer(token), **headers
    )


@pytest.fixture
def admin(dana):
    dana.first_name, dana.last_name = "Dana", "Zhaksylykova"
    dana.save()
    dana.officer.administers = True
    dana.officer.save()
    return dana


@pytest.fixture
def admin_token(admin):
    return create_token(admin, "office")[1]


def declare(admin, venue, start=None, end=None, **extra):
    return authority.declare_closure(
        admin,
        venue,
        ground=extra.pop("ground", "state_event"),
        reason=extra.pop("reason", "Official ceremony."),
        starts_at=start or on(13),
        ends_at=end or on(19),
        **extra,
    )


def body(venue, **changes):
    return {
        "venue": venue.pk,
        "ground": "state_event",
        "reason": "Official ceremony.",
        "starts_at": on(13).isoformat(),
        "ends_at": on(19).isoformat(),
        **changes,
    }


# --- the public list ----------------------------------------------------------------------


def test_the_public_list_shows_the_act_and_the_office_never_the_officer(client, square, admin):
    zone = square.zones.order_by("pk").first()
    closure = declare(admin, square, zone=zone, kind="state_event")
    legacy = Closure.objects.create(  # entered around the service: not a declared act, not listed
        venue=square, kind="other", reason="Old entry", starts_at=on(8), ends_at=on(9)
    )

    response = client.get(f"{API}/closures", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200, response.content
    [row] = response.json()["items"]
    assert row["id"] == closure.pk and legacy.pk != row["id"]
    assert row["venue"] == square.pk and row["venue_name"] == "Republic Square"
    assert row["zone"] == zone.pk and row["zone_name"] == zone.name["en"]
    assert row["jurisdiction"] == "almaty" and row["office"] == "Almaty"
    assert row["ground"] == "state_event" and row["kind"] == "state_event"
    assert row["ground_title"] == "An official state event held at the place." and not row["emergency"]
    assert row["reason"] == "Official ceremony."
    assert row["displaced"] == []
    # times in the city's zone, as everywhere in the API
    for field in ("starts_at", "ends_at", "until", "declared_at"):
        assert row[field].endswith("+05:00"), (field, row[field])
    assert dt.datetime.fromisoformat(row["starts_at"]) == on(13)
    declared = dt.datetime.fromisoformat(row["declared_at"])  # JSON keeps milliseconds
    assert abs(declared - closure.declared_at) < dt.timedelta(milliseconds=1)
    assert row["lifted_at"] is None and row["lift_reason"] == ""
    # personal data never: not the officer's name, login, email or id
    text = json.dumps(response.json(), ensure_ascii=False)
    for secret in ("Dana", "Zhaksylykova", "dana@example.org", '"dana"'):
        assert secret not in text
    assert "declared_by" not in row and f"officer:{admin.officer.pk}" not in text
    assert set(row) & {"officer", "user", "declared_by_id"} == set()


def test_the_list_names_the_notices_a_closure_displaced(client, square, admin, bolat, aigerim, gandhi):
    peace = file(bolat, square, on(14), on(18), people=500, purpose="Peace rally")
    services.decide(peace, admin, "accepted", reasoning="Fine.")
    elsewhere = file(aigerim, gandhi, on(14), on(16), people=20)
    services.decide(elsewhere, admin, "accepted", reasoning="Fine.")
    closure = declare(admin, square)
    [row] = client.get(f"{API}/closures").json()["items"]
    assert row["id"] == closure.pk and row["displaced"] == [peace.reference]


def test_the_ground_is_titled_in_the_requests_language(client, square, admin):
    declare(admin, square, ground="maintenance")
    titles = {
        lang: client.get(f"{API}/closures", HTTP_ACCEPT_LANGUAGE=lang).json()["items"][0]
        for lang in ("ru", "kk", "en")
    }
    assert titles["ru"]["ground_title"] == "Ремонтные или технические работы на месте."
    assert titles["kk"]["ground_title"] == "Орындағы жөндеу немесе техникалық жұмыстар."
    assert titles["en"]["ground_title"] == "Repair or maintenance works on the place."
    assert titles["ru"]["office"] == "Алматы"


def test_filters_by_venue_jurisdiction_and_days(client, square, gandhi, admin, yerlan, astana):
    here = declare(admin, square)  # 10 December, 13:00-19:00
    later = declare(admin, gandhi, on(9, DAY + dt.timedelta(days=2)), on(11, DAY + dt.timedelta(days=2)))
    yerlan.officer.administers = True
    yerlan.officer.save()
    from agora.demo import make_venue, names

    plaza = make_venue(astana, "plaza", names("Plaza", "Плаза", "Плаза"), 51.12, 71.43, 40, 50)
    there = declare(yerlan, plaza, on(20, DAY - dt.timedelta(days=1)), on(2))  # 9 Dec 20:00 to 10 Dec 02:00

    def ids(query=""):
        response = client.get(f"{API}/closures{query}")
        assert response.status_code == 200, response.content
        return [c["id"] for c in response.json()["items"]]

    assert ids() == [there.pk, here.pk, later.pk]  # by when they start
    assert ids(f"?venue={gandhi.pk}") == [later.pk]
    assert ids("?jurisdiction=astana") == [there.pk]
    assert ids("?jurisdiction=almaty") == [here.pk, later.pk]
    assert ids("?from=2026-12-10&to=2026-12-10") == [there.pk, here.pk]  # Astana's reaches into the 10th
    assert ids("?from=2026-12-11") == [later.pk]
    assert ids("?to=2026-12-09") == [there.pk]
    assert ids("?from=2026-12-13") == []


def test_bad_filters_are_refused_by_name(client, square, admin):
    assert client.get(f"{API}/closures?venue=424242").json()["error"]["fields"] == {
        "venue": ["unknown venue id"]
    }
    assert client.get(f"{API}/closures?jurisdiction=atlantis").status_code == 404
    backwards = client.get(f"{API}/closures?from=2026-12-10&to=2026-12-01")
    assert backwards.status_code == 422 and "to" in backwards.json()["error"]["fields"]
    assert client.get(f"{API}/closures?from=tomorrow").status_code == 422
    assert client.get(f"{API}/closures?cursor=garbage").status_code == 422
    unknown = client.get(f"{API}/closures?date_from=2026-12-10")
    assert unknown.status_code == 422 and "date_from" in unknown.json()["error"]["fields"]


def test_the_list_pages_by_cursor_in_a_fixed_number_of_queries(client, square, gandhi, admin, bolat):
    for day in range(10, 16):
        start = on(9, dt.date(2026, 12, day))
        peace = file(bolat, gandhi if day % 2 else square, start, start + dt.timedelta(hours=1), people=50)
        services.decide(peace, admin, "accepted", reasoning="Fine.")
        declare(admin, peace.venue, start, start + dt.timedelta(hours=3))
    seen, cursor = [], None
    with CaptureQueriesContext(connection) as queries:
        first = client.get(f"{API}/closures?limit=4").json()
    assert len(first["items"]) == 4 and first["next_cursor"]
    cursor = first["next_cursor"]
    seen = first["items"]
    while cursor:
        page = client.get(f"{API}/closures?limit=4&cursor={cursor}").json()
        seen += page["items"]
        cursor = page["next_cursor"]
    assert [c["id"] for c in seen] == list(
        Closure.objects.order_by("starts_at", "pk").values_list("pk", flat=True)
    )
    assert all(len(c["displaced"]) == 1 for c in seen)
    with CaptureQueriesContext(connection) as more:
        client.get(f"{API}/closures?limit=500")
    assert len(more) == len(queries), "a query per closure crept in"


# --- declaring and lifting --------------------------------------------------------------------


def test_an_administrator_declares_a_closure_and_sees_what_it_displaced(
    client, square, admin, admin_token, bolat
):
    peace = file(bolat, square, on(14), on(18), people=500, purpose="Peace rally")
    services.decide(peace, admin, "accepted", reasoning="Fine.")
    response = post(client, "/office/closures", body(square, kind="state_event"), admin_token)
    assert response.status_code == 201, response.content
    made = response.json()
    closure = Closure.objects.get()
    assert made["id"] == closure.pk and made["displaced"] == [peace.reference]
    assert made["kind"] == "state_event" and made["office"] == "Almaty"
    assert closure.declared_by == admin and closure.zone is None
    peace.refresh_from_db()
    assert peace.status == Status.UNDER_REVIEW and peace.displaced_by == closure
    assert AuditEvent.objects.filter(event="closure.declared").count() == 1
    assert "Zhaksylykova" not in response.content.decode()


def test_a_zone_closure_names_its_zone_and_a_foreign_zone_is_refused(client, square, gandhi, admin_token):
    zone = square.zones.order_by("pk").first()
    made = post(client, "/office/closures", body(square, zone=zone.pk), admin_token)
    assert made.status_code == 201 and made.json()["zone"] == zone.pk
    foreign = post(client, "/office/closures", body(gandhi, zone=zone.pk), admin_token)
    assert foreign.status_code == 422
    assert foreign.json()["error"]["fields"] == {"zone": ["not a zone of the venue"]}
    assert Closure.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "status", "field", "says"),
    [
        ({"ground": "dislike"}, 400, "ground", "Choose a closure ground from the rulebook"),
        ({"reason": "   "}, 400, "reason", "Give the reasons"),
        ({"reason": ""}, 422, "reason", "at least 1"),
        ({"reason": "x" * 501}, 422, "reason", "at most 500"),
        ({"starts_at": "2026-11-30T10:00:00+05:00"}, 400, "starts_at", "cannot be backdated"),
        (
            {"starts_at": "2026-12-02T09:00:00+05:00", "ends_at": "2026-12-02T12:00:00+05:00"},
            400,
            "starts_at",
            "72 hours ahead",
        ),
        ({"ends_at": "2026-12-10T12:00:00+05:00"}, 422, "request", "ends_at must be after starts_at"),
        ({"starts_at": "2026-12-10T13:00:00"}, 422, "starts_at", "UTC offset"),
        ({"kind": "whim"}, 422, "kind", "maintenance"),
    ],
)
def test_a_closure_the_rules_refuse_is_refused_by_field(
    client, square, admin_token, changes, status, field, says
):
    response = post(client, "/office/closures", body(square, **changes), admin_token)
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert says in " ".join(error["fields"][field]), error
    assert not Closure.objects.exists() and not AuditEvent.objects.filter(event="closure.declared").exists()


def test_an_emergency_needs_no_notice(client, square, admin_token):
    soon = dt.datetime.now(ALMATY) + dt.timedelta(hours=1)
    data = body(
        square,
        ground="emergency",
        starts_at=soon.isoformat(),
        ends_at=(soon + dt.timedelta(hours=2)).isoformat(),
    )
    made = post(client, "/office/closures", data, admin_token)
    assert made.status_code == 201, made.content
    assert made.json()["emergency"] is True


def test_an_officer_who_does_not_administer_may_not_declare_or_lift(client, square, dana, admin, bolat):
    closure = declare(admin, square)
    dana.officer.administers = False
    dana.officer.save()
    token = create_token(dana, "office")[1]
    refused = post(client, "/office/closures", body(square), token)
    assert refused.status_code == 403
    assert refused.json()["error"]["message"] == "Only an administrator of this jurisdiction may do this."
    lift = post(client, f"/office/closures/{closure.pk}/lift", {"reason": "No."}, token)
    assert lift.status_code == 403
    assert Closure.objects.count() == 1 and Closure.objects.get().lifted_at is None
    organizer = post(client, "/office/closures", body(square), create_token(bolat, "b")[1])
    assert organizer.status_code == 403


def test_another_jurisdictions_place_or_closure_is_not_found(client, square, admin, yerlan):
    closure = declare(admin, square)
    yerlan.officer.administers = True
    yerlan.officer.save()
    token = create_token(yerlan, "astana")[1]
    assert post(client, "/office/closures", body(square), token).status_code == 404
    assert (
        post(client, f"/office/closures/{closure.pk}/lift", {"reason": "Mine now."}, token).status_code == 404
    )
    assert Closure.objects.count() == 1 and Closure.objects.get().lifted_at is None


def test_lifting_opens_the_place_and_is_public(client, square, admin, admin_token, pinned_clock):
    closure = declare(admin, square)
    response = post(
        client, f"/office/closures/{closure.pk}/lift", {"reason": "The ceremony was cancelled."}, admin_token
    )
    assert response.status_code == 200, response.content
    lifted = response.json()
    assert lifted["lifted_at"].endswith("+05:00") and lifted["lift_reason"] == "The ceremony was cancelled."
    assert lifted["until"] == lifted["lifted_at"]  # lifted before it began: it never closed the place
    [public] = client.get(f"{API}/closures").json()["items"]
    assert (
        public["lift_reason"] == "The ceremony was cancelled." and public["lifted_at"] == lifted["lifted_at"]
    )
    again = post(client, f"/office/closures/{closure.pk}/lift", {"reason": "Again."}, admin_token)
    assert again.status_code == 400 and "over already" in again.json()["error"]["message"]
    empty = post(client, f"/office/closures/{closure.pk}/lift", {"reason": ""}, admin_token)
    assert empty.status_code == 422 and "reason" in empty.json()["error"]["fields"]
    assert post(client, "/office/closures/424242/lift", {"reason": "x"}, admin_token).status_code == 404
