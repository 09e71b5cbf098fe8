"""Used-or-released: giving back unused time and offering it to waiting notices.

A check-out before the end releases the rest of the booking at once; a no-show after the
rulebook's grace period releases all of it. Released time is offered to waiting notices
(refused, deemed refused, or offered an alternative, and not going ahead elsewhere) that
it now fits, in filing order. An offer holds the time (a Booking tied to the Offer) for
`offer_hold_hours`, never past the start; then it expires and passes to the next notice.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from agora.accounts.access import organizer_of
from agora.audit.services import record
from agora.locking import lock_row
from agora.notices.models import Notice
from agora.notices.workflow import GOING_AHEAD, Status

from . import engine
from . import services as bookings
from .models import Booking, Offer
from .planning import Clock, as_placement, day_problem

WAITING = (Status.REFUSED, Status.DEEMED_REFUSED, Status.ALTERNATIVE_OFFERED)


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


def release_notice(notice: Notice, at: dt.datetime, reason: str, *, actor) -> list[Offer]:
    """Release every booking of a notice from `at` on (check-out, withdrawal)."""
    made = []
    for booking in notice.bookings.filter(Q(offer__isnull=True) | Q(offer__state=Offer.State.ACCEPTED)):
        made += release(booking, at, reason, actor=actor)
    return made


def waiting_for(venue, start: dt.datetime, end: dt.datetime, *, exclude=()):
    """Waiting notices whose request (or window) meets [start, end) at a venue they accept."""
    overlaps = (Q(starts_at__lt=end, ends_at__gt=start)) | Q(window_start__lt=end, window_end__gt=start)
    return (
        Notice.objects.filter(jurisdiction=venue.jurisdiction, status__in=WAITING)
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
    if end <= start:
        return []
    asked_before = Offer.objects.filter(
        notice__venue=venue,
        starts_at__lt=end,
        ends_at__gt=start,
        state__in=[Offer.State.DECLINED, Offer.State.EXPIRED],
    ).values_list("notice_id", flat=True)
    made = []
    clock = Clock.of(jurisdiction, start)
    for notice in waiting_for(venue, start, end, exclude=asked_before):
        if notice.bookings.filter(offer__isnull=True).exists() or notice.starts_at <= at:
            continue  # it holds other time already, or its day has begun
        placement = _fit(notice, venue, start, end, clock)
        if placement is None:
            continue
        made.append(_make_offer(notice, placement, at))
    return made


def _fit(notice: Notice, venue, start: dt.datetime, end: dt.datetime, clock: Clock) -> dict | None:
    """The closest placement for `notice` inside [start, end) at `venue`, if it is free."""
    problem = day_problem(notice.jurisdiction, clock, [notice])
    [request] = problem.requests
    lo, hi = clock.minutes(start), clock.minutes(end)
    problem.opens, problem.closes = max(problem.opens, lo), min(problem.closes, hi)
    request = engine.Request(
        **{
            **request.__dict__,
            "other_venues": (),
            "venue": venue.pk,
            "zone": request.zone if request.venue == venue.pk else None,
        }
    )
    for _, placement in engine.free_placements(problem, request):
        return as_placement(placement, clock)
    return None


def _make_offer(notice: Notice, placement: dict, at: dt.datetime) -> Offer:
    hold = dt.timedelta(hours=notice.rulebook.rules.fairness.offer_hold_hours)
    with transaction.atomic():
        offer = Offer.objects.create(
            notice=notice,
            starts_at=placement["starts_at"],
            ends_at=placement["ends_at"],
            offered_at=at,
            expires_at=min(at + hold, placement["starts_at"]),
        )
        zones = notice.jurisdiction.venues.get(pk=placement["venue"]).zones.filter(pk__in=placement["zones"])
        held = bookings.book(
            notice, zones, offer.starts_at, offer.ends_at, notice.expected_participants, actor=None
        )
        Booking.objects.filter(pk__in=[b.pk for b in held]).update(offer=offer)
        record(
            "offer.made",
            None,
            notice,
            {
                "offer": offer.pk,
                "venue": placement["venue"],
                "zones": placement["zones"],
                "starts_at": offer.starts_at.isoformat(),
                "ends_at": offer.ends_at.isoformat(),
                "expires_at": offer.expires_at.isoformat(),
            },
            at=at,
        )
    return offer


def _pending(offer: Offer, user, at: dt.datetime) -> Offer:
    organizer = organizer_of(user)
    locked = lock_row(Offer.objects.select_related("notice"), offer.pk)
    if locked.notice.organizer_id != organizer.pk:
        raise PermissionDenied("This offer is not for your notice.")
    if locked.state != Offer.State.PENDING:
        raise ValidationError(f"This offer is already {locked.get_state_display().lower()}.")
    if at >= locked.expires_at:
        raise ValidationError("This offer has expired.")
    return locked


def accept_offer(offer: Offer, user, *, at: dt.datetime | None = None) -> Offer:
    """The organizer takes the offered time: the hold becomes the notice's booking."""
    from agora.notices.services import accept_released_time

    at = at or timezone.now()
    with transaction.atomic():
        locked = _pending(offer, user, at)
        locked.state, locked.answered_at = Offer.State.ACCEPTED, at
        locked.save(update_fields=["state", "answered_at"])
        accept_released_time(locked.notice, user, offer=locked, at=at)
    return locked


def decline_offer(offer: Offer, user, *, at: dt.datetime | None = None) -> list[Offer]:
    at = at or timezone.now()
    with transaction.atomic():
        locked = _pending(offer, user, at)
        return _close(locked, Offer.State.DECLINED, user, at)


def expire_offers(at: dt.datetime | None = None) -> list[Offer]:
    """Expire offers past their hold time; their time passes to the next waiting notice."""
    at = at or timezone.now()
    made = []
    for offer in Offer.objects.filter(state=Offer.State.PENDING, expires_at__lte=at):
        with transaction.atomic():
            locked = lock_row(Offer.objects, offer.pk)
            if locked.state == Offer.State.PENDING:
                made += _close(locked, Offer.State.EXPIRED, None, at)
    return made


def _close(offer: Offer, state: str, actor, at: dt.datetime) -> list[Offer]:
    offer.state, offer.answered_at = state, at
    offer.save(update_fields=["state", "answered_at"])
    record(f"offer.{state}", actor, offer.notice, {"offer": offer.pk}, at=at)
    made = []
    for hold in offer.holds.all():
        bookings.release(hold, hold.starts_at, f"offer_{state}", actor=actor)
        made += offer_released(
            offer.notice.jurisdiction, hold.zone.venue, hold.starts_at, hold.ends_at, at=at
        )
    return made


def release_no_shows(at: dt.datetime | None = None) -> list[Booking]:
    """Release bookings nobody checked in to within the rulebook's grace period."""
    at = at or timezone.now()
    released = []
    candidates = Booking.objects.filter(
        checked_in_at__isnull=True,
        released_at__isnull=True,
        starts_at__lte=at,
        held_until__gt=at,
        notice__status__in=GOING_AHEAD,
    ).select_related("notice__rulebook", "zone__venue")
    for booking in candidates:
        grace = booking.notice.rulebook.rules.fairness.checkin_grace_minutes
        if grace is None or at < booking.starts_at + dt.timedelta(minutes=grace):
            continue
        release(booking, booking.starts_at, "no_show", actor=None, now=at)
        released.append(booking)
    return released
