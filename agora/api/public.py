"""The public API: no token, no personal data. The same queries and redaction as the pages."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from typing import Literal

from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import get_language
from ninja import Query, Router
from pydantic import Field

from agora.audit import checkpoints, proofs
from agora.audit.models import Checkpoint
from agora.audit.services import digest, timestamp
from agora.fields import plausible_moment
from agora.i18n import pick
from agora.notices import services
from agora.notices.letters import letter_proof
from agora.notices.models import Decision, Notice
from agora.register import queries, summary
from agora.rules.models import Jurisdiction
from agora.scheduling import planning
from agora.venues.models import Closure, Venue

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


class ClosureQuery(s.Schema):
    venue: int | None = Field(default=None, ge=1, le=2**62)
    jurisdiction: str | None = Field(default=None, max_length=60, pattern=r"^[-a-zA-Z0-9_]+$")
    date_from: s.Day | None = Field(default=None, alias="from")
    date_to: s.Day | None = Field(default=None, alias="to")
    cursor: str | None = Field(default=None, max_length=200)
    limit: int = Field(default=100, ge=1, le=500)


def closure_rows(rows):
    """Closures with what their public shape reads, in a fixed number of queries."""
    return rows.select_related("venue__jurisdiction__rulebook", "zone").prefetch_related(
        Prefetch("displaced", queryset=Notice.objects.only("pk", "reference", "displaced_by"))
    )


def closures_out(rows) -> list[dict]:
    lang = (get_language() or "en")[:2]
    parsed = {}  # each rulebook parsed once, not once per row

    def rules_of(rulebook):
        return parsed.setdefault(rulebook.pk, rulebook.rules)

    return [s.ClosureOut.of(c, lang, rules_of) for c in rows]


def _cursor(text: str) -> tuple[dt.datetime, int]:
    try:
        start, pk = base64.urlsafe_b64decode(text.encode()).decode().split("|")
        moment, pk = dt.datetime.fromisoformat(start), int(pk)
        if plausible_moment(moment) or not 1 <= pk <= 2**62:
            raise ValueError
        return moment, pk
    except (ValueError, UnicodeError, binascii.Error):
        raise ApiError(
            422, "invalid", "The cursor is not one this endpoint gave.", {"cursor": ["pass next_cursor back"]}
        ) from None


@router.get("/closures", response={200: s.ClosurePage, **ERRORS})
def closures(request, filters: Query[ClosureQuery]):
    """Closures the authority declared, by when they start: where, on which legal ground (in the
    request's language) and why, when and by which office each was declared, when it was lifted,
    and the notices it displaced. `from`/`to` (dates, local) keep those whose declared period
    touches those days; pages by `next_cursor`."""
    rows = Closure.objects.filter(declared_at__isnull=False)
    tz = timezone.get_current_timezone()
    if filters.venue is not None:
        venue = Venue.objects.select_related("jurisdiction").filter(pk=filters.venue).first()
        if venue is None:
            raise ApiError(404, "not_found", "No such venue.", {"venue": ["unknown venue id"]})
        rows, tz = rows.filter(venue=venue), venue.jurisdiction.tz
    if filters.jurisdiction is not None:
        authority = Jurisdiction.objects.filter(slug=filters.jurisdiction).first()
        if authority is None:
            raise ApiError(
                404, "not_found", "No such jurisdiction.", {"jurisdiction": ["unknown jurisdiction slug"]}
            )
        rows, tz = rows.filter(venue__jurisdiction=authority), authority.tz
    if filters.date_from and filters.date_to and filters.date_to < filters.date_from:
        raise ApiError(
            422, "invalid", "`to` is before `from`.", {"to": ["the end of the range is before its start"]}
        )
    if filters.date_from:
        rows = rows.filter(ends_at__gt=dt.datetime.combine(filters.date_from, dt.time(), tz))
    if filters.date_to:
        rows = rows.filter(
            starts_at__lt=dt.datetime.combine(filters.date_to + dt.timedelta(days=1), dt.time(), tz)
        )
    if filters.cursor:
        start, pk = _cursor(filters.cursor)
        rows = rows.filter(Q(starts_at__gt=start) | Q(starts_at=start, pk__gt=pk))
    page = list(closure_rows(rows.order_by("starts_at", "pk"))[: filters.limit + 1])
    more, page = len(page) > filters.limit, page[: filters.limit]
    cursor = None
    if more:
        last = page[-1]
        cursor = base64.urlsafe_b64encode(f"{last.starts_at.isoformat()}|{last.pk}".encode()).decode()
    return {"items": closures_out(page), "next_cursor": cursor}


@router.get("/register/{reference}/deadlines", response={200: list[s.DeadlineOut], **ERRORS})
def deadlines(request, reference: str):
    """How each deadline of a filed notice was counted: the rule of its rulebook, the period
    (amount, unit, days skipped, cut-off), what it counts from, the days left out and why
    (`weekend`, `holiday` with its name, a skipped weekday), the result, and for the notice
    periods whether the filing kept them."""
    notice = get_object_or_404(
        Notice.objects.filter(status__in=queries.PUBLIC_STATES).select_related("jurisdiction", "rulebook"),
        reference=reference,
    )
    return [
        {
            "kind": c.kind,
            "agency": c.agency,
            "rulebook": str(notice.rulebook),
            "kept": c.kept,
            **c.trace.as_dict(),
        }
        for c in services.deadline_traces(notice)
    ]


@router.get("/decisions/{reference}", response={200: s.DecisionOut, **ERRORS})
def decision(request, reference: str):
    return get_object_or_404(Decision.objects.select_related("notice", "rulebook"), reference=reference)


@router.get("/statistics", response={200: list[s.StatSection], 503: s.ErrorOut, **ERRORS})
def statistics(request):
    """The statistics page's numbers: bar charts (`rows` of label and value) and tables (with
    `columns`: each row's `values` by column key; `value` is its first column). Computed by the
    job queue at most every five minutes; 503 until the first computation is done."""
    found = summary.statistics()
    if found is None:
        raise ApiError(503, "computing", "The statistics are being computed: try again in a minute.")
    return [
        {
            "title": sec["title"],
            "unit": sec["unit"],
            "rows": [
                {"label": r["label"], "value": r["value"], "values": r.get("values", {})} for r in sec["rows"]
            ],
            "columns": sec.get("columns", []),
        }
        for sec in summary.sections(found)
    ]


@router.get("/audit/digest", response={200: s.DigestOut, **ERRORS})
def audit_digest(request):
    return digest()


BIG = 2**62


@router.get("/audit/checkpoint", response={200: s.CheckpointOut, **ERRORS})
def audit_checkpoint(request, size: int | None = Query(None, ge=1, le=BIG)):
    """The log's latest signed checkpoint: the Merkle tree's size and root, signed by the
    authority (a C2SP signed note, checked with `key`). `size`: the one signed at that many
    events (the feed /audit/checkpoints.atom lists them)."""
    found = checkpoints.latest() if size is None else Checkpoint.objects.filter(size=size).first()
    if found is None:
        raise ApiError(
            404, "not_found", f"No checkpoint was signed at {size} events.", {"size": ["no such checkpoint"]}
        )
    return {
        "size": found.size,
        "root_hash": proofs.b64(bytes(found.root)),
        "signed_at": timestamp(found.signed_at),
        "note": found.note,
        "key": checkpoints.verifier(),
    }


@router.get("/audit/inclusion", response={200: s.InclusionOut, **ERRORS})
def audit_inclusion(request, index: int = Query(..., ge=0, le=BIG), size: int = Query(..., ge=1, le=BIG)):
    """The inclusion proof of event `index` + 1 (leaf `index`) in the tree of the first `size`
    events (RFC 9162 §2.1.3). Its root is that of the checkpoint of `size` events."""
    try:
        return proofs.inclusion(index, size)
    except proofs.OutOfRange as error:
        raise ApiError(422, "out_of_range", str(error), {str(error).split()[0]: [str(error)]}) from None


@router.get("/audit/consistency", response={200: s.ConsistencyOut, **ERRORS})
def audit_consistency(request, first: int = Query(..., ge=1, le=BIG), second: int = Query(..., ge=1, le=BIG)):
    """The consistency proof that the tree of `first` events is the start of the tree of
    `second` (RFC 9162 §2.1.4): whoever kept an older checkpoint checks the log was not rewritten."""
    try:
        return proofs.consistency(first, second)
    except proofs.OutOfRange as error:
        raise ApiError(422, "out_of_range", str(error), {str(error).split()[0]: [str(error)]}) from None


@router.get("/decisions/{reference}/proof", response={200: s.LetterProofOut, **ERRORS})
def decision_letter_proof(request, reference: str):
    """The proof of a decision's letter (or certificate of silence): its issuing event in the
    log, the inclusion proof and the signed checkpoint, for `agora_verify.py document`."""
    proof = letter_proof(get_object_or_404(Decision, reference=reference))
    if proof is None:
        raise ApiError(404, "not_issued", "This decision's letter is not issued yet: try again in a minute.")
    return proof


@router.get("/venues/{venue_id}/changes", response={200: list[s.VenueChangeOut], **ERRORS})
def venue_changes(request, venue_id: int):
    """The changes the authority made to a place (designation, capacity, hours, outline, zones),
    newest first: old → new, in words, the reasons, when and by which office, and the notices
    each displaced."""
    venue = get_object_or_404(Venue, pk=venue_id)
    rows = venue.changes.select_related("venue__jurisdiction").prefetch_related(
        "venue__zones",
        Prefetch("displaced", queryset=Notice.objects.only("pk", "reference", "displaced_by_change")),
    )
    return [venue_change_out(change) for change in rows[:200]]


def venue_change_out(change) -> dict:
    return {
        "id": change.pk,
        "venue": change.venue_id,
        "venue_name": pick(change.venue.name),
        "changes": change.changes,
        "described": [str(line) for line in queries.describe_changes(change.venue, change.changes)],
        "reason": change.reason,
        "declared_at": change.declared_at,
        "office": pick(change.venue.jurisdiction.name),
        "displaced": [n.reference for n in change.displaced.all()],
    }
