"""The scheduler against the database: availability, alternatives, day proposals.

Translates notices, bookings and closures of one local day into the engine's minutes
(`engine.DayProblem`) and the engine's answers back into venues, zones and datetimes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from agora import i18n
from agora.notices.models import Notice
from agora.rules import deadlines
from agora.venues.models import Closure, Venue, Zone

from . import engine
from .bookings import holding
from .place import Place

DAY = 24 * 60


@dataclass(frozen=True)
class Clock:
    """Minutes since local midnight of one day of a jurisdiction, and back."""

    day: dt.date
    tz: ZoneInfo

    @property
    def midnight(self) -> dt.datetime:
        return dt.datetime.combine(self.day, dt.time(), self.tz)

    def minutes(self, moment: dt.datetime) -> int:
        return max(0, min(DAY, round((moment - self.midnight).total_seconds() / 60)))

    def moment(self, minutes: int) -> dt.datetime:
        return self.midnight + dt.timedelta(minutes=minutes)

    @classmethod
    def of(cls, jurisdiction, moment_or_day) -> Clock:
        day = (
            jurisdiction.local_day(moment_or_day) if isinstance(moment_or_day, dt.datetime) else moment_or_day
        )
        return cls(day, jurisdiction.tz)


def _rules(jurisdiction):
    return jurisdiction.rulebook.rules


def day_problem(jurisdiction, clock: Clock, notices: Iterable[Notice] = ()) -> engine.DayProblem:
    """The engine's view of one day: every zone of the jurisdiction, what holds them
    (bookings of other notices, closures), and `notices` as requests."""
    rules = _rules(jurisdiction)
    notices = list(notices)
    asking = {n.pk for n in notices}
    zones = list(Zone.objects.filter(venue__jurisdiction=jurisdiction).select_related("venue"))
    start, end = clock.midnight, clock.moment(DAY)
    zone_ids = [z.pk for z in zones]
    busy = [
        engine.Busy(b.zone_id, clock.minutes(b.starts_at), clock.minutes(b.held_until))
        for b in holding(zone_ids, start, end).exclude(notice__in=asking)
    ]
    for closure in Closure.objects.in_force(start, end).filter(venue__jurisdiction=jurisdiction):
        covered = (
            [closure.zone_id] if closure.zone_id else [z.pk for z in zones if z.venue_id == closure.venue_id]
        )
        busy += [
            engine.Busy(z, clock.minutes(closure.starts_at), clock.minutes(closure.until), gap=False)
            for z in covered
        ]
    held: dict[tuple[int, int], int] = {}
    for b in (
        holding(zone_ids, start, end)
        .exclude(notice__in=asking)
        .values("notice__organizer_id", "zone__venue_id", "notice_id", "starts_at", "held_until")
        .distinct()
    ):
        key = (b["notice__organizer_id"], b["zone__venue_id"])
        held[key] = held.get(key, 0) + clock.minutes(b["held_until"]) - clock.minutes(b["starts_at"])
    cap = rules.fairness.max_hours_per_organizer_per_venue_day
    ordered = sorted(notices, key=lambda n: (n.filed_at or n.created_at, n.pk))
    return engine.DayProblem(
        zones=[engine.ZoneSpec(z.pk, z.venue_id, z.capacity) for z in zones],
        requests=[to_request(n, rank, clock) for rank, n in enumerate(ordered)],
        opens=rules.hours.start.hour * 60 + rules.hours.start.minute,
        closes=rules.hours.end.hour * 60 + rules.hours.end.minute,
        busy=busy,
        changeover=rules.fairness.changeover_minutes,
        cap_minutes=round(cap * 60) if cap is not None else None,
        share=rules.fairness.share_venue_between_assemblies,
        held_minutes=held,
    )


def to_request(notice: Notice, rank: int, clock: Clock) -> engine.Request:
    window = None
    if notice.window_start and notice.window_end:
        window = (clock.minutes(notice.window_start), clock.minutes(notice.window_end))
    return engine.Request(
        id=notice.pk,
        organizer=notice.organizer_id,
        rank=rank,
        participants=notice.expected_participants,
        venue=notice.venue_id,
        start=clock.minutes(notice.starts_at),
        end=clock.minutes(notice.ends_at),
        zone=notice.zone_id,
        window=window,
        # an unsaved notice (the pre-check) has no acceptable venues stored yet
        other_venues=tuple(v.pk for v in notice.acceptable_venues.all()) if notice.pk else (),
    )


def as_place(placement: engine.Placement, clock: Clock) -> Place:
    """The engine's placement (minutes of one day) as a place and time."""
    return Place(
        placement.venue, tuple(placement.zones), clock.moment(placement.start), clock.moment(placement.end)
    )


