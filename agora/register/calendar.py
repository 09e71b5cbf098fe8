"""The venue calendar: who held the venue when, when they filed, when they really used
it, and whom they displaced. Also the venue outline as inline SVG, so the page shows the
place with no map tiles and no JavaScript."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from agora.i18n import pick
from agora.scheduling.flags import flags_of, usages
from agora.scheduling.models import Booking
from agora.venues.geometry import centroid, polygons


def days_rows(venue, days: list[dt.date]) -> list[dict]:
    """For each of `days` (consecutive), who held the venue: the bookings, their flags and
    the closures of all the days asked for at once (five queries, whatever the days)."""
    jurisdiction = venue.jurisdiction
    start, end = jurisdiction.day_bounds(days[0])[0], jurisdiction.day_bounds(days[-1])[1]
    bookings = Booking.objects.firm().filter(zone__venue=venue, starts_at__lt=end, ends_at__gt=start)
    found = sorted(usages(bookings), key=lambda u: (u.starts_at, u.notice.pk))
    flags_by_notice: dict[int, list[str]] = {}
    for flag in flags_of(found):
        flags_by_notice.setdefault(flag.notice.pk, []).append(flag.kind)
    closures = [
        c
        for c in venue.closures.select_related("zone").filter(starts_at__lt=end, ends_at__gt=start)
        if c.until > start
    ]
    now = timezone.now()
    shown = []
    for day in days:
        day_start, day_end = jurisdiction.day_bounds(day)
        rows = [
            {
                "notice": usage.notice,
                "organizer": usage.notice.organizer.public_name,
                "zones": ", ".join(sorted(pick(z.name) for z in usage.zones)),
                "booked": (usage.starts_at, usage.ends_at),
                "held_until": usage.held_until,
                "filed_at": usage.notice.filed_at,
                "checked_in": usage.checked_in_at,
                "checked_out": usage.checked_out_at,
                "started": usage.starts_at <= now,
                "used_hours": usage.used_hours(now),
                "displaced": usage.displaced,
                "flags": flags_by_notice.get(usage.notice.pk, []),
            }
            for usage in found
            if usage.starts_at < day_end and usage.ends_at > day_start
        ]
        # the authority's closures that day: a day with no booking but a closure is not "free"
        closed = [
            {"closure": c, "zone": pick(c.zone.name) if c.zone_id else ""}
            for c in closures
            if c.starts_at < day_end and c.ends_at > day_start and c.until > day_start
        ]
        shown.append({"day": day, "rows": rows, "closed": closed})
    return shown


def _projector(geometry: dict, size: int):
    """Lon/lat to SVG x/y, north up, the venue's outline scaled into a size × size box."""
    points = [p for polygon in polygons(geometry) for ring in polygon for p in ring]
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    span = max(max(lons) - min(lons), max(lats) - min(lats)) or 1.0

    def xy(p):
        return ((p[0] - min(lons)) / span * (size - 20) + 10, (max(lats) - p[1]) / span * (size - 20) + 10)

    return xy


def _path(geometry: dict, xy) -> str:
    paths = []
    for polygon in polygons(geometry):
        for ring in polygon:
            coords = " ".join(f"{x:.1f},{y:.1f}" for x, y in map(xy, ring))
            paths.append(f"M{coords}Z")
    return " ".join(paths)


def outline_svg(geometry: dict, size: int = 240) -> str:
    """An SVG path of the outline, north up, scaled into a size × size box."""
    return _path(geometry, _projector(geometry, size))


def zones_in_order(venue) -> list:
    """The zones as one sees them on the map, west to east (by slug where none is drawn)."""
    zones = list(venue.zones.all())
    if all(z.geometry for z in zones):
        return sorted(zones, key=lambda z: (centroid(z.geometry)[1], z.slug))
    return zones


def zone_outlines_svg(venue, size: int = 240) -> list[dict]:
    """Each zone with an outline of its own, on the venue's scale, with its name at its centre."""
    xy = _projector(venue.geometry, size)
    shown = []
    zones = zones_in_order(venue)
    for zone in zones:
        if zone.geometry and len(zones) > 1:
            lat, lon = centroid(zone.geometry)
            x, y = xy((lon, lat))
            shown.append({"path": _path(zone.geometry, xy), "name": pick(zone.name), "x": x, "y": y})
    return shown


def zone_features(venue) -> dict:
    """The zones as GeoJSON features named in the reader's language, for the map."""
    features = [
        {"type": "Feature", "geometry": zone.geometry, "properties": {"name": pick(zone.name)}}
        for zone in venue.zones.all()
        if zone.geometry
    ]
    return {"type": "FeatureCollection", "features": features if len(features) > 1 else []}
