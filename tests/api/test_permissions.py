"""The API's permission matrix: every endpoint × anonymous, organizer A, organizer B,
officer of the jurisdiction, officer of another jurisdiction, administrator (a superuser's
browser session), and an officer who administers the jurisdiction (its closures)."""

import datetime as dt
from contextlib import nullcontext

import pytest
import time_machine
from django.contrib.auth import get_user_model

from agora.accounts.models import AgencyStaff, Officer
from agora.accounts.tokens import create_token
from agora.notices import authority, services
from agora.notices.papers import issue_letters
from agora.rules.models import Agency
from agora.scheduling.place import Place
from tests.conftest import file, file_rally, future, offer_its_own_time_back, refuse_with_alternative

ROLES = [
    "anonymous",
    "organizer_a",
    "organizer_b",
    "officer",
    "other_officer",
    "admin",
    "office_admin",
    "agency",
    "other_agency",
]


@pytest.fixture
def world(square, gandhi, aigerim, bolat, dana, yerlan):
    pending = file_rally(aigerim, square, 10)
    refused = file_rally(aigerim, square, 12)
    refuse_with_alternative(refused, dana, gandhi, 16)
    offer = offer_its_own_time_back(refused)
    appealed = file_rally(aigerim, square, 16)
    refuse_with_alternative(appealed, dana, gandhi, 18)
    services.appeal(appealed, aigerim, text="The square was free.")
    accepted = file_rally(aigerim, square, 14)
    decision = services.decide(accepted, dana, "accepted")
    issue_letters(accepted.pk)  # as the job queue does once the decision commits
    # the officer asks to move it to the square's other half, at the same time
    [held] = accepted.bookings.all()
    other_half = square.zones.exclude(pk=held.zone_id).first()
    move = services.ask_to_move(
        accepted, dana, Place(square.pk, (other_half.pk,), held.starts_at, held.ends_at), fits=(0, 1)
    )
    admin = get_user_model().objects.create_superuser("root", "root@example.org", "pw-for-tests-1")
    office_admin = get_user_model().objects.create_user("aliya", "aliya@example.org", "pw-for-tests-1")
    Officer.objects.create(user=office_admin, jurisdiction=dana.officer.jurisdiction, administers=True)
    closure = authority.declare_closure(  # a week after the notices, touching none of them
        office_admin,
        square,
        ground="maintenance",
        reason="Paving.",
        starts_at=future(days=21, hour=9),
        ends_at=future(days=21, hour=12),
    )
    staff = {}
    for code in ("police", "traffic"):
        agency = Agency.objects.create(jurisdiction=dana.officer.jurisdiction, code=code, name={"en": code})
        staff[code] = get_user_model().objects.create_user(code, f"{code}@example.org", "pw-for-tests-1")
        AgencyStaff.objects.create(user=staff[code], agency=agency)
    march = file(aigerim, square, future(days=21, hour=11), future(days=21, hour=13), kind="march")
    tokens = {
        "agency": create_token(staff["police"], "P")[1],
        "other_agency": create_token(staff["traffic"], "T")[1],
        "anonymous": None,
        "organizer_a": create_token(aigerim, "A")[1],
        "organizer_b": create_token(bolat, "B")[1],
        "officer": create_token(dana, "D")[1],
        "other_officer": create_token(yerlan, "Y")[1],
        "admin": None,
        "office_admin": create_token(office_admin, "O")[1],
    }
    return {
        "square": square,
        "pending": pending,
        "refused": refused,
        "accepted": accepted,
        "appealed": appealed,
        "decision": decision,
        "offer": offer,
        "move": move,
        "closure": closure,
        "consultation": march.consultations.get(agency__code="police"),
        "tokens": tokens,
        "admin": admin,
    }


def notice_body(w):
    return {
        "assembly_type": "rally",
        "purpose": "API rally",
        "venue": w["square"].pk,
        "starts_at": future(hour=11).isoformat(),
        "ends_at": future(hour=12).isoformat(),
        "expected_participants": 20,
    }


