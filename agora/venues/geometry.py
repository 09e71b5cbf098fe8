"""GeoJSON polygons: validation and area in square metres. Pure.

Venues are a few hundred metres across, so a local equirectangular projection around
the polygon's mean latitude is accurate to well under 1 %: no GIS stack needed.
"""

from __future__ import annotations

import math

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

EARTH_RADIUS_M = 6_371_008.8


def polygons(geometry: dict) -> list[list[list[list[float]]]]:
    """The polygons of a Polygon/MultiPolygon as lists of rings."""
    if not isinstance(geometry, dict):
        raise ValidationError(_("The geometry must be a GeoJSON object."))
    kind, coords = geometry.get("type"), geometry.get("coordinates")
    if kind == "Polygon":
        return [coords]
    if kind == "MultiPolygon":
        return coords
    raise ValidationError(_('The geometry must be a GeoJSON "Polygon" or "MultiPolygon".'))


def validate_geometry(geometry: dict) -> None:
    found = polygons(geometry)
    if not isinstance(found, list) or not found:
        raise ValidationError(_("The geometry has no coordinates."))
    for polygon in found:
        if not isinstance(polygon, list) or not polygon:
            raise ValidationError(_("Each polygon needs at least an outer ring."))
        for ring in polygon:
            if not isinstance(ring, list) or len(ring) < 4:
                raise ValidationError(_("Each ring needs at least 4 positions (the last repeats the first)."))
            for point in ring:
                if (
                    not isinstance(point, list | tuple)
                    or len(point) < 2
                    or not all(isinstance(c, int | float) for c in point[:2])
                ):
                    raise ValidationError(_("Each position must be [longitude, latitude]."))
                lon, lat = point[:2]
                if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                    raise ValidationError(
                        _("Position [%(lon)s, %(lat)s] is out of range: longitude first, then latitude.")
                        % {"lon": lon, "lat": lat}
                    )
            if list(ring[0][:2]) != list(ring[-1][:2]):
                raise ValidationError(_("Each ring must be closed: repeat the first position at the end."))


def _ring_area(ring: list[list[float]], lat0: float) -> float:
    kx = math.radians(1) * EARTH_RADIUS_M * math.cos(math.radians(lat0))
    ky = math.radians(1) * EARTH_RADIUS_M
    pts = [(p[0] * kx, p[1] * ky) for p in ring]
    twice = sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(pts, pts[1:], strict=False))
    return abs(twice) / 2


def area_m2(geometry: dict) -> float:
    total = 0.0
    for polygon in polygons(geometry):
        outer, *holes = polygon
        lat0 = sum(p[1] for p in outer) / len(outer)
        total += _ring_area(outer, lat0) - sum(_ring_area(h, lat0) for h in holes)
    return total


def centroid(geometry: dict) -> tuple[float, float]:
    """Mean of the outer rings' vertices as (lat, lon): good enough to centre a map."""
    points = [p for polygon in polygons(geometry) for p in polygon[0][:-1]]
    return (sum(p[1] for p in points) / len(points), sum(p[0] for p in points) / len(points))
