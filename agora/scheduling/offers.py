"""Used-or-released: giving back unused time and offering it to waiting notices.

A check-out before the end releases the rest of the booking at once; a no-show after the
rulebook's grace period releases all of it. Released time is offered to waiting notices
(refused, deemed refused, or offered an alternative, and not going ahead elsewhere) that
it now fits, in filing order. An offer holds the time (a Booking tied to the Offer) for
`offer_hold_hours`, never past the start; then it expires and passes to the next notice.

This module computes and holds; it never moves a notice. Accepting, declining and expiring
an offer, and a no-show, are actions of `agora.notices.services`, which call back here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from django.db import transaction
from django.db.models import F, Q

from agora.audit.services import record
from agora.notices.models import Notice
from agora.notices.workflow import GOING_AHEAD

from . import bookings, engine
from .models import Booking, Offer
from .place import Place
from .planning import Clock, as_place, day_problem


def release(
    booking: Booking, at: dt.datetime, reason: str, *, actor, now: dt.datetime | None = None
) -> list[Offer]:
    """Release a booking from `at` on, then offer the freed time to waiting notices."""
    now = now or at
    with transaction.atomic():
        before = booking.held_until
        booking = bookings.release(booking, at, reason, actor=actor, now=now)
        if booking.held_until == before:
            return []
        return offer_released(
            booking.notice.jurisdiction, booking.zone.venue, booking.held_until, before, at=now
        )


def release_notice(
    notice: Notice, at: dt.datetime, reason: str, *, actor, release_from: dt.datetime | None = None
) -> list[Offer]:
    """Release every firm booking of a notice from `release_from` (default `at`) on, and
    offer the freed time to waiting notices (check-out, no-show, a move that does not go ahead)."""
    made = []
    for booking in notice.bookings.firm().filter(held_until__gt=F("starts_at")):
        made += release(booking, release_from or at, reason, actor=actor, now=at)
    return made


def waiting_for(venue, start: dt.datetime, end: dt.datetime, *, exclude=()):
    """Waiting notices whose request (or window) meets [start, end) at a venue they accept."""
    overlaps = (Q(starts_at__lt=end, ends_at__gt=start)) | Q(window_start__lt=end, window_end__gt=start)
    return (
        Notice.objects.waiting()
        .filter(jurisdiction=venue.jurisdiction)
        .filter(Q(venue=venue) | Q(acceptable_venues=venue))
        .filter(overlaps)
        .exclude(pk__in=list(exclude))
        .exclude(offers__state=Offer.State.PENDING)
        .distinct()
        .order_by("filed_at", "pk")
    )


def offer_released(
    jurisdiction, venue, start: dt.datetime, end: dt.datetime, *, at: dt.datetime
) -> list[Offer]:
    """Offer [start, end) at `venue` to waiting notices in filing order, as far as it goes.

    A notice that already had an offer of this time (declined or expired) is not asked again.
    """
    start = max(start, at)
    if end <= start or not jurisdiction.rulebook.rules.fairness.offer_hold_hours:
        return []  # nothing left, or a rulebook that makes no offers: the time is simply free
    asked_before = Offer.objects.filter(
        notice__venue=venue,
        starts_at__lt=end,
        ends_at__gt=start,
        state__in=[Offer.State.DECLINED, Offer.State.EXPIRED],
    ).values_list("notice_id", flat=True)
    made = []
    clock = Clock.of(jurisdiction, start)
    for notice in waiting_for(venue, start, end, exclude=asked_before):
        if (
            notice.bookings.filter(offer__isnull=True, alternative__isnull=True).exists()
            or notice.starts_at <= at
        ):
            # it holds other time already (an alternative it may decline aside), or its day has begun
            continue
        placement = _fit(notice, venue, start, end, clock)
        if placement is None:
            continue
        made.append(_make_offer(notice, placement, at))
    return made


def _fit(notice: Notice, venue, start: dt.datetime, end: dt.datetime, clock: Clock) -> Place | None:
    """The closest placement for `notice` inside [start, end) at `venue`, if it is free."""
    problem = day_problem(notice.jurisdiction, clock, [notice])
    [request] = problem.requests
    lo, hi = clock.minutes(start), clock.minutes(end)
    problem.opens, problem.closes = max(problem.opens, lo), min(problem.closes, hi)
    request = replace(
        request, other_venues=(), venue=venue.pk, zone=request.zone if request.venue == venue.pk else None
    )
    for _, placement in engine.free_placements(problem, request):
        return as_place(placement, clock)
    return None


def _make_offer(notice: Notice, place: Place, at: dt.datetime) -> Offer:
    hold = dt.timedelta(hours=notice.rulebook.rules.fairness.offer_hold_hours)
    with transaction.atomic():
        offer = Offer.objects.create(
            notice=notice,
            starts_at=place.starts_at,
            ends_at=place.ends_at,
            offered_at=at,
            expires_at=min(at + hold, place.starts_at),
        )
        zones = notice.jurisdiction.venues.get(pk=place.venue).zones.filter(pk__in=place.zones)
        held = bookings.book(
            notice, zones, offer.starts_at, offer.ends_at, notice.expected_participants, actor=None
        )
        Booking.objects.filter(pk__in=[b.pk for b in held]).update(offer=offer)
        for booking in held:
            booking.offer = offer
        record(
            "offer.made",
            None,
            notice,
            {
                "offer": offer.pk,
                "venue": place.venue,
                "zones": list(place.zones),
                "starts_at": offer.starts_at.isoformat(),
                "ends_at": offer.ends_at.isoformat(),
                "expires_at": offer.expires_at.isoformat(),
            },
            at=at,
            state=[offer, *held],
        )
    return offer


def pending_offers(notice: Notice):
    return notice.offers.filter(state=Offer.State.PENDING)


def due_offers(at: dt.datetime):
    """Pending offers past their hold time."""
    return Offer.objects.filter(state=Offer.State.PENDING, expires_at__lte=at).order_by("expires_at", "pk")


def close_offer(offer: Offer, state: str, actor, at: dt.datetime, *, offer_on: bool = True) -> list[tuple]:
    """Close an offer (declined, expired, cancelled) and release what it held.

    The freed time passes to the next waiting notices at once (returns the offers made), or,
    with `offer_on=False`, is returned as (venue, start, end) for the caller to pass on."""
    offer.state, offer.answered_at = state, at
    offer.save(update_fields=["state", "answered_at"])
    record(f"offer.{state}", actor, offer.notice, {"offer": offer.pk}, at=at, state=[offer])
    freed = []
    for hold in offer.holds.select_related("zone__venue"):
        bookings.release(hold, hold.starts_at, f"offer_{state}", actor=actor, now=at)
        freed.append((hold.zone.venue, hold.starts_at, hold.ends_at))
    if offer_on:
        return pass_on(offer.notice.jurisdiction, freed, at=at)
    return freed


def pass_on(jurisdiction, freed, *, at: dt.datetime) -> list[Offer]:
    """Offer freed (venue, start, end) spans to waiting notices."""
    made = []
    for venue, start, end in dict.fromkeys(freed):
        made += offer_released(jurisdiction, venue, start, end, at=at)
    return made


def no_shows(at: dt.datetime):
    """Notices going ahead whose bookings nobody checked in to within the rulebook's grace."""
    late = []
    candidates = (
        Booking.objects.filter(
            checked_in_at__isnull=True,
            starts_at__lte=at,
            held_until__gt=F("starts_at"),
            notice__status__in=GOING_AHEAD,
        )
        .firm()
        .select_related("notice__rulebook")
        .order_by("starts_at", "pk")
    )
    for booking in candidates:
        grace = booking.notice.rulebook.rules.fairness.checkin_grace_minutes
        due = grace is not None and at >= booking.starts_at + dt.timedelta(minutes=grace)
        if due and booking.notice not in late:
            late.append(booking.notice)
    return late
