"""The officer's review queue: by legal deadline, paged, in the same number of queries
however long the backlog."""

from __future__ import annotations

import datetime as dt
import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from agora.notices.models import Notice
from tests.conftest import file, future, sign_in_with_totp


def references(page: str) -> list[str]:
    return re.findall(r'<th scope="row"><a href="/office/notices/\d+/">([^<]+)</a>', page)


def file_many(user, venue, count, first_day=10):
    for i in range(count):
        day = future(days=first_day + i // 8, hour=9 + i % 8)
        file(user, venue, day, day + dt.timedelta(hours=1), people=20)


def test_the_queue_is_paged_by_deadline_in_constant_queries(client, square, bolat, dana):
    sign_in_with_totp(client, dana)
    file_many(bolat, square, 3)
    with CaptureQueriesContext(connection) as few:
        client.get("/office/")
    file_many(bolat, square, 57, first_day=12)
    with CaptureQueriesContext(connection) as many:
        first = client.get("/office/").content.decode()
    assert len(many) == len(few)
    shown = references(first)
    pending = Notice.objects.filter(status__in=["submitted", "under_review"])
    waiting = pending.order_by("decision_due_at", "filed_at")
    assert shown == [n.reference for n in waiting[:50]]
    assert "Page 1 of 2 (60 waiting)" in first and "?page=2" in first
    second = client.get("/office/?page=2").content.decode()
    assert references(second) == [n.reference for n in waiting[50:]]
    # a page past the end or not a number is the nearest real page, never an error
    assert references(client.get("/office/?page=99").content.decode()) == references(second)
    assert references(client.get("/office/?page=x").content.decode()) == shown
