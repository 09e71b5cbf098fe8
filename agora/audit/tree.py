"""The Merkle tree (RFC 9162) over the audit events, kept in the database as the log grows.

Leaf i is event seq i + 1, hashed from its canonical bytes (agora.audit.offline.event_bytes:
the fields the chain hash covers). Full subtrees of 2^STORED leaves and up are stored as
`MerkleNode` rows; smaller ones are hashed from the events when a proof needs them. Storing
is idempotent (a node's hash follows from the events), so concurrent extensions need no lock:
each inserts what is missing and ignores what another stored first."""

from __future__ import annotations

from django.db.models import Max, Q

from . import merkle
from .models import AuditEvent, AuditHead, MerkleNode
from .offline import event_bytes

STORED = 4  # full subtrees of 16 leaves and up are stored: an eighth of a row per event
CHUNK = 1 << 14  # leaves read at a time when the tree is extended


def log_size() -> int:
    """The events in the log now (its head)."""
    return AuditHead.objects.filter(pk=1).values_list("seq", flat=True).first() or 0


def stored_size() -> int:
    """How many leaves the stored nodes cover (a multiple of 2^STORED)."""
    last = MerkleNode.objects.filter(level=STORED).aggregate(last=Max("index"))["last"]
    return 0 if last is None else (last + 1) << STORED


def _rows(lo: int, hi: int):
    """The events of leaves lo..hi-1, as the chain hash covers them."""
    from .services import timestamp

    fields = ("seq", "at", "event", "actor", "object_type", "object_id", "data", "prev_hash")
    rows = AuditEvent.objects.filter(seq__gt=lo, seq__lte=hi).order_by("seq").values(*fields)
    for row in rows.iterator(chunk_size=2000):
        row["at"] = timestamp(row["at"])
        yield row


def leaves(lo: int, hi: int) -> list[bytes]:
    found = [merkle.leaf_hash(event_bytes(row)) for row in _rows(lo, hi)]
    if len(found) != hi - lo:
        raise ValueError(f"the log lacks events {lo + 1}..{hi}: it has {len(found)} of them")
    return found


def extend() -> int:
    """Store the nodes of every full 16 leaves not stored yet; returns the leaves covered."""
    done, full = stored_size(), log_size() >> STORED << STORED
    for start in range(done, full, CHUNK):
        end = min(start + CHUNK, full)
        hashes = leaves(start, end)
        block = 1 << STORED
        level_nodes = {
            start // block + i: merkle.root(hashes[i * block : (i + 1) * block])
            for i in range((end - start) // block)
        }
        new = [MerkleNode(level=STORED, index=i, hash=h) for i, h in level_nodes.items()]
        level, first = STORED, start // block
        while level_nodes:
            if first % 2:  # the first new node is a right child: its left sibling is stored
                sibling = MerkleNode.objects.filter(level=level, index=first - 1).values_list(
                    "hash", flat=True
                )
                level_nodes[first - 1] = bytes(sibling.get())
            parents = {
                i // 2: merkle.node_hash(h, level_nodes[i + 1])
                for i, h in level_nodes.items()
                if i % 2 == 0 and i + 1 in level_nodes
            }
            level, first = level + 1, first // 2
            new += [MerkleNode(level=level, index=i, hash=h) for i, h in parents.items()]
            level_nodes = parents
        MerkleNode.objects.bulk_create(new, batch_size=2000, ignore_conflicts=True)
    return full


def hashes_of(ranges: list[tuple[int, int]], size: int) -> list[bytes]:
    """The tree hash of each range of leaves (the ranges of a proof), in two queries: the
    stored subtrees, and the events of the small ones."""
    if stored_size() < size >> STORED << STORED:
        extend()
    parts = {part for lo, hi in ranges for part in merkle.perfect_parts(lo, hi)}
    stored = [(level, index) for level, index in parts if level >= STORED]
    found: dict[tuple[int, int], bytes] = {}
    if stored:
        wanted = Q()
        for level in {level for level, _ in stored}:
            wanted |= Q(level=level, index__in=[i for lv, i in stored if lv == level])
        for level, index, h in MerkleNode.objects.filter(wanted).values_list("level", "index", "hash"):
            found[level, index] = bytes(h)
    small = sorted({(index << level) >> STORED for level, index in parts if level < STORED})
    leaf: dict[int, bytes] = {}
    for block in small:  # at most two blocks of 16 events: next to the leaf, and the tree's edge
        lo = block << STORED
        for offset, h in enumerate(leaves(lo, min(lo + (1 << STORED), size))):
            leaf[lo + offset] = h
    for level, index in parts:
        if level < STORED:
            lo = index << level
            found[level, index] = merkle.root([leaf[i] for i in range(lo, lo + (1 << level))])
    missing = [p for p in parts if p not in found]
    if missing:
        raise ValueError(f"the tree lacks stored nodes {missing[:3]}: run extend()")
    return [merkle.range_hash(lo, hi, lambda level, index: found[level, index]) for lo, hi in ranges]


def root(size: int) -> bytes:
    if size == 0:
        return merkle.root([])
    return hashes_of([(0, size)], size)[0]


def inclusion(index: int, size: int) -> list[bytes]:
    """The inclusion proof of leaf `index` (event seq index + 1) in the tree of `size` events."""
    return hashes_of(merkle.inclusion_ranges(index, size), size)


def consistency(first: int, second: int) -> list[bytes]:
    return hashes_of(merkle.consistency_ranges(first, second), second)
