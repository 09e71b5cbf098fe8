from __future__ import annotations

from django.db import models


class AuditEvent(models.Model):
    """One entry of the append-only, hash-chained audit log.

    `hash` = SHA-256 over the canonical JSON of the other fields, including `prev_hash`, so
    changing or removing any row breaks every later link. No personal data goes in here:
    actors are pseudonymous labels ("officer:3"), the log is public.
    """

    seq = models.PositiveBigIntegerField(unique=True)
    at = models.DateTimeField()
    event = models.CharField(max_length=60)
    actor = models.CharField(max_length=40)
    object_type = models.CharField(max_length=40, blank=True)
    object_id = models.CharField(max_length=40, blank=True)
    data = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64, unique=True)  # unique: the chain cannot fork
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["seq"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.event} {self.object_type}:{self.object_id}"


class AuditHead(models.Model):
    """The chain's tip, one row (pk=1): locked to append, so appends are serialised."""

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"audit head #{self.seq}"


class MerkleNode(models.Model):
    """A full subtree of the Merkle tree over the events (RFC 9162): the hash of leaves
    index·2^level .. (index+1)·2^level − 1, a leaf being event seq − 1. Derived from the events
    (agora.audit.tree stores those of 16 leaves and up as the log grows), so any of them can
    be computed again; it only spares recomputing a million leaves for every proof."""

    level = models.PositiveSmallIntegerField()
    index = models.PositiveBigIntegerField()
    hash = models.BinaryField(max_length=32)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["level", "index"], name="merkle_node_once")]

    def __str__(self) -> str:
        return f"merkle node {self.level}/{self.index}"


class Checkpoint(models.Model):
    """A signed statement of the tree: its size and root hash, at a time, as a C2SP signed note
    (`note`, what /audit/checkpoint serves). Whoever keeps one can later ask for a consistency
    proof and show the log was only appended to since."""

    size = models.PositiveBigIntegerField(unique=True)
    root = models.BinaryField(max_length=32)
    signed_at = models.DateTimeField()
    note = models.TextField()

    class Meta:
        ordering = ["-size"]

    def __str__(self) -> str:
        return f"checkpoint of {self.size} events"
