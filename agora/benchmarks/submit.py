"""`agora bench submit`: notices filed per second through the API (pre-check, audit event,
everything), beside the same server's trivial /healthz as the framework's own ceiling.
On a noisy machine the ratio of the two is the figure that travels."""

from __future__ import annotations

import datetime as dt
import itertools
import time
from concurrent.futures import ThreadPoolExecutor

from .race import Client, percentile
from .server import Server


def _rate(work, count: int, clients: int) -> tuple[float, list[tuple[int, float]]]:
    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        answers = list(pool.map(work, range(count)))
    return count / (time.perf_counter() - began), answers


def run_submit(server: Server, world: dict, *, clients: int, requests: int) -> dict:
    client = Client(server)
    tokens = itertools.cycle(world["organizer_tokens"])
    start = dt.datetime.combine(world["day"], dt.time(9), world["tz"])

    def file(i: int) -> tuple[int, float]:
        at = start + dt.timedelta(minutes=(i * 7) % 600)
        status, _payload, ms = client.send(
            "POST",
            "/api/v1/notices",
            next(tokens),
            {
                "assembly_type": "picket",
                "purpose": f"Submit bench {i}",
                "venue": world["venue"],
                "starts_at": at.isoformat(),
                "ends_at": (at + dt.timedelta(hours=1)).isoformat(),
                "expected_participants": 20,
            },
        )
        return status, ms

    def health(i: int) -> tuple[int, float]:
        status, _payload, ms = client.send("GET", "/healthz", None)
        return status, ms

    _rate(health, min(200, requests), clients)  # warm the workers up
    health_rate, answers = _rate(health, requests, clients)
    submit_rate, submitted = _rate(file, requests, clients)
    return {
        "requests": requests,
        "clients": clients,
        "workers": server.workers,
        "submit_per_second": round(submit_rate, 1),
        "health_per_second": round(health_rate, 1),
        "ratio": round(submit_rate / health_rate, 3),
        "submit_p50_ms": percentile([ms for _s, ms in submitted], 0.5),
        "submit_p95_ms": percentile([ms for _s, ms in submitted], 0.95),
        "submit_errors": sum(1 for s, _ms in submitted if s != 201),
        "health_errors": sum(1 for s, _ms in answers if s != 200),
    }