@dataclass(frozen=True)
class Option:
    """A free place and time offered instead of what a notice asked for."""

    place: Place
    cost: int  # distance from what was asked, in minute-equivalents
    within_acceptable: bool  # within what the organizer said it accepts


# --- availability ------------------------------------------------------------------------


def availability(venue: Venue, day: dt.date) -> list[dict]:
    """Free spans per zone of `venue` on `day`, after hours, closures, bookings and gaps."""
    jurisdiction = venue.jurisdiction
    clock, rules = Clock.of(jurisdiction, day), _rules(jurisdiction)
    opens = venue.opens_at or rules.hours.start
    closes = venue.closes_at or rules.hours.end
    zones = list(venue.zones.all())
    start, end = clock.midnight, clock.moment(DAY)
    bookings = holding([z.pk for z in zones], start, end)
    closures = list(venue.closures.in_force(start, end))
    result = []
    for zone in zones:
        held = [
            (clock.minutes(b.starts_at), clock.minutes(b.held_until))
            for b in bookings
            if b.zone_id == zone.pk
        ]
        hard = [
            (clock.minutes(c.starts_at), clock.minutes(c.until))
            for c in closures
            if c.zone_id in (None, zone.pk)
        ]
        free = engine.free_intervals(
            opens.hour * 60 + opens.minute,
            closes.hour * 60 + closes.minute,
            held,
            rules.fairness.changeover_minutes,
            hard=hard,
        )
        result.append(
            {
                "zone": zone,
                "capacity": zone.capacity,
                "free": [(clock.moment(s), clock.moment(e)) for s, e in free],
                "busy": [b for b in bookings if b.zone_id == zone.pk],
            }
        )
    return result


# --- alternatives ------------------------------------------------------------------------


def alternatives(
    notice: Notice, *, limit: int = 5, other_venues: Iterable[Venue] | None = None
) -> list[Option]:
    """The best few placements free for this notice other than exactly what it asked,
    closest to what it asked first.

    Within what the organizer accepts (its venue or listed venues, its window) first;
    if none is free there, the nearest free options the same day at any venue of the
    jurisdiction, marked `within_acceptable: False`.
    """
    clock = Clock.of(notice.jurisdiction, notice.starts_at)
    problem = day_problem(notice.jurisdiction, clock, [notice])
    [request] = problem.requests
    if other_venues is not None:
        request = replace(request, other_venues=tuple(v.pk for v in other_venues))
    found = _free_choices(problem, request, limit)
    within = True
    if not found:
        within = False
        venues = tuple({z.venue for z in problem.zones} - {request.venue})
        wider = replace(request, window=(problem.opens, problem.closes), other_venues=venues)
        found = _free_choices(problem, wider, limit)
    return [Option(as_place(p, clock), c, within) for c, p in found]


def free_as_filed(notice: Notice) -> bool:
    """Whether the notice can be granted exactly as filed (place and time free, within the rules)."""
    clock = Clock.of(notice.jurisdiction, notice.starts_at)
    problem = day_problem(notice.jurisdiction, clock, [notice])
    [request] = problem.requests
    for _cost, placement in engine.free_placements(problem, request):
        return (placement.venue, placement.start, placement.end) == (
            request.venue,
            request.start,
            request.end,
        )
    return False


