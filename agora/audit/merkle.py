"""The Merkle tree of RFC 9162 (Certificate Transparency 2.0; RFC 6962's hashing): the tree
hash of a list of leaves, inclusion and consistency proofs, and their verification.

Pure (no database): the audit log's events are the leaves (issue 19). Written here rather
than taken from a library: pymerkle's proofs are in its own format, and the verifiers that
follow the RFC (transparency-dev/merkle, sigstore's) are Go or private modules. The code
follows RFC 9162 §2.1 step by step and is tested against transparency-dev's vectors
(`../shared/vectors/rfc6962/`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

LEAF, NODE = b"\x00", b"\x01"


class ProofError(ValueError):
    """A proof does not verify; the message says why."""


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(LEAF + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(NODE + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than n (n > 1): the size of the left subtree."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def root(hashes: Sequence[bytes]) -> bytes:
    """MTH of leaves given by their leaf hashes (RFC 9162 §2.1.1); the empty tree's hash for none."""
    n = len(hashes)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return hashes[0]
    k = _split(n)
    return node_hash(root(hashes[:k]), root(hashes[k:]))


def inclusion_proof(index: int, hashes: Sequence[bytes]) -> list[bytes]:
    """PATH(m, D[n]) of RFC 9162 §2.1.3.1, for the leaf at `index` of the tree of `hashes`."""
    n = len(hashes)
    if not 0 <= index < n:
        raise ValueError(f"leaf {index} is not in a tree of {n}")
    if n == 1:
        return []
    k = _split(n)
    if index < k:
        return [*inclusion_proof(index, hashes[:k]), root(hashes[k:])]
    return [*inclusion_proof(index - k, hashes[k:]), root(hashes[:k])]


def consistency_proof(first: int, hashes: Sequence[bytes]) -> list[bytes]:
    """PROOF(m, D[n]) of RFC 9162 §2.1.4.1: the tree of the first `first` leaves is a prefix."""
    n = len(hashes)
    if not 0 < first <= n:
        raise ValueError(f"no consistency proof from {first} to {n}")
    return _subproof(first, hashes, True)


def _subproof(m: int, hashes: Sequence[bytes], complete: bool) -> list[bytes]:
    n = len(hashes)
    if m == n:
        return [] if complete else [root(hashes)]
    k = _split(n)
    if m <= k:
        return [*_subproof(m, hashes[:k], complete), root(hashes[k:])]
    return [*_subproof(m - k, hashes[k:], False), root(hashes[:k])]


def verify_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes], expected: bytes) -> None:
    """RFC 9162 §2.1.3.2; raises ProofError unless `proof` shows `leaf` at `index` of the tree
    of `size` leaves whose root is `expected`."""
    if not 0 <= index < size:
        raise ProofError(f"index {index} is beyond the tree size {size}")
    if len(leaf) != 32 or len(expected) != 32:
        raise ProofError("a leaf hash and a root are 32 bytes (SHA-256)")
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            raise ProofError("the proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofError("the proof is shorter than the tree is deep")
    if r != expected:
        raise ProofError("the proof leads to another root")


def verify_consistency(first: int, second: int, root1: bytes, root2: bytes, proof: Sequence[bytes]) -> None:
    """RFC 9162 §2.1.4.2; raises ProofError unless the tree of `first` leaves (root1) is a
    prefix of the tree of `second` leaves (root2)."""
    if not 0 < first <= second:
        # a proof from the empty tree proves nothing (RFC 9162 §2.1.4: 0 < first)
        raise ProofError(f"no consistency from size {first} to size {second}")
    if first == second:
        if proof:
            raise ProofError("equal sizes take an empty proof")
        if root1 != root2:
            raise ProofError("equal sizes with different roots")
        return
    if not proof:
        raise ProofError("an empty proof between different sizes")
    path = list(proof)
    if first & (first - 1) == 0:  # a power of two: the first tree is a node of the second
        path.insert(0, root1)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError("the proof is longer than the trees are deep")
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofError("the proof is shorter than the trees are deep")
    if fr != root1:
        raise ProofError("the proof does not lead to the first root")
    if sr != root2:
        raise ProofError("the proof does not lead to the second root")
