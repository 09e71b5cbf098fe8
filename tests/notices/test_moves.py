"""An accepted booking moves only with its organizer's consent (PRODUCT.md §4.3, issue 21):
the day plan shows where moving one, within what its organizer accepts, would fit more; the
officer asks; the organizer agrees (the booking moves, in one transaction) or keeps it."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client

from agora.accounts.tokens import create_token
from agora.audit.models import AuditEvent
from agora.audit.services import verify_chain
from agora.notices import invariants, services
from agora.scheduling.models import MoveRequest
from agora.scheduling.place import Place
from tests.conftest import file, future, sign_in_with_totp

BIG = 50_000  # each notice needs the whole square


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def plan_url(notice) -> str:
    return f"/office/plan/{notice.jurisdiction.local_day(notice.starts_at).isoformat()}/"


@pytest.fixture
def noon_day(square, aigerim, bolat, dana):
    """Bolat's rally is accepted at noon as filed, though he accepts any time 09:00–20:00;
    Aigerim's, filed later, can only be at noon: as things stand she has no place."""
    early = file(
        bolat,
        square,
        future(days=14, hour=12),
        future(days=14, hour=14),
        people=BIG,
        window_start=future(days=14, hour=9),
        window_end=future(days=14, hour=20),
    )
    services.decide(early, dana, "accepted")
    late = file(aigerim, square, future(days=14, hour=12), future(days=14, hour=14), people=BIG)
    return early, late


def held(notice):
    return sorted((b.zone_id, b.starts_at, b.held_until) for b in notice.bookings.firm())


def ask_on_the_page(client, early, capture=None):
    page = client.get(plan_url(early))
    shown = text(page)
    token = re.search(r'name="move" value="([^"]+)"', page.content.decode()).group(1)
    if capture is None:
        return shown, client.post(plan_url(early) + "move/", {"move": token}, follow=True)
    with capture(execute=True):
        return shown, client.post(plan_url(early) + "move/", {"move": token}, follow=True)


def test_the_plan_asks_an_organizer_to_move_and_the_booking_moves_only_when_they_agree(
    client, noon_day, bolat, dana, mailoutbox, django_capture_on_commit_callbacks
):
    early, late = noon_day
    before = held(early)
    sign_in_with_totp(client, dana)
    mailoutbox.clear()
    shown, asked = ask_on_the_page(client, early, django_capture_on_commit_callbacks)
    assert "More fit if accepted assemblies move, with their organizers' consent" in shown
    assert "1 of the notices waiting could be held instead of 0" in shown
    assert f"{early.reference} (Accepted)" in shown and "12:00–14:00 → " in shown
    assert f"The organizer of {early.reference} is asked to move" in text(asked)
    move = MoveRequest.objects.get(notice=early)
    assert (move.state, move.fits_without, move.fits_with) == ("pending", 0, 1)
    assert held(early) == before  # nothing moved by asking
    assert "asked to move to" in text(client.get(plan_url(early)))
    # the organizer is told, in their language, with the link to answer
    [email] = [m for m in mailoutbox if early.reference in m.subject]
    assert "Без вашего согласия ничего не меняется" in email.body  # bolat reads Russian
    assert "Сейчас за вашим собранием забронировано: " in email.body  # where it is, then where to

    officer = client
    client = Client()
    client.force_login(bolat)
    assert "The authority asks you to move: please answer" in text(client.get("/notices/"))
    page = text(client.get(f"/notices/{early.pk}/"))
    assert "The authority asks whether your assembly may move" in page
    assert "so that 1 of the notices waiting for that day can be held instead of 0" in page
    confirm = client.post(f"/moves/{move.pk}/", {"answer": "accept"})
    assert "Your assembly moves from" in text(confirm) and held(early) == before  # only asked
    done = client.post(f"/moves/{move.pk}/", {"answer": "accept", "confirm": "1"}, follow=True)
    assert "Moved: your assembly holds the new place and time." in text(done)
    assert "please answer" not in text(client.get("/notices/"))
    move.refresh_from_db()
    assert move.state == "accepted"
    now_held = held(early)
    assert now_held != before and {(s, e) for _z, s, e in now_held} == {(move.starts_at, move.ends_at)}
    assert not (move.starts_at < future(days=14, hour=14) and move.ends_at > future(days=14, hour=12))
    early.refresh_from_db()
    assert early.status == "accepted"  # the same decision, the new place

    # the later notice now fits as filed
    assert "The plan accommodates 1 (proven the most possible without moving accepted assemblies)" in text(
        officer.get(plan_url(late))
    )
    assert {e.event for e in AuditEvent.objects.filter(event__startswith="move.")} == {
        "move.asked",
        "move.accepted",
    }
    assert invariants.broken() == [] and verify_chain().ok