ANY = {r: 200 for r in ROLES}
ORGANIZER_OWN = {
    "anonymous": 401,
    "organizer_a": 200,
    "organizer_b": 404,
    "officer": 403,
    "other_officer": 403,
    "admin": 401,
    "office_admin": 403,
    "agency": 403,
    "other_agency": 403,
}
ORGANIZER_ANY = {**ORGANIZER_OWN, "organizer_b": 200}
OFFICER_HERE = {
    "anonymous": 401,
    "organizer_a": 403,
    "organizer_b": 403,
    "officer": 200,
    "other_officer": 404,
    "admin": 401,
    "office_admin": 200,
    "agency": 403,
    "other_agency": 403,
}
OFFICER_ANY = {**OFFICER_HERE, "other_officer": 200}
# the authority's own acts: only an officer who administers the jurisdiction
ADMINISTRATOR_HERE = {**OFFICER_HERE, "officer": 403}
# a consulted agency's staff: their own consultations only (another agency's: not found)
AGENCY_ANY = {r: 403 for r in ROLES} | {"anonymous": 401, "admin": 401, "agency": 200, "other_agency": 200}
AGENCY_HERE = {**AGENCY_ANY, "other_agency": 404}


def _weekday(day):
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


# operation id (as in the OpenAPI document) -> method, path, body, expected status per role
CASES = {
    "venues": ("get", lambda w: "/venues", None, ANY),
    "availability": (
        "get",
        lambda w: f"/venues/{w['square'].pk}/availability?date={future().date()}",
        None,
        ANY,
    ),
    "register": ("get", lambda w: "/register", None, ANY),
    "decision": ("get", lambda w: f"/decisions/{w['decision'].reference}", None, ANY),
    "deadlines": ("get", lambda w: f"/register/{w['pending'].reference}/deadlines", None, ANY),
    "statistics": ("get", lambda w: "/statistics", None, ANY),
    "closures": ("get", lambda w: f"/closures?venue={w['square'].pk}", None, ANY),
    "audit_digest": ("get", lambda w: "/audit/digest", None, ANY),
    "audit_checkpoint": ("get", lambda w: "/audit/checkpoint", None, ANY),
    "audit_inclusion": ("get", lambda w: "/audit/inclusion?index=0&size=1", None, ANY),
    "audit_consistency": ("get", lambda w: "/audit/consistency?first=1&second=1", None, ANY),
    "decision_letter_proof": ("get", lambda w: f"/decisions/{w['decision'].reference}/proof", None, ANY),
    "receipt": ("get", lambda w: f"/notices/{w['pending'].pk}/receipt", None, ORGANIZER_OWN),
    "receipt_pdf": ("get", lambda w: f"/notices/{w['pending'].pk}/receipt.pdf", None, ORGANIZER_OWN),
    "create_notice": (
        "post",
        lambda w: "/notices",
        notice_body,
        {**ORGANIZER_ANY, "organizer_a": 201, "organizer_b": 201},
    ),
    "precheck": ("post", lambda w: "/notices/precheck", notice_body, ORGANIZER_ANY),
    "my_notices": ("get", lambda w: "/notices", None, ORGANIZER_ANY),
    "my_notice": ("get", lambda w: f"/notices/{w['pending'].pk}", None, ORGANIZER_OWN),
    "withdraw": (
        "post",
        lambda w: f"/notices/{w['pending'].pk}/withdraw",
        lambda w: {"reason": "x"},
        ORGANIZER_OWN,
    ),
    "appeal": (
        "post",
        lambda w: f"/notices/{w['refused'].pk}/appeal",
        lambda w: {"text": "Unfair."},
        ORGANIZER_OWN,
    ),
    "answer_alternative": (
        "post",
        lambda w: f"/notices/{w['refused'].pk}/alternative",
        lambda w: {"answer": "accept"},
        ORGANIZER_OWN,
    ),
    "answer_offer": (
        "post",
        lambda w: f"/offers/{w['offer'].pk}",
        lambda w: {"answer": "decline"},
        ORGANIZER_OWN,
    ),
    "answer_move": (
        "post",
        lambda w: f"/moves/{w['move'].pk}",
        lambda w: {"answer": "decline"},
        ORGANIZER_OWN,
    ),
    "letter": ("get", lambda w: f"/letters/{w['decision'].reference}", None, ORGANIZER_OWN),
    "queue": ("get", lambda w: "/office/queue", None, OFFICER_ANY),
    "decide": (
        "post",
        lambda w: f"/office/notices/{w['pending'].pk}/decision",
        lambda w: {"outcome": "accepted"},
        OFFICER_HERE,
    ),
    "review_notice": ("get", lambda w: f"/office/notices/{w['pending'].pk}", None, OFFICER_HERE),
    "decide_appeal": (
        "post",
        lambda w: f"/office/notices/{w['appealed'].pk}/appeal-decision",
        lambda w: {"grant": False, "reasoning": "The refusal was lawful."},
        OFFICER_HERE,
    ),
    "day_sheet": (
        "get",
        lambda w: f"/office/day?venue={w['square'].pk}&date={future().date()}",
        None,
        OFFICER_HERE,
    ),
    "attendance": (
        "post",
        lambda w: f"/office/notices/{w['accepted'].pk}/attendance",
        lambda w: {"action": "check_in"},
        OFFICER_HERE,
    ),
    "allocation": (
        "post",
        lambda w: "/office/allocation",
        lambda w: {"date": str(future().date())},
        OFFICER_ANY,
    ),
    "ask_to_move": (
        "post",
        lambda w: "/office/allocation/moves",
        lambda w: {"date": str(future().date()), "notice": w["accepted"].reference},
        # an officer of the city reaches the plan, which moves nothing here
        {**OFFICER_HERE, "officer": 422, "office_admin": 422},
    ),
    "declare_closure": (
        "post",
        lambda w: "/office/closures",
        lambda w: {
            "venue": w["square"].pk,
            "ground": "state_event",
            "reason": "Ceremony.",
            "starts_at": future(days=20, hour=9).isoformat(),
            "ends_at": future(days=20, hour=12).isoformat(),
        },
        {**ADMINISTRATOR_HERE, "office_admin": 201},
    ),
    "venue_changes": ("get", lambda w: f"/venues/{w['square'].pk}/changes", None, ANY),
    "change_venue": (
        "post",
        lambda w: f"/office/venues/{w['square'].pk}/changes",
        lambda w: {"reason": "Fenced for repairs.", "capacity_override": 5000},
        {**ADMINISTRATOR_HERE, "office_admin": 201},
    ),
    "declare_calendar_day": (
        "post",
        lambda w: "/office/calendar-days",
        lambda w: {"date": str(_weekday(future(days=20).date())), "kind": "holiday", "name": "Bridge day"},
        {**ADMINISTRATOR_HERE, "office_admin": 201, "other_officer": 403},
    ),
    "agency_queue": ("get", lambda w: "/agency/consultations", None, AGENCY_ANY),
    "agency_consultation": (
        "get",
        lambda w: f"/agency/consultations/{w['consultation'].pk}",
        None,
        AGENCY_HERE,
    ),
    "answer_consultation": (
        "post",
        lambda w: f"/agency/consultations/{w['consultation'].pk}/answer",
        lambda w: {"outcome": "consent"},
        AGENCY_HERE,
    ),
    "lift_closure": (
        "post",
        lambda w: f"/office/closures/{w['closure'].pk}/lift",
        lambda w: {"reason": "Paving postponed."},
        ADMINISTRATOR_HERE,
    ),
}


