"""Anti-blocking flags (PRODUCT.md §5) and the per-organizer blocking index.

A booking is flagged when it is longer than the rulebook's daily cap (`over_cap`), when it
was used for under half its length (`underused`: check-in to check-out, or not at all),
or when its notice was filed after a competing notice for the same venue and time that
it displaced (`filed_after_competitor`). Each flag names the notices it displaced:
notices for the same venue whose requested time overlaps the booking and that were
refused or moved because the place was booked.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import timezone

from agora.notices.models import Notice
from agora.notices.workflow import REFUSALS, Status

from .models import Booking

UNDERUSED_BELOW = 0.5
# refused or moved (and perhaps withdrawn since): such a notice may have been displaced
DISPLACED_STATES = REFUSALS | {Status.WITHDRAWN}


@dataclass
class Usage:
    """What one notice booked and used of a venue."""

    notice: Notice
    starts_at: dt.datetime
    ends_at: dt.datetime
    checked_in_at: dt.datetime | None
    checked_out_at: dt.datetime | None
    displaced: list[Notice] = field(default_factory=list)

    @property
    def booked_hours(self) -> float:
        return (self.ends_at - self.starts_at).total_seconds() / 3600

    def used_hours(self, now: dt.datetime) -> float | None:
        """Hours really used; None while it cannot be known yet."""
        if self.checked_in_at is None:
            return 0.0 if now >= self.ends_at else None
        until = self.checked_out_at or (self.ends_at if now >= self.ends_at else None)
        if until is None:
            return None
        return max(0.0, (min(until, self.ends_at) - self.checked_in_at).total_seconds() / 3600)


@dataclass(frozen=True)
class Flag:
    notice: Notice
    kind: str
    detail: str
    displaced: tuple[Notice, ...]


def usages(bookings) -> list[Usage]:
    """One Usage per notice, from its firm bookings (offers still pending do not count)."""
    by_notice: dict[int, Usage] = {}
    firm = bookings.firm().select_related("notice__rulebook", "notice__organizer", "zone")
    for b in firm:
        usage = by_notice.get(b.notice_id)
        if usage is None:
            by_notice[b.notice_id] = Usage(
                b.notice, b.starts_at, b.ends_at, b.checked_in_at, b.checked_out_at
            )
        else:
            usage.starts_at, usage.ends_at = min(usage.starts_at, b.starts_at), max(usage.ends_at, b.ends_at)
    for usage in by_notice.values():
        usage.displaced = list(displaced_by(usage))
    return list(by_notice.values())


def displaced_by(usage: Usage):
    """Notices for the same venue and overlapping time refused or moved because it was booked."""
    notice = usage.notice
    rivals = (
        Notice.objects.filter(
            venue=notice.venue_id,
            status__in=DISPLACED_STATES,
            starts_at__lt=usage.ends_at,
            ends_at__gt=usage.starts_at,
        )
        .exclude(pk=notice.pk)
        .prefetch_related("decisions")
        .order_by("filed_at", "pk")
    )
    for rival in rivals:
        decisions = list(rival.decisions.all())
        last_outcome = next((d for d in reversed(decisions) if d.outcome in DISPLACED_STATES), None)
        if last_outcome is None:
            continue
        if "venue_booked" in last_outcome.grounds or last_outcome.outcome == Status.DEEMED_REFUSED:
            yield rival


def flags_for(bookings, *, now: dt.datetime | None = None) -> list[Flag]:
    now = now or timezone.now()
    found = []
    for usage in usages(bookings):
        notice, displaced = usage.notice, tuple(usage.displaced)
        cap = notice.rulebook.rules.fairness.max_hours_per_organizer_per_venue_day
        if cap is not None and usage.booked_hours > cap:
            found.append(
                Flag(notice, "over_cap", f"booked {usage.booked_hours:g} h, the cap is {cap:g} h", displaced)
            )
        used = usage.used_hours(now)
        if used is not None and used < UNDERUSED_BELOW * usage.booked_hours:
            found.append(
                Flag(notice, "underused", f"used {used:g} h of {usage.booked_hours:g} h booked", displaced)
            )
        earlier = tuple(
            r for r in displaced if r.filed_at and notice.filed_at and r.filed_at < notice.filed_at
        )
        if earlier:
            found.append(
                Flag(notice, "filed_after_competitor", "filed after the notice(s) it displaced", earlier)
            )
    return found


def blocking_index(bookings, *, now: dt.datetime | None = None) -> list[dict]:
    """Per organizer: hours booked, used and unused, and the notices their bookings displaced."""
    now = now or timezone.now()
    rows: dict[int, dict] = defaultdict(
        lambda: {
            "booked_hours": 0.0,
            "used_hours": 0.0,
            "unused_hours": 0.0,
            "displaced": set(),
            "organizer": None,
        }
    )
    for usage in usages(bookings):
        used = usage.used_hours(now)
        row = rows[usage.notice.organizer_id]
        row["organizer"] = usage.notice.organizer
        row["booked_hours"] += usage.booked_hours
        if used is not None:
            row["used_hours"] += used
            row["unused_hours"] += usage.booked_hours - used
        row["displaced"].update(r.pk for r in usage.displaced)
    return sorted(
        ({**row, "displaced": len(row["displaced"])} for row in rows.values()),
        key=lambda r: (-r["unused_hours"], -r["displaced"], r["organizer"].pk),
    )


def bookings_on(jurisdiction, start: dt.datetime, end: dt.datetime):
    return Booking.objects.filter(notice__jurisdiction=jurisdiction, starts_at__lt=end, ends_at__gt=start)
