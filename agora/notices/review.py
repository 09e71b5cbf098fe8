"""What an officer sees when reviewing: the queue, conflicts, computed alternatives, the day
sheet. Read-only queries shared by the office pages and the API."""

from __future__ import annotations

import datetime as dt

from django.utils import formats
from django.utils.translation import gettext_lazy

from agora import i18n
from agora.i18n import pick
from agora.rules import deadlines
from agora.scheduling import planning
from agora.scheduling.models import Booking

from . import services, words
from .models import Notice
from .places import also_accepts, held_place, place_label, where  # noqa: F401 (the pages ask here too)
from .workflow import PENDING


def queue(jurisdiction):
    """Notices waiting for a decision or an appeal decision, by legal deadline."""
    return Notice.objects.in_queue().filter(jurisdiction=jurisdiction).order_by("decision_due_at", "filed_at")


def changeover(jurisdiction) -> dt.timedelta:
    """The gap the jurisdiction's rulebook keeps between two assemblies at one place."""
    return dt.timedelta(minutes=jurisdiction.rulebook.rules.fairness.changeover_minutes)


def conflicts(notice: Notice):
    """Other notices for the same venue, pending or going ahead, at an overlapping time or
    within the changeover gap of it (as the day plan sees them)."""
    return Notice.objects.clashing_with(notice, changeover(notice.jurisdiction)).order_by("filed_at")


def computed_alternatives(notice: Notice) -> list[planning.Option]:
    """Free alternatives, only where the notice cannot be granted as filed."""
    if notice.status in PENDING and not planning.free_as_filed(notice):
        return planning.alternatives(notice)
    return []


def filing_rules(now: dt.datetime) -> list[dict]:
    """What an organizer should know before typing: for each type of each authority, the
    earliest lawful day if filed now, the allowed hours and the daily cap."""
    from agora.rules.models import Jurisdiction

    rows = []
    for jurisdiction in Jurisdiction.objects.select_related("rulebook").order_by("slug"):
        rules, calendar = jurisdiction.rulebook.rules, jurisdiction.calendar()
        cap = rules.fairness.max_hours_per_organizer_per_venue_day
        for code, kind in rules.types.items():
            hours = rules.hours_for(code)
            until = (
                hours.end_text() if hours.until_midnight else formats.time_format(hours.end, "TIME_FORMAT")
            )
            rows.append(
                {
                    "authority": pick(jurisdiction.name),
                    "type": words.assembly_type(code, jurisdiction.rulebook),
                    "earliest": i18n.day(_earliest(kind.notice.min, now, calendar, jurisdiction.tz)),
                    "hours": f"{formats.time_format(hours.start, 'TIME_FORMAT')}–{until}",
                    "cap": i18n.number(cap) if cap is not None else None,
                }
            )
    return rows


def _earliest(period, now, calendar, tz):
    """The first day an assembly may be held if notified now (today, where none is needed)."""
    if period is None:
        return now.astimezone(tz).date()
    return deadlines.Counter(calendar, tz).earliest_day(period, now)


def precheck_report(notice: Notice, other_venues=(), *, limit: int = 5) -> dict:
    """What the organizer learns before filing (the page and the API show the same): the
    rules the notice breaks, whether the place is free as asked, and if not the free options."""
    free = planning.free_as_filed(notice)
    return {
        "violations": services.precheck(notice),
        "free": free,
        "alternatives": [] if free else planning.alternatives(notice, limit=limit, other_venues=other_venues),
    }


def day_sheet(venue, day: dt.date):
    """A venue's bookings on a day, to check in and out: the notices' own bookings and
    accepted offers (a pending offer is only a hold)."""
    start, end = venue.jurisdiction.day_bounds(day)
    return (
        Booking.objects.firm()
        .filter(zone__venue=venue, starts_at__lt=end, ends_at__gt=start)
        .select_related("notice", "zone")
        .order_by("starts_at", "zone__slug")
    )


# Why a notice cannot be granted as filed → the refusal ground that says so, in order of
# precedence (a place that is not designated or closed is so whoever else books it).
PLACE_GROUNDS = ("venue_not_designated", "venue_closed", "outside_hours", "capacity")
OFFER_REASONS = {
    "venue_booked": gettext_lazy(
        "The requested place is already taken at that time by another assembly notified "
        "earlier; this free place and time is offered instead."
    ),
    "capacity": gettext_lazy(
        "The requested place cannot hold the expected number of participants safely; "
        "this place and time can, and is offered instead."
    ),
    "venue_closed": gettext_lazy(
        "The requested place is closed at that time; this free place and time is offered instead."
    ),
    "outside_hours": gettext_lazy(
        "The requested time is outside the permitted hours; this place and time is within them "
        "and is offered instead."
    ),
    "venue_not_designated": gettext_lazy(
        "The requested place is not designated for assemblies; this designated place is offered instead."
    ),
}


def obstacle(notice: Notice) -> str:
    """The rulebook ground for why the notice cannot be granted as filed."""
    listed = notice.rulebook.rules.refusal_grounds
    found = {v.ground for v in services.precheck(notice, at=notice.filed_at)}
    for ground in PLACE_GROUNDS:
        if ground in found and ground in listed:
            return ground
    if not planning.venue_can_hold(notice) and "capacity" in listed:
        return "capacity"
    return "venue_booked"


def offer_form(notice: Notice, index: int) -> dict:
    """The decision form filled in to offer computed alternative `index`: the ground that
    fits the conflict, and reasons in the officer's language (editable before deciding)."""
    ground = obstacle(notice)
    return {
        "outcome": "alternative_offered",
        "alternative": str(index),
        "grounds": [ground],
        "reasoning": str(OFFER_REASONS.get(ground, OFFER_REASONS["venue_booked"])),
    }


def rivals(decision) -> list[dict]:
    """For a decision on the ground of another event at the same place: the bookings that
    were in the way when it was made (the other notice, when it was filed, and how the time
    was used), so that anyone can judge whether the two could not be held together."""

    rules = decision.rulebook.rules
    if not set(decision.grounds) & set(rules.competing_event_grounds):
        return []
    notice = decision.notice
    rows = (
        Booking.objects.firm()
        .filter(zone__venue=notice.venue_id, starts_at__lt=notice.ends_at, ends_at__gt=notice.starts_at)
        .filter(created_at__lte=decision.decided_at)
        .exclude(notice=notice)
        .select_related("notice", "zone")
        .order_by("notice__filed_at", "zone__slug")
    )
    found: dict[int, dict] = {}
    tz = notice.jurisdiction.tz
    for booking in rows:
        row = found.setdefault(
            booking.notice_id,
            {
                "reference": booking.notice.reference,
                "filed": booking.notice.filed_at,
                "zones": [],
                "booking": booking,
            },
        )
        row["zones"].append(pick(booking.zone.name))
    for row in found.values():
        booking = row.pop("booking")
        row["time"] = i18n.span(booking.starts_at, booking.ends_at, tz)
        row["use"] = words.booking_use(booking)
    return list(found.values())
