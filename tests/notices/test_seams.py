"""The six reproductions of issue 11, as users do them: through the pages and the API, with
the clock pinned. Each failed on the code before the action table and passes now."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
import time_machine
from django.db.models import F

from agora.accounts.tokens import create_token
from agora.notices import services
from agora.notices.models import Notice
from agora.notices.workflow import Status
from agora.scheduling.models import Booking
from tests.conftest import ALMATY, sign_in_with_totp
from tests.conftest import file as file_notice

# Tuesday 1 December 2026, 10:00 in Almaty; the assemblies are on Thursday 10 December.
NOW = dt.datetime(2026, 12, 1, 10, 0, tzinfo=ALMATY)
DAY = dt.date(2026, 12, 10)
API = "/api/v1"
CROWD = 50_000  # more than one half of Republic Square holds: a notice needs the whole square


def on(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), ALMATY)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def file(user, venue, start: int, end: int, *, people: int = 300, day: dt.date = DAY) -> Notice:
    """A rally on `day` from `start` to `end` o'clock."""
    return file_notice(user, venue, on(day, start), on(day, end), people=people)


def api(client, path: str, data: dict, user) -> tuple[int, dict]:
    token = create_token(user, "test")[1]
    response = client.post(
        API + path, json.dumps(data), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    return response.status_code, response.json()


def checked(page: str, name: str) -> list[str]:
    """The values of the checked boxes or radio buttons called `name` on a page."""
    tags = re.findall(rf'<input[^>]*name="{name}"[^>]*>', page)
    return [re.search(r'value="([^"]*)"', tag).group(1) for tag in tags if " checked" in tag]


def holds(notice: Notice) -> bool:
    return Booking.objects.filter(notice=notice, held_until__gt=F("starts_at")).exists()


# --- 1. decline without an alternative keeps the square ------------------------------------


def test_declining_an_alternative_that_was_never_offered_is_refused_and_keeps_the_booking(
    clock, client, square, aigerim, bolat, dana
):
    mine = file(aigerim, square, 14, 16)
    services.decide(mine, dana, "accepted", reasoning="Fine.")
    status, body = api(client, f"/notices/{mine.pk}/alternative", {"answer": "decline"}, aigerim)
    assert status in (400, 409), body
    assert "no alternative" in body["error"]["message"].lower()
    mine.refresh_from_db()
    assert mine.status == Status.ACCEPTED and holds(mine)


def test_declining_on_the_page_without_an_alternative_changes_nothing(clock, client, square, aigerim, dana):
    mine = file(aigerim, square, 14, 16)
    services.decide(mine, dana, "accepted", reasoning="Fine.")
    client.force_login(aigerim)
    page = client.post(f"/notices/{mine.pk}/alternative/", {"answer": "decline", "confirm": "1"}, follow=True)
    assert "No alternative is offered" in page.content.decode()
    mine.refresh_from_db()
    assert mine.status == Status.ACCEPTED and holds(mine)


def test_a_past_deemed_accepted_assembly_cannot_be_declined_into_withdrawn(clock, client, square, aigerim):
    mine = file(aigerim, square, 14, 16)
    clock.move_to(on(DAY, 15))  # the deadline passed in silence; the assembly is under way
    services.apply_due_silences()
    mine.refresh_from_db()
    assert mine.status == Status.DEEMED_ACCEPTED
    status, body = api(client, f"/notices/{mine.pk}/alternative", {"answer": "decline"}, aigerim)
    assert status in (400, 409), body
    mine.refresh_from_db()
    assert mine.status == Status.DEEMED_ACCEPTED


def test_the_space_a_withdrawal_frees_is_free_for_the_next_organizer(
    clock, client, square, aigerim, bolat, dana
):
    mine = file(aigerim, square, 14, 16, people=CROWD)
    services.decide(mine, dana, "accepted", reasoning="Fine.")
    services.withdraw(mine, aigerim, reason="Plans changed.")
    theirs = file(bolat, square, 14, 16, people=CROWD)
    services.decide(theirs, dana, "accepted", reasoning="Fine.")
    theirs.refresh_from_db()
    assert theirs.status == Status.ACCEPTED and holds(theirs) and not holds(mine)


# --- 2. the officer page shows a decision that was not made --------------------------------


def test_the_decision_page_never_shows_an_acceptance_that_failed(clock, client, square, aigerim, bolat, dana):
    first = file(aigerim, square, 14, 16, people=CROWD)
    second = file(bolat, square, 14, 16, people=CROWD)
    services.decide(first, dana, "accepted", reasoning="Fine.")
    sign_in_with_totp(client, dana)
    page = client.post(
        f"/office/notices/{second.pk}/", {"outcome": "accepted", "reasoning": "Fine.", "confirm": "1"}
    )
    text = page.content.decode()
    assert page.status_code == 200
    assert "already booked" in text
    assert f"{second.reference}: Submitted" in text and f"{second.reference}: Accepted" not in text
    second.refresh_from_db()
    assert second.status == Status.SUBMITTED and not second.decisions.exists() and not holds(second)


# --- 3. alternatives in the past -----------------------------------------------------------


def test_an_alternative_in_the_past_is_refused(clock, client, square, aigerim, dana):
    mine = file(aigerim, square, 14, 16)
    past = {
        "venue": square.pk,
        "starts_at": "2020-01-01T11:00:00+06:00",
        "ends_at": "2020-01-01T13:00:00+06:00",
    }
    status, body = api(
        client,
        f"/office/notices/{mine.pk}/decision",
        {
            "outcome": "refused",
            "grounds": ["public_order_threat"],
            "reasoning": "Works.",
            "alternative": past,
        },
        dana,
    )
    assert status == 400, body
    assert "past" in json.dumps(body)
    mine.refresh_from_db()
    assert mine.status == Status.SUBMITTED and not mine.decisions.exists()


def test_an_alternative_outside_the_hours_is_refused_on_the_page(clock, client, square, aigerim, dana):
    mine = file(aigerim, square, 14, 16)
    sign_in_with_totp(client, dana)
    page = client.post(
        f"/office/notices/{mine.pk}/",
        {
            "outcome": "alternative_offered",
            "grounds": ["venue_booked"],
            "reasoning": "Taken.",
            "alternative": "manual",
            "alt_venue": square.pk,
            "alt_date": DAY.isoformat(),
            "alt_start": "21:00",
            "alt_end": "22:00",
            "confirm": "1",
        },
    )
    assert page.status_code == 200 and "between 09:00 and 20:00" in page.content.decode()
    mine.refresh_from_db()
    assert mine.status == Status.SUBMITTED


# --- 4. check-in days early ----------------------------------------------------------------


def test_check_in_nine_days_early_is_refused_and_nothing_is_released(clock, client, square, aigerim, dana):
    mine = file(aigerim, square, 14, 16)
    services.decide(mine, dana, "accepted", reasoning="Fine.")
    sign_in_with_totp(client, dana)
    for action in ("check_in", "check_out"):
        page = client.post(
            f"/office/notices/{mine.pk}/attendance/", {"action": action, "confirm": "1"}, follow=True
        )
        assert page.status_code == 200
    assert (
        "Check-in opens 60 minutes before the start" in page.content.decode()
        or "not checked in" in page.content.decode()
    )
    booking = Booking.objects.get(notice=mine)
    assert booking.checked_in_at is None and booking.checked_out_at is None
    assert booking.held_until == booking.ends_at


# --- 5. "Offer this" decides in one click --------------------------------------------------


def test_offer_this_opens_the_filled_in_form_instead_of_deciding(clock, client, square, aigerim, bolat, dana):
    first = file(aigerim, square, 14, 16, people=CROWD)
    services.decide(first, dana, "accepted", reasoning="Fine.")
    second = file(bolat, square, 14, 16, people=CROWD)
    sign_in_with_totp(client, dana)
    page = client.get(f"/office/notices/{second.pk}/", HTTP_ACCEPT_LANGUAGE="ru")
    text = page.content.decode()
    assert 'href="?offer=0' in text  # a link that fills the form, not a form that decides
    # what the old one-click form posted no longer decides on its own
    client.post(
        f"/office/notices/{second.pk}/",
        {"outcome": "alternative_offered", "alternative": "0", "grounds": "venue_booked", "reasoning": "x"},
    )
    second.refresh_from_db()
    assert second.status == Status.SUBMITTED
    filled = client.get(f"/office/notices/{second.pk}/?offer=0", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert checked(filled, "outcome") == ["alternative_offered"]
    assert checked(filled, "grounds") == ["venue_booked"]
    assert "занято" in filled  # the reasoning is written in the officer's language


def test_offer_this_names_capacity_when_the_place_is_too_small(clock, client, gandhi, aigerim, dana, square):
    big = file(aigerim, gandhi, 14, 16, people=CROWD)  # Gandhi Park holds far fewer
    sign_in_with_totp(client, dana)
    filled = client.get(f"/office/notices/{big.pk}/?offer=0").content.decode()
    assert checked(filled, "grounds") == ["capacity"]


# --- 6. empty reasoning; a refusal with an alternative has no Decline ----------------------


def test_a_refusal_needs_reasons(clock, client, square, aigerim, dana):
    mine = file(aigerim, square, 14, 16)
    status, body = api(
        client,
        f"/office/notices/{mine.pk}/decision",
        {
            "outcome": "refused",
            "grounds": ["public_order_threat"],
            "reasoning": "  ",
            "alternative": {
                "venue": square.pk,
                "starts_at": on(DAY, 17).isoformat(),
                "ends_at": on(DAY, 18).isoformat(),
            },
        },
        dana,
    )
    assert status == 400 and "reasoning" in body["error"]["fields"], body
    mine.refresh_from_db()
    assert mine.status == Status.SUBMITTED


def test_a_refusal_with_an_alternative_can_be_declined(clock, client, square, aigerim, dana):
    mine = file(aigerim, square, 14, 16)
    services.decide(
        mine,
        dana,
        "refused",
        grounds=["public_order_threat"],
        reasoning="Works on the square in the afternoon.",
        alternative={"venue": square.pk, "starts_at": on(DAY, 10), "ends_at": on(DAY, 12)},
    )
    client.force_login(aigerim)
    page = client.get(f"/notices/{mine.pk}/").content.decode()
    assert 'value="decline"' in page and 'value="accept"' in page
    client.post(f"/notices/{mine.pk}/alternative/", {"answer": "decline", "confirm": "1"})
    mine.refresh_from_db()
    assert mine.status == Status.REFUSED and not holds(mine)
    assert services.offered_alternative(mine) is None
    page = client.get(f"/notices/{mine.pk}/").content.decode()
    assert 'value="accept"' not in page


# --- found by a fresh pair of eyes on the pages --------------------------------------------


def test_a_taken_place_is_reported_before_the_confirmation(clock, client, square, aigerim, bolat, dana):
    first = file(aigerim, square, 14, 16, people=CROWD)
    services.decide(first, dana, "accepted", reasoning="Fine.")
    second = file(bolat, square, 14, 16, people=CROWD)
    sign_in_with_totp(client, dana)
    page = client.post(f"/office/notices/{second.pk}/", {"outcome": "accepted"}).content.decode()
    assert "Please check before you confirm" not in page
    assert f"already booked at that time by notice {first.reference}" in page
    assert "Offer one of the free alternatives instead." in page


def test_going_back_from_the_confirmation_keeps_what_was_typed(clock, client, square, aigerim, dana):
    mine = file(aigerim, square, 14, 16)
    sign_in_with_totp(client, dana)
    decision = {
        "outcome": "refused",
        "grounds": ["public_order_threat"],
        "reasoning": "Marathon on the route.",
    }
    decision |= {"alternative": "manual", "alt_venue": square.pk, "alt_date": DAY.isoformat()}
    decision |= {"alt_start": "17:00", "alt_end": "18:00"}
    asked = client.post(f"/office/notices/{mine.pk}/", decision).content.decode()
    assert 'name="change"' in asked
    back = client.post(f"/office/notices/{mine.pk}/", {**decision, "confirm": "1", "change": "1"})
    text = back.content.decode()
    assert (
        "Marathon on the route." in text
        and 'value="17:00"' in text
        and checked(text, "outcome") == ["refused"]
    )
    mine.refresh_from_db()
    assert mine.status == Status.SUBMITTED and not mine.decisions.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"outcome": "accepted", "conditions": "No sound."}, "Conditions go with"),
        (
            {
                "outcome": "alternative_offered",
                "alt_date": "2026-12-11",
                "alt_start": "10:00",
                "alt_end": "11:00",
            },
            "choose “the place and time below”",
        ),
        (
            {"outcome": "alternative_offered", "alternative": "manual", "alt_date": "9999-12-31"},
            "between the years 2000 and 2200",
        ),
    ],
)
def test_the_decision_form_says_what_to_change(clock, client, square, aigerim, dana, data, message):
    mine = file(aigerim, square, 14, 16)
    sign_in_with_totp(client, dana)
    data = {"grounds": ["venue_booked"], "reasoning": "Taken.", "alt_venue": square.pk, **data}
    if data["outcome"] == "accepted":
        data = {k: v for k, v in data.items() if k not in ("grounds", "alt_venue")}
    page = client.post(f"/office/notices/{mine.pk}/", data)
    assert page.status_code == 200 and message in page.content.decode()
    mine.refresh_from_db()
    assert mine.status == Status.SUBMITTED


