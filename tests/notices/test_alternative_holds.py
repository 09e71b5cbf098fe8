"""The alternative a decision offers holds its place until the organizer answers: no later
decision, day plan or move gives it to someone else meanwhile, accepting it takes what it
holds, and declining it (or the notice moving on) gives the place back."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError

from agora.notices import services
from agora.notices.workflow import Status
from agora.scheduling import planning
from agora.scheduling.models import Booking
from agora.scheduling.place import Place
from tests.conftest import ALMATY
from tests.conftest import file as file_notice

DAY = dt.date(2026, 12, 10)
CROWD = 50_000  # more than half of Republic Square holds: each notice needs the whole square


def on(hour: int) -> dt.datetime:
    return dt.datetime.combine(DAY, dt.time(hour), ALMATY)


@pytest.fixture
def clock():
    with time_machine.travel(dt.datetime(2026, 12, 1, 10, tzinfo=ALMATY), tick=False) as traveller:
        yield traveller


def file(user, venue, start: int, end: int):
    return file_notice(user, venue, on(start), on(end), people=CROWD)


@pytest.fixture
def offered(clock, square, aigerim, bolat, dana):
    """Bolat holds 14:00–16:00; Aigerim, who asked for the same, is offered 17:00–19:00."""
    first = file(bolat, square, 14, 16)
    services.decide(first, dana, "accepted", reasoning="Meets every requirement.")
    second = file(aigerim, square, 14, 16)
    decision = services.decide(
        second,
        dana,
        "alternative_offered",
        grounds=["venue_booked"],
        reasoning="The square is booked; the evening is free.",
        alternative={"venue": square.pk, "starts_at": on(17), "ends_at": on(19)},
    )
    return second, decision


def live(notice):
    return notice.bookings.filter(held_until__gt=on(0))


def test_an_offered_alternative_holds_its_place_and_nobody_else_is_given_it(offered, square, bolat, dana):
    second, decision = offered
    holds = list(live(second))
    assert {(h.alternative, h.starts_at, h.ends_at) for h in holds} == {(decision, on(17), on(19))}
    assert {h.zone for h in holds} == set(square.zones.all())  # the whole square, as offered
    assert not second.bookings.firm().exists()  # an offer, not yet the notice's own
    third = file(bolat, square, 17, 19)
    with pytest.raises(ValidationError) as refused:
        services.decide(third, dana, "accepted", reasoning="Meets every requirement.")
    assert second.reference in str(refused.value)
    assert planning.place_is_free(third, Place.of(decision.alternative)) is None
    [item] = planning.propose_day(square.jurisdiction, DAY, time_limit=2.0)["items"]
    placed = item["placement"]
    assert placed is None or placed.ends_at <= on(17) or placed.starts_at >= on(19)


def test_accepting_the_alternative_takes_what_it_held(offered, aigerim):
    second, _decision = offered
    holds = set(live(second))
    services.accept_alternative(second, aigerim)
    second.refresh_from_db()
    assert second.status == Status.ACCEPTED
    assert set(live(second)) == holds  # the same bookings: nothing released, nothing booked anew
    assert set(second.bookings.firm()) == holds


def test_declining_the_alternative_gives_the_place_back(offered, square, aigerim, bolat, dana):
    second, _decision = offered
    services.decline_alternative(second, aigerim)
    assert {
        (h.held_until == h.starts_at, h.release_reason) for h in Booking.objects.filter(notice=second)
    } == {(True, "alternative_declined")}
    third = file(bolat, square, 17, 19)
    services.decide(third, dana, "accepted", reasoning="Meets every requirement.")
    assert live(third).count() == 2


def test_withdrawing_while_offered_an_alternative_gives_the_place_back(offered, aigerim):
    second, _decision = offered
    services.withdraw(second, aigerim)
    assert {
        (h.held_until == h.starts_at, h.release_reason) for h in Booking.objects.filter(notice=second)
    } == {(True, "alternative_lapsed")}
    assert not second.bookings.firm().filter(held_until__gt=on(0)).exists()


def test_the_organizer_is_told_the_alternative_is_held_and_asked_to_answer(offered, client, aigerim):
    second, _decision = offered
    client.force_login(aigerim)
    mine = client.get("/notices/").content.decode()
    assert f'href="/notices/{second.pk}/#alternative"' in mine
    assert "An alternative is offered to you: please answer" in mine
    page = client.get(f"/notices/{second.pk}/").content.decode()
    assert 'id="alternative"' in page and "held for you until you answer" in page
    closing = client.post("/account/close/", {"confirm": "1"}, follow=True).content.decode()
    assert f"{second.reference} is not over yet" in closing  # an answer is still owed
    services.accept_alternative(second, aigerim)
    assert "An alternative is offered to you" not in client.get("/notices/").content.decode()


def test_the_api_names_the_hold_of_an_alternative(offered, client, aigerim):
    from agora.accounts.tokens import create_token

    second, _decision = offered
    auth = {"Authorization": f"Bearer {create_token(aigerim, 'test')[1]}"}
    own = client.get(f"/api/v1/notices/{second.pk}", headers=auth).json()
    assert own["bookings"] and all(b["alternative"] and not b["released"] for b in own["bookings"])
    declined = client.post(
        f"/api/v1/notices/{second.pk}/alternative",
        {"answer": "decline"},
        content_type="application/json",
        headers=auth,
    ).json()
    assert {(b["released"], b["release_reason"]) for b in declined["bookings"]} == {
        (True, "alternative_declined")
    }
