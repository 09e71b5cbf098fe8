"""Issue 18: the "both can be accommodated" test (ECtHR, Lashmankin and Others v. Russia,
2017). A refusal or a move because another event is at the same place holds only where the
scheduler shows the two cannot be held together; otherwise the decision form says where both
fit, and the public decision page shows the competing booking, when it was filed and how it
was used."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from agora.notices import services
from agora.notices.workflow import Status
from tests.conftest import file, future, sign_in_with_totp


def rally(user, venue, start_hour, end_hour, people=50):
    day = future()
    return file(
        user,
        venue,
        day.replace(hour=start_hour),
        day.replace(hour=end_hour),
        people=people,
        purpose="Clean air",
    )


REFUSAL = {
    "outcome": "refused",
    "grounds": ["venue_booked"],
    "reasoning": "Another rally was notified earlier.",
}


def test_a_refusal_for_a_rival_is_refused_while_the_other_half_of_the_square_is_free(
    client, square, aigerim, bolat, dana
):
    first = rally(bolat, square, 10, 12)
    services.decide(first, dana, "accepted")  # under `fair` it holds one half only
    second = rally(aigerim, square, 10, 12)
    sign_in_with_totp(client, dana)
    page = client.post(f"/office/notices/{second.pk}/", REFUSAL).content.decode()
    assert "does not hold: both assemblies fit, this one at" in page
    assert "East half" in page or "West half" in page
    second.refresh_from_db()
    assert second.status == Status.SUBMITTED and not second.decisions.exists()


def test_a_shorter_overlap_is_proposed_when_the_whole_square_is_taken_for_part_of_the_time(
    square_kz, aigerim, bolat, officer_kz
):
    # the status quo takes the whole square: 10-12 is taken, 12-13 of the 11-13 asked is free
    services.decide(rally(bolat, square_kz, 10, 12), officer_kz, "accepted")
    second = rally(aigerim, square_kz, 11, 13)
    with pytest.raises(ValidationError) as error:
        services.decide(second, officer_kz, "refused", grounds=["venue_booked"], reasoning="Taken.")
    message = " ".join(error.value.message_dict["grounds"])
    assert "12:00–13:00" in message or "12:00-13:00" in message, message
    # accepted for the free hour, as the message proposes
    day = second.starts_at
    services.decide(
        second,
        officer_kz,
        "accepted_with_conditions",
        conditions="From 12:00, when the other rally ends.",
        placement={"venue": square_kz.pk, "starts_at": day.replace(hour=12), "ends_at": day.replace(hour=13)},
    )


def test_a_refusal_for_a_rival_holds_where_the_two_cannot_be_held_together(
    client, square_kz, aigerim, bolat, officer_kz
):
    whole_day = file(
        bolat, square_kz, future().replace(hour=9), future().replace(hour=20), people=400, purpose="All day"
    )
    services.decide(whole_day, officer_kz, "accepted")
    second = rally(aigerim, square_kz, 14, 16)
    decision = services.decide(
        second, officer_kz, "refused", grounds=["venue_booked"], reasoning="Booked all day."
    )
    assert decision.outcome == "refused"
    # the public decision page shows the rival: its reference, when it was filed, how it is used
    page = client.get(f"/decisions/{decision.reference}/").content.decode()
    assert "The booking in the way" in page and whole_day.reference in page
    assert "booked, not used yet" in page or "not used" in page


def test_other_grounds_are_not_put_to_the_test(square, aigerim, bolat, dana):
    services.decide(rally(bolat, square, 10, 12), dana, "accepted")
    second = rally(aigerim, square, 10, 12)
    decision = services.decide(
        second,
        dana,
        "refused",
        grounds=["public_order_threat"],
        reasoning="A marathon on the square.",
        alternative={
            "venue": square.pk,
            "starts_at": second.starts_at + dt.timedelta(hours=4),
            "ends_at": second.ends_at + dt.timedelta(hours=4),
        },
    )
    assert decision.outcome == "refused"


def test_a_refusal_for_a_rival_on_an_empty_square_says_nothing_else_is_booked(square, aigerim, dana):
    notice = rally(aigerim, square, 10, 12)
    with pytest.raises(ValidationError, match="nothing else is booked at Republic Square"):
        services.decide(notice, dana, "refused", grounds=["venue_booked"], reasoning="Taken.")
