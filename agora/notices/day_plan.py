"""The day plan in the officer's hands (issue 21): every notice that wants a day, the
optimiser's plan beside today's paper process (first come, first served, each notice whole),
drawn on the day grid of the zones; pins for notices decided by hand; and applying the plan
after a confirmation that lists every decision, each reasoning editable.

What is applied is what was shown: the plan travels signed in the form (the optimiser may
find another plan of equal worth on a second run), and `services.apply_day_plan` refuses
it, deciding nothing, if the day changed meanwhile."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from agora import i18n
from agora.accounts.access import officer_required
from agora.i18n import pick
from agora.scheduling import moves as scheduling_moves
from agora.scheduling import planning
from agora.scheduling.bookings import holding
from agora.scheduling.models import MoveRequest
from agora.scheduling.place import Place
from agora.venues.models import Closure, Venue, Zone

from . import consultations, services, words
from .models import Notice
from .places import also_accepts, place_label
from .workflow import Status

SLOT = 30  # minutes a column of the grid stands for
PLAN_AGE = 3600  # seconds a shown plan may be applied for
GOES_AHEAD = ("accepted", "accepted_with_conditions")


@dataclass(frozen=True)
class Span:
    zone: int
    start: int  # minutes since local midnight
    end: int
    state: str  # "planned", "offered" (an alternative), "booked" (decided before), "closed"
    label: str = ""


def grid_rows(zones: list, opens: int, closes: int, spans: list[Span]) -> dict:
    """The day as a table: a row per zone, a column per half hour from `opens` to `closes`,
    each span one cell across its columns (the first span wins a shared column). Pure."""
    first = min([opens] + [s.start for s in spans]) // SLOT * SLOT
    last = -(-max([closes] + [s.end for s in spans]) // SLOT) * SLOT
    slots = list(range(first, last, SLOT))
    rows = []
    for zone in zones:
        cells, i = [], 0
        mine = sorted((s for s in spans if s.zone == zone.pk), key=lambda s: (s.start, s.end))
        while i < len(slots):
            at = slots[i]
            span = next((s for s in mine if s.start < at + SLOT and s.end > at), None)
            j = i + 1
            while (
                j < len(slots) and span is not None and span.end > slots[j] and span.start < slots[j] + SLOT
            ):
                j += 1
            if span is None:
                while j < len(slots) and not any(
                    s.start < slots[j] + SLOT and s.end > slots[j] for s in mine
                ):
                    j += 1
            cells.append({"span": span, "columns": j - i})
            i = j
        rows.append({"zone": zone, "cells": cells})
    return {"hours": [(m, m % 60 == 0) for m in slots], "rows": rows}


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _grids(jurisdiction, day: dt.date, proposal: dict, venue) -> list[dict]:
    """A grid per place in play: the plan's placements over what is already booked or closed."""
    clock, rules = proposal["clock"], jurisdiction.rulebook.rules
    venues = {i["notice"].venue_id for i in proposal["items"]} | {
        i["placement"].venue for i in proposal["items"] if i["placement"]
    }
    if venue is not None:
        venues = {venue.pk}
    start, end = clock.midnight, clock.moment(planning.DAY)
    zones = list(Zone.objects.filter(venue__in=venues).select_related("venue").order_by("venue", "slug"))
    spans = [
        Span(b.zone_id, clock.minutes(b.starts_at), clock.minutes(b.held_until), "booked", b.notice.reference)
        for b in holding([z.pk for z in zones], start, end).select_related("notice")
    ]
    for closure in Closure.objects.in_force(start, end).filter(venue__in=venues):
        spans += [
            Span(z.pk, clock.minutes(closure.starts_at), clock.minutes(closure.until), "closed", _("closed"))
            for z in zones
            if closure.venue_id == z.venue_id and closure.zone_id in (None, z.pk)
        ]
    for item in proposal["items"]:
        place = item["placement"]
        if place and clock.day == planning.Clock.of(jurisdiction, place.starts_at).day:
            state = "planned" if item["outcome"] in GOES_AHEAD else "offered"
            spans += [
                Span(z, clock.minutes(place.starts_at), clock.minutes(place.ends_at), state, item["ref"])
                for z in place.zones
            ]
    opens = rules.hours.start.hour * 60 + rules.hours.start.minute
    closes = rules.hours.end.hour * 60 + rules.hours.end.minute or planning.DAY
    grids = []
    for place in Venue.objects.filter(pk__in=venues).order_by("slug"):
        own = [z for z in zones if z.venue_id == place.pk]
        ids = {z.pk for z in own}
        grid = grid_rows(own, opens, closes, [s for s in spans if s.zone in ids])
        grid["hours"] = [(_hhmm(m), whole) for m, whole in grid["hours"]]
        grids.append({"venue": pick(place.name), **grid})
    return grids


