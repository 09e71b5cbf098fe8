"""No two bookings hold overlapping time on a zone — and the database itself enforces it."""

import threading

import pytest
from django.db import IntegrityError, OperationalError, connection, transaction

from agora.scheduling import bookings
from agora.scheduling.models import Booking
from tests.conftest import NOW, at, file, requires_postgres


@pytest.fixture
def notice(square, aigerim):
    def make(purpose="P"):
        return file(aigerim, square, at(19, 14), at(19, 17), at=NOW, purpose=purpose, people=100)

    return make


def test_a_second_booking_of_the_same_zone_and_time_is_refused(notice, square, aigerim):
    west = square.zones.get(slug="west")
    bookings.book(notice("A"), [west], at(19, 10), at(19, 14), 100, actor=aigerim)
    with pytest.raises(bookings.SlotTaken, match="already booked"):
        bookings.book(notice("B"), [west], at(19, 13), at(19, 15), 100, actor=aigerim)
    # touching intervals do not overlap; another zone is free
    bookings.book(notice("C"), [west], at(19, 14), at(19, 15), 100, actor=aigerim)
    bookings.book(notice("D"), [square.zones.get(slug="east")], at(19, 10), at(19, 14), 100, actor=aigerim)


def test_the_database_refuses_an_overlap_that_bypasses_the_service(notice, square):
    """Written straight through the ORM, the overlap still fails: the database guarantees it."""
    west = square.zones.get(slug="west")
    Booking.objects.create(
        notice=notice("A"),
        zone=west,
        starts_at=at(19, 10),
        ends_at=at(19, 14),
        held_until=at(19, 14),
        participants=1,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(
            notice=notice("B"),
            zone=west,
            starts_at=at(19, 12),
            ends_at=at(19, 16),
            held_until=at(19, 16),
            participants=1,
        )
    # and stretching an existing booking over another is refused too
    late = Booking.objects.create(
        notice=notice("C"),
        zone=west,
        starts_at=at(19, 15),
        ends_at=at(19, 16),
        held_until=at(19, 16),
        participants=1,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.filter(pk=late.pk).update(starts_at=at(19, 13))


def test_released_time_can_be_booked_again(notice, square, aigerim):
    west = square.zones.get(slug="west")
    [first] = bookings.book(notice("A"), [west], at(19, 9), at(19, 20), 300, actor=aigerim)
    with pytest.raises(bookings.SlotTaken):
        bookings.book(notice("B"), [west], at(19, 15), at(19, 17), 100, actor=aigerim)
    bookings.release(first, at(19, 14), "checked_out", actor=aigerim)
    first.refresh_from_db()
    assert (first.ends_at, first.held_until) == (at(19, 20), at(19, 14))  # the record keeps what was booked
    bookings.book(notice("B"), [west], at(19, 15), at(19, 17), 100, actor=aigerim)


def race(square, organizer, contenders: int) -> list[str]:
    """`contenders` threads, each with its own connection, book the same slot at once."""
    candidates = [
        file(organizer, square, at(19, 14), at(19, 17), at=NOW, purpose=f"#{i}", people=100)
        for i in range(contenders)
    ]
    west = square.zones.get(slug="west")
    barrier = threading.Barrier(contenders)
    outcomes: list[str] = []

    def contend(candidate):
        try:
            barrier.wait()
            bookings.book(candidate, [west], at(19, 14), at(19, 17), 100, actor=organizer)
            outcomes.append("won")
        except bookings.SlotTaken:
            outcomes.append("taken")
        except OperationalError as error:
            # two inserts checking the exclusion constraint against each other at once: PostgreSQL
            # aborts one as a deadlock (it books nothing); the zone lock is what avoids this
            outcomes.append("aborted" if "deadlock detected" in str(error) else repr(error))
        except Exception as error:  # noqa: BLE001 - any other outcome fails the assertion below
            outcomes.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=contend, args=(c,)) for c in candidates]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return sorted(outcomes)


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_four_concurrent_bookings_of_one_slot_exactly_one_wins(square, aigerim):
    assert race(square, aigerim, 24) == ["taken"] * 23 + ["won"]
    assert Booking.objects.filter(zone__slug="west").count() == 1


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_without_lock_or_python_check_the_exclusion_constraint_still_stops_the_race(
    square, aigerim, monkeypatch
):
    """Take away the advisory lock and the Python check: only PostgreSQL stands in the way."""
    monkeypatch.setattr(bookings, "lock_zones", lambda ids: None)
    monkeypatch.setattr(bookings, "holding", lambda *a: Booking.objects.none())
    outcomes = race(square, aigerim, 20)
    assert outcomes.count("won") == 1 and set(outcomes) <= {"won", "taken", "aborted"}, outcomes
    assert Booking.objects.filter(zone__slug="west").count() == 1
