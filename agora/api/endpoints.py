"""The endpoints: thin over the same services and queries as the pages."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Query, Router
from ninja.responses import Status as Reply
from pydantic import Field

from agora.audit.services import digest
from agora.notices import review, services
from agora.notices.letters import letter_for
from agora.notices.models import Decision, Notice
from agora.register import queries, stats
from agora.scheduling import planning
from agora.scheduling.models import Offer
from agora.venues.models import Venue

from . import schemas as s
from .core import ApiError, TokenAuth, role, with_etag

ERRORS = {
    400: s.ErrorOut,
    401: s.ErrorOut,
    403: s.ErrorOut,
    404: s.ErrorOut,
    422: s.ErrorOut,
    429: s.ErrorOut,
}
public = Router(tags=["public"])
organizer = Router(tags=["organizer"], auth=TokenAuth())
officer = Router(tags=["officer"], auth=TokenAuth())


# --- public -------------------------------------------------------------------------------


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


@public.get("/venues", response={200: list[s.VenueOut], **ERRORS})
def venues(request):
    """Every venue, with its GeoJSON outline and zones. Supports If-None-Match."""
    rows = Venue.objects.select_related("jurisdiction").prefetch_related("zones").order_by("pk")
    return with_etag(request, [_venue(v) for v in rows])


@public.get("/venues/{venue_id}/availability", response={200: list[s.ZoneAvailability], **ERRORS})
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
    venue: int | None = Field(default=None, ge=1, le=2**62)
    type: str | None = Field(default=None, max_length=40)
    outcome: Literal[tuple(queries.PUBLIC_STATES)] | None = None
    ground: str | None = Field(default=None, max_length=40, pattern=r"^[-a-zA-Z0-9_]+$")
    date_from: s.Day | None = None
    date_to: s.Day | None = None
    q: str | None = Field(default=None, max_length=100)
    cursor: str | None = Field(default=None, max_length=200)


@public.get("/register", response={200: s.RegisterPage, **ERRORS})
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


def _decision(d: Decision) -> dict:
    letter = getattr(d, "letter", None)  # the reverse one-to-one raises AttributeError when absent
    return {
        "reference": d.reference,
        "notice": d.notice.reference,
        "outcome": d.outcome,
        "grounds": d.grounds,
        "reasoning": d.reasoning,
        "conditions": d.conditions,
        "alternative": d.alternative,
        "decided_at": _local(d.decided_at),
        "after_deadline": d.after_deadline,
        "rulebook": str(d.rulebook),
        "letter_sha256": letter.sha256 if letter else None,
    }


@public.get("/decisions/{reference}", response={200: s.DecisionOut, **ERRORS})
def decision(request, reference: str):
    return _decision(
        get_object_or_404(Decision.objects.select_related("notice", "rulebook"), reference=reference)
    )


@public.get("/statistics", response={200: list[s.StatSection], **ERRORS})
def statistics(request):
    return [
        {
            "title": sec["title"],
            "unit": sec["unit"],
            "rows": [{"label": r["label"], "value": r["value"]} for r in sec["rows"]],
        }
        for sec in stats.sections()
    ]


@public.get("/audit/digest", response={200: s.DigestOut, **ERRORS})
def audit_digest(request):
    return digest()


# --- organizer ----------------------------------------------------------------------------


def _local(moment: dt.datetime | None) -> dt.datetime | None:
    """Times go out in the city's zone with their offset (+05:00), as on the pages and letters."""
    return timezone.localtime(moment) if moment else None


def _notice(n: Notice) -> dict:
    return {
        "id": n.pk,
        "reference": n.reference,
        "status": n.status,
        "assembly_type": n.assembly_type,
        "purpose": n.purpose,
        "venue": n.venue_id,
        "starts_at": _local(n.starts_at),
        "ends_at": _local(n.ends_at),
        "expected_participants": n.expected_participants,
        "filed_at": _local(n.filed_at),
        "decision_due_at": _local(n.decision_due_at),
        "violations": n.violations,
        "decisions": [d.reference for d in n.decisions.all()],
        "bookings": [
            {
                "zone": b.zone_id,
                "starts_at": _local(b.starts_at),
                "ends_at": _local(b.ends_at),
                "held_until": _local(b.held_until),
            }
            for b in n.bookings.all()
        ],
        "offers": [
            {
                "id": o.pk,
                "starts_at": _local(o.starts_at),
                "ends_at": _local(o.ends_at),
                "expires_at": _local(o.expires_at),
                "state": o.state,
            }
            for o in n.offers.all()
        ],
    }


def _own(request, notice_id: int) -> Notice:
    return get_object_or_404(Notice.objects.for_organizer(role(request, "organizer")), pk=notice_id)


