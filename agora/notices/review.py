"""What an officer sees when reviewing: the queue, conflicts, computed alternatives, the day
sheet. Read-only queries shared by the office pages and the API."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.utils import timezone

from agora.scheduling import planning
from agora.scheduling.models import Booking

from .models import Notice
from .workflow import GOING_AHEAD, PENDING, Status

IN_QUEUE = [*PENDING, Status.APPEALED]


def queue(jurisdiction):
    """Notices waiting for a decision or an appeal decision, by legal deadline."""
    return Notice.objects.filter(jurisdiction=jurisdiction, status__in=IN_QUEUE).order_by(
        "decision_due_at", "filed_at"
    )


def conflicts(notice: Notice):
    """Other notices for the same venue and overlapping time that are pending or going ahead."""
    return (
        Notice.objects.filter(
            venue=notice.venue_id,
            starts_at__lt=notice.ends_at,
            ends_at__gt=notice.starts_at,
            status__in=[*PENDING, *GOING_AHEAD],
        )
        .exclude(pk=notice.pk)
        .order_by("filed_at")
    )


def computed_alternatives(notice: Notice) -> list[dict]:
    """Free alternatives, only where the notice cannot be granted as filed."""
    if notice.status in PENDING and not planning.free_as_filed(notice):
        return planning.alternatives(notice)
    return []


def day_sheet(venue, day: dt.date):
    """A venue's bookings on a day, to check in and out: the notices' own bookings and
    accepted offers (a pending offer is only a hold)."""
    start = dt.datetime.combine(day, dt.time(), ZoneInfo(venue.jurisdiction.timezone))
    return (
        Booking.objects.filter(
            zone__venue=venue, starts_at__lt=start + dt.timedelta(days=1), ends_at__gt=start
        )
        .filter(Q(offer__isnull=True) | Q(offer__state="accepted"))
        .select_related("notice", "zone")
        .order_by("starts_at", "zone__slug")
    )


def time_left(notice: Notice, now: dt.datetime | None = None) -> dt.timedelta | None:
    return notice.decision_due_at - (now or timezone.now()) if notice.decision_due_at else None