def test_the_day_sheet_date_is_sent_as_a_browser_reads_it_in_every_language(clock, client, square, dana):
    sign_in_with_totp(client, dana)
    for lang in ("ru", "kk", "en"):
        page = client.get("/office/day/", HTTP_ACCEPT_LANGUAGE=lang).content.decode()
        assert 'type="date" name="date" value="2026-12-01"' in page, lang


def test_a_draft_is_filed_from_its_page_and_cannot_be_withdrawn(clock, client, square, aigerim):
    draft = services.create_draft(
        aigerim,
        assembly_type="rally",
        purpose="Draft rally",
        venue=square,
        starts_at=on(DAY, 14),
        ends_at=on(DAY, 15),
        expected_participants=20,
    )
    client.force_login(aigerim)
    page = client.get(f"/notices/{draft.pk}/").content.decode()
    assert "Withdraw this notice" not in page and "File this notice" in page
    refused = client.post(f"/notices/{draft.pk}/withdraw/", {"confirm": "1"}, follow=True)
    assert refused.status_code == 200
    asked = client.post(f"/notices/{draft.pk}/file/").content.decode()
    assert "Please check before you confirm" in asked and "draft" in asked
    done = client.post(f"/notices/{draft.pk}/file/", {"confirm": "1"}, follow=True).content.decode()
    draft.refresh_from_db()
    assert draft.status == Status.SUBMITTED and draft.reference in done and "Notice filed." in done


def test_the_organizer_sees_only_what_the_notice_holds(clock, client, square, aigerim, bolat, dana):
    mine = file(aigerim, square, 14, 16, people=CROWD)
    services.decide(mine, dana, "accepted", reasoning="Fine.")
    waiting = file(bolat, square, 14, 16, people=CROWD)
    services.decide(
        waiting,
        dana,
        "refused",
        grounds=["venue_booked"],
        reasoning="Taken.",
        alternative={"venue": square.pk, "starts_at": on(DAY, 17), "ends_at": on(DAY, 19)},
    )
    services.withdraw(mine, aigerim)  # the time is offered to the waiting notice
    [offer] = waiting.offers.all()
    client.force_login(bolat)
    assert "Bookings" not in client.get(f"/notices/{waiting.pk}/").content.decode()  # a hold is no booking
    declined = client.post(f"/offers/{offer.pk}/", {"answer": "decline", "confirm": "1"}, follow=True)
    text = declined.content.decode()
    assert "Released time declined." in text and "Bookings" not in text
