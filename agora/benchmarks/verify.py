"""`agora bench verify`: how long `agora audit verify` takes, and how much memory, on years
of history. The register bench's notices, plus a booking for each that went ahead and a
decision for each that was decided (inside the database), all logged as
`audit.baseline` events; then verify runs in a process of its own so its peak memory is
its alone."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time

from django.db import connection

from agora.notices.workflow import GOING_AHEAD, Status

# a notice held or not held was accepted first; one withdrawn or still pending has no decision
DECIDED_AS = {
    **{str(s): str(s) for s in GOING_AHEAD},
    str(Status.REFUSED): str(Status.REFUSED),
    str(Status.HELD): str(Status.ACCEPTED),
    str(Status.NOT_HELD): str(Status.ACCEPTED),
}
BOOKED = [*(str(s) for s in GOING_AHEAD), str(Status.HELD), str(Status.NOT_HELD)]


def _in(values) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


def generate_history() -> dict:
    """Bookings and decisions for the generated notices (reference BEN-…), in SQL both
    databases run. A booking holds nothing any more (held_until = start: the assembly is
    over and its time released), so the no-overlap constraint has nothing to refuse."""
    outcome = "CASE n.status " + " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in DECIDED_AS.items()) + " END"
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO scheduling_booking (notice_id, zone_id, starts_at, ends_at, held_until,
                participants, created_at, checked_in_at, checked_out_at, released_at, release_reason)
            SELECT n.id, (SELECT MIN(z.id) FROM venues_zone z WHERE z.venue_id = n.venue_id),
                n.starts_at, n.ends_at, n.starts_at, n.expected_participants, n.decision_due_at,
                n.starts_at, n.ends_at, n.ends_at, 'checked_out'
            FROM notices_notice n WHERE n.reference LIKE 'BEN-%%' AND n.status IN {_in(BOOKED)}
            """  # noqa: S608 (our own constants)
        )
        bookings = cursor.rowcount
        cursor.execute(
            f"""
            INSERT INTO notices_decision (notice_id, reference, outcome, grounds, reasoning, conditions,
                alternative_answer, rulebook_id, decided_at)
            SELECT n.id, n.reference || '-D1', {outcome}, '[]', 'Decided as the rulebook says.', '', '',
                n.rulebook_id, n.decision_due_at
            FROM notices_notice n WHERE n.reference LIKE 'BEN-%%' AND n.status IN {_in(DECIDED_AS)}
            """  # noqa: S608
        )
        decisions = cursor.rowcount
    return {"bookings": bookings, "decisions": decisions}


def timed_verify(url: str) -> dict:
    """`agora audit verify` in a child process: seconds, peak memory and what it said."""
    began = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "agora.cli", "audit", "verify"],
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - began
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    said = (done.stdout or done.stderr).strip().splitlines()
    return {
        "verify_seconds": round(seconds, 1),
        "verify_peak_rss_mib": round(peak_kib / 1024, 1),
        "verify_exit": done.returncode,
        "verify_said": said[0] if said else "",
    }


def generate_city(count: int) -> tuple[dict, dict, float]:
    """The demo city plus `count` generated notices with their history: the named demo
    objects, the history's counts, and the seconds generating took (the city and verify
    benchmarks build the same city)."""
    from agora.demo import load_demo
    from agora.register.generate import generate_notices

    made = load_demo()
    began = time.perf_counter()
    generate_notices(count, made)
    history = generate_history()
    return made, history, time.perf_counter() - began


def run_verify_bench(count: int, url: str) -> dict:
    from agora.audit.models import AuditEvent
    from agora.audit.services import baseline

    _made, history, generated = generate_city(count)
    began = time.perf_counter()
    logged = baseline()
    logging = time.perf_counter() - began
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    connection.close()  # the child reads what is committed, with no connection of ours open
    return {
        "database": connection.vendor,
        "notices": count,
        **history,
        "events": AuditEvent.objects.count(),
        "generate_seconds": round(generated, 1),
        "baseline_seconds": round(logging, 1),
        "baselined_records": logged,
        **timed_verify(url),
    }
