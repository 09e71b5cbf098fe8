"""`agora bench city`: the city at scale, each figure of issue 17 beside its target.

The demo city, plus generated notices (the register bench's generator) with their history
(a booking for each that went ahead, a decision for each that was decided: the verify
bench's), then the pages, the API and the statistics timed in this process through the
same code a request runs (Django's test client), medians of `repeat`, with their queries.
"""

from __future__ import annotations

import gc
import resource
import statistics
import time
from collections.abc import Callable

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings

# name: (unit, target, "<=" or ">=", what it is)
TARGETS: dict[str, tuple[str, float, str, str]] = {
    "statistics_compute": ("s", 60, "<=", "the summary computed by the job queue (under the worker timeout)"),
    "statistics_compute_memory": ("MiB", 256, "<=", "memory the computation adds to the worker"),
    "statistics_page": ("ms", 300, "<=", "statistics page, summary there, first reader in a language"),
    "statistics_page_queries": ("queries", 15, "<=", "queries of that page"),
    "api_statistics": ("ms", 300, "<=", "API statistics"),
    "export_first_byte": ("ms", 500, "<=", "CSV export of one venue and type: its first byte"),
    "export_rows_per_s": ("rows/s", 50000, ">=", "CSV export of one venue and type: rows a second"),
    "export_memory": ("MiB", 64, "<=", "memory the export adds to the worker"),
    "venue_week_page": ("ms", 150, "<=", "a venue's week"),
    "venue_day_page": ("ms", 50, "<=", "a venue's day"),
    "atom_feed": ("ms", 50, "<=", "the decisions' Atom feed"),
    "review_queue": ("ms", 100, "<=", "the officer's review queue"),
    "review_queue_queries": ("queries", 20, "<=", "queries of the review queue"),
    "filing_queries": ("queries", 15, "<=", "filing one notice through the API"),
    "precheck_queries": ("queries", 8, "<=", "the pre-check of one notice"),
    "accept_queries": ("queries", 15, "<=", "accepting one notice through the API"),
    "audit_head_held": ("ms", 3, "<=", "the audit head locked per write (filing or accepting)"),
}


def run_city_bench(count: int, repeat: int, explain: str | None = None) -> dict:
    from agora.benchmarks.verify import generate_city

    made, history, generated = generate_city(count)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    with override_settings(ALLOWED_HOSTS=["testserver"]):  # the test client's host
        rows = {**_statistics(repeat), **_pages(made, repeat), **_writes(made, repeat)}
        if explain and connection.vendor == "postgresql":
            _explain(made, count, explain)
    report = {
        "database": connection.vendor,
        "notices": count,
        **history,
        "generate_seconds": round(generated, 1),
        "rows": {name: _row(name, value) for name, value in rows.items()},
    }
    report["all_ok"] = all(row["ok"] for row in report["rows"].values())
    return report


def _row(name: str, value: float) -> dict:
    unit, target, sense, what = TARGETS[name]
    ok = value <= target if sense == "<=" else value >= target
    return {"value": value, "unit": unit, "target": f"{sense} {target:g}", "ok": ok, "what": what}


def _timed(call: Callable[[], object], repeat: int) -> tuple[float, int]:
    """The median milliseconds of `call` and the queries of its last run."""
    times, queries = [], 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            began = time.perf_counter()
            call()
            times.append((time.perf_counter() - began) * 1000)
        queries = len(captured)
    return round(statistics.median(times), 1), queries


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _statistics(repeat: int) -> dict:
    from django.core.cache import cache

    from agora.register import summary

    gc.collect()
    before = _peak_rss_mib()
    began = time.perf_counter()
    summary.refresh(force=True)
    computed = time.perf_counter() - began
    grown = max(0.0, _peak_rss_mib() - before)
    client = Client()

    def page():
        cache.clear()  # the rendered sections too: a reader in a language not yet served
        assert client.get("/statistics/", HTTP_ACCEPT_LANGUAGE="ru").status_code == 200

    def api():
        cache.clear()
        assert client.get("/api/v1/statistics").status_code == 200

    page_ms, page_queries = _timed(page, repeat)
    api_ms, _q = _timed(api, repeat)
    return {
        "statistics_compute": round(computed, 1),
        "statistics_compute_memory": round(grown, 1),
        "statistics_page": page_ms,
        "statistics_page_queries": page_queries,
        "api_statistics": api_ms,
    }


def _export(client, url: str) -> tuple[float, float, float]:
    """Milliseconds to the first chunk, rows a second, and MiB the worker grew, for an export."""
    gc.collect()
    before = _peak_rss_mib()
    began = time.perf_counter()
    response = client.get(url)
    chunks = iter(response.streaming_content)
    lines = next(chunks).count(b"\n")
    first = (time.perf_counter() - began) * 1000
    for chunk in chunks:
        lines += chunk.count(b"\n")
    seconds = time.perf_counter() - began
    rows = max(0, lines - 1)  # the header line
    return round(first, 1), round(rows / seconds), round(max(0.0, _peak_rss_mib() - before), 1)


