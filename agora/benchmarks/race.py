"""`agora bench race`: many clients file notices and officers accept them or apply day
plans, against a real server; then the database is checked.

The notices spread over the working days ahead and every zone of Almaty's places, on a grid
of two-hour slots with the changeover gap between them, so hundreds can be accepted; a share
start an hour late and so clash with two slots, and many ask for a slot another notice also
asks for: both the free and the contested paths are raced.

The promise under test: whatever the interleaving, no two bookings overlap on a zone;
every request gets a 2xx or a clear 4xx; nothing acknowledged is lost; the audit chain
verifies; and nothing is half-written (see `consistency`).
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from zoneinfo import ZoneInfo

from .consistency import consistency, overlaps
from .server import Server


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))], 1)


class Client:
    """One request per connection (gunicorn's sync workers close it anyway)."""

    def __init__(self, server: Server):
        self.server = server

    def send(
        self, method: str, path: str, token: str | None, body: dict | None = None
    ) -> tuple[int, dict, float]:
        began = time.perf_counter()
        try:
            connection = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=120)
            connection.request(
                method,
                path,
                body=json.dumps(body) if body is not None else None,
                headers={
                    "Content-Type": "application/json",
                    **({"Authorization": f"Bearer {token}"} if token else {}),
                },
            )
            response = connection.getresponse()
            raw = response.read()
            connection.close()
            status = response.status
            try:
                payload = json.loads(raw) if raw else {}
            except ValueError:
                payload = {"raw": raw[:200].decode(errors="replace")}
        # refused, reset, or the answer cut off mid-body (IncompleteRead): the server was down
        # or killed while it answered, so the request counts as interrupted, not acknowledged
        except (OSError, http.client.HTTPException) as error:
            status, payload = 0, {"error": str(error)}
        return status, payload, (time.perf_counter() - began) * 1000


# two hours each, 30 minutes apart (the `fair` changeover gap), within 09:00–20:00
SLOTS = [dt.time(9), dt.time(11, 30), dt.time(14), dt.time(16, 30)]
DAYS = 25  # working days of slots, from the earliest lawful one


def prepare(organizers: int) -> dict:
    """The demo city plus `organizers` organizers with tokens, and an officer token."""
    from django.contrib.auth import get_user_model

    from agora.accounts.models import Organizer
    from agora.accounts.tokens import create_token
    from agora.demo import load_demo

    made = load_demo()
    users = get_user_model()
    tokens = []
    for i in range(organizers):
        user = users.objects.create_user(f"race{i}", f"race{i}@example.org", None)
        Organizer.objects.create(user=user, full_name=f"Race Organizer {i}", language="en")
        tokens.append(create_token(user, "race")[1])
    officer = users.objects.get(username="dana")
    almaty = made["almaty"]
    tz = ZoneInfo(almaty.timezone)
    calendar = almaty.calendar()
    first = calendar.earliest_event_date(dt.datetime.now(tz).date(), 5)
    days = [first, *(calendar.add_working_days(first, n) for n in range(1, DAYS))]
    places = [
        (v.pk, list(v.zones.values_list("pk", flat=True))) for v in almaty.venues.filter(designated=True)
    ]
    return {
        "organizer_tokens": tokens,
        "officer_token": create_token(officer, "race")[1],
        "venue": made["square"].pk,
        "zones": list(made["square"].zones.values_list("pk", flat=True)),
        "places": places,
        "days": days,
        "day": days[0],
        "tz": tz,
    }


def run_load(server: Server, world: dict, *, clients: int, requests: int, seed: int, kill_after=None) -> dict:
    """Send `requests` requests from `clients` threads; with `kill_after`, SIGKILL the server
    once that many have been answered, restart it, and carry on."""
    rng = random.Random(seed)
    client = Client(server)
    filed: list[int] = []
    lock = threading.Lock()
    results: list[dict] = []
    answered = [0]
    restarted = threading.Event()
    up = threading.Event()
    up.set()

    def notice_body() -> dict:
        day = rng.choice(world["days"])
        venue, zones = rng.choice(world["places"])
        at = dt.datetime.combine(day, rng.choice(SLOTS), world["tz"])
        if rng.random() < 0.2:  # an hour late: it clashes with two slots
            at += dt.timedelta(hours=1)
        body = {
            "assembly_type": "rally",
            "purpose": "Race",
            "venue": venue,
            "starts_at": at.isoformat(),
            "ends_at": (at + dt.timedelta(hours=2)).isoformat(),
            "expected_participants": 50,
        }
        if len(zones) > 1:
            body["zone"] = rng.choice(zones)
        return body

    def officer_request(target: int) -> tuple[str, tuple]:
        if rng.random() < 0.04:  # now and then, the plan for a whole day, applied
            day = rng.choice(world["days"])
            body = {"date": day.isoformat(), "confirm": True, "time_limit": 1.0}
            return "plan", client.send("POST", "/api/v1/office/allocation", world["officer_token"], body)
        path = f"/api/v1/office/notices/{target}/decision"
        return "accept", client.send("POST", path, world["officer_token"], {"outcome": "accepted"})

    def one(index: int) -> None:
        up.wait()  # while the server is down, clients wait for it as a browser's user would
        with lock:
            officer = index % 3 == 2 and filed
            target = rng.choice(filed) if officer else None
            token = rng.choice(world["organizer_tokens"])
            body = notice_body()
        if officer:
            kind, result = officer_request(target)
        else:
            kind, result = "file", client.send("POST", "/api/v1/notices", token, body)
        status, payload, ms = result
        with lock:
            results.append({"kind": kind, "status": status, "ms": ms, "payload": payload})
            if kind == "file" and status == 201:
                filed.append(payload["id"])
            answered[0] += 1
            must_kill = kill_after is not None and answered[0] == kill_after
        if must_kill:
            up.clear()
            server.kill()  # requests in flight now are cut off: "interrupted", never acknowledged
            server.start()
            restarted.set()
            up.set()

    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(one, range(requests)))
    seconds = time.perf_counter() - began
    return {"results": results, "seconds": seconds, "restarted": restarted.is_set()}


