"""The scheduler's pure core: hypothesis over random contested days."""

import itertools
from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agora.scheduling.engine import (
    Busy,
    DayProblem,
    Request,
    ZoneSpec,
    allocate,
    first_come_first_served,
    free_intervals,
    free_placements,
    greedy,
    options_for,
    parts,
    violations,
)

H = 60


@st.composite
def days(draw, max_requests=8):
    venues = draw(st.integers(1, 3))
    zones, zid = [], 0
    for venue in range(venues):
        for _ in range(draw(st.integers(1, 2))):
            zid += 1
            zones.append(ZoneSpec(zid, venue, draw(st.sampled_from([100, 500, 2000]))))
    requests = []
    for i in range(draw(st.integers(0, max_requests))):
        start = draw(st.integers(8 * 4, 19 * 4)) * 15
        end = min(21 * H, start + draw(st.integers(2, 16)) * 15)
        window = None
        if draw(st.booleans()):
            window = (start - draw(st.integers(0, 8)) * 15, end + draw(st.integers(0, 8)) * 15)
        venue = draw(st.integers(0, venues - 1))
        requests.append(
            Request(
                id=i + 1,
                organizer=draw(st.integers(1, 3)),
                rank=i,
                participants=draw(st.sampled_from([10, 300, 1500])),
                venue=venue,
                start=start,
                end=end,
                window=window,
                other_venues=tuple(draw(st.sets(st.integers(0, venues - 1), max_size=2)) - {venue}),
            )
        )
    busy = []
    if zones and draw(st.booleans()):
        z = draw(st.sampled_from(zones)).id
        s = draw(st.integers(9 * 4, 18 * 4)) * 15
        busy.append(Busy(z, s, s + 60))
    return DayProblem(
        zones=zones,
        requests=requests,
        busy=busy,
        changeover=draw(st.sampled_from([0, 30])),
        cap_minutes=draw(st.sampled_from([None, 240, 120])),
        share=draw(st.booleans()),
    )


def brute_force_best(problem):
    """The true maximum by trying every subset, largest first (tiny problems only)."""
    requests = list(problem.requests)
    for size in range(len(requests), -1, -1):
        for subset in itertools.combinations(requests, size):
            sub = replace(problem, requests=list(subset))
            if len(greedy_any_order(sub)) == size:
                return size
    return 0


def greedy_any_order(problem):
    """Is there an order in which greedy places everyone? (exhaustive over orders)"""
    best = {}
    for order in itertools.permutations(problem.requests):
        sub = replace(problem, requests=[replace(r, rank=k) for k, r in enumerate(order)])
        placed = greedy(sub)
        if len(placed) > len(best):
            best = placed
        if len(best) == len(problem.requests):
            break
    return best


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(days())
def test_allocation_is_valid_and_never_worse_than_first_come_first_served(problem):
    result = allocate(problem, time_limit=5)
    assert violations(problem, result.placements) == []
    assert result.accommodated >= result.fcfs == len(first_come_first_served(problem))
    assert result.accommodated >= result.greedy
    assert result.accommodated <= result.bound
    # the bound is never more than the notices that could be placed at all, each alone
    assert result.bound <= sum(1 for r in problem.requests if next(free_placements(problem, r), None))


@settings(max_examples=60, deadline=None)
@given(days(max_requests=10))
def test_notices_in_different_parts_never_compete(problem):
    """Two notices in different parts have no placements that could overlap in a zone
    (changeover included) and no organizer's cap to share: solving parts apart loses nothing."""
    found = parts(problem)
    assert sorted(r.id for part in found for r in part) == sorted(r.id for r in problem.requests)
    part_of = {r.id: k for k, part in enumerate(found) for r in part}
    gap = problem.changeover
    reach = {
        r.id: [
            (z, min(o.starts), max(o.starts) + o.minutes + gap)
            for o in options_for(problem, r)
            for z in o.zones
        ]
        for r in problem.requests
    }
    for a, b in itertools.combinations(problem.requests, 2):
        if part_of[a.id] == part_of[b.id]:
            continue
        for za, sa, ea in reach[a.id]:
            for zb, sb, eb in reach[b.id]:
                assert za != zb or ea <= sb or eb <= sa
        if problem.cap_minutes is not None and a.organizer == b.organizer:
            venues_a = {o.venue for o in options_for(problem, a)}
            venues_b = {o.venue for o in options_for(problem, b)}
            for venue in venues_a & venues_b:
                both = max(o.minutes for o in options_for(problem, a)) + max(
                    o.minutes for o in options_for(problem, b)
                )
                assert both <= problem.cap_minutes - problem.held_minutes.get((a.organizer, venue), 0)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(days())
def test_the_baselines_are_valid_too(problem):
    assert violations(problem, first_come_first_served(problem)) == []
    assert violations(problem, greedy(problem)) == []


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(days(max_requests=4))
def test_allocation_is_optimal_on_small_days(problem):
    result = allocate(problem, time_limit=5)
    assert result.status == "OPTIMAL"
    assert result.accommodated == result.bound
    # no placement of requests missing from the solution would have fitted beside it:
    # checked against an exhaustive search over filing orders of the greedy
    assert result.accommodated >= len(greedy_any_order(problem))


