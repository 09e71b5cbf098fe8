"""The API's behaviour: filing through it, errors, cursors, ETags, rate limits, tokens."""

import datetime as dt
import json

import pytest
import time_machine

from agora.accounts.models import ApiToken
from agora.accounts.tokens import create_token
from agora.audit.services import verify_chain
from agora.notices import services
from agora.notices.models import Notice
from tests.conftest import file, file_rally, future, refuse_with_alternative, sign_in_with_totp

API = "/api/v1"


def bearer(token):
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.fixture
def organizer_token(aigerim):
    return create_token(aigerim, "test")[1]


@pytest.fixture
def officer_token(dana):
    return create_token(dana, "test")[1]


def body(place, **changes):
    return {
        "assembly_type": "rally",
        "purpose": "Clean air",
        "venue": place.pk,
        "starts_at": future(hour=11).isoformat(),
        "ends_at": future(hour=13).isoformat(),
        "expected_participants": 50,
        **changes,
    }


def post(client, path, data, token):
    return client.post(API + path, json.dumps(data), content_type="application/json", **bearer(token))


# --- filing -------------------------------------------------------------------------------


def test_a_notice_filed_through_the_api_is_in_the_register_and_the_audit_log(client, square, organizer_token):
    response = post(client, "/notices", body(square), organizer_token)
    assert response.status_code == 201, response.content
    filed = response.json()
    assert filed["status"] == "submitted" and filed["reference"]
    register = client.get(API + "/register").json()["items"]
    assert [row["reference"] for row in register] == [filed["reference"]]
    assert "Aigerim" not in json.dumps(register)  # a private person's name is never public
    assert verify_chain().ok


def test_precheck_files_nothing_and_reports_violations(client, square, organizer_token):
    late = body(square, starts_at=future(days=1).isoformat(), ends_at=future(days=1, hour=16).isoformat())
    response = post(client, "/notices/precheck", late, organizer_token)
    assert response.status_code == 200, response.content
    codes = [v["code"] for v in response.json()["violations"]]
    assert codes, "a notice one day ahead breaks the notice period"
    assert Notice.objects.count() == 0


def test_a_draft_is_kept_without_filing(client, square, organizer_token):
    response = post(client, "/notices", body(square, submit=False), organizer_token)
    assert response.status_code == 201
    assert response.json()["status"] == "draft"
    assert client.get(API + "/register").json()["items"] == []


def test_filing_and_accepting_ask_the_database_a_bounded_number_of_questions(
    client, square, organizer_token, officer_token, django_assert_max_num_queries
):
    """Issue 17's write paths: filing within 15 queries (the target), accepting within 27
    (today's count on PostgreSQL, 26 on SQLite: the last is whether requests to move asked
    for that day still have a notice to gain them, issue 21). The status e-mail is the job
    queue's work, not the request's, so it is muted here."""
    from agora.notices import notify

    with notify.muted(), django_assert_max_num_queries(15):
        filed = post(client, "/notices", body(square), organizer_token)
    assert filed.status_code == 201, filed.content
    pk = filed.json()["id"]
    with notify.muted(), django_assert_max_num_queries(27):
        accepted = post(client, f"/office/notices/{pk}/decision", {"outcome": "accepted"}, officer_token)
    assert accepted.status_code == 200, accepted.content
    assert Notice.objects.get(pk=pk).bookings.count() >= 1
    assert verify_chain().ok


# --- errors -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "says"),
    [
        ({"starts_at": "2026-12-07T14:00:00"}, "starts_at", "give the time with its UTC offset"),
        ({"starts_at": "0001-01-01T10:00:00+05:00"}, "starts_at", "between the years 2000 and 2200"),
        ({"starts_at": 0}, "starts_at", "ISO 8601"),
        ({"expected_participants": 0}, "expected_participants", "greater than or equal to 1"),
        ({"expected_participants": "50"}, "expected_participants", "integer"),
        ({"language": "de"}, "language", "'kk', 'ru' or 'en'"),
        ({"purpose": ""}, "purpose", "at least 1"),
        ({"submit": "yes"}, "submit", "boolean"),
    ],
)
def test_an_invalid_field_is_named_with_what_is_wrong(client, square, organizer_token, changes, field, says):
    response = post(client, "/notices", body(square, **changes), organizer_token)
    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert says in " ".join(error["fields"][field]), error
    assert Notice.objects.count() == 0


def test_an_end_before_the_start_is_refused(client, square, organizer_token):
    data = body(square, ends_at=future(hour=10).isoformat())
    error = post(client, "/notices", data, organizer_token).json()["error"]
    assert "ends_at must be after starts_at" in json.dumps(error["fields"])


