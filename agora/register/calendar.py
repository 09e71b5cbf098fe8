"""The venue calendar: who held the venue when, when they filed, when they really used
it, and whom they displaced. Also the venue outline as inline SVG, so the page shows the
place with no map tiles and no JavaScript."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from agora.i18n import pick
from agora.scheduling.flags import flags_for, usages
from agora.scheduling.models import Booking
from agora.venues.geometry import polygons


def day_rows(venue, day: dt.date) -> dict:
    start, end = venue.jurisdiction.day_bounds(day)
    bookings = Booking.objects.firm().filter(zone__venue=venue, starts_at__lt=end, ends_at__gt=start)
    flags_by_notice: dict[int, list[str]] = {}
    for flag in flags_for(bookings):
        flags_by_notice.setdefault(flag.notice.pk, []).append(flag.kind)
    zones = {b.notice_id: [] for b in bookings}
    for b in bookings.select_related("zone"):
        zones[b.notice_id].append(pick(b.zone.name))
    rows = []
    for usage in sorted(usages(bookings), key=lambda u: u.starts_at):
        notice = usage.notice
        held_until = (
            bookings.filter(notice=notice).order_by("-held_until").values_list("held_until", flat=True)[0]
        )
        rows.append(
            {
                "notice": notice,
                "organizer": notice.organizer.public_name,
                "zones": ", ".join(sorted(zones[notice.pk])),
                "booked": (usage.starts_at, usage.ends_at),
                "held_until": held_until,
                "filed_at": notice.filed_at,
                "checked_in": usage.checked_in_at,
                "checked_out": usage.checked_out_at,
                "started": usage.starts_at <= timezone.now(),
                "used_hours": usage.used_hours(timezone.now()),
                "displaced": usage.displaced,
                "flags": flags_by_notice.get(notice.pk, []),
            }
        )
    # the authority's closures that day: a day with no booking but a closure is not "free"
    closed = [
        {"closure": c, "zone": pick(c.zone.name) if c.zone_id else ""}
        for c in venue.closures.select_related("zone").filter(starts_at__lt=end, ends_at__gt=start)
        if c.until > start
    ]
    return {"day": day, "rows": rows, "closed": closed}


def outline_svg(geometry: dict, size: int = 240) -> str:
    """An SVG path of the outline, north up, scaled into a size × size box."""
    points = [p for polygon in polygons(geometry) for ring in polygon for p in ring]
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    span = max(max(lons) - min(lons), max(lats) - min(lats)) or 1.0

    def xy(p):
        return ((p[0] - min(lons)) / span * (size - 20) + 10, (max(lats) - p[1]) / span * (size - 20) + 10)

    paths = []
    for polygon in polygons(geometry):
        for ring in polygon:
            coords = " ".join(f"{x:.1f},{y:.1f}" for x, y in map(xy, ring))
            paths.append(f"M{coords}Z")
    return " ".join(paths)
