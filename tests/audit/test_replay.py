"""The log replays to the tables: each tampering of issue 14, done by SQL as a database
superuser would, is caught by `agora audit verify`, which names the table, the record, the
field, what the log says and what the table says."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from agora.audit.models import AuditEvent
from agora.audit.services import verify_chain
from agora.audit.state import shapes
from agora.notices import services
from agora.notices.models import Decision, Notice
from agora.scheduling.models import Booking
from tests.conftest import file_rally, refuse_with_alternative


def sql(statement, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def verify_fails(match):
    with pytest.raises(CommandError, match=match) as failure:
        call_command("audit", "verify", stdout=io.StringIO())
    return str(failure.value)


@pytest.fixture
def day(square, aigerim, bolat, dana):
    """A refused notice (B) beside an accepted one (A) that holds the square."""
    a = file_rally(aigerim, square, 10, hours=4, participants=60_000)
    services.decide(a, dana, "accepted")
    b = file_rally(bolat, square, 12, hours=2, participants=60_000)
    refuse_with_alternative(b, dana, square, hour=16)
    assert verify_chain().ok, verify_chain().problem
    return Notice.objects.get(pk=a.pk), Notice.objects.get(pk=b.pk)


def test_a_whole_working_day_verifies_with_every_record_kept(day):
    a, b = day
    verdict = verify_chain()
    assert verdict.ok and verdict.problem_count == 0
    # the log holds a state for every record of every kept kind
    kept = {
        key for data in AuditEvent.objects.values_list("data", flat=True) for key in (data.get("state") or {})
    }
    assert {f"notice:{a.pk}", f"notice:{b.pk}", *(f"booking:{x.pk}" for x in a.bookings.all())} <= kept
    assert {f"decision:{d.pk}" for d in Decision.objects.all()} <= kept


def test_a_deleted_booking_is_named(day):
    a, _ = day
    booking = a.bookings.first()
    sql("DELETE FROM scheduling_booking WHERE id = %s", [booking.pk])
    verify_fails(rf"scheduling_booking #{booking.pk}: the log has it \(event #\d+\) but the table does not")


def test_a_shortened_hold_is_named_with_both_values(day):
    a, _ = day
    booking = a.bookings.first()
    shorter = booking.starts_at + dt.timedelta(hours=1)
    Booking.objects.filter(pk=booking.pk).update(held_until=shorter)
    message = verify_fails(rf"scheduling_booking #{booking.pk} held_until: the log says")
    assert json.dumps(booking.held_until.astimezone(dt.UTC).isoformat(timespec="microseconds")) in message
    assert json.dumps(shorter.astimezone(dt.UTC).isoformat(timespec="microseconds")) in message


def test_a_refusal_rewritten_as_an_acceptance_is_named(day):
    _, b = day
    sql("UPDATE notices_notice SET status = 'accepted' WHERE id = %s", [b.pk])
    verify_fails(
        rf"notices_notice #{b.pk} \({b.reference}\) status: the log says \"refused\" \(event #\d+\), "
        r"the table says \"accepted\": changed outside the application"
    )


def test_a_filing_time_moved_ten_days_earlier_is_named(day):
    _, b = day
    Notice.objects.filter(pk=b.pk).update(filed_at=b.filed_at - dt.timedelta(days=10))
    verify_fails(rf"notices_notice #{b.pk} \({b.reference}\) filed_at: the log says")


def test_a_decision_deleted_while_its_seal_stays_is_named(day):
    a, _ = day  # A's acceptance: no booking refers to it (B's alternative holds its place)
    decision = a.decisions.get()
    sql("DELETE FROM notices_decision WHERE id = %s", [decision.pk])
    verify_fails(rf"notices_decision #{decision.pk} \({decision.reference}\): the log has it")


def test_a_decisions_reasoning_rewritten_is_named(day):
    _, b = day
    decision = b.decisions.get()
    Decision.objects.filter(pk=decision.pk).update(reasoning="Nothing to see.")
    verify_fails(
        rf"notices_decision #{decision.pk} \({decision.reference}\) reasoning: the log says \"sha256:"
    )


def test_a_booking_added_outside_the_application_is_named(day):
    _, b = day
    zone = b.venue.zones.last()
    made = Booking.objects.create(
        notice=b, zone=zone, starts_at=b.starts_at, ends_at=b.ends_at, held_until=b.starts_at, participants=1
    )
    verify_fails(rf"scheduling_booking #{made.pk}: in the table but no event records it")


def test_every_problem_is_named_and_counted(day):
    a, b = day
    Notice.objects.filter(pk__in=[a.pk, b.pk]).update(expected_participants=1)
    verdict = verify_chain()
    assert not verdict.ok and verdict.problem_count == 2
    assert [p.split(":")[0] for p in verdict.problems] == [
        f"notices_notice #{a.pk} ({a.reference}) expected_participants",
        f"notices_notice #{b.pk} ({b.reference}) expected_participants",
    ]


def test_the_organizers_own_words_are_kept_only_as_keyed_fingerprints(day, bolat):
    a, _ = day
    services.withdraw(a, a.organizer.user, reason="Event postponed.")
    states = [
        state
        for data in AuditEvent.objects.values_list("data", flat=True)
        for key, state in (data.get("state") or {}).items()
        if key == f"notice:{a.pk}"
    ]
    assert states[-1]["status"] == "withdrawn"
    assert states[-1]["withdraw_reason"].startswith("hmac:")
    assert "Event postponed." not in json.dumps(states, ensure_ascii=False)
    assert all(state["organizer"].startswith("hmac:") for state in states)
    Notice.objects.filter(pk=a.pk).update(withdraw_reason="Something else.")
    verify_fails(rf"notices_notice #{a.pk} \({a.reference}\) withdraw_reason: the log says \"hmac:")


def test_a_draft_is_kept_concealed(square, aigerim):
    draft = services.create_draft(
        aigerim,
        assembly_type="rally",
        purpose="Secret plans",
        venue=square,
        starts_at=dt.datetime(2026, 12, 20, 10, tzinfo=dt.UTC),
        ends_at=dt.datetime(2026, 12, 20, 11, tzinfo=dt.UTC),
        expected_participants=10,
    )
    [state] = AuditEvent.objects.get(event="notice.draft").data["state"].values()
    assert all(str(value).startswith("hmac:") for value in state.values())
    assert verify_chain().ok
    Notice.objects.filter(pk=draft.pk).update(expected_participants=11)
    verify_fails(rf"notices_notice #{draft.pk} expected_participants")


def test_records_the_log_keeps_no_state_of_are_named_then_baselined_in_public(day):
    """As in a database from before the log kept states, or bulk-generated: a record no
    event keeps is named; `agora audit baseline` records it, as a public event."""
    _, b = day
    zone = b.venue.zones.last()
    made = Booking.objects.create(
        notice=b, zone=zone, starts_at=b.starts_at, ends_at=b.ends_at, held_until=b.starts_at, participants=1
    )
    assert f"scheduling_booking #{made.pk}: in the table but no event records it" in verify_chain().problem
    call_command("audit", "baseline", stdout=(out := io.StringIO()))
    assert "recorded the state of 1 record " in out.getvalue()
    assert verify_chain().ok
    event = AuditEvent.objects.get(event="audit.baseline")
    assert (event.object_type, event.object_id) == ("booking", str(made.pk))
    assert list(event.data["state"]) == [f"booking:{made.pk}"]
    call_command("audit", "baseline", stdout=(out := io.StringIO()))
    assert "recorded the state of 0 records" in out.getvalue()


def test_every_field_of_every_kept_model_is_placed(db):
    for shape in shapes():
        meta = shape.model._meta
        fields = {f.name for f in [*meta.concrete_fields, *meta.many_to_many]}
        assert shape.fields() == fields, f"{shape.table}: place each field in one list of its Shape"
        placed = [*shape.clear, *shape.digested, *shape.private, *shape.many, *shape.unkept]
        assert len(placed) == len(set(placed)), f"{shape.table}: a field is placed twice"


@pytest.mark.slow
def test_the_verify_benchmark_replays_generated_years_intact():
    """`agora bench verify` at a small size: generated notices, bookings and decisions,
    baselined into the log, then verify in a process of its own (time and peak memory)."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "agora.cli", "bench", "verify", "--notices", "2000", "--format", "json"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["verify_exit"] == 0 and report["verify_said"].startswith("audit log intact")
    assert report["bookings"] > 0 and report["decisions"] > 0
    assert report["baselined_records"] == 2000 + report["bookings"] + report["decisions"]
    assert report["events"] >= report["baselined_records"]
    assert report["verify_peak_rss_mib"] > 0