def venue_can_hold(notice: Notice) -> bool:
    """Whether the notice's venue (or named zone) can hold its participants at all."""
    clock = Clock.of(notice.jurisdiction, notice.starts_at)
    problem = day_problem(notice.jurisdiction, clock, [notice])
    [request] = problem.requests
    return bool(engine.zone_choices(problem, request, request.venue))


def place_is_free(notice: Notice, place: Place) -> Place | None:
    """`place` with the zones it would hold, if the notice could hold exactly that place and
    time now (hours, capacity, the daily cap, closures, bookings and changeover gaps); else None.
    Without named zones the rulebook's zone choice decides which zones."""
    clock = Clock.of(notice.jurisdiction, place.starts_at)
    problem = day_problem(notice.jurisdiction, clock, [notice])
    [asked] = problem.requests
    start, end = clock.minutes(place.starts_at), clock.minutes(place.ends_at)
    if clock.moment(start) != place.starts_at or clock.moment(end) != place.ends_at or end <= start:
        return None  # not within one local day
    request = replace(
        asked,
        venue=place.venue,
        start=start,
        end=end,
        window=None,
        other_venues=(),
        zone=place.zones[0] if len(place.zones) == 1 else None,
    )
    if place.zones:
        zones = [z for z in problem.zones if z.id in place.zones and z.venue == place.venue]
        fits = (
            len(zones) == len(set(place.zones))
            and sum(z.capacity for z in zones) >= request.participants
            and problem.opens <= start
            and end <= problem.closes
            and engine.Timeline(problem).fits(request, place.venue, place.zones, start, end - start)
        )
        return place if fits else None
    for _cost, found in engine.free_placements(problem, request):
        if (found.venue, found.start, found.end) == (place.venue, start, end):
            return Place(place.venue, found.zones, place.starts_at, place.ends_at)
    return None


SHORTER_STEP = 30  # minutes a shared placement gives up at a time, down to half the request


def shared_placement(notice: Notice) -> Place | None:
    """Where the notice can be held beside what is already booked at its own place and
    within its own requested time: as asked in other zones, else the longest part of that
    time that is free (down to half of it). None: the two cannot be held together.

    The test of *Lashmankin and Others v. Russia* (ECtHR, 2017): another event at the same
    place justifies a refusal or a move only where the two genuinely cannot be held together."""
    clock = Clock.of(notice.jurisdiction, notice.starts_at)
    problem = day_problem(notice.jurisdiction, clock, [notice])
    [asked] = problem.requests
    found = _within_request(problem, asked)
    return as_place(found, clock) if found else None