def test_an_organizer_who_declines_keeps_the_booking_and_nothing_is_asked_twice(
    client, noon_day, bolat, dana
):
    early, _late = noon_day
    before = held(early)
    sign_in_with_totp(client, dana)
    ask_on_the_page(client, early)
    move = MoveRequest.objects.get(notice=early)
    # while the organizer thinks about it, the plan asks for nothing more
    assert "More fit if accepted assemblies move" not in text(client.get(plan_url(early)))
    with pytest.raises(ValidationError, match="already been asked"):
        services.ask_to_move(early, dana, services.move_place(move), fits=(0, 1))

    officer, client = client, Client()
    client.force_login(bolat)
    done = client.post(f"/moves/{move.pk}/", {"answer": "decline", "confirm": "1"}, follow=True)
    assert "Your booking stays as it was." in text(done)
    move.refresh_from_db()
    assert move.state == "declined" and held(early) == before
    again = client.post(f"/moves/{move.pk}/", {"answer": "accept", "confirm": "1"}, follow=True)
    assert "This request has already been answered" in text(again) and held(early) == before
    # the answer stands: the plan proposes the move no more, and asking again is refused
    plan = text(officer.get(plan_url(early)))
    assert "More fit if accepted assemblies move" not in plan
    assert f"{early.reference} (Accepted)" in plan and "its organizer kept the booking" in plan
    with pytest.raises(ValidationError, match="kept the booking: they are not asked again"):
        services.ask_to_move(early, dana, services.move_place(move), fits=(0, 1))
    assert MoveRequest.objects.filter(notice=early).count() == 1
    assert invariants.broken() == []


def test_an_answer_other_than_accept_or_decline_is_refused_and_changes_nothing(client, noon_day, bolat, dana):
    early, _late = noon_day
    before = held(early)
    sign_in_with_totp(client, dana)
    ask_on_the_page(client, early)
    move = MoveRequest.objects.get(notice=early)
    client.force_login(bolat)
    for answer in ("", "Accept", "yes", "decline "):
        page = client.post(f"/moves/{move.pk}/", {"answer": answer, "confirm": "1"}, follow=True)
        assert "Choose one of the two answers" in text(page), answer
    move.refresh_from_db()
    assert move.state == "pending" and held(early) == before


def test_deciding_the_last_waiting_notice_withdraws_the_request_and_tells_the_organizer(
    client, noon_day, bolat, dana, mailoutbox, django_capture_on_commit_callbacks
):
    """The move was asked for Aigerim's notice; the officer decides it meanwhile (here with
    an alternative): nothing is left to gain, so Bolat need not answer."""
    early, late = noon_day
    sign_in_with_totp(client, dana)
    ask_on_the_page(client, early)
    move = MoveRequest.objects.get(notice=early)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.decide(
            late,
            dana,
            "alternative_offered",
            grounds=["venue_booked"],
            reasoning="The square is booked at noon.",
            alternative=Place(late.venue_id, (), future(days=14, hour=15), future(days=14, hour=17)),
        )
    move.refresh_from_db()
    assert move.state == "cancelled"
    event = AuditEvent.objects.get(event="move.cancelled")
    assert event.data["reason"] == "nothing_waits"
    [email] = [m for m in mailoutbox if early.reference in m.subject]
    assert "Ваше бронирование остаётся" in email.body  # bolat reads Russian
    client.force_login(bolat)
    page = text(client.get(f"/notices/{early.pk}/"))
    assert "Agree to move" not in page
    assert invariants.broken() == [] and verify_chain().ok


def test_a_request_stands_while_a_notice_of_the_day_still_waits(noon_day, aigerim, square, dana):
    early, late = noon_day
    other = file(aigerim, square, future(days=14, hour=18), future(days=14, hour=19), people=10)
    move = services.ask_to_move(
        early,
        dana,
        Place(early.venue_id, (), future(days=14, hour=15), future(days=14, hour=17)),
        fits=(0, 1),
    )
    services.decide(other, dana, "accepted")
    move.refresh_from_db()
    assert move.state == "pending"  # Aigerim's notice still waits for the move
    services.withdraw(late, aigerim)
    move.refresh_from_db()
    assert move.state == "cancelled"


def test_a_request_nobody_answers_expires_and_the_booking_stays(noon_day, dana):
    early, _late = noon_day
    before = held(early)
    to = Place(early.venue_id, (), future(days=14, hour=15), future(days=14, hour=17))
    move = services.ask_to_move(early, dana, to, fits=(0, 1))
    assert move.expires_at <= move.starts_at
    with time_machine.travel(move.expires_at + dt.timedelta(minutes=1), tick=False):
        out = io.StringIO()
        call_command("run-deadlines", stdout=out)
        assert "1 requests to move expired" in out.getvalue()
    move.refresh_from_db()
    assert move.state == "expired" and held(early) == before