def _signed(proposal: dict, officer) -> str:
    items = [
        {
            "notice": i["notice"].pk,
            "outcome": i["outcome"],
            "grounds": i["grounds"],
            "reason": i["reason"],
            "placement": i["placement"].as_json() if i["placement"] else None,
        }
        for i in proposal["items"]
    ]
    return signing.dumps(
        {"day": proposal["day"].isoformat(), "items": items}, salt=f"agora.day-plan.{officer.pk}"
    )


class StalePlan(ValidationError):
    """The plan shown no longer fits the day: it has to be made again, not corrected."""


def _unsigned(value: str, officer, day: dt.date) -> list[dict]:
    try:
        data = signing.loads(value, salt=f"agora.day-plan.{officer.pk}", max_age=PLAN_AGE)
    except signing.BadSignature as error:
        raise ValidationError(
            _("This plan is over an hour old or was changed: make the plan again.")
        ) from error
    if data["day"] != day.isoformat():
        raise ValidationError(_("This plan is for another day: make the plan again."))
    return data["items"]


def _proposal_from(request, items: list[dict]) -> dict:
    """The shown plan with the notices as they are now and each reasoning as the officer
    edited it; a notice decided or withdrawn meanwhile makes the whole plan stale."""
    notices = {
        n.pk: n
        for n in Notice.objects.for_officer(request.user)
        .filter(pk__in=[i["notice"] for i in items])
        .select_related("jurisdiction__rulebook", "rulebook", "venue")
    }
    stale = [n.reference for n in notices.values() if not n.awaiting_decision]
    if len(notices) != len(items) or stale:
        raise StalePlan(
            _("The day changed since the plan was made (%(refs)s): make the plan again.")
            % {"refs": ", ".join(stale) or _("a notice is no longer yours to decide")}
        )
    out = []
    for i in items:
        notice = notices[i["notice"]]
        reason = request.POST.get(f"reason-{notice.pk}", "").strip()
        if not reason and not services.left_for_hand(i["outcome"], notice):
            raise ValidationError(
                _("Each decision needs its reasoning: %(ref)s has none.") % {"ref": notice.reference}
            )
        out.append(
            {
                "notice": notice,
                "outcome": i["outcome"],
                "grounds": i["grounds"],
                "reason": reason,
                "conditions": request.POST.get(f"conditions-{notice.pk}", "").strip(),
                "consultation_note": request.POST.get(f"note-{notice.pk}", "").strip(),
                "placement": Place.of(i["placement"]) if i["placement"] else None,
            }
        )
    return {"items": out}


def _describe(item: dict, jurisdiction) -> dict:
    notice = item["notice"]
    item["ref"] = notice.reference
    item["label"] = place_label(item["placement"], jurisdiction) if item["placement"] else ""
    item["paper_label"] = place_label(item["paper"], jurisdiction) if item["paper"] else ""
    item["outcome_word"] = words.status(item["outcome"])
    item["paper_refused"] = words.status("refused")
    item["asked"] = place_label(services.request_place(notice), jurisdiction)
    item["accepts"] = also_accepts(notice)
    return item


def _parse_day(value: str) -> dt.date:
    try:
        day = dt.date.fromisoformat(value)
    except ValueError as error:
        raise Http404 from error
    if not 2000 <= day.year <= 2200:  # a day the calendar and the clock can count around
        raise Http404
    return day


