"""Issue 19: the Merkle tree over the audit log, stored as it grows, gives the RFC 9162 root
and proofs of the events themselves; checkpoints are signed notes the offline verifier takes."""

from __future__ import annotations

import base64

import pytest

from agora.audit import checkpoints, merkle, offline, proofs, tree
from agora.audit.models import MerkleNode
from agora.audit.services import record_many

pytestmark = pytest.mark.django_db


def add(n: int, start: int = 0) -> None:
    record_many("audit.baseline", (("thing", str(start + i), {"n": start + i}) for i in range(n)), batch=50)


def all_leaves() -> list[bytes]:
    return tree.leaves(0, tree.log_size())


def test_the_stored_tree_has_the_root_and_proofs_of_the_events_themselves():
    add(37)
    size = tree.log_size()
    hashes = all_leaves()
    tree.extend()
    assert MerkleNode.objects.filter(level=tree.STORED).count() == size // 16
    for n in (1, 2, 15, 16, 17, 32, 33, size):
        assert tree.root(n) == merkle.root(hashes[:n])
    for index in (0, 5, 16, 31, size - 1):
        assert tree.inclusion(index, size) == merkle.inclusion_proof(index, hashes)
        merkle.verify_inclusion(index, size, hashes[index], tree.inclusion(index, size), tree.root(size))
    for first in (1, 16, 20, size):
        assert tree.consistency(first, size) == merkle.consistency_proof(first, hashes)


def test_a_tree_extended_in_steps_equals_one_built_at_once():
    for step in (3, 14, 1, 40, 16, 70):
        add(step, start=tree.log_size())
        tree.extend()
    size = tree.log_size()
    assert tree.root(size) == merkle.root(all_leaves())
    # the nodes are the same as a tree built from nothing would store
    stored = {(n.level, n.index): bytes(n.hash) for n in MerkleNode.objects.all()}
    MerkleNode.objects.all().delete()
    tree.extend()
    assert stored == {(n.level, n.index): bytes(n.hash) for n in MerkleNode.objects.all()}


def test_a_kept_checkpoint_is_consistent_with_a_later_one_and_a_rewritten_log_is_not(tmp_path):
    add(21)
    old = checkpoints.latest()
    assert checkpoints.latest() == old  # nothing new: the same signed note
    add(30, start=21)
    new = checkpoints.latest()
    assert new.size == old.size + 30
    proof = proofs.consistency(old.size, new.size)
    key = checkpoints.verifier()
    said = offline.check_consistency(old.note, new.note, proof, key)
    assert f"still begins with the {old.size}" in said
    # a checkpoint of a log whose early events were different (signed with the same key)
    forged = checkpoints.sign(old.size, merkle.root([merkle.leaf_hash(b"x")] * old.size), old.signed_at)
    with pytest.raises(offline.ProofError, match="first checkpoint's root"):
        offline.check_consistency(forged, new.note, proof, key)


def test_the_checkpoint_is_a_signed_note_that_says_what_and_when():
    add(5)
    cp = checkpoints.latest()
    lines = cp.note.split("\n")
    origin, size, root, blank = lines[:4]
    assert (int(size), base64.b64decode(root), blank) == (cp.size, bytes(cp.root), "")
    assert lines[4].startswith("\u2014 " + origin + " ")
    read = offline.read_checkpoint(cp.note, checkpoints.verifier())
    assert (read.size, read.root, read.signed_at) == (cp.size, bytes(cp.root), cp.signed_at)


@pytest.mark.parametrize(
    "tamper, why",
    [
        (lambda note: note.replace("\n5\n", "\n6\n", 1), "signature does not verify"),
        (lambda note: note.split("\n\n")[0] + "\n\n", "not signed by this key"),
        (lambda note: note.replace("\n\n", "\n", 1), "not a signed note"),
    ],
)
def test_a_changed_checkpoint_is_refused_with_a_reason(tamper, why):
    add(5)
    note = checkpoints.latest().note
    with pytest.raises(offline.ProofError, match=why):
        offline.read_checkpoint(tamper(note), checkpoints.verifier())


def test_another_key_does_not_verify_the_checkpoint():
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    add(2)
    other = Ed25519PrivateKey.generate().public_key().public_bytes_raw()
    with pytest.raises(offline.ProofError, match="not signed by this key"):
        offline.read_checkpoint(checkpoints.latest().note, offline.verifier_key("someone/else", other))
    from django.conf import settings

    impostor = offline.verifier_key(settings.AGORA_LOG_ORIGIN, other)
    with pytest.raises(offline.ProofError, match="not signed by this key"):  # its key id differs
        offline.read_checkpoint(checkpoints.latest().note, impostor)


def test_proofs_outside_the_log_are_refused_in_words():
    add(3)
    with pytest.raises(proofs.OutOfRange, match="from 1 to"):
        proofs.inclusion(0, 99)
    with pytest.raises(proofs.OutOfRange, match="index must be"):
        proofs.inclusion(5, 3)
    with pytest.raises(proofs.OutOfRange, match="first must be"):
        proofs.consistency(0, 3)