def _fields(payload: s.NoticeIn) -> dict:
    data = payload.dict(exclude={"submit", "venue", "zone", "acceptable_venues"})
    venue = get_object_or_404(Venue, pk=payload.venue)
    zone = venue.zones.filter(pk=payload.zone).first() if payload.zone else None
    if payload.zone and zone is None:
        raise ApiError(
            422, "invalid", "The zone must belong to the venue.", {"zone": ["not a zone of the venue"]}
        )
    others = list(Venue.objects.filter(pk__in=payload.acceptable_venues))
    if len(others) != len(set(payload.acceptable_venues)):
        raise ApiError(
            422, "invalid", "Unknown venue in acceptable_venues.", {"acceptable_venues": ["unknown id"]}
        )
    return {**data, "venue": venue, "zone": zone, "acceptable_venues": others}


@organizer.post("/notices", response={201: s.NoticeOut, **ERRORS})
def create_notice(request, payload: s.NoticeIn):
    """File a notice (or keep it as a draft with `submit: false`). Rule violations do not stop filing."""
    user = role(request, "organizer")
    fields = _fields(payload)
    notice = (services.file_notice if payload.submit else services.create_draft)(user, **fields)
    return Reply(201, _notice(notice))


def _place(place, within_acceptable: bool = True) -> dict:
    return {
        "venue": place.venue,
        "zones": list(place.zones),
        "starts_at": _local(place.starts_at),
        "ends_at": _local(place.ends_at),
        "within_acceptable": within_acceptable,
    }


def _option(o) -> dict:
    return _place(o.place, o.within_acceptable)


@organizer.post("/notices/precheck", response={200: s.PrecheckOut, **ERRORS})
def precheck(request, payload: s.NoticeIn):
    """The rule pre-check of a notice, and free alternatives, without filing anything."""
    user = role(request, "organizer")
    fields = _fields(payload)
    others = fields.pop("acceptable_venues")
    notice = Notice(organizer=user.organizer, jurisdiction=fields["venue"].jurisdiction, **fields)
    report = review.precheck_report(notice, others, limit=5)
    return {
        "violations": [v.as_dict() for v in report["violations"]],
        "free_as_filed": report["free"],
        "alternatives": [_option(o) for o in report["alternatives"]],
    }


@organizer.get("/notices", response={200: s.NoticePage, **ERRORS})
def my_notices(request, cursor: int | None = None, limit: int = 50):
    """Your notices, newest first; pass `next_cursor` back as `cursor` for the next page."""
    user = role(request, "organizer")
    limit = max(1, min(limit, 100))
    rows = (
        Notice.objects.for_organizer(user).order_by("-pk").prefetch_related("decisions", "bookings", "offers")
    )
    if cursor is not None:
        rows = rows.filter(pk__lt=cursor)
    items = list(rows[: limit + 1])
    more = len(items) > limit
    return {
        "items": [_notice(n) for n in items[:limit]],
        "next_cursor": str(items[limit - 1].pk) if more else None,
    }


@organizer.get("/notices/{notice_id}", response={200: s.NoticeOut, **ERRORS})
def my_notice(request, notice_id: int):
    return _notice(_own(request, notice_id))


@organizer.post("/notices/{notice_id}/withdraw", response={200: s.NoticeOut, **ERRORS})
def withdraw(request, notice_id: int, payload: s.ReasonIn):
    notice = _own(request, notice_id)
    services.withdraw(notice, request.user, reason=payload.reason)
    return _notice(Notice.objects.get(pk=notice.pk))


@organizer.post("/notices/{notice_id}/appeal", response={200: s.NoticeOut, **ERRORS})
def appeal(request, notice_id: int, payload: s.AppealIn):
    notice = _own(request, notice_id)
    services.appeal(notice, request.user, text=payload.text)
    return _notice(Notice.objects.get(pk=notice.pk))


@organizer.post("/notices/{notice_id}/alternative", response={200: s.NoticeOut, **ERRORS})
def answer_alternative(request, notice_id: int, payload: s.AnswerIn):
    notice = _own(request, notice_id)
    if payload.answer == "accept":
        services.accept_alternative(notice, request.user)
    else:
        services.decline_alternative(notice, request.user)
    return _notice(Notice.objects.get(pk=notice.pk))


@organizer.post("/offers/{offer_id}", response={200: s.NoticeOut, **ERRORS})
def answer_offer(request, offer_id: int, payload: s.AnswerIn):
    user = role(request, "organizer")
    offer = get_object_or_404(Offer, pk=offer_id, notice__in=Notice.objects.for_organizer(user))
    if payload.answer == "accept":
        services.accept_offer(offer, user)
    else:
        services.decline_offer(offer, user)
    return _notice(Notice.objects.get(pk=offer.notice_id))


PDF = {
    "description": "The letter",
    "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
}


