"""Hashing and verifying the audit chain. Pure: works on plain dicts."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

GENESIS_HASH = "0" * 64


# one encoding, shared with the offline verifier: sorted keys, no spaces, UTF-8
from .offline import canonical  # noqa: E402


def event_hash(
    *, seq: int, at: str, event: str, actor: str, object_type: str, object_id: str, data: dict, prev_hash: str
) -> str:
    fields = {
        "seq": seq,
        "at": at,
        "event": event,
        "actor": actor,
        "object_type": object_type,
        "object_id": object_id,
        "data": data,
        "prev_hash": prev_hash,
    }
    return hashlib.sha256(canonical(fields)).hexdigest()


@dataclass(frozen=True)
class Verdict:
    ok: bool
    count: int
    last_hash: str
    broken_seq: int | None = None
    problem: str = ""
    problems: tuple[str, ...] = ()  # every problem found past the chain (as many as were kept)
    problem_count: int = 0


def verify(rows: Iterable[dict], head: tuple[int, str] | None = None) -> Verdict:
    """Recompute the chain; name the first broken link.

    `rows` are dicts with the AuditEvent fields (`at` as ISO text), in `seq` order.
    `head` is the recorded (seq, hash) of the tip, to detect removal of the last rows.
    """
    prev, expected_seq, count = GENESIS_HASH, 1, 0
    for row in rows:
        seq = row["seq"]
        if seq != expected_seq:
            return Verdict(
                False, count, prev, expected_seq, f"event #{expected_seq} is missing (next found is #{seq})"
            )
        if row["prev_hash"] != prev:
            return Verdict(
                False, count, prev, seq, f"event #{seq} does not link to event #{seq - 1} (prev_hash differs)"
            )
        fields = {k: row[k] for k in ("seq", "at", "event", "actor", "object_type", "object_id", "data")}
        if event_hash(**fields, prev_hash=prev) != row["hash"]:
            return Verdict(False, count, prev, seq, f"event #{seq} was altered (its hash does not match)")
        prev, expected_seq, count = row["hash"], seq + 1, count + 1
    if head is not None and head != (count, prev):
        return Verdict(
            False,
            count,
            prev,
            count + 1,
            f"the chain ends at #{count} but its head says #{head[0]}: events were removed",
        )
    return Verdict(True, count, prev)