def test_accommodates_where_first_come_first_served_blocks():
    """The Almaty case in miniature: A asks for the whole day, B for the afternoon."""
    square = [ZoneSpec(1, 0, 5000), ZoneSpec(2, 0, 5000)]
    a = Request(1, organizer=1, rank=0, participants=300, venue=0, start=9 * H, end=20 * H)
    b = Request(2, organizer=2, rank=1, participants=500, venue=0, start=14 * H, end=18 * H)
    status_quo = DayProblem(zones=square, requests=[a, b], share=False)
    assert set(first_come_first_served(status_quo)) == {1}
    fair = DayProblem(zones=square, requests=[a, b], share=True, cap_minutes=240, changeover=30)
    result = allocate(fair, time_limit=5)
    assert set(result.placements) == {1, 2}
    assert (result.placements[1].start, result.placements[1].end) == (9 * H, 13 * H)  # capped at 4 h
    assert (result.placements[2].start, result.placements[2].end) == (14 * H, 18 * H)  # as asked


def test_a_day_where_everyone_gets_their_closest_place_never_waits_for_the_solver():
    zones = [ZoneSpec(1, 0, 1000), ZoneSpec(2, 1, 1000)]
    morning = Request(1, organizer=1, rank=0, participants=10, venue=0, start=9 * H, end=11 * H)
    evening = Request(2, organizer=2, rank=1, participants=10, venue=0, start=15 * H, end=17 * H)
    elsewhere = Request(3, organizer=3, rank=2, participants=10, venue=1, start=9 * H, end=11 * H)
    result = allocate(DayProblem(zones=zones, requests=[morning, evening, elsewhere]), time_limit=30)
    assert (result.method, result.status, result.closeness) == ("closest", "OPTIMAL", "OPTIMAL")
    assert result.parts == 3 and result.accommodated == result.bound == 3 and result.shift == 0


def test_a_contested_part_is_solved_and_the_others_stay_as_asked():
    zones = [ZoneSpec(1, 0, 1000), ZoneSpec(2, 1, 1000)]
    # filed first, flexible: greedy gives it 11-15 as asked, and the fixed one gets nothing
    flexible = Request(
        1, organizer=1, rank=0, participants=10, venue=0, start=11 * H, end=15 * H, window=(9 * H, 20 * H)
    )
    fixed = Request(2, organizer=2, rank=1, participants=10, venue=0, start=11 * H, end=13 * H)
    apart = Request(3, organizer=3, rank=2, participants=10, venue=1, start=10 * H, end=12 * H)
    problem = DayProblem(zones=zones, requests=[flexible, fixed, apart])
    assert sorted(len(p) for p in parts(problem)) == [1, 2]
    result = allocate(problem, time_limit=10)
    assert violations(problem, result.placements) == []
    assert (result.greedy, result.accommodated, result.bound, result.method) == (2, 3, 3, "cp-sat")
    assert (result.placements[2].start, result.placements[3].start) == (11 * H, 10 * H)  # as asked
    assert result.placements[1].start == 13 * H  # moved just past the other, the nearest it can


def test_fixed_bookings_are_never_moved_and_block_their_zone():
    zones = [ZoneSpec(1, 0, 1000)]
    fixed = [Busy(1, 10 * H, 12 * H)]
    wants = Request(
        1, organizer=1, rank=0, participants=10, venue=0, start=11 * H, end=12 * H, window=(9 * H, 14 * H)
    )
    result = allocate(DayProblem(zones=zones, requests=[wants], busy=fixed, changeover=30), time_limit=5)
    placed = result.placements[1]
    assert placed.end + 30 <= 10 * H or placed.start >= 12 * H + 30
    assert placed.start == 12 * H + 30  # the nearest free start after the changeover


def test_options_respect_hours_windows_and_capacity():
    zones = [ZoneSpec(1, 0, 100), ZoneSpec(2, 0, 100), ZoneSpec(3, 1, 5000)]
    big = Request(
        1,
        organizer=1,
        rank=0,
        participants=150,
        venue=0,
        start=8 * H,
        end=10 * H,
        window=(8 * H, 12 * H),
        other_venues=(1,),
    )
    problem = DayProblem(zones=zones, requests=[big], share=True)
    opts = options_for(problem, big)
    # too big for one half of venue 0: both halves together, or venue 1
    assert {(o.venue, o.zones) for o in opts} == {(0, (1, 2)), (1, (3,))}
    assert all(min(o.starts) >= 9 * H for o in opts)  # before opening is not acceptable


@given(st.lists(st.tuples(st.integers(0, 1440), st.integers(0, 240)), max_size=6), st.sampled_from([0, 30]))
def test_free_intervals_never_touch_busy_time_or_its_gap(raw, gap):
    busy = [(s, s + d) for s, d in raw]
    free = free_intervals(9 * H, 20 * H, busy, gap)
    for fs, fe in free:
        assert 9 * H <= fs < fe <= 20 * H
        for bs, be in busy:
            if be > bs:
                assert fe <= bs - gap or fs >= be + gap or fe <= 9 * H or fs >= 20 * H
    # and everything in the day that is not free is busy or a gap
    for minute in range(9 * H, 20 * H, 5):
        if not any(fs <= minute < fe for fs, fe in free):
            assert any(bs - gap <= minute < be + gap for bs, be in busy if be > bs)


def test_without_a_window_a_request_outside_hours_has_no_option():
    zones = [ZoneSpec(1, 0, 1000)]
    early = Request(1, organizer=1, rank=0, participants=10, venue=0, start=8 * H, end=10 * H)
    assert options_for(DayProblem(zones=zones, requests=[early]), early) == []
