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

from .offline import (  # the verification lives in the offline verifier, one file anyone can take
    ProofError,
    leaf_hash,
    node_hash,
    verify_consistency,
    verify_inclusion,
)

__all__ = ["ProofError", "leaf_hash", "node_hash", "verify_consistency", "verify_inclusion"]


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


# A proof is a list of subtree hashes. Which subtrees, as ranges [lo, hi) of leaves, depends
# only on the sizes: so the log can fetch every hash a proof needs in one query (agora.audit.tree).


def inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """The subtrees whose hashes make PATH(index, D[size]) of RFC 9162 §2.1.3.1, in its order."""
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of {size}")
    path, lo, hi = [], 0, size
    while hi - lo > 1:
        k = _split(hi - lo)
        if index < lo + k:
            path.append((lo + k, hi))
            hi = lo + k
        else:
            path.append((lo, lo + k))
            lo += k
    return path[::-1]


def consistency_ranges(first: int, size: int) -> list[tuple[int, int]]:
    """The subtrees whose hashes make PROOF(first, D[size]) of RFC 9162 §2.1.4.1, in its order."""
    if not 0 < first <= size:
        raise ValueError(f"no consistency proof from {first} to {size}")
    path, lo, hi, m, complete = [], 0, size, first, True
    while m != hi - lo:
        k = _split(hi - lo)
        if m <= k:
            path.append((lo + k, hi))
            hi = lo + k
        else:
            path.append((lo, lo + k))
            lo, m, complete = lo + k, m - k, False
    if not complete:
        path.append((lo, hi))
    return path[::-1]


def perfect_parts(lo: int, hi: int) -> list[tuple[int, int]]:
    """The range [lo, hi) as full subtrees (level, index): leaves lo..hi-1 are the leaves of
    subtree (level, index) when lo = index << level. `lo` is a multiple of the largest power
    of two not above hi - lo, as every range of a proof is."""
    parts = []
    while lo < hi:
        level = (hi - lo).bit_length() - 1
        while lo % (1 << level):
            level -= 1
        parts.append((level, lo >> level))
        lo += 1 << level
    return parts


def range_hash(lo: int, hi: int, subtree) -> bytes:
    """MTH of leaves [lo, hi), given `subtree(level, index)`: the hash of a full subtree."""
    hashes = [subtree(level, index) for level, index in perfect_parts(lo, hi)]
    # the parts shrink left to right, so the tree folds them from the right
    result = hashes[-1]
    for h in reversed(hashes[:-1]):
        result = node_hash(h, result)
    return result


def inclusion_proof(index: int, hashes: Sequence[bytes]) -> list[bytes]:
    """PATH(m, D[n]) of RFC 9162 §2.1.3.1, for the leaf at `index` of the tree of `hashes`."""
    return [root(hashes[lo:hi]) for lo, hi in inclusion_ranges(index, len(hashes))]


def consistency_proof(first: int, hashes: Sequence[bytes]) -> list[bytes]:
    """PROOF(m, D[n]) of RFC 9162 §2.1.4.1: the tree of the first `first` leaves is a prefix."""
    return [root(hashes[lo:hi]) for lo, hi in consistency_ranges(first, len(hashes))]