def _within_request(problem: engine.DayProblem, asked: engine.Request) -> engine.Placement | None:
    """`shared_placement` in the engine's minutes: as asked in other zones, else the longest
    free part of the requested time at the requested place, down to half of it."""
    own = replace(asked, other_venues=(), window=None)
    minutes = asked.minutes
    while minutes >= max(1, asked.minutes // 2):
        shorter = replace(own, end=own.start + minutes, window=(asked.start, asked.end))
        for _cost, placement in engine.free_placements(problem, shorter if minutes < asked.minutes else own):
            if (
                placement.venue == asked.venue
                and asked.start <= placement.start
                and placement.end <= asked.end
            ):
                return placement
        minutes -= SHORTER_STEP
    return None


def _free_choices(problem: engine.DayProblem, request: engine.Request, limit: int):
    found, seen = [], set()
    for c, placement in engine.free_placements(problem, request):
        as_asked = (placement.venue, placement.start, placement.end) == (
            request.venue,
            request.start,
            request.end,
        )
        if not as_asked and (placement.venue, placement.start) not in seen:
            seen.add((placement.venue, placement.start))
            found.append((c, placement))
            if len(found) == limit:
                break
    return found


# --- a contested day ---------------------------------------------------------------------


def pending_on(jurisdiction, day: dt.date, venue=None):
    """The notices waiting for a decision that start on `day` (at `venue`, if given)."""
    clock = Clock.of(jurisdiction, day)
    found = Notice.objects.pending().filter(
        jurisdiction=jurisdiction,
        starts_at__gte=clock.midnight,
        starts_at__lt=clock.moment(DAY),
    )
    if venue is not None:
        found = found.filter(venue=venue)
    return found.select_related("organizer", "venue", "zone").prefetch_related("acceptable_venues")


def round_closes(jurisdiction, day: dt.date) -> dt.datetime | None:
    """When the round that collects the notices for `day` closes, where the jurisdiction's
    rulebook allocates in rounds (None: it does not)."""
    rounds = _rules(jurisdiction).fairness.rounds
    if rounds is None:
        return None
    counter = deadlines.Counter(jurisdiction.calendar(), jurisdiction.tz)
    return counter.latest_filing(
        rounds.cutoff, Clock.of(jurisdiction, day).midnight, "fairness.rounds.cutoff"
    ).at


def cannot_wait(notice: Notice, closes: dt.datetime | None) -> bool:
    """Whether the notice's own decision deadline comes before its day's round closes."""
    return bool(closes and notice.decision_due_at and notice.decision_due_at < closes)


class PinError(ValueError):
    """A notice the officer pinned cannot be held as filed; the message names it."""


def _pinned(problem: engine.DayProblem, pins: set[int], references: dict[int, str]):
    """Each pinned request held as filed (trimmed to the daily cap), in filing order, and the
    day as the rest of the plan sees it: those placements taken."""
    asked = [r for r in problem.requests if r.id in pins]
    fixed = engine.first_come_first_served(replace(problem, requests=asked))
    missing = [references[r.id] for r in asked if r.id not in fixed]
    if missing and len(asked) > 1:
        raise PinError(
            _(
                "%(refs)s cannot be held as filed beside the other notices held as filed, or its place "
                "is taken or closed then: hold fewer."
            )
            % {"refs": ", ".join(missing)}
        )
    if missing:
        raise PinError(
            _("%(refs)s cannot be held as filed: its place is taken or closed then, or too small.")
            % {"refs": ", ".join(missing)}
        )
    held = dict(problem.held_minutes)
    for r in asked:
        key = (r.organizer, fixed[r.id].venue)
        held[key] = held.get(key, 0) + fixed[r.id].end - fixed[r.id].start
    rest = replace(
        problem,
        requests=[r for r in problem.requests if r.id not in pins],
        busy=[*problem.busy, *(engine.Busy(z, p.start, p.end) for p in fixed.values() for z in p.zones)],
        held_minutes=held,
    )
    return fixed, rest


def propose_day(
    jurisdiction, day: dt.date, *, venue=None, pins: Iterable[int] = (), time_limit: float = 10.0
) -> dict:
    """A proposal for every pending notice of the day (at `venue`, if given): how to decide
    it, and why; beside it, what today's paper process would do with the same notices.

    Under an `exclusive` rulebook (the status quo) first come, first served decides;
    otherwise the optimiser. `pins` are notices the officer decides by hand, as filed: the
    plan is made around them. Nothing is written: `notices.services.apply_day_plan` does that.
    """
    clock = Clock.of(jurisdiction, day)
    notices = list(pending_on(jurisdiction, day, venue))
    problem = day_problem(jurisdiction, clock, notices)
    pins = {n.pk for n in notices if n.pk in set(pins)}
    fixed, rest = _pinned(problem, pins, {n.pk: n.reference for n in notices})
    rules = _rules(jurisdiction)
    result = engine.allocate_for_rulebook(
        rest, exclusive=rules.fairness.first_come_first_served == "exclusive", time_limit=time_limit
    )
    if fixed:
        result = replace(
            result,
            placements={**result.placements, **fixed},
            accommodated=result.accommodated + len(fixed),
            bound=result.bound + len(fixed),
        )
    fallbacks = _fall_back(rest, result.placements, rules)
    # the paper process: in filing order, each notice whole, as filed, the whole place, or nothing
    paper = engine.first_come_first_served(replace(problem, cap_minutes=None, share=False))
    alone = {r.id for r in rest.requests if _free_alone(rest, r)}
    items = []
    for notice in sorted(notices, key=lambda n: (n.filed_at, n.pk)):
        placement = result.placements.get(notice.pk)
        item = {
            "notice": notice,
            "pinned": notice.pk in pins,
            "paper": as_place(paper[notice.pk], clock) if notice.pk in paper else None,
            **classify(notice, placement, clock, rules, for_others=notice.pk in alone),
        }
        # accommodated: placed within what its organizer accepts (by the plan, or in part of
        # its own time); an alternative the rulebook wants with a refusal is not
        item["accommodated"] = placement is not None
        if placement is None and notice.pk in fallbacks:
            item.update(_fallback_item(notice, fallbacks[notice.pk], clock))
            item["accommodated"] = fallbacks[notice.pk][0] == "within"
        items.append(item)
    return {
        "day": day,
        "venue": venue,
        "allocation": result,
        # the optimiser's count, and those the fallbacks place beside it
        "accommodated": sum(1 for i in items if i["accommodated"]),
        # held for part of their own time beside the plan: the solver's bound does not count them
        "in_part": sum(1 for kind, _ in fallbacks.values() if kind == "within"),
        "paper": len(paper),
        "items": items,
        "clock": clock,
    }


def advice(notice: Notice, *, time_limit: float = 3.0) -> dict | None:
    """For one notice's decision page: what the best plan for everyone waiting that day gives
    it, and whom accepting it as filed would leave without a place. None when it is not
    waiting or nothing else waits for that day."""
    if not notice.awaiting_decision:
        return None
    jurisdiction = notice.jurisdiction
    day = jurisdiction.local_day(notice.starts_at)
    best = propose_day(jurisdiction, day, time_limit=time_limit)
    mine = next((i for i in best["items"] if i["notice"].pk == notice.pk), None)
    if mine is None or len(best["items"]) < 2:
        return None
    try:
        as_filed = propose_day(jurisdiction, day, pins=[notice.pk], time_limit=time_limit)
    except PinError:
        as_filed = None  # it cannot be held as filed at all

    def placed(proposal):
        return {i["notice"].pk for i in proposal["items"] if i["accommodated"]}

    lost = (
        []
        if as_filed is None
        else [i["notice"] for i in best["items"] if i["notice"].pk in placed(best) - placed(as_filed)]
    )
    return {
        "day": day,
        "item": mine,
        "waiting": len(best["items"]),
        "accommodated": best["accommodated"],
        "as_filed_possible": as_filed is not None,
        "lost": lost,
    }


def _fall_back(problem: engine.DayProblem, placed: dict, rules) -> dict[int, tuple[str, engine.Placement]]:
    """For each notice the plan leaves without a place, in filing order, beside what the plan
    places: the longest free part of its own time (the decision's own test of a refusal for
    another event, `shared_placement`), else, where the rulebook wants an alternative with
    every refusal, the nearest free place and time that day. So that what the officer
    confirms is what recording does."""
    taken = [engine.Busy(z, p.start, p.end) for p in placed.values() for z in p.zones]
    found: dict[int, tuple[str, engine.Placement]] = {}
    venues = tuple(dict.fromkeys(z.venue for z in problem.zones))
    left = [r for r in engine.by_filing(problem) if r.id not in placed]
    # first each in part of its own time, then the alternatives: an offer elsewhere must not
    # take the time another notice could hold within what it asked
    for kind in ("within", "alternative"):
        if kind == "alternative" and not rules.fairness.refusal_requires_alternative:
            break
        for request in [r for r in left if r.id not in found]:
            now = replace(problem, busy=[*problem.busy, *taken])
            if kind == "within":
                placement = _within_request(now, request)
            else:
                wider = replace(request, window=(problem.opens, problem.closes), other_venues=venues)
                placement = next((p for _c, p in engine.free_placements(now, wider)), None)
            if placement is not None:
                found[request.id] = (kind, placement)
                taken += [engine.Busy(z, placement.start, placement.end) for z in placement.zones]
    return found


def _fallback_item(notice: Notice, found: tuple[str, engine.Placement], clock: Clock) -> dict:
    kind, placement = found
    where = as_place(placement, clock)
    if kind == "within":
        local = f"{i18n.clock(where.starts_at, clock.tz)}–{i18n.clock(where.ends_at, clock.tz)}"
        return {
            "outcome": "accepted_with_conditions",
            "grounds": [],
            "placement": where,
            "reason": _(
                "Held %(time)s: the rest of the requested time the place is used by another assembly."
            )
            % {"time": local},
        }
    return {
        "outcome": "alternative_offered",
        "grounds": ["venue_booked"],
        "placement": where,
        "reason": _(
            "The requested place and time are taken; this is the nearest free place and time that day."
        ),
    }


def _free_alone(problem: engine.DayProblem, request: engine.Request) -> bool:
    """Whether the request could be held as filed beside what is booked or closed, if no
    other notice of the day wanted the place."""
    minutes = engine.placed_minutes(request, problem.cap_minutes)
    if request.start < problem.opens or request.start + minutes > problem.closes:
        return False
    timeline = engine.Timeline(problem)
    return any(
        timeline.fits(request, request.venue, zones, request.start, minutes)
        for zones in engine.zone_choices(problem, request, request.venue)[:1]
    )


def classify(
    notice: Notice, placement: engine.Placement | None, clock: Clock, rules, *, for_others: bool = False
) -> dict:
    """How to decide a notice the plan places at `placement` (None: nowhere), and why.
    `for_others`: it could be held as filed were it alone, so a move is for the others."""
    if placement is None:
        return {
            "outcome": "refused",
            "grounds": ["venue_booked"],
            "placement": None,
            "reason": _("The place is already used at that time by another assembly notified earlier."),
        }
    where = as_place(placement, clock)
    if placement.venue == notice.venue_id and (where.starts_at, where.ends_at) == (
        notice.starts_at,
        notice.ends_at,
    ):
        return {"outcome": "accepted", "grounds": [], "placement": where, "reason": _("Granted as filed.")}
    inside = (
        placement.venue == notice.venue_id
        and where.starts_at >= notice.starts_at
        and where.ends_at <= notice.ends_at
    )
    if inside:
        cap = rules.fairness.max_hours_per_organizer_per_venue_day
        local = f"{i18n.clock(where.starts_at, clock.tz)}–{i18n.clock(where.ends_at, clock.tz)}"
        return {
            "outcome": "accepted_with_conditions",
            "grounds": [],
            "placement": where,
            "reason": _("Held %(time)s: one organizer may hold a venue at most %(cap)s hours a day.")
            % {"time": local, "cap": i18n.number(cap)},
        }
    if for_others and "shared_day" in rules.refusal_grounds:
        return {
            "outcome": "alternative_offered",
            "grounds": ["shared_day"],
            "placement": where,
            "reason": _(
                "Held as filed, it would leave other notices of this day without a place; this time, "
                "within what you said you accept, lets all of them be held."
            ),
        }
    return {
        "outcome": "alternative_offered",
        "grounds": ["venue_booked"],
        "placement": where,
        "reason": _("The requested place and time are taken; this is the closest free option you accept."),
    }
