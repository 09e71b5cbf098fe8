"""The one way to write the audit log: `record(event, actor, obj, data)`."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from agora.accounts.access import actor_label
from agora.locking import lock_audit_head

from .chain import GENESIS_HASH, event_hash, verify
from .models import AuditEvent, AuditHead


def timestamp(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).isoformat(timespec="microseconds")


def record(event: str, actor, obj=None, data: dict | None = None, *, at=None) -> AuditEvent:
    """Append one event; must run inside the transaction that makes the change it records."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record() must be called inside transaction.atomic()")
    head = lock_audit_head()
    at = at or timezone.now()
    fields = {
        "seq": head.seq + 1,
        "at": timestamp(at),
        "event": event,
        "actor": actor if isinstance(actor, str) else actor_label(actor),
        "object_type": obj._meta.model_name if obj is not None else "",
        "object_id": str(obj.pk) if obj is not None else "",
        "data": data or {},
    }
    digest = event_hash(**fields, prev_hash=head.hash)
    entry = AuditEvent.objects.create(**{**fields, "at": at}, prev_hash=head.hash, hash=digest)
    head.seq, head.hash = entry.seq, digest
    head.save(update_fields=["seq", "hash"])
    return entry


def _rows():
    for row in (
        AuditEvent.objects.order_by("seq")
        .values("seq", "at", "event", "actor", "object_type", "object_id", "data", "prev_hash", "hash")
        .iterator(chunk_size=2000)
    ):
        row["at"] = timestamp(row["at"])
        yield row


def verify_chain():
    head = AuditHead.objects.filter(pk=1).values_list("seq", "hash").first() or (0, GENESIS_HASH)
    return verify(_rows(), head=tuple(head))