def _pages(made: dict, repeat: int) -> dict:

    square = made["square"]
    public = Client()
    query = _first_generated_day(square)

    def get(client, url):
        def call():
            answer = client.get(url)
            assert answer.status_code == 200, (url, answer.status_code)

        return call

    officer = _officer_client()
    first_byte, per_second, grown = _export(public, f"/register.csv?venue={square.pk}&type=rally")
    week_ms, _q = _timed(get(public, f"/places/{square.pk}/{query}"), repeat)
    day_ms, _q = _timed(get(public, f"/places/{square.pk}/{query or '?'}&view=day"), repeat)
    feed_ms, _q = _timed(get(public, "/decisions.atom"), repeat)
    queue_ms, queue_queries = _timed(get(officer, "/office/"), repeat)
    return {
        "export_first_byte": first_byte,
        "export_rows_per_s": per_second,
        "export_memory": grown,
        "venue_week_page": week_ms,
        "venue_day_page": day_ms,
        "atom_feed": feed_ms,
        "review_queue": queue_ms,
        "review_queue_queries": queue_queries,
    }


def _first_generated_day(square) -> str:
    """`?date=` of the first day of the generated notices at the square (a busy one), or ""."""
    from agora.notices.models import Notice

    first = (
        Notice.objects.filter(venue=square, reference__startswith="BEN-")
        .order_by("starts_at")
        .values_list("starts_at", flat=True)
        .first()
    )
    return f"?date={square.jurisdiction.local_day(first).isoformat()}" if first else ""


def _officer_client() -> Client:
    """A client signed in as the demo's officer (password and TOTP code)."""
    from agora.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, current_code

    officer = Client()
    answer = officer.post("/accounts/login/", {"login": "dana", "password": DEMO_PASSWORD})
    officer.post(answer["Location"], {"code": current_code(DEMO_TOTP_SECRET)})
    return officer


def _writes(made: dict, repeat: int) -> dict:
    """Queries of filing, pre-checking and accepting one notice, and how long each write
    holds the audit head (agora.audit.db: from its lock to the commit), medians."""
    import datetime as dt
    import json

    from django.contrib.auth import get_user_model

    from agora.accounts.tokens import create_token
    from agora.notices.models import Notice
    from agora.notices.services import precheck

    almaty, venue = made["almaty"], made["gandhi"]
    tz = almaty.tz
    day = almaty.calendar().earliest_event_date(dt.datetime.now(tz).date(), 10)
    organizer = create_token(get_user_model().objects.get(username="aigerim"), "bench")[1]
    officer = create_token(get_user_model().objects.get(username="dana"), "bench")[1]
    client = Client()
    filing, checking, accepting, held = [], [], [], []
    for i in range(max(3, repeat)):
        starts = dt.datetime.combine(day + dt.timedelta(days=i), dt.time(10), tz)
        body = {
            "assembly_type": "picket",
            "purpose": f"City bench {i}",
            "venue": venue.pk,
            "starts_at": starts.isoformat(),
            "ends_at": (starts + dt.timedelta(hours=1)).isoformat(),
            "expected_participants": 20,
        }
        with CaptureQueriesContext(connection) as captured:
            answer = client.post(
                "/api/v1/notices",
                json.dumps(body),
                "application/json",
                HTTP_AUTHORIZATION=f"Bearer {organizer}",
            )
        assert answer.status_code == 201, answer.content
        filing.append(len(captured))
        held.append(connection.audit_head_held * 1000)
        notice = Notice.objects.get(pk=answer.json()["id"])
        with CaptureQueriesContext(connection) as captured:
            precheck(Notice.objects.get(pk=notice.pk))
        checking.append(len(captured) - 1)  # not the query that reads the notice
        with CaptureQueriesContext(connection) as captured:
            answer = client.post(
                f"/api/v1/office/notices/{notice.pk}/decision",
                json.dumps({"outcome": "accepted"}),
                "application/json",
                HTTP_AUTHORIZATION=f"Bearer {officer}",
            )
        assert answer.status_code == 200, answer.content
        accepting.append(len(captured))
        held.append(connection.audit_head_held * 1000)
    return {
        "filing_queries": statistics.median(filing),
        "precheck_queries": statistics.median(checking),
        "accept_queries": statistics.median(accepting),
        "audit_head_held": round(statistics.median(held), 2),
    }


def _explain(made: dict, count: int, path: str) -> None:
    """EXPLAIN (ANALYZE, BUFFERS) of the slowest queries of each page the bench times,
    written as Markdown to `path` (docs/plans.md keeps the run at 1,000,000 notices)."""
    from django.core.cache import cache

    square = made["square"]
    pages = {
        "statistics page": "/statistics/",
        "API statistics": "/api/v1/statistics",
        "register, first page": "/register/",
        "CSV export of one venue and type": f"/register.csv?venue={square.pk}&type=rally",
        "venue week": f"/places/{square.pk}/{_first_generated_day(square)}",
        "venue day": f"/places/{square.pk}/{_first_generated_day(square) or '?'}&view=day",
        "Atom feed": "/decisions.atom",
        "officer's review queue": "/office/",
    }
    out = [f"# Query plans at {count:,} notices (PostgreSQL, `agora bench city --explain`)", ""]
    public, officer = Client(), _officer_client()
    for name, url in pages.items():
        cache.clear()
        client = officer if url.startswith("/office/") else public
        with CaptureQueriesContext(connection) as captured:
            answer = client.get(url)
            for _chunk in getattr(answer, "streaming_content", ()):
                pass
        selects = [q for q in captured.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]
        slowest = sorted(selects, key=lambda q: -float(q["time"]))[:2]
        out += [f"## {name}: `{url}`", "", f"{len(captured)} queries; the slowest:", ""]
        for query in slowest:
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
                plan = "\n".join(row[0] for row in cursor.fetchall())
            out += ["```sql", query["sql"][:1500], "```", "", "```", plan, "```", ""]
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("\n".join(out))