def test_a_missing_field_and_malformed_json_get_the_one_error_shape(client, organizer_token):
    data = {"purpose": "x"}
    missing = post(client, "/notices", data, organizer_token)
    assert missing.status_code == 422
    assert "venue" in missing.json()["error"]["fields"]
    broken = client.post(
        API + "/notices", "{not json", content_type="application/json", **bearer(organizer_token)
    )
    assert broken.status_code == 400
    assert broken.json()["error"]["message"] == "The body is not valid JSON (or not JSON at all)."


def test_an_unknown_endpoint_or_method_answers_in_the_error_shape_too(client, db):
    missing = client.get(API + "/nothing-here")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"
    wrong = client.delete(API + "/venues")
    assert wrong.status_code == 405 and wrong["Allow"] == "GET"
    assert "does not take that HTTP method" in wrong.json()["error"]["message"]
    assert client.get("/no-such-page").headers["Content-Type"].startswith("text/html")  # pages stay pages


def test_an_unknown_venue_or_a_foreign_zone_is_a_clear_error(client, square, gandhi, organizer_token):
    assert post(client, "/notices", body(square, venue=999999), organizer_token).status_code == 404
    foreign = post(client, "/notices", body(gandhi, zone=square.zones.first().pk), organizer_token)
    assert foreign.status_code == 422
    assert foreign.json()["error"]["fields"] == {"zone": ["not a zone of the venue"]}


def test_a_refusal_without_a_ground_is_refused_by_the_rules(client, square, aigerim, officer_token):
    notice = file_rally(aigerim, square, 11)
    response = post(client, f"/office/notices/{notice.pk}/decision", {"outcome": "refused"}, officer_token)
    assert response.status_code == 400
    assert "ground" in response.json()["error"]["message"].lower()
    notice.refresh_from_db()
    assert notice.status == "submitted"


def test_a_crash_is_a_json_500_without_a_stack_trace(client, db, monkeypatch):
    from agora.register import stats

    def broken():
        raise RuntimeError("secret internals")

    monkeypatch.setattr(stats, "sections", broken)
    client.raise_request_exception = False
    response = client.get(API + "/statistics")
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "server_error"
    assert b"secret internals" not in response.content and b"Traceback" not in response.content


# --- lists: cursors and ETags ---------------------------------------------------------------


def test_my_notices_page_by_a_stable_cursor(client, square, aigerim, organizer_token):
    for hour in range(8, 13):
        file_rally(aigerim, square, hour, purpose=f"at {hour}")
    first = client.get(API + "/notices?limit=2", **bearer(organizer_token)).json()
    # a notice filed between pages does not shift or repeat what the next page shows
    file_rally(aigerim, square, 15, purpose="late")
    seen = [n["purpose"] for n in first["items"]]
    cursor = first["next_cursor"]
    while cursor:
        page = client.get(f"{API}/notices?limit=2&cursor={cursor}", **bearer(organizer_token)).json()
        seen += [n["purpose"] for n in page["items"]]
        cursor = page["next_cursor"]
    assert seen == [f"at {h}" for h in range(12, 7, -1)]


