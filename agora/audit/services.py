"""The one way to write the audit log: `record(event, actor, obj, data)`.

The audit app imports no domain app: the domain apps register what it needs at start-up
(`label_actors_with`: how an actor is named in the log; `check_seals_with`: what `verify`
checks besides the chain), in their AppConfig.ready."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from .chain import GENESIS_HASH, Verdict, event_hash, verify
from .events import Event
from .models import AuditEvent, AuditHead


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

    Every writer takes it, and first (docs/locking.md): agora.locking builds on it."""
    # The row is made by a migration; recreate it if a database flush removed it.
    AuditHead.objects.get_or_create(pk=1, defaults={"seq": 0, "hash": GENESIS_HASH})
    return AuditHead.objects.select_for_update().get(pk=1)


def timestamp(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).isoformat(timespec="microseconds")


def record(event: str, actor, obj=None, data: dict | None = None, *, at=None) -> AuditEvent:
    """Append one event; must run inside the transaction that makes the change it records."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record() must be called inside transaction.atomic()")
    try:
        event = Event(event).value
    except ValueError:
        raise ValueError(f"{event!r} is no audit event: name it in agora.audit.events") from None
    head = lock_audit_head()
    at = at or timezone.now()
    fields = {
        "seq": head.seq + 1,
        "at": timestamp(at),
        "event": event,
        "actor": actor if isinstance(actor, str) else _actor_label(actor),
        "object_type": obj._meta.model_name if obj is not None else "",
        "object_id": str(obj.pk) if obj is not None else "",
        "data": data or {},
    }
    new_hash = event_hash(**fields, prev_hash=head.hash)
    entry = AuditEvent.objects.create(**{**fields, "at": at}, prev_hash=head.hash, hash=new_hash)
    head.seq, head.hash = entry.seq, new_hash
    head.save(update_fields=["seq", "hash"])
    return entry


def public_rows():
    """Every event as the hash covers it (the log holds no personal data, so all of it is public)."""
    for row in (
        AuditEvent.objects.order_by("seq")
        .values("seq", "at", "event", "actor", "object_type", "object_id", "data", "prev_hash", "hash")
        .iterator(chunk_size=2000)
    ):
        row["at"] = timestamp(row["at"])
        yield row


def verify_chain():
    """The chain recomputed; and the records it seals (decisions) checked against it."""
    head = AuditHead.objects.filter(pk=1).values_list("seq", "hash").first() or (0, GENESIS_HASH)
    verdict = verify(public_rows(), head=tuple(head))
    if verdict.ok:
        problems = [problem for check in _seal_checks for problem in check()]
        if problems:
            return Verdict(
                False,
                verdict.count,
                verdict.last_hash,
                None,
                "; ".join(problems[:5]) + (f" (+{len(problems) - 5} more)" if len(problems) > 5 else ""),
            )
    return verdict


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
