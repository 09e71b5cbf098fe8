"""Availability, alternatives and proposals for a day, against the database."""

import pytest
from django.core.exceptions import ValidationError

from agora.notices import services as notices
from agora.scheduling import bookings, planning
from agora.scheduling.flags import blocking_index, bookings_on, flags_for
from agora.venues.models import Closure
from tests.conftest import NOW, at
from tests.conftest import file as file_notice


def file(user, venue, start, end, people=100, filed=NOW, **extra):
    return file_notice(user, venue, start, end, people=people, purpose="P", at=filed, **extra)


def test_availability_shows_free_time_per_zone_after_bookings_gaps_and_closures(square, aigerim, dana):
    west = square.zones.get(slug="west")
    notices.decide(file(aigerim, square, at(19, 12), at(19, 14), zone=west), dana, "accepted")
    Closure.objects.create(
        venue=square,
        zone=None,
        kind="maintenance",
        starts_at=at(19, 18),
        ends_at=at(19, 23),
        reason="Stage dismantling",
    )
    free = {row["zone"].slug: row["free"] for row in planning.availability(square, at(19, 0).date())}
    assert free["west"] == [(at(19, 9), at(19, 11, 30)), (at(19, 14, 30), at(19, 18))]  # 30-min changeover
    assert free["east"] == [(at(19, 9), at(19, 18))]


def test_alternatives_stay_within_what_the_organizer_accepts_and_rank_by_closeness(
    square, gandhi, aigerim, bolat, dana
):
    file(bolat, square, at(19, 10), at(19, 16), people=50_000)  # pending: not holding anything
    holder = file(bolat, square, at(19, 12), at(19, 14), people=50_000)
    notices.decide(holder, dana, "accepted")
    wants = file(
        aigerim,
        square,
        at(19, 12),
        at(19, 14),
        people=50_000,
        window_start=at(19, 9),
        window_end=at(19, 18),
        acceptable_venues=[gandhi],
    )
    options = planning.alternatives(wants, limit=3)
    assert all(o.within_acceptable for o in options)
    # nearest first: 14:30 at the square (after the gap) ties with 09:30… ranked by closeness to 12:00
    assert options[0].place.starts_at in (at(19, 9, 30), at(19, 14, 30))
    assert {o.place.venue for o in options} <= {square.pk, gandhi.pk}


def test_without_acceptable_options_the_nearest_others_are_marked(square, gandhi, aigerim, bolat, dana):
    holder = file(bolat, square, at(19, 9), at(19, 20), people=50_000)
    notices.decide(
        holder,
        dana,
        "accepted_with_conditions",
        conditions="cap",
        placement={"venue": square.pk, "starts_at": at(19, 9), "ends_at": at(19, 13)},
    )
    # Bolat's second notice the same day: square taken when it asks, no window, no other venue
    wants = file(aigerim, square, at(19, 10), at(19, 12), people=50)
    options = planning.alternatives(wants)
    assert options and not options[0].within_acceptable


@pytest.mark.django_db
def test_propose_and_apply_a_contested_day_under_fair(square, gandhi, aigerim, bolat, dana):
    a = file(bolat, square, at(19, 9), at(19, 20), people=50_000)
    b = file(
        aigerim,
        square,
        at(19, 14),
        at(19, 18),
        people=50_000,
        filed=NOW.replace(hour=12),
        window_start=at(19, 12),
        window_end=at(19, 20),
    )
    proposal = planning.propose_day(square.jurisdiction, at(19, 0).date(), time_limit=5)
    assert proposal["allocation"].accommodated == 2
    outcomes = {item["notice"].pk: item["outcome"] for item in proposal["items"]}
    assert outcomes == {a.pk: "accepted_with_conditions", b.pk: "accepted"}
    decided = notices.apply_day_plan(proposal, dana)
    assert all(decision is not None for _, decision in decided)
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.bookings.first().ends_at == at(19, 13)  # capped at 4 hours
    assert b.bookings.first().starts_at == at(19, 14)


def test_flags_over_cap_and_filed_after_a_competitor(almaty_kz, square_kz, officer_kz, aigerim, bolat):
    square, officer = square_kz, officer_kz
    # Aigerim files first for the afternoon; Bolat files later for the whole day, and the
    # status-quo office accepts Bolat and refuses Aigerim.
    first = file(aigerim, square, at(19, 14), at(19, 18))
    blocker = file(bolat, square, at(19, 9), at(19, 20), filed=NOW.replace(hour=15))
    notices.decide(blocker, officer, "accepted")
    notices.decide(first, officer, "refused", grounds=["venue_booked"], reasoning="Booked.")
    notices.check_in(blocker, officer, at=at(19, 9))
    notices.check_out(blocker, officer, at=at(19, 10))
    found = {
        (f.kind, tuple(d.pk for d in f.displaced))
        for f in flags_for(bookings_on(almaty_kz, at(19, 0), at(20, 0)), now=at(19, 21))
    }
    assert ("filed_after_competitor", (first.pk,)) in found
    assert ("underused", (first.pk,)) in found
    assert not any(kind == "over_cap" for kind, _ in found)  # the status quo has no cap
    [row] = blocking_index(bookings_on(almaty_kz, at(19, 0), at(20, 0)), now=at(19, 21))
    assert row["organizer"].user == bolat
    assert (row["booked_hours"], row["used_hours"], row["unused_hours"], row["displaced"]) == (11, 1, 10, 1)


def test_over_cap_is_flagged_under_fair(square, aigerim, dana):
    long = file(aigerim, square, at(19, 9), at(19, 15))
    with pytest.raises(ValidationError, match="allows 4"):  # an officer cannot accept over the cap
        notices.decide(long, dana, "accepted", at=NOW)
    # a booking made around the services (say, before the cap was in the rulebook) is flagged
    bookings.book(long, square.zones.all()[:1], at(19, 9), at(19, 15), 300, actor=None)
    kinds = [f.kind for f in flags_for(bookings_on(square.jurisdiction, at(19, 0), at(20, 0)), now=at(19, 8))]
    assert kinds == ["over_cap"]