def test_public_lists_answer_304_to_a_known_etag(client, square, gandhi):
    first = client.get(API + "/venues")
    assert first.status_code == 200 and first["ETag"]
    again = client.get(API + "/venues", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again.content == b""
    gandhi.name = {**gandhi.name, "en": "Gandhi Park (north)"}
    gandhi.save()
    changed = client.get(API + "/venues", HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]
    register = client.get(API + "/register")
    assert client.get(API + "/register", HTTP_IF_NONE_MATCH=register["ETag"]).status_code == 304


def test_the_register_refuses_bad_filters_by_name(client, db):
    response = client.get(API + "/register?date_from=2026-12-10&date_to=2026-12-01")
    assert response.status_code == 422
    assert "date_to" in response.json()["error"]["fields"]
    assert client.get(API + "/register?venue=424242").status_code == 404
    assert client.get(API + "/register?outcome=draft").status_code == 422  # drafts are never public


# --- rate limits ----------------------------------------------------------------------------


def test_too_many_anonymous_requests_get_429_with_retry_after(client, db, settings):
    settings.AGORA_API_RATE_ANONYMOUS = "3/m"
    codes = [client.get(API + "/audit/digest").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    limited = client.get(API + "/audit/digest")
    assert int(limited["Retry-After"]) >= 1
    assert limited.json()["error"]["code"] == "rate_limited"
    # another address is counted on its own, and a forged X-Forwarded-For does not help
    assert client.get(API + "/audit/digest", REMOTE_ADDR="10.0.0.2").status_code == 200
    assert client.get(API + "/audit/digest", HTTP_X_FORWARDED_FOR="10.9.9.9").status_code == 429


def test_the_token_limit_counts_per_token(client, aigerim, bolat, settings):
    settings.AGORA_API_RATE_TOKEN = "2/m"
    a, b = create_token(aigerim, "a")[1], create_token(bolat, "b")[1]
    codes = [client.get(API + "/notices", **bearer(a)).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    assert client.get(API + "/notices", **bearer(b)).status_code == 200


# --- tokens -------------------------------------------------------------------------------


def test_an_organizer_makes_uses_and_revokes_a_token_on_the_page(client, aigerim):
    client.force_login(aigerim)
    page = client.post("/accounts/tokens/", {"name": "my script"})
    assert page.status_code == 200
    token = page.context["made"]
    assert token.startswith("agora_")
    row = ApiToken.objects.get()
    assert row.role == "organizer" and token not in row.key_hash and row.prefix == token[:12]
    assert client.get(API + "/notices", **bearer(token)).status_code == 200
    assert token not in client.get("/accounts/tokens/").content.decode()  # shown once only
    client.post("/accounts/tokens/", {"revoke": row.pk})
    assert client.get(API + "/notices", **bearer(token)).status_code == 401


def test_a_token_needs_a_name(client, aigerim):
    client.force_login(aigerim)
    page = client.post("/accounts/tokens/", {"name": "  "}, follow=True)
    assert "Name the token" in page.content.decode()
    assert not ApiToken.objects.exists()


def test_one_cannot_revoke_another_users_token(client, aigerim, bolat):
    row, token = create_token(bolat, "b")
    client.force_login(aigerim)
    client.post("/accounts/tokens/", {"revoke": row.pk})
    row.refresh_from_db()
    assert row.revoked_at is None


def test_an_officer_makes_a_token_only_in_a_session_confirmed_with_totp(client, dana):
    client.force_login(dana)
    unconfirmed = client.post("/accounts/tokens/", {"name": "office"})
    assert unconfirmed.status_code in (302, 403)
    assert not ApiToken.objects.exists()
    client.logout()
    sign_in_with_totp(client, dana)
    made = client.post("/accounts/tokens/", {"name": "office"})
    assert ApiToken.objects.get().role == "officer"
    assert client.get(API + "/office/queue", **bearer(made.context["made"])).status_code == 200


# --- officer work ---------------------------------------------------------------------------


def test_allocation_proposes_and_applies_only_on_confirm(client, square, aigerim, bolat, officer_token):
    for user, hour in ((aigerim, 9), (bolat, 11)):
        file_rally(user, square, hour, hours=6)
    day = str(future().date())
    proposal = post(client, "/office/allocation", {"date": day}, officer_token).json()
    assert proposal["applied"] is False and len(proposal["items"]) == 2
    assert set(Notice.objects.values_list("status", flat=True)) == {"submitted"}
    applied = post(client, "/office/allocation", {"date": day, "confirm": True}, officer_token).json()
    assert applied["applied"] is True
    assert "submitted" not in set(Notice.objects.values_list("status", flat=True))


def test_allocation_is_the_day_plans_plan_with_pins_and_the_paper_process(
    client, square, aigerim, bolat, officer_token
):
    start = future(days=14, hour=12)
    early = file(
        bolat,
        square,
        start,
        start + dt.timedelta(hours=2),
        people=50_000,
        window_start=start.replace(hour=9),
        window_end=start.replace(hour=20),
    )
    late = file(aigerim, square, start, start + dt.timedelta(hours=2), people=50_000)
    day = str(start.date())
    plan = post(client, "/office/allocation", {"date": day}, officer_token).json()
    assert (plan["accommodated"], plan["paper"]) == (2, 1)
    by_ref = {i["notice"]: i for i in plan["items"]}
    assert by_ref[late.reference]["paper"] is None and by_ref[early.reference]["grounds"] == ["shared_day"]
    pinned = post(
        client, "/office/allocation", {"date": day, "pins": [early.reference]}, officer_token
    ).json()
    assert pinned["accommodated"] == 1
    assert {i["notice"]: (i["pinned"], i["outcome"]) for i in pinned["items"]} == {
        early.reference: (True, "accepted"),
        late.reference: (False, "alternative_offered"),  # fair: a refusal comes with one
    }
    unknown = post(client, "/office/allocation", {"date": day, "pins": ["ALA-1999-000001"]}, officer_token)
    assert unknown.status_code == 422 and "ALA-1999-000001" in unknown.json()["error"]["fields"]["pins"][0]


def test_an_organizer_downloads_the_letter_of_their_decision(client, square, aigerim, dana, organizer_token):
    decision = services.decide(file_rally(aigerim, square, 11), dana, "accepted")
    response = client.get(f"{API}/letters/{decision.reference}", **bearer(organizer_token))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    traversal = client.get(f"{API}/letters/..%2F..%2Fetc%2Fpasswd", **bearer(organizer_token))
    assert traversal.status_code == 404


def test_the_openapi_document_and_the_docs_page_are_served(client, db):
    document = client.get(API + "/openapi.json").json()
    assert document["info"]["title"] == "Agora API"
    assert "/api/v1/notices" in document["paths"]
    docs = client.get(API + "/docs")
    assert docs.status_code == 200 and b"/static/ninja/swagger-ui-bundle.js" in docs.content  # no CDN


def test_an_officer_reviews_a_clashing_notice_with_its_conflicts_and_alternatives(
    client, square, aigerim, bolat, dana, officer_token
):
    first = file_rally(aigerim, square, 10, hours=4, participants=50_000)
    services.decide(first, dana, "accepted")  # a crowd for both zones, 10:00-14:00
    second = file_rally(bolat, square, 11, hours=2)
    seen = client.get(f"{API}/office/notices/{second.pk}", **bearer(officer_token)).json()
    assert seen["conflicts"] == [first.reference]
    assert seen["organizer"] == "Green Almaty Society"
    assert seen["alternatives"], "the square is taken: free alternatives are offered"
    for option in seen["alternatives"]:  # elsewhere, or on the square once the crowd has gone
        starts = dt.datetime.fromisoformat(option["starts_at"])
        assert option["venue"] != square.pk or starts >= future(hour=14), option
    offer = seen["alternatives"][0]
    decided = post(
        client,
        f"/office/notices/{second.pk}/decision",
        {
            "outcome": "alternative_offered",
            "grounds": ["venue_booked"],
            "reasoning": "The square is taken by an earlier notice.",
            "alternative": {k: offer[k] for k in ("venue", "zones", "starts_at", "ends_at")},
        },
        officer_token,
    )
    assert decided.status_code == 200, decided.content
    assert decided.json()["alternative"]["venue"] == offer["venue"]


def test_the_day_sheet_shows_check_in_and_out(client, square, aigerim, dana, officer_token):
    notice = file_rally(aigerim, square, 10)
    services.decide(notice, dana, "accepted")
    day = f"{API}/office/day?venue={square.pk}&date={future().date()}"
    rows = client.get(day, **bearer(officer_token)).json()
    assert {r["notice"] for r in rows} == {notice.reference}
    assert all(r["checked_in_at"] is None for r in rows)
    attend = f"/office/notices/{notice.pk}/attendance"
    early = post(client, attend, {"action": "check_in"}, officer_token)
    assert (
        early.status_code == 400
        and "Check-in opens 60 minutes before the start" in early.json()["error"]["message"]
    )
    with time_machine.travel(notice.starts_at - dt.timedelta(minutes=5), tick=False):
        checked = post(client, attend, {"action": "check_in"}, officer_token)
    assert checked.status_code == 200, checked.content
    assert all(r["checked_in_at"] for r in client.get(day, **bearer(officer_token)).json())


def test_an_appeal_is_decided_with_reasons(client, square, gandhi, aigerim, dana, officer_token):
    notice = file_rally(aigerim, square, 10)
    refuse_with_alternative(notice, dana, gandhi)
    services.appeal(notice, aigerim, text="It was free.")
    path = f"/office/notices/{notice.pk}/appeal-decision"
    assert post(client, path, {"grant": True, "reasoning": ""}, officer_token).status_code == 422
    granted = post(client, path, {"grant": True, "reasoning": "It was free indeed."}, officer_token)
    assert granted.status_code == 200 and granted.json()["outcome"] == "overturned"


def test_an_unknown_query_parameter_is_refused_not_ignored(client, db):
    response = client.get(API + "/register?venu=3")
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["fields"] == {"venu": ["not a parameter of this endpoint"]}
    assert "venue" in error["message"]  # says what the endpoint does take


def test_times_go_out_in_the_citys_zone(client, square, aigerim, organizer_token):
    notice = file_rally(aigerim, square, 10)
    mine = client.get(f"{API}/notices/{notice.pk}", **bearer(organizer_token)).json()
    for field in ("starts_at", "ends_at", "filed_at", "decision_due_at"):
        assert mine[field].endswith("+05:00"), (field, mine[field])
    assert dt.datetime.fromisoformat(mine["starts_at"]) == notice.starts_at
