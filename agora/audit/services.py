"""The one way to write the audit log: `record(event, actor, obj, data)`.

The audit app imports no domain app: the domain apps register what it needs at start-up
(`label_actors_with`: how an actor is named in the log; `check_seals_with`: what `verify`
checks besides the chain), in their AppConfig.ready."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator

from django.db import transaction
from django.utils import timezone

from .chain import GENESIS_HASH, Verdict, event_hash, verify
from .events import Event
from .models import AuditEvent, AuditHead
from .state import Replay, shapes, states


def _pseudonym(user) -> str:
    return "system" if user is None else f"user:{user.pk}"


_actor_label: Callable[[object], str] = _pseudonym
_seal_checks: list[Callable[[], list[str]]] = []


def label_actors_with(label: Callable[[object], str]) -> None:
    """How the log names an actor (a pseudonymous role and id, never a name)."""
    global _actor_label
    _actor_label = label


def check_seals_with(check: Callable[[], list[str]]) -> None:
    """Add a check that `verify` runs once the chain is intact: records sealed in the log
    (e.g. decisions) compared with the tables; it returns the problems found."""
    if check not in _seal_checks:
        _seal_checks.append(check)


def lock_audit_head():
    """Lock the audit chain's tip until the transaction ends; returns the head row.

    Taken last, when a transaction's events are appended (agora.audit.db): docs/locking.md."""
    head = AuditHead.objects.select_for_update().filter(pk=1).first()
    if head is None:  # the row is made by a migration; a database flush removes it
        AuditHead.objects.get_or_create(pk=1, defaults={"seq": 0, "hash": GENESIS_HASH})
        head = AuditHead.objects.select_for_update().get(pk=1)
    return head


def timestamp(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).isoformat(timespec="microseconds")


