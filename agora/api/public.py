"""The public API: no token, no personal data. The same queries and redaction as the pages."""

from __future__ import annotations

from typing import Literal

from django.shortcuts import get_object_or_404
from ninja import Query, Router
from pydantic import Field

from agora.audit.services import digest
from agora.notices.models import Decision
from agora.register import queries, stats
from agora.scheduling import planning
from agora.venues.models import Venue

from . import schemas as s
from .core import ERRORS, ApiError, with_etag

router = Router(tags=["public"])


def _venue(v: Venue) -> dict:
    return {
        "id": v.pk,
        "jurisdiction": v.jurisdiction.slug,
        "slug": v.slug,
        "name": v.name,
        "designated": v.designated,
        "capacity": v.capacity,
        "geometry": v.geometry,
        "zones": [
            {"id": z.pk, "slug": z.slug, "name": z.name, "capacity": z.capacity} for z in v.zones.all()
        ],
    }


@router.get("/venues", response={200: list[s.VenueOut], **ERRORS})
def venues(request):
    """Every venue, with its GeoJSON outline and zones. Supports If-None-Match."""
    rows = Venue.objects.select_related("jurisdiction").prefetch_related("zones").order_by("pk")
    return with_etag(request, [_venue(v) for v in rows])


@router.get("/venues/{venue_id}/availability", response={200: list[s.ZoneAvailability], **ERRORS})
def availability(request, venue_id: int, date: s.Day):
    venue = get_object_or_404(Venue, pk=venue_id)
    return [
        {
            "zone": row["zone"].pk,
            "capacity": row["capacity"],
            "free": [{"start": a, "end": b} for a, b in row["free"]],
        }
        for row in planning.availability(venue, date)
    ]


class RegisterQuery(s.Schema):
    """The register page's filters (queries.RegisterFilter validates them for both)."""

    venue: int | None = Field(default=None, ge=1, le=2**62)
    type: str | None = Field(default=None, max_length=40)
    outcome: Literal[tuple(queries.PUBLIC_STATES)] | None = None
    ground: str | None = Field(default=None, max_length=40, pattern=r"^[-a-zA-Z0-9_]+$")
    date_from: s.Day | None = None
    date_to: s.Day | None = None
    q: str | None = Field(default=None, max_length=100)
    cursor: str | None = Field(default=None, max_length=200)


@router.get("/register", response={200: s.RegisterPage, **ERRORS})
def register(request, filters: Query[RegisterQuery]):
    """The public register, same filters and redaction as the page; pages by `next_cursor`."""
    data = {k: v for k, v in filters.dict().items() if v not in (None, "") and k != "cursor"}
    if "venue" in data and not Venue.objects.filter(pk=data["venue"]).exists():
        raise ApiError(404, "not_found", "No such venue.", {"venue": ["unknown venue id"]})
    form = queries.RegisterFilter(data)
    if not form.is_valid():
        raise ApiError(
            422,
            "invalid",
            "Some filters are invalid; see `fields`.",
            {k: [str(m) for m in v] for k, v in form.errors.items()},
        )
    rows, cursor = queries.page(queries.filtered(form.cleaned_data), queries.Cursor.decode(filters.cursor))
    return with_etag(
        request,
        {"items": [queries.public_row(n) for n in rows], "next_cursor": cursor.encode() if cursor else None},
    )


@router.get("/decisions/{reference}", response={200: s.DecisionOut, **ERRORS})
def decision(request, reference: str):
    return get_object_or_404(Decision.objects.select_related("notice", "rulebook"), reference=reference)


@router.get("/statistics", response={200: list[s.StatSection], **ERRORS})
def statistics(request):
    return [
        {
            "title": sec["title"],
            "unit": sec["unit"],
            "rows": [{"label": r["label"], "value": r["value"]} for r in sec["rows"]],
        }
        for sec in stats.sections()
    ]


@router.get("/audit/digest", response={200: s.DigestOut, **ERRORS})
def audit_digest(request):
    return digest()
