import io

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from agora.audit.models import AuditEvent
from agora.audit.services import record, verify_chain
from tests.conftest import case_transaction


@pytest.fixture
def chain(db, almaty):
    """A chain of events: the rulebook loads and jurisdiction setup, plus five more."""
    with transaction.atomic():
        for i in range(5):
            record("rulebook.loaded", None, almaty, {"i": i, "text": "Қазақша, русский"})
    return AuditEvent.objects.count()


def tamper(sql, params=()):
    """Rewrite history as a database superuser would: past the append-only trigger."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_append_only")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_event_append_only")


def verify_output(capsys):
    call_command("audit", "verify")
    return capsys.readouterr().out


def test_an_intact_chain_verifies_and_the_command_prints_the_count(chain, capsys):
    verdict = verify_chain()
    assert verdict.ok and verdict.count == chain
    assert f"audit log intact: {chain} events" in verify_output(capsys)


def test_each_event_links_to_the_previous_one(chain):
    events = list(AuditEvent.objects.order_by("seq"))
    assert [e.seq for e in events] == list(range(1, chain + 1))
    assert all(later.prev_hash == earlier.hash for earlier, later in zip(events, events[1:], strict=False))


def test_altering_one_row_by_sql_is_detected_and_named(chain):
    tamper("UPDATE audit_auditevent SET actor = 'officer:99' WHERE seq = 3")
    with pytest.raises(CommandError, match=r"BROKEN at event #3: event #3 was altered"):
        call_command("audit", "verify")


def test_altering_the_data_is_detected(chain):
    tamper("UPDATE audit_auditevent SET data = %s WHERE seq = %s", ['{"i": 99}', chain - 1])
    assert verify_chain().broken_seq == chain - 1


def test_deleting_a_row_in_the_middle_is_detected(chain):
    tamper("DELETE FROM audit_auditevent WHERE seq = 4")
    verdict = verify_chain()
    assert not verdict.ok and verdict.broken_seq == 4 and "missing" in verdict.problem


def test_deleting_the_last_rows_is_detected_by_the_head(chain):
    tamper("DELETE FROM audit_auditevent WHERE seq >= %s", [chain - 1])
    verdict = verify_chain()
    assert not verdict.ok and "events were removed" in verdict.problem


@pytest.mark.django_db(transaction=True)
def test_recording_outside_a_transaction_is_a_programming_error(almaty):
    with pytest.raises(RuntimeError, match="inside transaction.atomic"):
        record("rulebook.loaded", None, almaty)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the append-only trigger is PostgreSQL's")
def test_postgresql_refuses_updates_and_deletes_of_audit_events(chain):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(seq=1).update(actor="x")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(seq=1).delete()


def test_only_named_events_are_recorded_and_each_is_explained(db, client):
    from agora.audit.events import MEANING, Event

    with pytest.raises(ValueError, match="no audit event"), transaction.atomic():
        record("made.up", None, None)
    assert set(MEANING) == set(Event)
    page = client.get("/audit/").content.decode()
    assert all(e.value in page for e in Event)  # the public page explains every kind


def test_the_daily_digests_feed_gives_each_days_head_that_verify_accepts(client, square, aigerim):
    """A feed reader keeps every day's digest; each one is a prefix of today's log."""
    import datetime as dt
    import json
    from xml.etree import ElementTree

    import time_machine

    from agora.audit.services import verify_against_digest
    from tests.conftest import file_rally

    file_rally(aigerim, square, 10)
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=1)):
        file_rally(aigerim, square, 12)
        root = ElementTree.fromstring(client.get("/audit/digests.atom").content)  # noqa: S314 (our own feed)
    atom = "{http://www.w3.org/2005/Atom}"
    kept = [json.loads(s.text) for s in root.findall(f"{atom}entry/{atom}summary")]
    assert len(kept) >= 2 and kept[0]["count"] > kept[1]["count"]  # newest first, one per day
    for digest in kept:
        assert verify_against_digest(digest)[0], digest


@pytest.mark.skipif(connection.vendor != "postgresql", reason="database roles are PostgreSQL's")
def test_the_applications_role_may_append_to_the_log_but_never_rewrite_it(chain, square, aigerim):
    """`agora audit grant-app-role`: the application connects as a role that reads and appends
    audit events and may do nothing else to them (migrations run as the owner)."""
    from django.core.management import call_command

    from tests.conftest import file_rally

    with connection.cursor() as cursor:
        cursor.execute("DROP ROLE IF EXISTS agora_app_test")
        cursor.execute("CREATE ROLE agora_app_test NOLOGIN")
    try:
        call_command("audit", "grant-app-role", "agora_app_test", stdout=io.StringIO())
        refused = {
            "update": "UPDATE audit_auditevent SET actor = 'x' WHERE seq = 1",
            "delete": "DELETE FROM audit_auditevent WHERE seq = 1",
            "truncate": "TRUNCATE audit_auditevent",
            "disable the trigger": "ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_append_only",
        }
        for statement in refused.values():
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SET LOCAL ROLE agora_app_test")
                with (
                    pytest.raises(DatabaseError, match="permission denied|must be owner"),
                    transaction.atomic(),
                ):
                    cursor.execute(statement)
        # and the application's own work goes on as that role: filing appends to the log
        with case_transaction(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL ROLE agora_app_test")
            before = AuditEvent.objects.count()
            file_rally(aigerim, square, 10)
            assert AuditEvent.objects.count() > before
            transaction.set_rollback(True)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")
            cursor.execute("DROP OWNED BY agora_app_test")
            cursor.execute("DROP ROLE agora_app_test")