def record(event: str, actor, obj=None, data: dict | None = None, *, at=None, state=()) -> AuditEvent:
    """Log one event; must run inside the transaction that makes the change it records.

    The event is queued on the connection and appended to the chain with the transaction's
    other events just before it commits (agora.audit.db), so the returned event has its
    `seq` and `hash` only from then on. `state`: the records (notices, bookings, offers,
    decisions) the change left as they are now; the event carries what the log keeps of
    each (agora.audit.state), for `verify`."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("audit.record() must be called inside transaction.atomic()")
    try:
        event = Event(event).value
    except ValueError:
        raise ValueError(f"{event!r} is no audit event: name it in agora.audit.events") from None
    entry = AuditEvent(
        at=at or timezone.now(),
        event=event,
        actor=actor if isinstance(actor, str) else _actor_label(actor),
        object_type=obj._meta.model_name if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        data={**(data or {}), "state": states(state)} if state else (data or {}),
    )
    if getattr(connection, "queueing_audit_events", lambda: False)():
        connection.queue_audit_event(entry)
    else:  # a backend without the queue, or a test's own transaction: at once
        append_events([entry], using=connection.alias)
    return entry


def append_events(entries: list[AuditEvent], *, using: str = "default") -> None:
    """Chain these events after the head and insert them: three statements, whatever their
    number (the head locked, the events inserted, the head moved)."""
    head = lock_audit_head()
    seq, prev = head.seq, head.hash
    for entry in entries:
        seq += 1
        entry.seq, entry.prev_hash = seq, prev
        entry.hash = prev = event_hash(
            seq=seq,
            at=timestamp(entry.at),
            event=entry.event,
            actor=entry.actor,
            object_type=entry.object_type,
            object_id=entry.object_id,
            data=entry.data,
            prev_hash=entry.prev_hash,
        )
    AuditEvent.objects.using(using).bulk_create(entries)
    AuditHead.objects.using(using).filter(pk=1).update(seq=seq, hash=prev)


def public_rows():
    """Every event as the hash covers it (the log holds no personal data, so all of it is public)."""
    for row in (
        AuditEvent.objects.order_by("seq")
        .values("seq", "at", "event", "actor", "object_type", "object_id", "data", "prev_hash", "hash")
        .iterator(chunk_size=2000)
    ):
        row["at"] = timestamp(row["at"])
        yield row


def verify_chain(*, keep: int = 100) -> Verdict:
    """The chain recomputed, then the log replayed against the tables: every record whose
    table row differs from the latest state the log gives it, or that one side lacks, is a
    problem (agora.audit.state); then the other checks the domain apps registered.

    Streams: one pass over the log and one over each table, in constant memory. `keep`: how
    many problems to keep word for word (all are counted)."""
    head = AuditHead.objects.filter(pk=1).values_list("seq", "hash").first() or (0, GENESIS_HASH)
    with Replay() as replay:

        def replayed():
            for row in public_rows():
                replay.apply(row)
                yield row

        verdict = verify(replayed(), head=tuple(head))
        if not verdict.ok:
            return verdict
        problems, count = [], 0
        found = [replay.compare(shape) for shape in shapes()] + [iter(check()) for check in _seal_checks]
        for problem in (p for each in found for p in each):
            count += 1
            if len(problems) < keep:
                problems.append(problem)
    if not count:
        return verdict
    more = f" (+{count - 5} more)" if count > 5 else ""
    return Verdict(
        False, verdict.count, verdict.last_hash, None, "; ".join(problems[:5]) + more, tuple(problems), count
    )


def record_many(event: str, items: Iterable[tuple[str, str, dict]], *, at=None, batch: int = 2000) -> int:
    """Append one event per (object type, object id, data) in bulk, by the system, chained as
    `record` does (for the baseline and the benchmarks' history). Commits each batch."""
    event = Event(event).value
    at = at or timezone.now()
    written, chunk = 0, []

    def flush():
        nonlocal written
        with transaction.atomic():
            append_events(
                [
                    AuditEvent(at=at, event=event, actor="system", object_type=kind, object_id=pk, data=data)
                    for kind, pk, data in chunk
                ]
            )
        written += len(chunk)
        chunk.clear()

    for item in items:
        chunk.append(item)
        if len(chunk) == batch:
            flush()
    if chunk:
        flush()
    return written


def unlogged_states() -> Iterator[tuple[str, str, dict]]:
    """(kind, id, state) of every record (of the kinds the log keeps) it holds no state of."""
    with Replay() as replay:
        for row in public_rows():
            replay.apply(row)
        for shape in shapes():
            for row, state in replay.missing(shape):
                yield shape.kind, str(row[shape.model._meta.pk.name]), state


def baseline() -> int:
    """Record the present state of every record the log keeps no state of (records made
    before the log kept states, or bulk-generated): one `audit.baseline` event each, public
    like every event, so anyone holding an earlier digest sees when it was done."""
    return record_many(
        Event.AUDIT_BASELINE,
        ((kind, pk, {"state": {f"{kind}:{pk}": state}}) for kind, pk, state in unlogged_states()),
    )


def digest() -> dict:
    """What outsiders keep to check later that the log was only appended to."""
    head = AuditHead.objects.filter(pk=1).values_list("seq", "hash").first() or (0, GENESIS_HASH)
    last = AuditEvent.objects.filter(seq=head[0]).values_list("at", flat=True).first()
    return {
        "count": head[0],
        "head_hash": head[1],
        "last_event_at": timestamp(last) if last else None,
        "generated_at": timestamp(timezone.now()),
    }


def verify_against_digest(published: dict):
    """Is the chain that was published (count, head_hash) still the start of today's chain?

    Returns (ok, message)."""
    try:
        count, head_hash = int(published["count"]), str(published["head_hash"])
    except (KeyError, TypeError, ValueError):
        return False, "the digest needs a whole-number 'count' and a 'head_hash'"
    verdict = verify_chain()
    if not verdict.ok:
        return False, f"today's log is broken: {verdict.problem}"
    if count > verdict.count:
        return False, f"the digest counts {count} events but the log now has only {verdict.count}"
    if count == 0:
        return head_hash == GENESIS_HASH, "an empty digest"
    now = AuditEvent.objects.filter(seq=count).values_list("hash", flat=True).first()
    if now != head_hash:
        return False, f"event #{count} is not the one the digest recorded: history was rewritten"
    return True, f"the digest's {count} events are still the start of the chain ({verdict.count} now)"
