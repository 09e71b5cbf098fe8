"""The register's exports: every row the filters select, streamed (CSV, JSON, JSON Lines),
in memory that does not grow with the number of rows."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import tracemalloc

import pytest

from agora.benchmarks.verify import generate_history
from agora.demo import load_demo
from agora.notices.models import Notice
from agora.register import queries
from agora.register.generate import generate_notices
from tests.conftest import file_rally, requires_postgres


@pytest.fixture
def big_register(db):
    made = load_demo()
    generate_notices(3000, made)
    generate_history()  # decisions and bookings for the generated notices
    return Notice.objects.exclude(status="draft")


def streamed(client, url) -> bytes:
    response = client.get(url)
    assert response.status_code == 200 and response.streaming
    return b"".join(response.streaming_content)


def peak_while_streaming(client, url) -> tuple[int, int]:
    """The lines of the export and the peak memory taken while streaming it (read and let
    go chunk by chunk, as a server writes it to the socket)."""
    client.get(url + "&warm=1" if "?" in url else url + "?warm=1")  # imports, caches
    tracemalloc.start()
    try:
        response = client.get(url)
        lines = sum(chunk.count(b"\n") for chunk in response.streaming_content)
        return lines, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.slow
def test_every_row_in_every_format_and_memory_does_not_grow_with_rows(big_register, client, monkeypatch):
    monkeypatch.setattr(queries, "EXPORT_BATCH", 100)
    everyone = big_register.count()
    pickets = big_register.filter(assembly_type="picket").count()
    assert pickets < everyone / 3
    few, few_peak = peak_while_streaming(client, "/register.jsonl?type=picket")
    lines, all_peak = peak_while_streaming(client, "/register.jsonl")
    assert few == pickets and lines == everyone
    # four times the rows, about the same memory: one batch at a time
    assert all_peak < 1.5 * few_peak, (few_peak, all_peak)
    all_lines = streamed(client, "/register.jsonl")
    rows = [json.loads(line) for line in all_lines.splitlines()]
    assert len({r["reference"] for r in rows}) == everyone  # each once, none skipped by the cursor
    # newest filed first, as the register (each in its city's time: compared as moments)
    filed = [dt.datetime.fromisoformat(r["filed_at"]) for r in rows]
    assert filed == sorted(filed, reverse=True)
    as_json = streamed(client, "/register.json")
    assert json.loads(as_json)["notices"] == rows
    as_csv = streamed(client, "/register.csv")
    assert [r["reference"] for r in csv.DictReader(io.StringIO(as_csv.decode()))] == [
        r["reference"] for r in rows
    ]
    decided = next(r for r in rows if r["decision"] and r["booked_start"])
    assert decided["decided_at"] and decided["hours_to_decision"] is not None


def test_a_bad_filter_is_refused_whatever_the_format(client, db):
    for url in ("/register.json", "/register.jsonl"):
        answer = client.get(url + "?date_from=2026-12-10&date_to=2026-12-01")
        assert answer.status_code == 400 and answer.json()["error"]["code"] == "invalid_filter"


@requires_postgres
@pytest.mark.slow
def test_postgresql_writes_the_csv_rows_python_writes(big_register):
    """The COPY export (pgcopy) against the Python one, row for row and cell for cell: times
    with microseconds and offsets, first and last decisions, grounds of every decision, the
    first firm booking, formulas, private organizers in the reader's language, filters."""
    from django.contrib.auth import get_user_model
    from django.utils import translation

    from agora.notices.models import Decision
    from agora.register import pgcopy
    from agora.register.queries import filtered
    from agora.register.views import csv_lines
    from agora.venues.models import Venue

    square = Venue.objects.get(slug="republic-square")
    aigerim = get_user_model().objects.get(username="aigerim")
    file_rally(aigerim, square, 10, purpose='=cmd|" /C calc"!A0; +1, @SUM(A1),\t-2')
    ground = Decision.objects.exclude(grounds=[]).values_list("grounds", flat=True).first()[0]
    filters = [{}, {"venue": square}, {"type": "picket"}, {"outcome": "refused"}, {"ground": ground}]
    for data in filters:
        rows = filtered(data)
        with translation.override("ru"):
            in_python = list(csv.reader(io.StringIO("".join(csv_lines(rows)))))
            in_database = list(csv.reader(io.StringIO(b"".join(pgcopy.csv_lines(rows)).decode())))
        assert len(in_database) == rows.count() + 1, data
        for python_row, database_row in zip(in_python, in_database, strict=True):
            assert python_row == database_row, data
        if not data:  # everything, the crafted notice too
            assert any(row[3].startswith("'=cmd") and "; '+1, '@SUM" in row[3] for row in in_database)
            assert any(row[17] and row[18] for row in in_database)  # decided, with its hours
