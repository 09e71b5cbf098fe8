"""The officer's API (an officer token): the review queue, a notice with its conflicts and
alternatives, decisions and appeal decisions, the day sheet and attendance, a day's plan;
for administrators of the jurisdiction, declaring and lifting closures.
The same services and queries as the office pages."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import get_language
from ninja import Router
from ninja.responses import Status as Reply

from agora.audit.models import AuditEvent
from agora.notices import authority, review, services
from agora.notices.models import Notice
from agora.scheduling import moves, planning
from agora.venues.models import Closure, Venue, VenueChange

from . import schemas as s
from .core import ERRORS, ApiError, TokenAuth
from .public import closure_rows, venue_change_out

router = Router(tags=["officer"], auth=TokenAuth("officer"))


def _jurisdiction_notice(request, notice_id: int) -> Notice:
    return get_object_or_404(Notice.objects.for_officer(request.user), pk=notice_id)


@router.get("/office/queue", response={200: list[s.NoticeOut], **ERRORS})
def queue(request):
    """Notices of your jurisdiction waiting for a decision or an appeal decision, by deadline."""
    rows = review.queue(request.user.officer.jurisdiction).prefetch_related("decisions", "bookings", "offers")
    return list(rows[:500])


@router.get("/office/notices/{notice_id}", response={200: s.ReviewOut, **ERRORS})
def review_notice(request, notice_id: int):
    """A notice of your jurisdiction with its conflicts and, where it cannot be granted as
    filed, the free alternatives."""
    return _jurisdiction_notice(request, notice_id)


@router.post("/office/notices/{notice_id}/decision", response={200: s.DecisionOut, **ERRORS})
def decide(request, notice_id: int, payload: s.DecisionIn):
    """Decide: a refusal needs a ground from the rulebook (and under `fair` an alternative)."""
    notice = _jurisdiction_notice(request, notice_id)
    return services.decide(
        notice,
        request.user,
        payload.outcome,
        grounds=payload.grounds,
        reasoning=payload.reasoning.strip(),
        conditions=payload.conditions.strip(),
        alternative=payload.alternative.dict() if payload.alternative else None,
        consultation_note=payload.consultation_note,
    )


@router.post("/office/notices/{notice_id}/appeal-decision", response={200: s.DecisionOut, **ERRORS})
def decide_appeal(request, notice_id: int, payload: s.AppealDecisionIn):
    """Grant an appeal (the notice goes ahead as filed) or reject it (the decision stands)."""
    notice = _jurisdiction_notice(request, notice_id)
    return services.resolve_appeal(notice, request.user, grant=payload.grant, reasoning=payload.reasoning)


@router.get("/office/day", response={200: list[s.DaySheetRow], **ERRORS})
def day_sheet(request, venue: int, date: s.Day):
    """A venue's bookings on a day, with check-in and check-out times."""
    place = get_object_or_404(Venue, pk=venue, jurisdiction=request.user.officer.jurisdiction)
    return list(review.day_sheet(place, date))


@router.post("/office/notices/{notice_id}/attendance", response={200: s.NoticeOut, **ERRORS})
def attendance(request, notice_id: int, payload: s.AttendanceIn):
    notice = _jurisdiction_notice(request, notice_id)
    if payload.action == "check_in":
        services.check_in(notice, request.user)
    elif payload.action == "check_out":
        services.check_out(notice, request.user)
    else:
        services.record_held(notice, request.user, held=payload.action == "held")
    return Notice.objects.get(pk=notice.pk)


@router.post("/office/allocation", response={200: s.AllocationOut, **ERRORS})
def allocation(request, payload: s.AllocationIn):
    """Propose decisions for every pending notice of a day (or of one place that day), the
    same plan as the day plan page; applied only with `confirm: true`. `pins` are decided as
    filed and the rest planned around them."""
    jurisdiction = request.user.officer.jurisdiction
    venue = None
    if payload.venue is not None:
        venue = get_object_or_404(Venue, pk=payload.venue, jurisdiction=jurisdiction)
    pins = dict(
        Notice.objects.for_officer(request.user)
        .filter(reference__in=payload.pins)
        .values_list("reference", "pk")
    )
    unknown = sorted(set(payload.pins) - set(pins))
    if unknown:
        raise ApiError(
            422, "invalid", "Unknown notice in pins.", {"pins": [f"not yours: {r}" for r in unknown]}
        )
    try:
        proposal = planning.propose_day(
            jurisdiction, payload.date, venue=venue, pins=pins.values(), time_limit=payload.time_limit
        )
    except planning.PinError as error:
        raise ApiError(422, "invalid", str(error), {"pins": [str(error)]}) from error
    result = proposal["allocation"]

    def option(place):
        return s.Option.of(place, within_acceptable=True) if place else None

    items = [
        {
            "notice": i["notice"].reference,
            "outcome": i["outcome"],
            "grounds": i["grounds"],
            "reason": i["reason"],
            "placement": option(i["placement"]),
            "pinned": i["pinned"],
            "paper": option(i["paper"]),
        }
        for i in proposal["items"]
    ]
    found = moves.proposed_moves(proposal, pins=pins.values())
    if payload.confirm:
        services.apply_day_plan(proposal, request.user)
    return {
        "date": payload.date,
        "moves": [
            {"notice": m["notice"].reference, "held": option(m["from"]), "to": option(m["to"])}
            for m in (found["moves"] if found else [])
        ],
        "accommodated_with_moves": found["fits_with"] if found else None,
        "accommodated": proposal["accommodated"],
        "in_part": proposal["in_part"],
        "bound": result.bound,
        "fcfs": result.fcfs,
        "paper": proposal["paper"],
        "method": result.method,
        "applied": payload.confirm,
        "items": items,
    }


