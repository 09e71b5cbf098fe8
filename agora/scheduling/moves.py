"""Moves the day plan would ask for: accepted bookings that, moved within what their
organizers accept, would let more of the day's waiting notices fit.

The day plan never moves an accepted booking (PRODUCT.md §4.3): to it they are fixed. This
asks the other question: with those bookings free to move within their organizers' own
window and places, and every one of them still placed, how many waiting notices would fit?
Where that is more, each booking the plan moves becomes a request its organizer may accept
or decline (`notices.services.ask_to_move`). Computes only; nothing is written.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from agora.notices.models import Notice
from agora.notices.workflow import GOING_AHEAD

from . import engine
from .models import Booking, MoveRequest
from .place import Place
from .planning import DAY, PinError, _pinned, _rules, as_place, day_problem


def held(notice: Notice) -> Place | None:
    """What the notice holds still to come, as one place (None: nothing, or not one place)."""
    rows = list(notice.bookings.firm().filter(held_until__gt=F("starts_at")).select_related("zone"))
    if not rows or len({b.zone.venue_id for b in rows}) > 1:
        return None
    return Place(
        rows[0].zone.venue_id,
        tuple(sorted(b.zone_id for b in rows)),
        min(b.starts_at for b in rows),
        max(b.held_until for b in rows),
    )


def movable_on(jurisdiction, day: dt.date, now: dt.datetime) -> list[tuple[Notice, Place]]:
    """Assemblies of `day` going ahead that could move with their organizer's consent: held
    as filed (at the venue and from the time they asked), not begun, nobody checked in, its
    organizer not asked before (once asked, their answer stands), and accepting something
    else (a window, or other places)."""
    clock_start, clock_end = jurisdiction.day_bounds(day)
    checked_in = Booking.objects.filter(notice=OuterRef("pk"), checked_in_at__isnull=False)
    asked = MoveRequest.objects.asked().filter(notice=OuterRef("pk"))
    found = (
        Notice.objects.filter(
            jurisdiction=jurisdiction,
            status__in=GOING_AHEAD,
            starts_at__gte=clock_start,
            starts_at__lt=clock_end,
            starts_at__gt=now,
        )
        .filter(~Exists(checked_in), ~Exists(asked))
        .select_related("organizer", "venue")
        .prefetch_related("acceptable_venues")
        .order_by("filed_at", "pk")
    )
    movable = []
    for notice in found:
        place = held(notice)
        flexible = bool(notice.window_start and notice.window_end) or bool(notice.acceptable_venues.all())
        if (
            place is not None
            and flexible
            and place.venue == notice.venue_id
            and place.starts_at == notice.starts_at
        ):
            movable.append((notice, place))
    return movable


def proposed_moves(proposal: dict, *, pins=(), now: dt.datetime | None = None, time_limit: float = 3.0):
    """For a day plan (`planning.propose_day`): the moves that would fit more of its notices,
    or None. Each move is {notice, from, to}; `fits_without` is the plan's count, `fits_with`
    the count with every move agreed, `placed` where the waiting notices would then go."""
    items = proposal["items"]
    if not items or proposal["accommodated"] == len(items):
        return None
    jurisdiction = items[0]["notice"].jurisdiction
    rules = _rules(jurisdiction)
    if rules.fairness.first_come_first_served == "exclusive":
        return None  # first come, first served is the law there: nothing is re-planned
    clock = proposal["clock"]
    movable = movable_on(jurisdiction, proposal["day"], now or timezone.now())
    if not movable:
        return None
    waiting = [i["notice"] for i in items]
    problem = day_problem(jurisdiction, clock, [*waiting, *(n for n, _ in movable)])
    try:
        fixed, rest = _pinned(problem, set(pins), {n.pk: n.reference for n in waiting})
    except PinError:
        return None
    result = engine.allocate_for_rulebook(rest, exclusive=False, time_limit=time_limit)
    placements = {**result.placements, **fixed}
    if any(n.pk not in placements for n, _ in movable):
        return None  # every accepted assembly keeps a place, or nothing is asked
    fits_with = sum(1 for n in waiting if n.pk in placements)
    if fits_with <= proposal["accommodated"]:
        return None
    moves = []
    for notice, now_at in movable:
        to = as_place(placements[notice.pk], clock)
        if to.ends_at > clock.moment(DAY) or to.ends_at - to.starts_at != now_at.ends_at - now_at.starts_at:
            return None  # a move keeps the length it holds (one trimmed by hand is not re-planned)
        if (to.venue, tuple(sorted(to.zones)), to.starts_at, to.ends_at) != (
            now_at.venue,
            now_at.zones,
            now_at.starts_at,
            now_at.ends_at,
        ):
            moves.append({"notice": notice, "from": now_at, "to": to})
    if not moves:
        return None
    return {
        "moves": moves,
        "fits_without": proposal["accommodated"],
        "fits_with": fits_with,
        "placed": {n.pk: as_place(placements[n.pk], clock) for n in waiting if n.pk in placements},
    }
