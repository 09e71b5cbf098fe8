"""A transaction's audit events are queued and appended in one batch just before it commits
(agora.audit.db): the head is taken last and held for three statements."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from agora.audit.models import AuditEvent, AuditHead
from agora.audit.services import record, verify_chain
from tests.conftest import file_rally, requires_postgres

pytestmark = pytest.mark.django_db(transaction=True)  # real commits, as in production


def audit_statements(captured) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if "audit_audit" in q["sql"]]


def test_events_wait_for_the_commit_and_go_in_one_batch(almaty):
    before = AuditEvent.objects.count()
    with CaptureQueriesContext(connection) as captured, transaction.atomic():
        for i in range(5):
            record("rulebook.loaded", None, almaty, {"i": i})
        assert AuditEvent.objects.count() == before  # queued, not written
        assert audit_statements(captured) == [captured.captured_queries[-1]["sql"]]  # that count
    statements = audit_statements(captured)[1:]
    assert len(statements) == 3, statements  # head locked, events inserted, head moved
    assert "FOR UPDATE" in statements[0] or connection.vendor == "sqlite"
    assert AuditEvent.objects.count() == before + 5
    seqs = list(AuditEvent.objects.order_by("-seq").values_list("seq", flat=True)[:5])
    assert seqs == sorted(seqs, reverse=True) and AuditHead.objects.get().seq == seqs[0]
    assert verify_chain().ok


def test_a_rolled_back_savepoint_drops_its_events_and_the_rest_are_kept(almaty):
    before = AuditEvent.objects.count()
    with transaction.atomic():
        record("rulebook.loaded", None, almaty, {"kept": 1})
        try:
            with transaction.atomic():
                record("rulebook.loaded", None, almaty, {"kept": 0})
                raise ValueError("undo this part")
        except ValueError:
            pass
        record("rulebook.loaded", None, almaty, {"kept": 2})
    kept = [e.data for e in AuditEvent.objects.filter(seq__gt=before).order_by("seq")]
    assert kept == [{"kept": 1}, {"kept": 2}]
    with pytest.raises(ValueError), transaction.atomic():
        record("rulebook.loaded", None, almaty, {"kept": 0})
        raise ValueError("undo all of it")
    assert AuditEvent.objects.count() == before + 2
    assert verify_chain().ok


def test_filing_a_notice_writes_its_events_with_the_notice(square, aigerim):
    notice = file_rally(aigerim, square, 10)
    events = AuditEvent.objects.filter(object_type="notice", object_id=str(notice.pk))
    assert events.filter(event="notice.filed").count() == 1
    assert verify_chain().ok


@requires_postgres
def test_a_write_that_has_not_committed_does_not_hold_the_head(almaty):
    """Before the change a writer took the head at its first event and held it to commit, so
    a second writer waited; now the second commits while the first is still at work."""
    queued, finish = threading.Event(), threading.Event()
    outcome = {}

    def slow_writer():
        try:
            with transaction.atomic():
                record("rulebook.loaded", None, almaty, {"writer": "slow"})
                queued.set()
                finish.wait(30)  # still validating, checking, building calendars…
        finally:
            connections.close_all()

    def quick_writer():
        try:
            with transaction.atomic():
                record("rulebook.loaded", None, almaty, {"writer": "quick"})
            outcome["quick"] = "committed"
        finally:
            connections.close_all()

    slow = threading.Thread(target=slow_writer)
    slow.start()
    assert queued.wait(30)
    quick = threading.Thread(target=quick_writer)
    quick.start()
    quick.join(10)
    committed_first = outcome.get("quick")
    finish.set()
    slow.join(30)
    quick.join(30)
    assert committed_first == "committed"
    order = [e.data["writer"] for e in AuditEvent.objects.filter(data__has_key="writer").order_by("seq")]
    assert order == ["quick", "slow"]  # the log's order is the order of commits
    assert verify_chain().ok
