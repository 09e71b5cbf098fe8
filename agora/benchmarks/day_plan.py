"""`agora bench day-plan`: the officer's day plan page and a single decision page on a busy
day, as the officer meets them (a GET through Django's test client, signed in).

The day: the demo city plus `accepted` accepted rallies that accept any time of the day
(so the plan may ask them to move) and `notices` waiting ones at Almaty's places, at
random half hours from 09:00, an hour or two long, half of them accepting a window. Each
notice has its own organizer, so no per-organizer cap refuses it. What the page solves is
bounded by the solver's time limits (5 s for the plan, 3 s for the moves); this says how
long it takes below them, how many queries it makes, and what it found.
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import time
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext


def build_day(notices: int, accepted: int, seed: int) -> dict:
    from django.contrib.auth import get_user_model

    from agora.accounts.models import Organizer
    from agora.demo import load_demo
    from agora.notices import services
    from agora.notices.models import Notice

    rng = random.Random(seed)
    made = load_demo()
    almaty = made["almaty"]
    tz = ZoneInfo(almaty.timezone)
    calendar = almaty.calendar()
    # the first working day a rally may be notified for (the demo's own days come later)
    day = calendar.earliest_event_date(dt.datetime.now(tz).date(), 5)
    venues = list(almaty.venues.filter(designated=True).order_by("pk"))
    users = get_user_model()
    officer = users.objects.get(username="dana")

    def organizer(i: int):
        user = users.objects.create_user(f"plan{i}", f"plan{i}@example.org", None)
        Organizer.objects.create(user=user, full_name=f"Plan Organizer {i}", language="en")
        return user

    def at(hour: float) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(int(hour), round(hour % 1 * 60)), tz)

    def file(i: int, venue, start: float, hours: float, window: bool) -> Notice:
        user = organizer(i)
        fields = dict(
            assembly_type="rally",
            topic="transport",
            purpose="A busy day for the day plan's benchmark.",
            venue=venue,
            starts_at=at(start),
            ends_at=at(start + hours),
            expected_participants=50,
            stewards=1,
        )
        if window:
            fields.update(window_start=at(9), window_end=at(20))
        return services.submit(services.create_draft(user, **fields), user)

    held = 0
    for i in range(accepted):  # two-hour slots half an hour apart, place by place
        venue, slot = venues[i % len(venues)], i // len(venues)
        if 9 + slot * 2.5 + 2 > 20:
            break
        notice = file(i, venue, 9 + slot * 2.5, 2, window=True)
        try:
            services.decide(notice, officer, "accepted", reasoning="The notice meets every requirement.")
        except ValidationError:
            continue  # the demo holds that time already: it waits with the others
        held += 1
    waiting = [
        file(
            accepted + i,
            rng.choice(venues),
            9 + rng.randrange(0, 18) / 2,
            rng.choice([1, 1.5, 2]),
            window=rng.random() < 0.5,
        )
        for i in range(notices)
    ]
    return {"day": day, "officer": officer, "accepted": held, "waiting": waiting, "venues": len(venues)}


def timed_get(client, path: str, repeat: int) -> dict:
    seconds, queries = [], 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            began = time.perf_counter()
            response = client.get(path)
            seconds.append(time.perf_counter() - began)
        if response.status_code != 200:
            raise RuntimeError(f"{path} answered {response.status_code}")
        queries = len(captured)
    return {
        "median_s": round(statistics.median(seconds), 2),
        "max_s": round(max(seconds), 2),
        "queries": queries,
    }


def run_day_plan_bench(notices: int, accepted: int, seed: int, repeat: int) -> dict:
    from django.test import Client, override_settings
    from django.urls import reverse

    from agora.scheduling import moves, planning

    began = time.perf_counter()
    world = build_day(notices, accepted, seed)
    built = round(time.perf_counter() - began, 1)
    day, officer = world["day"], world["officer"]
    jurisdiction = officer.officer.jurisdiction

    began = time.perf_counter()
    proposal = planning.propose_day(jurisdiction, day, time_limit=5.0)
    plan_s = time.perf_counter() - began
    began = time.perf_counter()
    proposed = moves.proposed_moves(proposal)
    moves_s = time.perf_counter() - began
    result = proposal["allocation"]

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(officer)
    # signed in without the second factor's round trip (one session lookup, not the page's work)
    with override_settings(AGORA_OFFICER_MFA=False):
        page = timed_get(client, reverse("office:day_plan", args=[day.isoformat()]), repeat)
        first = world["waiting"][0]
        decision = timed_get(client, reverse("office:decide", args=[first.pk]), repeat)
    return {
        "database": connection.vendor,
        "day": day.isoformat(),
        "places": world["venues"],
        "accepted_before": world["accepted"],
        "waiting": len(proposal["items"]),
        "built_s": built,
        "plan_accommodates": proposal["accommodated"],
        "plan_in_part": proposal["in_part"],
        "proven_bound": result.bound,
        "paper_process": proposal["paper"],
        "plan_solve_s": round(plan_s, 2),
        "moves_proposed": len(proposed["moves"]) if proposed else 0,
        "with_moves_accommodates": proposed["fits_with"] if proposed else proposal["accommodated"],
        "moves_solve_s": round(moves_s, 2),
        "day_plan_page_median_s": page["median_s"],
        "day_plan_page_max_s": page["max_s"],
        "day_plan_page_queries": page["queries"],
        "decision_page_median_s": decision["median_s"],
        "decision_page_max_s": decision["max_s"],
        "decision_page_queries": decision["queries"],
    }