@organizer.get("/letters/{reference}", response=ERRORS, openapi_extra={"responses": {200: PDF}})
def letter(request, reference: str):
    """The PDF letter of a decision on one of your notices."""
    user = role(request, "organizer")
    decision = get_object_or_404(
        Decision.objects.filter(notice__in=Notice.objects.with_letters_for(user)), reference=reference
    )
    return HttpResponse(bytes(letter_for(decision).pdf), content_type="application/pdf")


# --- officer -------------------------------------------------------------------------------


def _jurisdiction_notice(request, notice_id: int) -> Notice:
    return get_object_or_404(Notice.objects.for_officer(role(request, "officer")), pk=notice_id)


@officer.get("/office/queue", response={200: list[s.NoticeOut], **ERRORS})
def queue(request):
    """Notices of your jurisdiction waiting for a decision or an appeal decision, by deadline."""
    user = role(request, "officer")
    rows = review.queue(user.officer.jurisdiction).prefetch_related("decisions", "bookings", "offers")
    return [_notice(n) for n in rows[:500]]


@officer.get("/office/notices/{notice_id}", response={200: s.ReviewOut, **ERRORS})
def review_notice(request, notice_id: int):
    """A notice of your jurisdiction with its conflicts and, where it cannot be granted as
    filed, the free alternatives."""
    notice = _jurisdiction_notice(request, notice_id)
    return {
        **_notice(notice),
        "organizer": notice.organizer.public_name,
        "appeal_text": notice.appeal_text,
        "conflicts": [n.reference for n in review.conflicts(notice)],
        "alternatives": [_option(o) for o in review.computed_alternatives(notice)],
    }


@officer.post("/office/notices/{notice_id}/decision", response={200: s.DecisionOut, **ERRORS})
def decide(request, notice_id: int, payload: s.DecisionIn):
    """Decide: a refusal needs a ground from the rulebook (and under `fair` an alternative)."""
    notice = _jurisdiction_notice(request, notice_id)
    alternative = payload.alternative.dict() if payload.alternative else None
    made = services.decide(
        notice,
        request.user,
        payload.outcome,
        grounds=payload.grounds,
        reasoning=payload.reasoning.strip(),
        conditions=payload.conditions.strip(),
        alternative=alternative,
    )
    return _decision(made)


@officer.post("/office/notices/{notice_id}/appeal-decision", response={200: s.DecisionOut, **ERRORS})
def decide_appeal(request, notice_id: int, payload: s.AppealDecisionIn):
    """Grant an appeal (the notice goes ahead as filed) or reject it (the decision stands)."""
    notice = _jurisdiction_notice(request, notice_id)
    return _decision(
        services.resolve_appeal(notice, request.user, grant=payload.grant, reasoning=payload.reasoning)
    )


@officer.get("/office/day", response={200: list[s.DaySheetRow], **ERRORS})
def day_sheet(request, venue: int, date: s.Day):
    """A venue's bookings on a day, with check-in and check-out times."""
    user = role(request, "officer")
    place = get_object_or_404(Venue, pk=venue, jurisdiction=user.officer.jurisdiction)
    return [
        {
            "notice": b.notice.reference,
            "notice_id": b.notice_id,
            "status": b.notice.status,
            "zone": b.zone_id,
            "starts_at": _local(b.starts_at),
            "ends_at": _local(b.ends_at),
            "held_until": _local(b.held_until),
            "checked_in_at": _local(b.checked_in_at),
            "checked_out_at": _local(b.checked_out_at),
        }
        for b in review.day_sheet(place, date)
    ]


@officer.post("/office/notices/{notice_id}/attendance", response={200: s.NoticeOut, **ERRORS})
def attendance(request, notice_id: int, payload: s.AttendanceIn):
    notice = _jurisdiction_notice(request, notice_id)
    if payload.action == "check_in":
        services.check_in(notice, request.user)
    elif payload.action == "check_out":
        services.check_out(notice, request.user)
    else:
        services.record_held(notice, request.user, held=payload.action == "held")
    return _notice(Notice.objects.get(pk=notice.pk))


@officer.post("/office/allocation", response={200: s.AllocationOut, **ERRORS})
def allocation(request, payload: s.AllocationIn):
    """Propose decisions for every pending notice of a day; applied only with `confirm: true`."""
    user = role(request, "officer")
    proposal = planning.propose_day(user.officer.jurisdiction, payload.date, time_limit=payload.time_limit)
    result = proposal["allocation"]
    items = [
        {
            "notice": i["notice"].reference,
            "outcome": i["outcome"],
            "grounds": i["grounds"],
            "reason": i["reason"],
            "placement": _place(i["placement"]) if i["placement"] else None,
        }
        for i in proposal["items"]
    ]
    if payload.confirm:
        services.apply_day_plan(proposal, user)
    return {
        "date": payload.date,
        "accommodated": result.accommodated,
        "bound": result.bound,
        "fcfs": result.fcfs,
        "method": result.method,
        "applied": payload.confirm,
        "items": items,
    }