def check(results: list[dict]) -> dict:
    """What the database says about what the clients were told."""
    from agora.notices.models import Decision, Notice
    from agora.notices.workflow import PENDING
    from agora.scheduling.models import Booking

    filed_refs = {r["payload"]["reference"] for r in results if r["kind"] == "file" and r["status"] == 201}
    decided_refs = {
        r["payload"]["reference"] for r in results if r["kind"] == "accept" and r["status"] == 200
    }
    plans = [r["payload"] for r in results if r["kind"] == "plan" and r["status"] == 200]
    planned = {item["notice"] for plan in plans for item in plan["items"] if item["notice"]}
    present = set(
        Notice.objects.exclude(status="draft")
        .filter(reference__in=filed_refs)
        .values_list("reference", flat=True)
    )
    decisions = set(Decision.objects.filter(reference__in=decided_refs).values_list("reference", flat=True))
    # an applied plan decides each notice it names, except a refusal with no lawful
    # alternative free, which it leaves to the officer: any other still undecided is lost
    left = {item["notice"] for plan in plans for item in plan["items"] if item["outcome"] == "refused"}
    undecided = set(
        Notice.objects.filter(reference__in=planned - left, status__in=PENDING).values_list(
            "reference", flat=True
        )
    )
    # a decision missing its audit seal is counted by consistency() as decisions_without_seal
    lost = len(filed_refs - present) + len(decided_refs - decisions) + len(undecided)
    race = Notice.objects.filter(purpose="Race")
    return {
        "lost": lost,
        "overlaps": overlaps(),
        "bookings_made": Booking.objects.firm().filter(notice__in=race).count(),
        "notices_going_ahead": race.going_ahead().count(),
        **consistency(),
    }


def summarise(run: dict, checked: dict, *, clients: int) -> dict:
    results = run["results"]
    latencies = [r["ms"] for r in results if r["status"]]
    statuses: dict[str, int] = {}
    for r in results:
        statuses[str(r["status"])] = statuses.get(str(r["status"]), 0) + 1
    unclear_4xx = [
        r for r in results if 400 <= r["status"] < 500 and not r["payload"].get("error", {}).get("message")
    ]
    codes: dict[str, int] = {}
    for r in results:
        if 400 <= r["status"] < 500:
            message = r["payload"].get("error", {}).get("message", "")[:60]
            codes[message] = codes.get(message, 0) + 1
    return {
        "requests": len(results),
        "clients": clients,
        "seconds": round(run["seconds"], 1),
        "requests_per_second": round(len(results) / run["seconds"], 1) if run["seconds"] else 0,
        "filed": sum(1 for r in results if r["kind"] == "file" and r["status"] == 201),
        "accepted": sum(1 for r in results if r["kind"] == "accept" and r["status"] == 200),
        "plans_applied": sum(1 for r in results if r["kind"] == "plan" and r["status"] == 200),
        "plans_refused": sum(1 for r in results if r["kind"] == "plan" and 400 <= r["status"] < 500),
        "refused_4xx": sum(1 for r in results if 400 <= r["status"] < 500),
        "unclear_4xx": len(unclear_4xx),
        "server_errors": sum(1 for r in results if r["status"] >= 500),
        "interrupted": sum(1 for r in results if r["status"] == 0),
        "statuses": statuses,
        "refusals": dict(sorted(codes.items(), key=lambda kv: -kv[1])[:6]),
        "p50_ms": percentile(latencies, 0.50),
        "p95_ms": percentile(latencies, 0.95),
        "p99_ms": percentile(latencies, 0.99),
        "restarted": run["restarted"],
        **checked,
    }
