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
                return as_place(placement, clock)
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


def pending_on(jurisdiction, day: dt.date):
    clock = Clock.of(jurisdiction, day)
    return (
        Notice.objects.pending()
        .filter(
            jurisdiction=jurisdiction,
            starts_at__gte=clock.midnight,
            starts_at__lt=clock.moment(DAY),
        )
        .select_related("organizer", "venue")
        .prefetch_related("acceptable_venues")
    )


def propose_day(jurisdiction, day: dt.date, *, time_limit: float = 10.0) -> dict:
    """A proposal for every pending notice of the day: how to decide it, and why.

    Under an `exclusive` rulebook (the status quo) first come, first served decides;
    otherwise the optimiser. Nothing is written: `notices.services.apply_day_plan` does that.
    """
    clock = Clock.of(jurisdiction, day)
    notices = list(pending_on(jurisdiction, day))
    problem = day_problem(jurisdiction, clock, notices)
    rules = _rules(jurisdiction)
    result = engine.allocate_for_rulebook(
        problem, exclusive=rules.fairness.first_come_first_served == "exclusive", time_limit=time_limit
    )
    items = []
    for notice in sorted(notices, key=lambda n: (n.filed_at, n.pk)):
        placement = result.placements.get(notice.pk)
        items.append({"notice": notice, **classify(notice, placement, clock, rules)})
    return {"day": day, "allocation": result, "items": items}


def classify(notice: Notice, placement: engine.Placement | None, clock: Clock, rules) -> dict:
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
    return {
        "outcome": "alternative_offered",
        "grounds": ["venue_booked"],
        "placement": where,
        "reason": _("The requested place and time are taken; this is the closest free option you accept."),
    }
