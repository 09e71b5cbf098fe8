"""The load benchmarks at a small size, as `make test` runs them: a real gunicorn server on
PostgreSQL (DATABASE_URL's server, or a throwaway cluster), real HTTP clients, then the
database is checked. Full size by hand: `agora bench race` (200 clients, 2000 requests)."""

import json
import os
import subprocess
import sys

import pytest

from agora.benchmarks import pgcluster

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres") and not pgcluster.available(),
        reason="needs PostgreSQL (DATABASE_URL, or postgresql installed, or root with apt-get)",
    ),
]


def bench(*args: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "agora.cli", "bench", *args, "--format", "json"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_racing_clients_never_double_book_and_lose_nothing():
    report = bench("race", "--clients", "24", "--requests", "240", "--organizers", "12")
    assert report["database"] == "postgresql"
    assert report["overlaps"] == 0
    assert report["lost"] == 0
    assert report["server_errors"] == 0 and report["interrupted"] == 0
    assert report["unclear_4xx"] == 0  # every refusal says why
    assert report["bookings_made"] >= 20  # the no-overlap promise raced with real bookings
    assert report["filed"] > 0 and report["accepted"] > 0
    assert report["refused_4xx"] > 0, "the slots must really be contended"
    assert report["audit_ok"] is True
    assert report["notices_without_event"] == report["decisions_without_seal"] == 0


def test_a_server_killed_mid_load_leaves_nothing_half_written():
    report = bench("race", "--clients", "24", "--requests", "240", "--organizers", "12", "--kill-after", "80")
    assert report["restarted"] is True
    assert report["overlaps"] == 0 and report["lost"] == 0 and report["server_errors"] == 0
    assert report["notices_without_event"] == 0
    assert report["decisions_without_seal"] == 0
    assert report["bookings_without_event"] == 0
    assert report["audit_ok"] is True
    assert report["filed"] > 80  # the restarted server went on taking notices


def test_submit_reports_notices_per_second_beside_the_health_ceiling():
    report = bench("submit", "--clients", "8", "--requests", "120", "--organizers", "8")
    assert report["submit_errors"] == 0 and report["health_errors"] == 0
    # a benchmark reports its speed; a test only checks that it measured something
    assert report["submit_per_second"] > 0 and report["health_per_second"] > 0
    assert report["ratio"] == pytest.approx(
        report["submit_per_second"] / report["health_per_second"], abs=0.002
    )