@officer_required
def today(request):
    """The day plan of the officer's jurisdiction for today, local time."""
    day = request.officer.jurisdiction.local_day(timezone.now())
    return redirect("office:day_plan", day.isoformat())


@officer_required
def day_plan(request, day: str):
    officer, jurisdiction = request.user, request.officer.jurisdiction
    day = _parse_day(day)
    venue, ignored = None, []
    asked_venue = request.GET.get("venue", "")
    if asked_venue:
        found = asked_venue.isdigit() and len(asked_venue) < 12
        venue = (
            Venue.objects.filter(jurisdiction=jurisdiction, pk=int(asked_venue)).first() if found else None
        )
        if venue is None:
            ignored.append(_("No such place of yours: showing every place."))
    pins = [int(p) for p in request.GET.getlist("pin") if p.isdigit() and len(p) < 12]
    here = request.get_full_path()
    if request.method == "POST":
        return _record(request, day, here)
    waiting = set(planning.pending_on(jurisdiction, day, venue).values_list("pk", flat=True))
    if any(p not in waiting for p in pins) or len(pins) < len(request.GET.getlist("pin")):
        ignored.append(
            _("Some notices to hold as filed are not waiting for a decision on this day: left out.")
        )
        pins = [p for p in pins if p in waiting]
    error, unpinned = "", None
    try:
        proposal = planning.propose_day(jurisdiction, day, venue=venue, pins=pins, time_limit=5.0)
    except planning.PinError as pin_error:
        error = str(pin_error)
    if error or pins:  # what the pins cost: the plan without them
        unpinned = planning.propose_day(jurisdiction, day, venue=venue, time_limit=5.0)
        proposal = unpinned if error else proposal
    for item in proposal["items"]:
        _describe(item, jurisdiction)
    result = proposal["allocation"]
    closes = planning.round_closes(jurisdiction, day)
    for item in proposal["items"]:
        item["cannot_wait"] = planning.cannot_wait(item["notice"], closes)
    moves = None if error else scheduling_moves.proposed_moves(proposal, pins=pins)
    context = {
        "round_closes": closes,
        "round_open": bool(closes and timezone.now() < closes),
        "day": day,
        "venue": venue,
        "venues": Venue.objects.filter(jurisdiction=jurisdiction).order_by("slug"),
        "items": proposal["items"],
        "result": result,
        "accommodated": proposal["accommodated"],
        "in_part": proposal["in_part"],
        "paper": proposal["paper"],
        "proven": result.accommodated == result.bound,
        "pins": pins,
        "without_pins": unpinned["accommodated"] if unpinned and not error else None,
        "pin_error": error,
        "ignored": ignored,
        "grids": _grids(jurisdiction, day, proposal, venue),
        "decided": _decided(jurisdiction, proposal, venue),
        "plan": _signed(proposal, officer) if proposal["items"] else "",
        "moves": _moves(moves, proposal, jurisdiction, officer, day) if moves else None,
        "previous": day - dt.timedelta(days=1),
        "next": day + dt.timedelta(days=1),
    }
    return render(request, "office/day_plan.html", context)


def _record(request, day: dt.date, here: str):
    """The confirmation (the plan's decisions, each reasoning editable), then recording
    them. On an error the confirmation comes back with the officer's edits and the error;
    a plan that cannot be trusted any more (forged, stale, too old) goes back to the plan."""
    officer = request.user
    try:
        items = _unsigned(request.POST.get("plan", ""), officer, day)
        if request.POST.get("confirm") != "1":
            return _confirmation(request, day, items, here)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(here)
    try:
        decided = services.apply_day_plan(_proposal_from(request, items), officer)
    except StalePlan as stale:
        for message in stale.messages:
            messages.error(request, message)
        return redirect(here)
    except ValidationError as error:
        try:
            return _confirmation(request, day, items, here, errors=error.messages)
        except ValidationError as stale:
            for message in stale.messages:
                messages.error(request, message)
            return redirect(here)
    left = [n.reference for n, d in decided if d is None]
    count = len(decided) - len(left)
    messages.success(
        request,
        ngettext("%(n)s decision recorded.", "%(n)s decisions recorded.", count) % {"n": i18n.number(count)},
    )
    if left:
        messages.warning(
            request,
            _("No free alternative could be offered to %(refs)s: decide them on their pages.")
            % {"refs": ", ".join(left)},
        )
    # the day as it now stands: the notices held as filed are decided, so no longer pinned
    after = reverse("office:day_plan", args=[day.isoformat()])
    venue = request.GET.get("venue", "")
    return redirect(f"{after}?{urlencode({'venue': venue})}" if venue else after)