@router.post("/office/allocation/moves", response={201: s.MoveOut, **ERRORS})
def ask_to_move(request, payload: s.MoveAskIn):
    """Ask the organizer of an accepted assembly to move where the day's plan would move it
    (`moves` of /office/allocation); nothing moves until they agree."""
    notice = get_object_or_404(Notice.objects.for_officer(request.user), reference=payload.notice)
    proposal = planning.propose_day(request.user.officer.jurisdiction, payload.date, time_limit=5.0)
    found = moves.proposed_moves(proposal)
    move = next((m for m in (found["moves"] if found else []) if m["notice"].pk == notice.pk), None)
    if move is None:
        raise ApiError(
            422,
            "invalid",
            "The day's plan does not move this assembly: nothing to ask.",
            {"notice": ["not moved by the plan of that day"]},
        )
    made = services.ask_to_move(
        notice, request.user, move["to"], fits=(found["fits_without"], found["fits_with"])
    )
    return Reply(201, made)


def _closure_out(closure: Closure) -> dict:
    """The closure as saved, in its public shape (with the notices it displaced)."""
    saved = closure_rows(Closure.objects.filter(pk=closure.pk)).get()
    return s.ClosureOut.of(saved, (get_language() or "en")[:2])


@router.post("/office/closures", response={201: s.ClosureOut, **ERRORS})
def declare_closure(request, payload: s.ClosureIn):
    """Declare a closure of a place of your jurisdiction (or one zone), as its administrator:
    a ground from the rulebook's list, public reasons, ahead of time unless on an emergency
    ground. Accepted notices it takes the place of go back to review: their references are in
    `displaced`."""
    venue = get_object_or_404(Venue, pk=payload.venue, jurisdiction=request.user.officer.jurisdiction)
    zone = None
    if payload.zone is not None:
        zone = venue.zones.filter(pk=payload.zone).first()
        if zone is None:
            raise ApiError(
                422, "invalid", "The zone must belong to the venue.", {"zone": ["not a zone of the venue"]}
            )
    closure = authority.declare_closure(
        request.user,
        venue,
        zone=zone,
        kind=payload.kind,
        ground=payload.ground,
        reason=payload.reason,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
    )
    return Reply(201, _closure_out(closure))


@router.post("/office/closures/{closure_id}/lift", response={200: s.ClosureOut, **ERRORS})
def lift_closure(request, closure_id: int, payload: s.LiftIn):
    """Lift a closure of your jurisdiction early, as its administrator, with public reasons:
    the place is open again from now; the closure's record stays."""
    closure = get_object_or_404(
        Closure.objects.select_related("venue__jurisdiction"),
        pk=closure_id,
        venue__jurisdiction=request.user.officer.jurisdiction,
    )
    return _closure_out(authority.lift_closure(request.user, closure, reason=payload.reason))


@router.post("/office/venues/{venue_id}/changes", response={201: s.VenueChangeOut, **ERRORS})
def change_venue(request, venue_id: int, payload: s.VenueChangeIn):
    """Change a place of your jurisdiction, as its administrator: only the fields given change.
    Accepted notices the place no longer takes (not designated, too small, outside its hours)
    go back to review: their references are in `displaced`."""
    venue = get_object_or_404(Venue, pk=venue_id, jurisdiction=request.user.officer.jurisdiction)
    try:
        changes = payload.changes()
    except ValueError as error:
        raise ApiError(422, "invalid", str(error), {"body": [str(error)]}) from None
    change = authority.change_venue(
        request.user, venue, reason=payload.reason, changes=changes, zones=payload.zones or {}
    )
    return Reply(201, venue_change_out(VenueChange.objects.get(pk=change.pk)))


@router.post("/office/calendar-days", response={201: s.CalendarDayOut, **ERRORS})
def declare_calendar_day(request, payload: s.CalendarDayIn):
    """Declare a holiday or a working day in your jurisdiction, as its administrator. Decision
    deadlines of pending notices are recounted and move later only: `deadlines_moved` lists the
    notices whose deadline moved."""
    jurisdiction = request.user.officer.jurisdiction
    day = authority.declare_calendar_day(
        request.user, jurisdiction, day=payload.date, kind=payload.kind, name=payload.name
    )
    moved = AuditEvent.objects.filter(
        event="notice.deadline_moved", at=day.declared_at, data__because=day.date.isoformat()
    ).values_list("object_id", flat=True)
    return Reply(
        201,
        {
            "jurisdiction": jurisdiction.slug,
            "date": day.date,
            "kind": day.kind,
            "name": day.name,
            "declared_at": day.declared_at,
            "deadlines_moved": list(
                Notice.objects.filter(pk__in=list(moved)).values_list("reference", flat=True)
            ),
        },
    )
