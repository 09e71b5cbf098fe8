"""Proofs as people hold them: an event of the log with its inclusion proof and the signed
checkpoint it leads to (a "bundle", the one shape of a filing receipt's proof and of a
letter's), and the proofs the API serves. Hashes are base64, as in RFC 9162's examples."""

from __future__ import annotations

import base64

from django.conf import settings

from . import checkpoints, tree
from .models import AuditEvent
from .offline import event_bytes, leaf_hash


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


class OutOfRange(ValueError):
    """A proof asked for of a tree the log does not (yet) have; the message says which."""


def inclusion(index: int, size: int) -> dict:
    """Event seq index + 1 is leaf `index` of the tree of the first `size` events."""
    have = tree.log_size()
    if not 0 < size <= have:
        raise OutOfRange(f"size must be from 1 to {have}, the events in the log now")
    if not 0 <= index < size:
        raise OutOfRange(f"index must be from 0 to {size - 1} in a tree of {size} events")
    row = event_row(index + 1)
    return {
        "index": index,
        "size": size,
        "leaf_hash": b64(leaf_hash(event_bytes(row))),
        "hashes": [b64(h) for h in tree.inclusion(index, size)],
    }


def consistency(first: int, second: int) -> dict:
    have = tree.log_size()
    if not 0 < second <= have:
        raise OutOfRange(f"second must be from 1 to {have}, the events in the log now")
    if not 0 < first <= second:
        raise OutOfRange(f"first must be from 1 to {second} (second)")
    return {"first": first, "second": second, "hashes": [b64(h) for h in tree.consistency(first, second)]}


def event_row(seq: int) -> dict:
    from .services import timestamp

    fields = ("seq", "at", "event", "actor", "object_type", "object_id", "data", "prev_hash", "hash")
    row = AuditEvent.objects.filter(seq=seq).values(*fields).get()
    row["at"] = timestamp(row["at"])
    return row


def bundle(seq: int, kind: str) -> dict:
    """Event `seq` with its proof in the latest checkpoint: all an offline check needs but the
    authority's key, which the holder takes from a source they trust (/audit/key)."""
    checkpoint = checkpoints.latest()
    return {
        "kind": kind,
        "log": settings.AGORA_LOG_ORIGIN,
        "event": event_row(seq),
        "proof": inclusion(seq - 1, checkpoint.size),
        "checkpoint": checkpoint.note,
    }