def _decided(jurisdiction, proposal: dict, venue) -> list[dict]:
    """The notices of the day decided already, with what they hold: the plan works around them."""
    clock = proposal["clock"]
    start, end = clock.midnight, clock.moment(planning.DAY)
    zones = Zone.objects.filter(venue__jurisdiction=jurisdiction)
    if venue is not None:
        zones = zones.filter(venue=venue)
    held: dict[int, tuple] = {}  # each notice once, with every zone it holds
    for b in (
        holding(zones.values_list("pk", flat=True), start, end)
        .select_related("notice__venue", "zone")
        .order_by("starts_at", "notice_id", "zone_id")
    ):
        notice, first, spans = held.setdefault(b.notice_id, (b.notice, b, []))
        if (b.zone.venue_id, b.starts_at, b.held_until) == (
            first.zone.venue_id,
            first.starts_at,
            first.held_until,
        ):
            spans.append(b.zone_id)
    rows = [
        {
            "notice": notice,
            "status": notice.get_status_display(),
            "held": place_label(
                Place(first.zone.venue_id, tuple(spans), first.starts_at, first.held_until), jurisdiction
            ),
        }
        for notice, first, spans in held.values()
    ]
    seen = set(held)
    asked = {  # the latest request of each: an organizer is asked once
        m.notice_id: m for m in MoveRequest.objects.asked().filter(notice__in=[r["notice"].pk for r in rows])
    }
    for row in rows:
        if (move := asked.get(row["notice"].pk)) is not None:
            row["asked_to_move"] = _move_state(move, jurisdiction)
    # offered an alternative, waiting for the organizer's answer: listed above where the
    # alternative holds a place of this day, else here (one offered before alternatives held)
    offered = Notice.objects.exclude(pk__in=seen).filter(
        jurisdiction=jurisdiction, status=Status.ALTERNATIVE_OFFERED, starts_at__gte=start, starts_at__lt=end
    )
    if venue is not None:
        offered = offered.filter(venue=venue)
    for notice in offered.order_by("starts_at", "pk"):
        place = services.offered_alternative(notice)
        rows.append(
            {
                "notice": notice,
                "status": notice.get_status_display(),
                "held": place_label(place, jurisdiction) if place else "",  # its status says "offered"
            }
        )
    return rows


def _move_state(move: MoveRequest, jurisdiction) -> str:
    """Where a request to move an assembly stands, for the officer."""
    said = {
        MoveRequest.State.PENDING: _("asked to move to %(place)s, answer due %(when)s"),
        MoveRequest.State.ACCEPTED: _("moved to %(place)s with its organizer's consent"),
        MoveRequest.State.DECLINED: _("asked to move to %(place)s: its organizer kept the booking"),
        MoveRequest.State.EXPIRED: _(
            "asked to move to %(place)s: no answer by %(when)s, so its organizer kept the booking"
        ),
    }[move.state]
    return said % {
        "place": place_label(services.move_place(move), jurisdiction),
        "when": i18n.when(move.expires_at, jurisdiction, zone=True),
    }


