"""The scheduler's core: one day of one jurisdiction, in minutes since local midnight. Pure.

See docs/scheduler.md for the model. In short: every notice has a set of candidate
placements (a venue, the zone or zones it would hold, a start); a placement is acceptable
when it is within what the organizer said it accepts (its venue or the other venues it
listed, its requested time or the window it may shift within) and within the rulebook
(hours, the per-organizer daily cap, capacity). The allocator picks at most one placement
per notice so that no zone holds two assemblies at once (plus the changeover gap),
maximising first the number of notices accommodated, then closeness to what was asked,
then filing order. Fixed bookings (already accepted) are never moved.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace

# A placement at another venue costs as much as shifting the time by this many minutes.
OTHER_VENUE_COST = 120
# Holding a different zone than the one named costs this many minutes' worth.
OTHER_ZONE_COST = 15


@dataclass(frozen=True)
class ZoneSpec:
    id: int
    venue: int
    capacity: int


@dataclass(frozen=True)
class Busy:
    """Time a zone is not available: a fixed booking (`gap=True`: changeover applies) or a closure."""

    zone: int
    start: int
    end: int
    gap: bool = True


@dataclass(frozen=True)
class Request:
    id: int
    organizer: int
    rank: int  # filing order: 0 is filed first
    participants: int
    venue: int
    start: int
    end: int
    zone: int | None = None
    window: tuple[int, int] | None = None  # the interval the assembly may shift within
    other_venues: tuple[int, ...] = ()

    @property
    def minutes(self) -> int:
        return self.end - self.start


@dataclass(frozen=True)
class Placement:
    request: int
    venue: int
    zones: tuple[int, ...]
    start: int
    end: int


@dataclass
class DayProblem:
    zones: Sequence[ZoneSpec]
    requests: Sequence[Request]
    opens: int = 9 * 60
    closes: int = 20 * 60
    busy: Sequence[Busy] = ()
    changeover: int = 0
    cap_minutes: int | None = None  # per organizer per venue per day
    share: bool = True  # may assemblies use different zones of one venue at once
    step: int = 15  # start times are on this grid (plus each requested start)
    # minutes an organizer already holds at a venue that day, outside this problem
    held_minutes: dict[tuple[int, int], int] = field(default_factory=dict)

    def zones_of(self, venue: int) -> list[ZoneSpec]:
        return [z for z in self.zones if z.venue == venue]


@dataclass(frozen=True)
class Option:
    """A candidate: hold `zones` of `venue` for `minutes` starting at any of `starts`."""

    request: int
    venue: int
    zones: tuple[int, ...]
    minutes: int
    starts: tuple[int, ...]
    fixed_cost: int  # venue/zone change, in minute-equivalents


@dataclass
class Allocation:
    placements: dict[int, Placement]
    accommodated: int
    bound: int
    fcfs: int
    greedy: int
    seconds: float
    status: str
    method: str
    bound_seconds: float = 0.0  # when the count and its bound were settled (phase 1)
    closeness: str = "OPTIMAL"  # of the placements among those with that count
    parts: int = 1  # independent parts the day was split into
    shift: int = 0  # how far the placements are from what was asked, in minute-equivalents

    def as_dict(self) -> dict:
        return {
            "accommodated": self.accommodated,
            "bound": self.bound,
            "fcfs": self.fcfs,
            "greedy": self.greedy,
            "seconds": round(self.seconds, 3),
            "bound_seconds": round(self.bound_seconds, 3),
            "status": self.status,
            "method": self.method,
            "closeness": self.closeness,
            "parts": self.parts,
            "shift": self.shift,
        }


# --- candidates --------------------------------------------------------------------------


def placed_minutes(request: Request, cap: int | None) -> int:
    """How long the notice can hold a venue: its length, trimmed to the daily cap."""
    return min(request.minutes, cap) if cap is not None else request.minutes


def zone_sets(
    zones: Sequence[ZoneSpec], participants: int, *, share: bool, named: int | None = None
) -> list[tuple[int, ...]]:
    """The sets of zones of one venue a notice could hold, best first: the zone it named,
    alone; where assemblies share a venue, each single zone that holds the participants,
    smallest first (then by id); otherwise, or when none does, every zone together. Only
    sets that hold the participants. The one place that decides which zones a notice takes."""
    zones = sorted(zones, key=lambda z: (z.capacity, z.id))
    if not zones:
        return []
    if named is not None:
        return [(named,)] if any(z.id == named and z.capacity >= participants for z in zones) else []
    whole = tuple(z.id for z in zones)
    fits_whole = sum(z.capacity for z in zones) >= participants
    if not share or len(zones) == 1:
        return [whole] if fits_whole else []
    single = [(z.id,) for z in zones if z.capacity >= participants]
    return single or ([whole] if fits_whole else [])


def zone_choices(problem: DayProblem, request: Request, venue: int) -> list[tuple[int, ...]]:
    named = request.zone if request.zone is not None and venue == request.venue else None
    return zone_sets(problem.zones_of(venue), request.participants, share=problem.share, named=named)


def start_times(problem: DayProblem, request: Request, minutes: int) -> tuple[int, ...]:
    lo, hi = request.window or (request.start, request.end)
    lo, hi = max(lo, problem.opens), min(hi, problem.closes) - minutes
    if hi < lo:
        return ()
    first = -(-lo // problem.step) * problem.step
    starts = set(range(first, hi + 1, problem.step))
    if lo <= request.start <= hi:
        starts.add(request.start)
    starts.add(lo)
    return tuple(sorted(starts, key=lambda s: (abs(s - request.start), s)))


def options_for(problem: DayProblem, request: Request) -> list[Option]:
    minutes = placed_minutes(request, problem.cap_minutes)
    if minutes <= 0:
        return []
    starts = start_times(problem, request, minutes)
    if not starts:
        return []
    found = []
    for venue in dict.fromkeys((request.venue, *request.other_venues)):
        for zones in zone_choices(problem, request, venue):
            cost = 0 if venue == request.venue else OTHER_VENUE_COST
            if request.zone is not None and zones != (request.zone,):
                cost += OTHER_ZONE_COST
            found.append(Option(request.id, venue, zones, minutes, starts, cost))
    return found


def cost(option: Option, start: int, request: Request) -> int:
    return option.fixed_cost + abs(start - request.start)


# --- a zone timeline, for the greedy baselines and for checking -------------------------


class Timeline:
    """Occupied spans per zone, with the changeover gap after each booking."""

    def __init__(self, problem: DayProblem):
        self.problem = problem
        self.spans: dict[int, list[tuple[int, int]]] = defaultdict(list)
        self.minutes_held: dict[tuple[int, int], int] = defaultdict(int, problem.held_minutes)
        for busy in problem.busy:
            self.spans[busy.zone].append((busy.start, busy.end + (problem.changeover if busy.gap else 0)))

    def fits(self, request: Request, venue: int, zones: Iterable[int], start: int, minutes: int) -> bool:
        cap = self.problem.cap_minutes
        if cap is not None and self.minutes_held[(request.organizer, venue)] + minutes > cap:
            return False
        end = start + minutes + self.problem.changeover
        return all(s >= end or start >= e for z in zones for s, e in self.spans[z])

    def take(self, request: Request, venue: int, zones: Iterable[int], start: int, minutes: int) -> None:
        for z in zones:
            self.spans[z].append((start, start + minutes + self.problem.changeover))
        self.minutes_held[(request.organizer, venue)] += minutes


def ranked_choices(problem: DayProblem, request: Request) -> list[tuple[int, int, Option]]:
    """Every (cost, start, option) of a request, closest to what it asked first."""
    ranked = sorted(
        ((cost(o, s, request), s, o.zones, o) for o in options_for(problem, request) for s in o.starts),
        key=lambda c: c[:3],
    )
    return [(c, s, o) for c, s, _, o in ranked]


def free_placements(problem: DayProblem, request: Request) -> Iterator[tuple[int, Placement]]:
    """Acceptable placements for one request that are free now, closest first, with their cost."""
    timeline = Timeline(problem)
    for c, start, option in ranked_choices(problem, request):
        if timeline.fits(request, option.venue, option.zones, start, option.minutes):
            yield c, Placement(request.id, option.venue, option.zones, start, start + option.minutes)


def by_filing(problem: DayProblem) -> list[Request]:
    return sorted(problem.requests, key=lambda r: (r.rank, r.id))


def first_come_first_served(problem: DayProblem) -> dict[int, Placement]:
    """The status quo: in filing order, each notice gets exactly what it asked for, or nothing."""
    timeline, placed = Timeline(problem), {}
    for request in by_filing(problem):
        minutes = placed_minutes(request, problem.cap_minutes)
        if request.start < problem.opens or request.start + minutes > problem.closes:
            continue
        for zones in zone_choices(problem, request, request.venue)[:1]:
            if timeline.fits(request, request.venue, zones, request.start, minutes):
                timeline.take(request, request.venue, zones, request.start, minutes)
                placed[request.id] = Placement(
                    request.id, request.venue, zones, request.start, request.start + minutes
                )
    return placed


def greedy(problem: DayProblem) -> dict[int, Placement]:
    """In filing order, each notice gets the closest acceptable placement still free."""
    timeline, placed = Timeline(problem), {}
    for request in by_filing(problem):
        for _, start, option in ranked_choices(problem, request):
            if timeline.fits(request, option.venue, option.zones, start, option.minutes):
                timeline.take(request, option.venue, option.zones, start, option.minutes)
                placed[request.id] = Placement(
                    request.id, option.venue, option.zones, start, start + option.minutes
                )
                break
    return placed


def violations(problem: DayProblem, placements: dict[int, Placement]) -> list[str]:
    """Everything wrong with a set of placements (empty when it is valid). For tests and asserts."""
    found, requests = [], {r.id: r for r in problem.requests}
    timeline = Timeline(problem)
    timeline.minutes_held = defaultdict(int)  # the cap is checked below, with held_minutes
    per_organizer: dict[tuple[int, int], int] = defaultdict(int, problem.held_minutes)
    for placement in sorted(placements.values(), key=lambda p: p.start):
        request = requests[placement.request]
        minutes = placement.end - placement.start
        options = [
            o
            for o in options_for(problem, request)
            if (o.venue, o.zones) == (placement.venue, placement.zones)
        ]
        if not options or placement.start not in options[0].starts or minutes != options[0].minutes:
            found.append(f"notice {request.id}: placement {placement} is not acceptable")
        if placement.start < problem.opens or placement.end > problem.closes:
            found.append(f"notice {request.id}: outside hours")
        for z in placement.zones:
            for s, e in timeline.spans[z]:
                if s < placement.end + problem.changeover and placement.start < e:
                    found.append(f"notice {request.id}: zone {z} overlaps [{s}, {e})")
        timeline.take(request, placement.venue, placement.zones, placement.start, minutes)
        per_organizer[(request.organizer, placement.venue)] += minutes
        capacity = sum(z.capacity for z in problem.zones if z.id in placement.zones)
        if capacity < request.participants:
            found.append(f"notice {request.id}: {request.participants} exceed capacity {capacity}")
    if problem.cap_minutes is not None:
        for key, minutes in per_organizer.items():
            if minutes > problem.cap_minutes:
                found.append(f"organizer {key[0]} holds venue {key[1]} for {minutes} min > cap")
    return found


# --- the optimiser -----------------------------------------------------------------------

# Phase 2 (closeness) stops once its solution is proven within this share of the optimum:
# the count of notices accommodated is settled exactly in phase 1, and proving the last
# fraction of a minute of closeness optimal can take the whole time limit for nothing.
CLOSENESS_GAP = 0.01
PATIENCE_MIN, PATIENCE_SHARE = 0.5, 0.25
LARGE_MODEL = 100_000  # yes/no variables (candidate × start): 2,000 notices have 65,000, 5,000 155,000


def parts(problem: DayProblem) -> list[list[Request]]:
    """The day split into parts that never compete, smallest first: two notices are in one
    part when some placement of one could overlap some placement of the other in a zone
    (changeover included), or when they share an organizer's daily cap at a venue that
    both could not fill at once. Parts are solved separately; together they are the day."""
    requests = list(problem.requests)
    parent = list(range(len(requests)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def join(i: int, j: int) -> None:
        parent[find(i)] = find(j)

    reach = defaultdict(list)  # zone → (from, to, request index): the time a request may cover
    per_cap = defaultdict(list)  # (organizer, venue) → request indices with a placement there
    for index, request in enumerate(requests):
        for option in options_for(problem, request):
            span = option.minutes + problem.changeover
            for zone in option.zones:
                reach[zone].append((min(option.starts), max(option.starts) + span, index))
            per_cap[(request.organizer, option.venue)].append((index, option.minutes))
    for spans in reach.values():
        spans.sort()
        reach_end, last = None, None
        for start, end, index in spans:
            if reach_end is not None and start < reach_end:
                join(index, last)
            if reach_end is None or end > reach_end:
                reach_end, last = end, index
    if problem.cap_minutes is not None:
        for key, entries in per_cap.items():
            room = problem.cap_minutes - problem.held_minutes.get(key, 0)
            longest = {}
            for index, minutes in entries:
                longest[index] = max(longest.get(index, 0), minutes)
            if sum(longest.values()) > room:
                first = entries[0][0]
                for index in longest:
                    join(index, first)
    groups = defaultdict(list)
    for index, request in enumerate(requests):
        groups[find(index)].append(request)
    return sorted(groups.values(), key=lambda g: (len(g), min(r.rank for r in g)))


@dataclass
class _Part:
    placements: dict[int, Placement]
    bound: int
    status: str  # of the count: OPTIMAL when proven, FEASIBLE, or UNKNOWN (the baseline)
    closeness: str  # of the closeness among solutions with that count
    settled: float  # seconds into the whole run when its count was settled
    method: str  # "cp-sat", or "closest" (nothing to solve), or the baseline it fell back to


def allocate(problem: DayProblem, *, time_limit: float = 10.0, workers: int = 2) -> Allocation:
    """Maximise notices accommodated (CP-SAT), then closeness, then filing order.

    The day is split into parts that never compete (`parts`); each is solved alone, the
    smallest first, each given its share of the time left, so time a small part does not
    need passes to the larger ones. A part whose greedy placement already gives every
    notice its closest free placement is optimal as it is and never reaches the solver.

    Never returns fewer than first-come-first-served or the greedy baseline on the same
    input: their solution is the solver's starting hint, and the fallback if the time
    limit stops it short. The bound it reports is the sum of the parts' proven bounds,
    never more than the notices that have an acceptable placement at all.
    """
    began = time.perf_counter()
    deadline = began + time_limit
    fcfs, warm = first_come_first_served(problem), greedy(problem)
    pieces = parts(problem)
    remaining = sum(len(p) for p in pieces)
    solved: list[_Part] = []
    for piece in pieces:
        share = max(0.05, (deadline - time.perf_counter()) * len(piece) / max(1, remaining))
        remaining -= len(piece)
        ids = {r.id for r in piece}
        solved.append(
            _solve_part(
                replace(problem, requests=piece),
                {i: p for i, p in fcfs.items() if i in ids},
                {i: p for i, p in warm.items() if i in ids},
                share,
                workers,
                began,
            )
        )
    placements = {i: p for part in solved for i, p in part.placements.items()}
    requests = {r.id: r for r in problem.requests}
    statuses = {part.status for part in solved} or {"OPTIMAL"}
    closeness = {part.closeness for part in solved} or {"OPTIMAL"}
    methods = {part.method for part in solved}
    return Allocation(
        placements,
        len(placements),
        sum(part.bound for part in solved),
        len(fcfs),
        len(warm),
        time.perf_counter() - began,
        _weakest(statuses),
        next((m for m in ("cp-sat", "greedy", "fcfs", "closest") if m in methods), "none"),
        max((part.settled for part in solved), default=0.0),
        _weakest(closeness),
        len(solved),
        sum(placement_cost(requests[i], p) for i, p in placements.items()),
    )


def _weakest(statuses: set[str]) -> str:
    for status in ("UNKNOWN", "FEASIBLE"):
        if status in statuses:
            return status
    return "OPTIMAL"


def _solve_part(problem, fcfs, warm, time_limit, workers, began) -> _Part:
    baseline = warm if len(warm) >= len(fcfs) else fcfs
    requests = {r.id: r for r in problem.requests}
    closest = {r.id: next(free_placements(problem, r), None) for r in problem.requests}
    reachable = sum(1 for found in closest.values() if found is not None)
    if len(baseline) == reachable and all(
        placement_cost(requests[i], p) == closest[i][0] for i, p in baseline.items()
    ):
        # every notice that can be placed at all is, each at its closest free placement
        return _Part(dict(baseline), reachable, "OPTIMAL", "OPTIMAL", time.perf_counter() - began, "closest")
    return _solve_with_cp_sat(problem, requests, baseline, warm, reachable, time_limit, workers, began)


def placement_cost(request: Request, placement: Placement) -> int:
    """`cost` of a placement already made: how far it is from what the notice asked."""
    fixed = 0 if placement.venue == request.venue else OTHER_VENUE_COST
    if request.zone is not None and placement.zones != (request.zone,):
        fixed += OTHER_ZONE_COST
    return fixed + abs(placement.start - request.start)


def _solve_with_cp_sat(problem, requests, baseline, warm, reachable, time_limit, workers, began) -> _Part:
    """A time-indexed model: one yes/no per (candidate, start time), and per zone and grid
    instant at most one placement covering it. Its linear relaxation is tight, so the
    solver's proven bound is close to the optimum and the gap it reports is meaningful."""
    from ortools.sat.python import cp_model

    started = time.perf_counter()
    options = [o for r in problem.requests for o in options_for(problem, r)]
    model = cp_model.CpModel()
    step = problem.step
    busy_points = defaultdict(set)
    for busy in problem.busy:
        end = busy.end + (problem.changeover if busy.gap else 0)
        busy_points[busy.zone].update(range(busy.start // step * step, end, step))
    choice: dict[tuple[int, int], cp_model.IntVar] = {}  # (option index, start) → chosen
    covering = defaultdict(list)  # (zone, instant) → choices covering it
    per_request, per_cap = defaultdict(list), defaultdict(list)
    for index, option in enumerate(options):
        span = option.minutes + problem.changeover
        for start in option.starts:
            instants = range(start // step * step, start + span, step)
            if any(t in busy_points[z] for z in option.zones for t in instants):
                continue
            x = model.new_bool_var(f"x{index}_{start}")
            choice[(index, start)] = x
            for zone in option.zones:
                for t in instants:
                    covering[(zone, t)].append(x)
            per_request[option.request].append(x)
            per_cap[(requests[option.request].organizer, option.venue)].append((x, option.minutes))
    for group in per_request.values():
        model.add_at_most_one(group)
    for group in covering.values():
        if len(group) > 1:
            model.add_at_most_one(group)
    if problem.cap_minutes is not None:
        for key, terms in per_cap.items():
            room = problem.cap_minutes - problem.held_minutes.get(key, 0)
            if sum(m for _, m in terms) > room:
                model.add(sum(x * m for x, m in terms) <= room)

    index_of = {(o.request, o.venue, o.zones): i for i, o in enumerate(options)}
    hinted = {(index_of.get((p.request, p.venue, p.zones)), p.start) for p in baseline.values()}
    for key, x in choice.items():
        model.add_hint(x, key in hinted)

    # Phase 1: as many notices as possible; it stops as soon as the count is proven.
    model.maximize(sum(choice.values()))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = workers
    if len(choice) > LARGE_MODEL:
        # presolve's repeated passes took 15 of 20 s at 5,000 notices before the first
        # solution (the greedy hint) was even looked at; one pass leaves time to search
        solver.parameters.max_presolve_iterations = 1
    solver.parameters.max_time_in_seconds = max(0.05, time_limit * 0.8 - (time.perf_counter() - started))
    status = solver.solve(model)
    settled = time.perf_counter() - began
    fallback = "greedy" if baseline is warm else "fcfs"
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return _Part(dict(baseline), max(reachable, len(baseline)), "UNKNOWN", "UNKNOWN", settled, fallback)
    best = round(solver.objective_value)
    bound = max(best, min(reachable, int(solver.best_objective_bound + 1e-6)))
    phase1 = solver.status_name(status)
    chosen = _placements(options, choice, solver)

    # Phase 2: keep that many, then closest to the request, then earliest filed; it stops
    # once within CLOSENESS_GAP of the best possible.
    model.clear_hints()
    for x in choice.values():
        model.add_hint(x, bool(solver.value(x)))
    model.add(sum(choice.values()) >= best)
    scale = len(problem.requests) + 1
    model.minimize(
        sum(
            x
            * (
                scale * cost(options[i], start, requests[options[i].request])
                + requests[options[i].request].rank
            )
            for (i, start), x in choice.items()
        )
    )
    solver.parameters.relative_gap_limit = CLOSENESS_GAP
    solver.parameters.max_time_in_seconds = max(0.05, time_limit - (time.perf_counter() - started))
    watch = _Patience(solver, started)
    closeness = solver.solve(model, watch.callback)
    watch.done()
    if closeness in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        chosen = _placements(options, choice, solver)
    if len(chosen) < len(baseline):
        return _Part(dict(baseline), max(bound, len(baseline)), phase1, "UNKNOWN", settled, fallback)
    # OPTIMAL here includes "within CLOSENESS_GAP of the optimum": the solver stops there
    closeness = (
        solver.status_name(closeness) if closeness in (cp_model.OPTIMAL, cp_model.FEASIBLE) else "UNKNOWN"
    )
    return _Part(chosen, bound, phase1, closeness, settled, "cp-sat")


class _Patience:
    """Stops phase 2 once it stops paying: no solution better by CLOSENESS_GAP for
    PATIENCE_SHARE of the time spent so far (at least PATIENCE_MIN seconds). The solver's
    own gap rarely closes here (its bound on closeness is weak while the count is only
    bounded below), but its improvements come early: most of the way in the first seconds."""

    def __init__(self, solver, started: float):
        import threading

        from ortools.sat.python import cp_model

        class Callback(cp_model.CpSolverSolutionCallback):
            def on_solution_callback(inner):
                value = inner.objective_value
                if self.best is None or value < self.best * (1 - CLOSENESS_GAP):
                    self.best, self.improved = value, time.perf_counter()

        self.callback, self.solver, self.started = Callback(), solver, started
        self.best, self.improved = None, time.perf_counter()
        self.finished = threading.Event()
        self.thread = threading.Thread(target=self._watch, daemon=True)
        self.thread.start()

    def _watch(self):
        while not self.finished.wait(0.05):
            now = time.perf_counter()
            patience = max(PATIENCE_MIN, PATIENCE_SHARE * (now - self.started))
            if self.best is not None and now - self.improved > patience:
                self.solver.stop_search()
                return

    def done(self):
        self.finished.set()
        self.thread.join()


def _placements(options, choice, solver) -> dict[int, Placement]:
    chosen = {}
    for (i, start), x in choice.items():
        if solver.value(x):
            o = options[i]
            chosen[o.request] = Placement(o.request, o.venue, o.zones, start, start + o.minutes)
    return chosen


def allocate_for_rulebook(problem: DayProblem, *, exclusive: bool, time_limit: float = 10.0) -> Allocation:
    """`exclusive` (status quo): first come, first served decides. Otherwise the optimiser."""
    if exclusive:
        began = time.perf_counter()
        placed = first_come_first_served(problem)
        return Allocation(
            placed,
            len(placed),
            len(placed),
            len(placed),
            len(placed),
            time.perf_counter() - began,
            "FCFS",
            "fcfs",
        )
    return allocate(problem, time_limit=time_limit)


# --- free time ---------------------------------------------------------------------------


def free_intervals(
    opens: int,
    closes: int,
    busy: Iterable[tuple[int, int]],
    changeover: int = 0,
    minimum: int = 1,
    hard: Iterable[tuple[int, int]] = (),
) -> list[tuple[int, int]]:
    """The free spans of one zone in [opens, closes): `busy` (bookings) widened by the
    changeover gap on both sides (a new assembly needs the gap after the one before and
    before the one after), `hard` (closures) as they are; spans shorter than `minimum`
    are dropped."""
    spans = [(s - changeover, e + changeover) for s, e in busy if e > s] + [(s, e) for s, e in hard if e > s]
    widened = ((max(opens, s), min(closes, e)) for s, e in spans)
    blocked = sorted((s, e) for s, e in widened if e > s)
    free, cursor = [], opens
    for s, e in blocked:
        if s > cursor:
            free.append((cursor, s))
        cursor = max(cursor, e)
    if cursor < closes:
        free.append((cursor, closes))
    return [(s, e) for s, e in free if e - s >= minimum]
