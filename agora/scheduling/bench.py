"""A reproducible contested day for `agora allocate-bench`: many notices, few venues."""

from __future__ import annotations

import random

from .engine import DayProblem, Request, ZoneSpec


def contested_day(
    notices: int,
    venues: int,
    seed: int,
    *,
    changeover: int = 30,
    cap_minutes: int | None = 240,
    share: bool = True,
) -> DayProblem:
    rng = random.Random(seed)
    zones, zone_id = [], 0
    for venue in range(venues):
        for _ in range(rng.choice([1, 1, 2, 2, 3])):
            zone_id += 1
            zones.append(ZoneSpec(zone_id, venue, rng.choice([200, 500, 1000, 3000])))
    popularity = [rng.random() ** 2 + 0.05 for _ in range(venues)]
    requests = []
    for i in range(notices):
        venue = rng.choices(range(venues), weights=popularity)[0]
        minutes = rng.choice([60, 60, 90, 120, 120, 180, 240, 300])
        start = rng.randrange(9 * 60, 20 * 60 - 60 + 1, 30)
        end = min(20 * 60, start + minutes)
        flexible = rng.random() < 0.6
        window = None
        if flexible:
            slack = rng.choice([60, 120, 180, 240])
            window = (max(9 * 60, start - slack), min(20 * 60, end + slack))
        others = tuple(
            rng.sample([v for v in range(venues) if v != venue], k=min(venues - 1, rng.choice([0, 1, 2])))
        )
        requests.append(
            Request(
                id=i + 1,
                organizer=rng.randrange(notices // 3 + 1),
                rank=i,
                participants=rng.choice([10, 50, 150, 400, 800, 2500]),
                venue=venue,
                start=start,
                end=end,
                window=window,
                other_venues=others,
            )
        )
    return DayProblem(
        zones=zones, requests=requests, changeover=changeover, cap_minutes=cap_minutes, share=share
    )