def test_the_matrix_covers_every_endpoint(client, db):
    document = client.get("/api/v1/openapi.json").json()
    operations = {op["operationId"] for path in document["paths"].values() for op in path.values()}
    assert operations == set(CASES)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("operation", list(CASES))
def test_permission_matrix(client, world, role, operation):
    method, path, body, expected = CASES[operation]
    headers = {}
    if world["tokens"][role]:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {world['tokens'][role]}"
    if role == "admin":
        client.force_login(world["admin"])  # a browser session is no API credential
    url = "/api/v1" + path(world)
    # attendance is recorded on the day: check-in opens shortly before the start
    on_the_day = world["accepted"].starts_at - dt.timedelta(minutes=10)
    with time_machine.travel(on_the_day, tick=False) if operation == "attendance" else nullcontext():
        if method == "get":
            response = client.get(url, **headers)
        else:
            response = client.post(
                url, body(world) if body else {}, content_type="application/json", **headers
            )
    assert response.status_code == expected[role], response.content[:300]
    if response.status_code >= 400:
        assert set(response.json()["error"]) == {"code", "message", "fields"}


def test_the_officer_queue_holds_only_their_jurisdiction(client, world):
    mine = client.get(
        "/api/v1/office/queue", HTTP_AUTHORIZATION=f"Bearer {world['tokens']['officer']}"
    ).json()
    other = client.get(
        "/api/v1/office/queue", HTTP_AUTHORIZATION=f"Bearer {world['tokens']['other_officer']}"
    ).json()
    assert world["pending"].reference in [n["reference"] for n in mine]
    assert other == []
