"""Bookings: the only code that writes them. Every function runs in one transaction."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, prefetch_related_objects
from django.utils.translation import gettext as _

from agora.audit.services import record
from agora.i18n import pick
from agora.locking import lock_row, lock_zones

from . import engine
from .models import Booking


class SlotTaken(ValidationError):
    """The zone is already held at that time by another booking."""

    def __init__(self, zone, conflicting: Booking | None = None):
        self.zone, self.conflicting = zone, conflicting
        where = f"{pick(zone.venue.name)} ({pick(zone.name)})"
        if conflicting is not None:
            message = _(
                "%(place)s is already booked at that time by notice %(ref)s. Choose another time or zone."
            )
            message %= {"place": where, "ref": conflicting.notice}
        else:
            message = _("%(place)s is already booked at that time. Choose another time or zone.") % {
                "place": where
            }
        super().__init__(message, code="slot_taken")


def holding(zone_ids: Iterable[int], start: dt.datetime, end: dt.datetime):
    """Bookings that still hold any of these zones at some instant of [start, end)."""
    return Booking.objects.filter(zone_id__in=list(zone_ids), starts_at__lt=end, held_until__gt=start).filter(
        held_until__gt=F("starts_at")
    )


def _transaction():
    """The caller's transaction, or one of its own."""
    if transaction.get_connection().in_atomic_block:
        return contextlib.nullcontext()
    return transaction.atomic()


def book(
    notice, zones, start: dt.datetime, end: dt.datetime, participants: int, *, actor, alternative=None
) -> list[Booking]:
    """Hold [start, end) on each zone for `notice`, or raise SlotTaken and hold nothing;
    with `alternative` (a decision), as the hold of the alternative it offers.

    The Python check gives a clear error; the database constraint (PostgreSQL exclusion
    constraint, SQLite trigger) is what guarantees no overlap under concurrency.

    Inside a caller's transaction it adds no savepoint of its own: SlotTaken comes before
    anything is written (the inserts have their own savepoint), and any later error
    propagates and rolls the caller's transaction back."""
    zones = list(zones)
    if not zones:
        raise ValidationError(_("A booking needs at least one zone."))
    if end <= start:
        raise ValidationError(_("A booking must end after it starts."))
    with _transaction():
        lock_zones(z.pk for z in zones)
        conflict = holding([z.pk for z in zones], start, end).select_related("notice", "zone").first()
        if conflict is not None:
            raise SlotTaken(conflict.zone, conflict)
        made = []
        try:
            with transaction.atomic():  # savepoint: the constraint error must not poison the outer txn
                for zone in zones:
                    made.append(
                        Booking.objects.create(
                            notice=notice,
                            zone=zone,
                            starts_at=start,
                            ends_at=end,
                            held_until=end,
                            participants=participants,
                            alternative=alternative,
                        )
                    )
        except IntegrityError as error:
            if "overlap" not in str(error).lower():
                raise
            raise SlotTaken(zones[0]) from error
        record(
            "booking.created",
            actor,
            notice,
            {
                "zones": [z.pk for z in zones],
                "starts_at": start.isoformat(),
                "ends_at": end.isoformat(),
                "participants": participants,
            },
            state=made,
        )
        return made


def release(
    booking: Booking, at: dt.datetime, reason: str, *, actor, now: dt.datetime | None = None
) -> Booking:
    """Give back [at, end) of a booking (all of it if `at` is before the start).

    `now` is when the release happens, if not at `at` (a no-show releases from the start)."""
    with transaction.atomic():
        booking = lock_row(Booking.objects, booking.pk)
        new_end = min(max(at, booking.starts_at), booking.held_until)
        if new_end == booking.held_until:
            return booking
        booking.held_until, booking.released_at, booking.release_reason = new_end, now or at, reason
        booking.save(update_fields=["held_until", "released_at", "release_reason"])
        record(
            "booking.released",
            actor,
            booking.notice,
            {
                "zone": booking.zone_id,
                "held_until": new_end.isoformat(),
                "reason": reason,
            },
            state=[booking],
        )
        return booking


def check_in(notice, *, actor, at: dt.datetime) -> None:
    """Stamp the check-in on the notice's firm bookings (the window is the caller's guard)."""
    with transaction.atomic():
        stamped = _stamp(notice.bookings.firm().filter(checked_in_at__isnull=True), "checked_in_at", at)
        if stamped:
            record("booking.checked_in", actor, notice, {"at": at.isoformat()}, state=stamped)


def check_out(notice, *, actor, at: dt.datetime) -> None:
    """Record the end of use (releasing the rest is the rulebook's call: offers.release_notice)."""
    with transaction.atomic():
        rows = notice.bookings.firm().filter(checked_out_at__isnull=True, checked_in_at__isnull=False)
        stamped = _stamp(rows, "checked_out_at", at)
        record("booking.checked_out", actor, notice, {"at": at.isoformat()}, state=stamped)


def _stamp(rows, name: str, at: dt.datetime) -> list[Booking]:
    """Set one moment on these bookings; returns them as saved (for the log)."""
    stamped = list(rows.select_for_update(of=("self",)))  # not the offer it may join
    for booking in stamped:
        setattr(booking, name, at)
    Booking.objects.bulk_update(stamped, [name])
    return stamped


def hours_held(
    organizer_id: int, venue_id: int, start: dt.datetime, end: dt.datetime, *, exclude=None
) -> float:
    """Hours an organizer holds at a venue within [start, end) (a local day), whatever the
    notices' status: firm bookings and holds of offers alike, released time not counted,
    a notice holding several zones at once counted once."""
    rows = (
        Booking.objects.filter(
            notice__organizer_id=organizer_id,
            zone__venue_id=venue_id,
            starts_at__lt=end,
            held_until__gt=start,
        )
        .filter(held_until__gt=F("starts_at"))
        .exclude(notice_id=exclude)
        .values_list("notice_id", "starts_at", "held_until")
    )
    spans: dict[int, set] = {}
    for notice_id, s, e in rows:
        spans.setdefault(notice_id, set()).add((max(s, start), min(e, end)))
    return sum(_union_seconds(v) for v in spans.values()) / 3600


def _union_seconds(spans) -> float:
    total, reach = 0.0, None
    for s, e in sorted(spans):
        if reach is None or s >= reach:
            total, reach = total + (e - s).total_seconds(), e
        elif e > reach:
            total, reach = total + (e - reach).total_seconds(), e
    return total


def zones_to_hold(venue, participants: int, start: dt.datetime, end: dt.datetime, *, share: bool) -> list:
    """Which zones of `venue` a notice holds: the engine's first choice (engine.zone_sets)
    that is free at that time, else its first choice (the booking then says who is in the
    way); every zone when none holds the participants (the pre-check has said so)."""
    prefetch_related_objects([venue], "zones")  # each zone's capacity counts its venue's zones
    zones = {z.pk: z for z in venue.zones.all()}
    specs = [engine.ZoneSpec(z.pk, venue.pk, z.capacity) for z in zones.values()]
    choices = engine.zone_sets(specs, participants, share=share) or [tuple(zones)]
    busy = set(holding(list(zones), start, end).values_list("zone_id", flat=True))
    chosen = next((c for c in choices if not busy.intersection(c)), choices[0])
    return [zones[pk] for pk in chosen]
