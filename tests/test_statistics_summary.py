"""The statistics are a summary the job queue computes, one computation at a time, and the
page and the API read: a visitor never waits for the figures of the whole history."""

from __future__ import annotations

import datetime as dt
import io

import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from huey.contrib.djhuey import HUEY

from agora.notices.models import Notice
from agora.register import summary, tasks
from agora.register.models import Summary
from tests.conftest import file_rally


def rallies_on_page(client) -> str:
    page = client.get("/statistics/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    return page.split("Notices by type")[1].split("</table>")[0]


def test_the_page_reads_the_summary_and_a_stale_one_is_recomputed(client, square, bolat):
    file_rally(bolat, square, 10)
    assert ">1<" in rallies_on_page(client).replace("</td>", "<")  # the first visitor's: computed at once
    first = Summary.objects.get()
    file_rally(bolat, square, 12)
    with CaptureQueriesContext(connection) as queries:
        page = rallies_on_page(client)
    assert ">1<" in page.replace("</td>", "<")  # still the summary's, not a recount per visitor
    reading = len(queries)
    for hour in (14, 16, 18):
        file_rally(bolat, square, hour)
    with CaptureQueriesContext(connection) as queries:
        rallies_on_page(client)
    assert len(queries) == reading  # whatever the number of notices
    with time_machine.travel(dt.timedelta(minutes=6)):
        client.get("/statistics/")  # stale: asks the queue (inline in tests) for fresh figures
        assert Summary.objects.get().computed_at > first.computed_at
        page = rallies_on_page(client)
    assert ">5<" in page.replace("</td>", "<")
    assert "Figures as of" in client.get("/statistics/").content.decode()


def test_one_computation_at_a_time_and_none_while_fresh(square, bolat):
    file_rally(bolat, square, 10)
    with HUEY.lock_task("statistics"):  # another worker is computing them
        assert tasks.refresh_statistics.call_local() is False
    assert not Summary.objects.exists()
    assert tasks.refresh_statistics.call_local() is True
    computed = Summary.objects.get().computed_at
    with time_machine.travel(dt.timedelta(minutes=1)):
        summary.refresh()  # a request queued while that one ran: the figures are fresh
    assert Summary.objects.get().computed_at == computed


def test_before_the_first_computation_the_api_says_so_and_the_page_explains(client, monkeypatch, square):
    class Nobody:  # a queue whose consumer has not run yet
        def get(self, **kwargs):
            from huey.exceptions import ResultTimeout

            raise ResultTimeout()

    monkeypatch.setattr(tasks, "refresh_statistics", lambda: Nobody())
    answer = client.get("/api/v1/statistics")
    assert answer.status_code == 503 and "try again in a minute" in answer.json()["error"]["message"]
    page = client.get("/statistics/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Статистика считается" in page


def test_the_summary_counts_the_demo_city_as_the_register_does(db, client):
    call_command("load-demo", stdout=io.StringIO())
    found = summary.refresh(force=True).figures
    public = Notice.objects.exclude(status="draft")
    assert sum(n for _, n in found["by_type"]) == public.count()
    assert dict(found["by_status"]) == {
        s: public.filter(status=s).count() for s in public.values_list("status", flat=True).distinct()
    }
    sections = client.get("/api/v1/statistics").json()
    assert {s["title"] for s in sections} >= {
        "Notices by type",
        "Blocking index: booked hours not used, by organizer",
    }