def _confirmation(request, day: dt.date, items: list[dict], here: str, errors=()):
    """Every decision the plan records, each with its reasoning (and conditions) to edit."""
    jurisdiction = request.officer.jurisdiction
    notices = {
        n.pk: n
        for n in Notice.objects.for_officer(request.user)
        .filter(pk__in=[i["notice"] for i in items])
        .select_related("jurisdiction__rulebook", "rulebook")
    }
    rows = []
    for i in items:
        notice = notices.get(i["notice"])
        if notice is None:
            raise ValidationError(_("The day changed since the plan was made: make the plan again."))
        place = Place.of(i["placement"]) if i["placement"] else None
        rows.append(
            {
                "notice": notice,
                "outcome": words.status(i["outcome"]),
                "goes_ahead": i["outcome"] in GOES_AHEAD,
                "conditions": i["outcome"] == "accepted_with_conditions",
                "place": place_label(place, jurisdiction) if place else "",
                "grounds": [words.ground(g, notice.rulebook) for g in i["grounds"]],
                "reason": request.POST.get(f"reason-{notice.pk}", i["reason"]),
                "conditions_text": request.POST.get(f"conditions-{notice.pk}", i["reason"]),
                "left": services.left_for_hand(i["outcome"], notice),
                # an agency still to answer: the decision waits, or the officer says why not
                "waiting_for": consultations.outstanding_text(notice, consultations.waiting_for(notice)),
                "note": request.POST.get(f"note-{notice.pk}", ""),
            }
        )
    context = {
        "day": day,
        "rows": rows,
        "moves_pending": [
            {"notice": m.notice, "place": place_label(services.move_place(m), jurisdiction)}
            for m in services.moves_pending_on(jurisdiction, day)
        ],
        "recorded": sum(1 for r in rows if not r["left"]),
        "plan": request.POST["plan"],
        "cancel": here,
        "errors": errors,
    }
    return render(request, "office/day_plan_confirm.html", context)


MOVE_SALT = "agora.move.{officer}"


def _moves(found: dict, proposal: dict, jurisdiction, officer, day: dt.date) -> dict:
    """The moves that would fit more, each with what the officer's button sends, signed: the
    move asked for is the one shown; and the waiting notices that would then fit."""
    rows = []
    for move in found["moves"]:
        notice = move["notice"]
        token = signing.dumps(
            {
                "day": day.isoformat(),
                "notice": notice.pk,
                "to": move["to"].as_json(),
                "fits": [found["fits_without"], found["fits_with"]],
            },
            salt=MOVE_SALT.format(officer=officer.pk),
        )
        rows.append(
            {
                "notice": notice,
                "status": notice.get_status_display(),
                "from": place_label(move["from"], jurisdiction),
                "to": place_label(move["to"], jurisdiction),
                "token": token,
            }
        )
    gained = [
        {"notice": i["notice"], "place": place_label(found["placed"][i["notice"].pk], jurisdiction)}
        for i in proposal["items"]
        if not i["accommodated"] and i["notice"].pk in found["placed"]
    ]
    return {
        "rows": rows,
        "gained": gained,
        "fits_without": found["fits_without"],
        "fits_with": found["fits_with"],
    }


@require_POST
@officer_required
def ask_to_move(request, day: str):
    """Ask the organizer of an accepted assembly to move as the day plan proposes; nothing
    moves until they agree (PRODUCT.md §4.3)."""
    day = _parse_day(day)
    back = redirect("office:day_plan", day.isoformat())
    try:
        data = signing.loads(
            request.POST.get("move", ""), salt=MOVE_SALT.format(officer=request.user.pk), max_age=PLAN_AGE
        )
        if data["day"] != day.isoformat():
            raise signing.BadSignature
    except signing.BadSignature:
        messages.error(request, _("This proposal is over an hour old or was changed: make the plan again."))
        return back
    notice = Notice.objects.for_officer(request.user).filter(pk=data["notice"]).first()
    if notice is None:
        raise Http404
    try:
        move = services.ask_to_move(notice, request.user, Place.of(data["to"]), fits=tuple(data["fits"]))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return back
    messages.success(
        request,
        _(
            "The organizer of %(ref)s is asked to move to %(place)s (answer due %(when)s); their "
            "booking stands until they agree."
        )
        % {
            "ref": notice.reference,
            "place": place_label(services.move_place(move), notice.jurisdiction),
            "when": i18n.when(move.expires_at, notice.jurisdiction, zone=True),
        },
    )
    return back
