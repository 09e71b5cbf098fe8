"""A march through three agencies and the officer's decision, through the API alone."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from agora.accounts.models import AgencyStaff
from agora.accounts.tokens import create_token
from agora.rules.models import Agency
from tests.conftest import future

AGENCIES = {"police": "Police", "traffic": "Traffic police", "emergency": "Emergency services"}


@pytest.fixture
def staff_tokens(almaty):
    tokens = {}
    for code, name in AGENCIES.items():
        agency = Agency.objects.create(jurisdiction=almaty, code=code, name={"en": name})
        user = get_user_model().objects.create_user(f"{code}-1", f"{code}@example.org", "pw-for-tests-1")
        AgencyStaff.objects.create(user=user, agency=agency)
        tokens[code] = create_token(user, "desk")[1]
    return tokens


def call(client, method, path, token=None, body=None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    if method == "get":
        return client.get("/api/v1" + path, **headers)
    return client.post("/api/v1" + path, body or {}, content_type="application/json", **headers)


def test_a_march_through_three_agencies_and_the_decision(client, square, aigerim, dana, staff_tokens):
    organizer, officer = create_token(aigerim, "app")[1], create_token(dana, "desk")[1]
    filed = call(
        client,
        "post",
        "/notices",
        organizer,
        {
            "assembly_type": "march",
            "purpose": "For clean air",
            "venue": square.pk,
            "starts_at": future(days=21, hour=11).isoformat(),
            "ends_at": future(days=21, hour=13).isoformat(),
            "expected_participants": 800,
            "stewards": 10,
        },
    )
    assert filed.status_code == 201, filed.content
    notice = filed.json()
    # the organizer sees whom the authority consults and by when, not yet their answers
    assert {c["agency"] for c in notice["consulting"]} == set(AGENCIES) and notice["consultations"] == []

    tasks = {}
    for code, token in staff_tokens.items():
        queue = call(client, "get", "/agency/consultations", token).json()
        assert [t["notice"] for t in queue] == [notice["reference"]]  # only their own
        (task,) = queue
        assert task["agency"] == code and task["state"] == "pending" and task["expected_participants"] == 800
        assert "organizer" not in task and task["purpose"] == "For clean air"
        tasks[code] = task

    review = call(client, "get", f"/office/notices/{notice['id']}", officer).json()
    assert {c["agency"]: c["state"] for c in review["consultations"]} == dict.fromkeys(AGENCIES, "pending")
    early = call(client, "post", f"/office/notices/{notice['id']}/decision", officer, {"outcome": "accepted"})
    assert early.status_code == 400 and "Still waiting for" in " ".join(
        early.json()["error"]["fields"]["consultation_note"]
    )

    bad = call(
        client,
        "post",
        f"/agency/consultations/{tasks['traffic']['id']}/answer",
        staff_tokens["traffic"],
        {"outcome": "consent_with_conditions", "conditions": ["no_such_thing"]},
    )
    assert bad.status_code == 400 and "no_such_thing" in " ".join(bad.json()["error"]["fields"]["conditions"])
    foreign = call(
        client,
        "post",
        f"/agency/consultations/{tasks['traffic']['id']}/answer",
        staff_tokens["police"],
        {"outcome": "consent"},
    )
    assert foreign.status_code == 404

    answers = {
        "police": {"outcome": "consent"},
        "traffic": {
            "outcome": "consent_with_conditions",
            "conditions": ["route_as_agreed", "traffic_marshals"],
            "conditions_text": "Close Abay Avenue from 10:30.",
        },
        "emergency": {"outcome": "consent_with_conditions", "conditions": ["medical_post"]},
    }
    for code, answer in answers.items():
        done = call(
            client, "post", f"/agency/consultations/{tasks[code]['id']}/answer", staff_tokens[code], answer
        )
        assert done.status_code == 200, done.content
        assert done.json()["state"] in ("consented", "consented_with_conditions")
    assert call(client, "get", "/agency/consultations", staff_tokens["traffic"]).json() == []

    decided = call(
        client,
        "post",
        f"/office/notices/{notice['id']}/decision",
        officer,
        {"outcome": "accepted_with_conditions", "conditions": "As the agencies set."},
    )
    assert decided.status_code == 200, decided.content
    decision = decided.json()
    assert decision["consultation_note"] == ""
    public = call(client, "get", f"/decisions/{decision['reference']}").json()
    shown = {c["agency"]: c for c in public["consultations"]}
    assert shown["traffic"]["conditions"] == ["route_as_agreed", "traffic_marshals"]
    assert shown["traffic"]["conditions_text"] == "Close Abay Avenue from 10:30."
    assert "answered_by" not in shown["traffic"]
    own = call(client, "get", f"/notices/{notice['id']}", organizer).json()
    assert own["consulting"] == [] and {c["agency"]: c["state"] for c in own["consultations"]} == {
        "police": "consented",
        "traffic": "consented_with_conditions",
        "emergency": "consented_with_conditions",
    }