def test_a_move_is_only_within_what_the_organizer_accepts_and_to_a_free_place(
    noon_day, square, aigerim, bolat, dana
):
    early, _late = noon_day
    outside = Place(early.venue_id, (), future(days=14, hour=20), future(days=14, hour=22))
    with pytest.raises(ValidationError, match="did not say they accept"):
        services.ask_to_move(early, dana, outside, fits=(0, 1))
    shorter = Place(early.venue_id, (), future(days=14, hour=15), future(days=14, hour=16))
    with pytest.raises(ValidationError, match="keeps the length"):
        services.ask_to_move(early, dana, shorter, fits=(0, 1))
    # someone else is accepted 15:00–17:00: no move there
    other = file(aigerim, square, future(days=14, hour=15), future(days=14, hour=17), people=BIG)
    services.decide(other, dana, "accepted")
    taken = Place(early.venue_id, (), future(days=14, hour=15), future(days=14, hour=17))
    with pytest.raises(ValidationError, match="not free at that time"):
        services.ask_to_move(early, dana, taken, fits=(0, 1))
    # only an officer asks, and only the organizer answers
    with pytest.raises(Exception, match="officer"):
        services.ask_to_move(
            early, bolat, Place(early.venue_id, (), future(days=14, hour=9), future(days=14, hour=11))
        )
    move = services.ask_to_move(
        early, dana, Place(early.venue_id, (), future(days=14, hour=9), future(days=14, hour=11)), fits=(0, 1)
    )
    with pytest.raises(Exception, match="not your notice"):
        services.accept_move(move, aigerim)
    # the new time is taken before the organizer answers: their booking stands
    squatter = file(aigerim, square, future(days=14, hour=9), future(days=14, hour=11), people=BIG)
    services.decide(squatter, dana, "accepted")
    before = held(early)
    with pytest.raises(ValidationError, match="taken meanwhile"):
        services.accept_move(move, bolat)
    assert held(early) == before
    assert invariants.broken() == []


def test_a_withdrawn_assembly_leaves_no_request_pending(noon_day, bolat, dana):
    early, _late = noon_day
    to = Place(early.venue_id, (), future(days=14, hour=15), future(days=14, hour=17))
    move = services.ask_to_move(early, dana, to, fits=(0, 1))
    services.withdraw(early, bolat, reason="Plans changed.")
    move.refresh_from_db()
    assert move.state == "cancelled"
    assert invariants.broken() == []


def test_the_api_returns_the_moves_asks_and_the_organizer_answers(client, noon_day, bolat, dana):
    early, late = noon_day
    day = early.jurisdiction.local_day(early.starts_at).isoformat()
    officer = {"HTTP_AUTHORIZATION": f"Bearer {create_token(dana, 'test')[1]}"}
    plan = client.post(
        "/api/v1/office/allocation", {"date": day}, content_type="application/json", **officer
    ).json()
    assert plan["accommodated"] == 0 and plan["accommodated_with_moves"] == 1
    [proposed] = plan["moves"]
    assert proposed["notice"] == early.reference and proposed["held"]["starts_at"].endswith("12:00:00+05:00")
    refused = client.post(
        "/api/v1/office/allocation/moves",
        {"date": day, "notice": late.reference},
        content_type="application/json",
        **officer,
    )
    assert refused.status_code == 422 and "does not move this assembly" in refused.json()["error"]["message"]
    asked = client.post(
        "/api/v1/office/allocation/moves",
        {"date": day, "notice": early.reference},
        content_type="application/json",
        **officer,
    )
    assert asked.status_code == 201, asked.json()
    move = asked.json()
    assert move["starts_at"] == proposed["to"]["starts_at"] and move["state"] == "pending"

    organizer = {"HTTP_AUTHORIZATION": f"Bearer {create_token(bolat, 'test')[1]}"}
    seen = client.get(f"/api/v1/notices/{early.pk}", **organizer).json()
    assert [m["id"] for m in seen["moves"]] == [move["id"]]
    answered = client.post(
        f"/api/v1/moves/{move['id']}", {"answer": "accept"}, content_type="application/json", **organizer
    )
    assert answered.status_code == 200
    assert answered.json()["moves"][0]["state"] == "accepted"
    after = client.post(
        "/api/v1/office/allocation", {"date": day}, content_type="application/json", **officer
    ).json()
    assert after["accommodated"] == 1 and after["moves"] == []


def test_recording_the_plan_names_a_pending_request_and_withdraws_it_once_nothing_waits(
    client, noon_day, bolat, dana
):
    """The review's case: with a move pending, the officer records the day plan (Aigerim
    gets the alternative the rulebook requires): the confirmation says so first, and after
    it the request no longer claims a benefit that is gone."""
    early, late = noon_day
    sign_in_with_totp(client, dana)
    ask_on_the_page(client, early)
    move = MoveRequest.objects.get(notice=early)
    page = client.get(plan_url(early))
    plan = re.search(r'name="plan" value="([^"]+)"', page.content.decode()).group(1)
    confirm = text(client.post(plan_url(early), {"plan": plan}))
    assert "Waiting for an organizer's answer to a request to move:" in confirm
    assert f"{early.reference} → " in confirm and "they are withdrawn and their organizers told" in confirm
    client.post(plan_url(early), {"plan": plan, "confirm": "1", f"reason-{late.pk}": "Booked."}, follow=True)
    late.refresh_from_db()
    move.refresh_from_db()
    assert late.status not in ("submitted", "under_review")
    assert move.state == "cancelled"
    assert invariants.broken() == [] and verify_chain().ok
