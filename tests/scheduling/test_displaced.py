"""Which notices a booking displaced, asked once for all bookings: the same answer as asking
the database booking by booking (the way it was done before, kept here as the reference),
on a busy made-up history and on the demo city."""

from __future__ import annotations

import datetime as dt
import io
import random

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from agora.demo import make_venue, names
from agora.notices import services
from agora.notices.models import Notice
from agora.notices.workflow import Status
from agora.scheduling import flags
from agora.scheduling.flags import DISPLACED_STATES, blocking_index, hours_used, usages
from agora.scheduling.models import Booking
from tests.conftest import file, future


def reference_displaced(usage):
    """The notices `usage` displaced, one query per usage (the old way)."""
    notice = usage.notice
    rivals = (
        Notice.objects.filter(
            venue=notice.venue_id,
            status__in=DISPLACED_STATES,
            starts_at__lt=usage.ends_at,
            ends_at__gt=usage.starts_at,
        )
        .exclude(pk=notice.pk)
        .order_by("filed_at", "pk")
    )
    found = []
    for rival in rivals:
        decisions = list(rival.decisions.all())
        last = next((d for d in reversed(decisions) if d.outcome in DISPLACED_STATES), None)
        if last and ("venue_booked" in last.grounds or last.outcome == Status.DEEMED_REFUSED):
            found.append(rival.pk)
    return found


def reference_index(now):
    """Per organizer id: booked, used, unused hours and notices displaced (the old way)."""
    rows = {}
    for usage in usages(Booking.objects.all()):
        used = hours_used(usage.starts_at, usage.ends_at, usage.checked_in_at, usage.checked_out_at, now)
        row = rows.setdefault(usage.notice.organizer_id, [0.0, 0.0, 0.0, set()])
        row[0] += usage.booked_hours
        if used is not None:
            row[1] += used
            row[2] += usage.booked_hours - used
        row[3].update(reference_displaced(usage))
    return {k: (round(b, 6), round(u, 6), round(n, 6), len(d)) for k, (b, u, n, d) in rows.items()}


def assert_same_as_reference(now, *, displaces=True):
    found = usages(Booking.objects.all())
    assert found, "the history books nothing: the comparison would prove nothing"
    assert any(u.displaced for u in found) or not displaces, (
        "nothing displaced: the comparison would prove nothing"
    )
    for usage in found:
        assert [r.pk for r in usage.displaced] == reference_displaced(usage), usage.notice.reference
    index = {
        r["organizer_id"]: (
            round(r["booked_hours"], 6),
            round(r["used_hours"], 6),
            round(r["unused_hours"], 6),
            r["displaced"],
        )
        for r in blocking_index(Booking.objects.all(), now=now)
    }
    assert index == reference_index(now)


@pytest.mark.parametrize("chunk", [100_000, 3])  # one chunk a venue, or many (their edges)
def test_a_busy_history_gives_the_same_displaced_notices_as_asking_booking_by_booking(
    square_kz, almaty_kz, aigerim, bolat, officer_kz, chunk, monkeypatch
):
    monkeypatch.setattr(flags, "BLOCKING_CHUNK", chunk)
    dana = officer_kz  # the status-quo rulebook: refusals need no alternative, no daily cap
    park = make_venue(almaty_kz, "park", names("Park", "Парк", "Саябақ"), 43.2265, 76.9370, 40, 50)
    rng = random.Random(16)
    venues, people = [square_kz, park], [aigerim, bolat]
    for _ in range(40):
        day = future(days=rng.randint(8, 10), hour=0)
        start = day + dt.timedelta(hours=rng.randint(9, 17))
        end = start + dt.timedelta(hours=rng.choice([1, 2]))
        notice = file(rng.choice(people), rng.choice(venues), start, end, people=rng.choice([20, 60]))
        choice = rng.random()
        try:
            if choice < 0.45:
                services.decide(notice, dana, "accepted", reasoning="Fine.")
            elif choice < 0.8:  # only where the two cannot be held together (else: refused below)
                services.decide(notice, dana, "refused", grounds=["venue_booked"], reasoning="Booked.")
            elif choice < 0.9:
                services.decide(
                    notice, dana, "refused", grounds=["public_order_threat"], reasoning="A danger to order."
                )
        except ValidationError:
            try:
                services.decide(notice, dana, "refused", grounds=["venue_booked"], reasoning="Booked.")
            except ValidationError:  # room beside the others: a refusal on another ground
                services.decide(notice, dana, "refused", grounds=["public_order_threat"], reasoning="Order.")
        if rng.random() < 0.15 and notice.status in (Status.REFUSED,):
            services.withdraw(notice, notice.organizer.user, reason="Gave up.")
    assert_same_as_reference(future(days=12))


def test_the_demo_city_gives_the_same_displaced_notices_as_asking_booking_by_booking(db):
    from django.utils import timezone

    call_command("load-demo", stdout=io.StringIO())
    assert_same_as_reference(timezone.now(), displaces=False)  # its refusals are on other grounds
