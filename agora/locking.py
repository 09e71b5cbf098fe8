"""Every explicit lock in Agora, in one place. See docs/locking.md.

The database constraints are the guarantee (no overlapping bookings on a zone, one audit
event per predecessor); these locks only turn a would-be constraint violation into an
orderly wait, so that concurrent requests queue instead of failing.

All of them must be taken inside `transaction.atomic()`. On SQLite they are no-ops:
settings open every transaction with BEGIN IMMEDIATE, which serialises all writers.

Lock order, to rule out deadlocks: the audit head comes LAST. Every write records audit
events, but they are only queued until the transaction is about to commit; then the head
is locked, the events inserted and the head moved, and the transaction commits
(agora.audit.db). A writer holding the head waits for nothing else, so it is never part
of a deadlock, and it holds the head for three statements, not for the whole write.
Row locks are FOR NO KEY UPDATE of the row alone, so inserts that merely reference the
row (a decision, a booking, a new notice's jurisdiction) never wait for them.
"""

from __future__ import annotations

from django.db import connection


def lock_row(queryset, pk):
    """Lock one row and return it."""
    return queryset.select_for_update(of=("self",), no_key=True).get(pk=pk)


def lock_notice(pk: int):
    """Lock one notice row, so two decisions on it cannot interleave."""
    from agora.notices.models import Notice

    # with what every action reads of it: its jurisdiction's and its own rulebook, its venue
    return lock_row(Notice.objects.select_related("jurisdiction__rulebook", "rulebook", "venue"), pk)


def lock_zones(zone_ids) -> None:
    """Serialise bookings per zone (PostgreSQL advisory locks, released at commit).

    Without it, two transactions booking one zone both pass the Python overlap check and
    one then fails on the exclusion constraint; with it the second sees the first's row.
    Zone ids are locked in ascending order so two multi-zone bookings cannot deadlock.
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for zone_id in sorted(set(zone_ids)):
            # namespace 1 = zones; a two-int key keeps it apart from other advisory locks
            cursor.execute("SELECT pg_advisory_xact_lock(1, %s)", [int(zone_id)])
