"""Used-or-released: check-out and no-show release time; waiting notices get offers."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from agora.notices import services as notices
from agora.notices.workflow import Status
from agora.scheduling.models import Booking, Offer
from tests.conftest import NOW, at, file


@pytest.fixture
def day(square, aigerim, bolat, dana):
    """Bolat's rally holds the whole square 10:00-16:00 (it needs both halves); Aigerim's
    later notice for 13:00-15:00 is offered 17:00-19:00 instead, still waiting."""
    holder = file(bolat, square, at(19, 10), at(19, 16), at=NOW, purpose="Holder", people=50000)
    notices.decide(
        holder,
        dana,
        "accepted_with_conditions",
        conditions="Within the 4-hour cap.",
        placement={"venue": square.pk, "starts_at": at(19, 10), "ends_at": at(19, 14)},
        at=NOW,
    )
    waiting = file(
        aigerim,
        square,
        at(19, 12),
        at(19, 14),
        at=NOW + dt.timedelta(hours=1),
        purpose="Waiting",
        people=50000,
    )
    notices.decide(
        waiting,
        dana,
        "alternative_offered",
        grounds=["venue_booked"],
        reasoning="The square is taken then.",
        alternative={"venue": square.pk, "starts_at": at(19, 17), "ends_at": at(19, 19)},
        at=NOW,
    )
    return holder, waiting


def test_check_out_releases_the_rest_and_offers_it_to_the_waiting_notice(day, dana, aigerim):
    holder, waiting = day
    notices.check_in(holder, dana, at=at(19, 10))
    [offer] = notices.check_out(holder, dana, at=at(19, 11, 30))
    assert all(b.held_until == at(19, 11, 30) for b in holder.bookings.all())
    assert offer.notice == waiting and offer.state == Offer.State.PENDING
    # the closest free time to what it asked (12:00-14:00) after the changeover gap
    assert (offer.starts_at, offer.ends_at) == (at(19, 12), at(19, 14))
    assert offer.expires_at == at(19, 12)  # never past the start
    notices.accept_offer(offer, aigerim, at=at(19, 11, 45))
    waiting.refresh_from_db()
    assert waiting.status == Status.ACCEPTED
    assert Booking.objects.filter(notice=waiting, offer=offer).count() == 2


def test_without_release_on_checkout_nothing_is_freed(square_kz, officer_kz, aigerim):
    square, officer = square_kz, officer_kz
    notice = file(aigerim, square, at(19, 9), at(19, 20), at=NOW, purpose="A", people=300)
    notices.decide(notice, officer, "accepted")
    notices.check_in(notice, officer, at=at(19, 9))
    assert notices.check_out(notice, officer, at=at(19, 14)) == []
    assert all(b.held_until == at(19, 20) for b in notice.bookings.all())
    assert all(b.checked_out_at == at(19, 14) for b in notice.bookings.all())


def test_a_declined_offer_passes_to_the_next_waiting_notice_in_filing_order(
    day, dana, aigerim, bolat, square
):
    holder, first = day
    second = file(
        bolat, square, at(19, 12), at(19, 14), at=NOW + dt.timedelta(hours=2), purpose="Second", people=50000
    )
    notices.decide(
        second,
        dana,
        "alternative_offered",
        grounds=["venue_booked"],
        reasoning="The square is taken then.",
        alternative={"venue": square.pk, "starts_at": at(20, 10), "ends_at": at(20, 12)},
        at=NOW,
    )
    notices.check_in(holder, dana, at=at(19, 10))
    [offer] = notices.check_out(holder, dana, at=at(19, 11))
    assert offer.notice == first
    with pytest.raises(PermissionDenied):
        notices.decline_offer(offer, bolat, at=at(19, 11, 5))
    [passed_on] = notices.decline_offer(offer, aigerim, at=at(19, 11, 5))
    assert passed_on.notice == second
    assert all(b.held_until == b.starts_at for b in Booking.objects.filter(offer=offer))  # hold released
    with pytest.raises(ValidationError, match="already declined"):
        notices.accept_offer(offer, aigerim, at=at(19, 11, 6))


def test_an_unanswered_offer_expires_and_passes_on(day, dana, bolat, square):
    holder, first = day
    notices.check_in(holder, dana, at=at(19, 10))
    [offer] = notices.check_out(holder, dana, at=at(19, 11))
    assert notices.expire_offers(at=at(19, 11, 59)) == []
    notices.expire_offers(at=at(19, 12))
    offer.refresh_from_db()
    assert offer.state == Offer.State.EXPIRED
    with pytest.raises(ValidationError):
        notices.accept_offer(offer, first.organizer.user, at=at(19, 12))


def test_a_no_show_after_the_grace_period_releases_the_whole_booking(day, dana):
    holder, waiting = day
    assert notices.release_no_shows(at=at(19, 10, 29)) == []  # grace: 30 minutes
    released = notices.release_no_shows(at=at(19, 10, 30))
    assert [n.pk for n in released] == [holder.pk]
    assert all(b.held_until == b.starts_at and b.release_reason == "no_show" for b in holder.bookings.all())
    offer = Offer.objects.get(notice=waiting)
    assert offer.starts_at == at(19, 12)


def test_withdrawal_releases_and_reoffers(day, bolat):
    holder, waiting = day
    notices.withdraw(holder, bolat, at=at(18, 9))
    offer = Offer.objects.get(notice=waiting)
    assert offer.expires_at == at(18, 21)  # 12 hours' hold
