"""The officer's API (an officer token): the review queue, a notice with its conflicts and
alternatives, decisions and appeal decisions, the day sheet and attendance, a day's plan.
The same services and queries as the office pages."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from ninja import Router

from agora.notices import review, services
from agora.notices.models import Notice
from agora.scheduling import planning
from agora.venues.models import Venue

from . import schemas as s
from .core import ERRORS, TokenAuth

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
    """Propose decisions for every pending notice of a day; applied only with `confirm: true`."""
    proposal = planning.propose_day(
        request.user.officer.jurisdiction, payload.date, time_limit=payload.time_limit
    )
    result = proposal["allocation"]
    items = [
        {
            "notice": i["notice"].reference,
            "outcome": i["outcome"],
            "grounds": i["grounds"],
            "reason": i["reason"],
            "placement": s.Option.of(i["placement"], within_acceptable=True) if i["placement"] else None,
        }
        for i in proposal["items"]
    ]
    if payload.confirm:
        services.apply_day_plan(proposal, request.user)
    return {
        "date": payload.date,
        "accommodated": result.accommodated,
        "bound": result.bound,
        "fcfs": result.fcfs,
        "method": result.method,
        "applied": payload.confirm,
        "items": items,
    }
