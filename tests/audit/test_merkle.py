"""Issue 19, part 1: RFC 9162 tree hashes and proofs, against transparency-dev's vectors
(every `wantErr: false` case accepted, every `wantErr: true` rejected) and against proofs
made here for trees of every size up to 40."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agora.audit import merkle

# transparency-dev/merkle's vectors (Apache 2.0, LICENSE beside them), copied from ../shared/vectors
VECTORS = Path(__file__).resolve().parent / "vectors" / "rfc6962"


def cases(kind: str) -> list:
    return sorted(VECTORS.joinpath(kind).rglob("*.json"))


def b64(value) -> bytes:
    return base64.b64decode(value) if value else b""


def test_the_vectors_are_there():
    assert len(cases("inclusion")) > 20 and len(cases("consistency")) > 20


@pytest.mark.parametrize("path", cases("inclusion"), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_inclusion_vectors(path):
    case = json.loads(path.read_text())
    proof = [b64(h) for h in case["proof"] or []]
    verify = lambda: merkle.verify_inclusion(  # noqa: E731
        case["leafIdx"], case["treeSize"], b64(case["leafHash"]), proof, b64(case["root"])
    )
    if case["wantErr"]:
        with pytest.raises(merkle.ProofError):
            verify()
    else:
        verify()


@pytest.mark.parametrize("path", cases("consistency"), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_consistency_vectors(path):
    case = json.loads(path.read_text())
    proof = [b64(h) for h in case["proof"] or []]
    verify = lambda: merkle.verify_consistency(  # noqa: E731
        case["size1"], case["size2"], b64(case["root1"]), b64(case["root2"]), proof
    )
    if case["wantErr"]:
        with pytest.raises(merkle.ProofError):
            verify()
    else:
        verify()


def test_the_rfc_example_tree_of_seven_leaves():
    # RFC 9162 §2.1.5: leaves d0..d6; the root of the first three and of all seven
    leaves = [merkle.leaf_hash(bytes([i])) for i in range(7)]
    assert merkle.inclusion_proof(0, leaves[:3]) == [leaves[1], leaves[2]]
    assert merkle.root(leaves[:1]) == leaves[0]
    assert merkle.root([]) == bytes.fromhex(
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    )


@given(size=st.integers(1, 40), data=st.data())
def test_every_proof_made_here_verifies_and_a_changed_one_does_not(size, data):
    leaves = [merkle.leaf_hash(f"event {i}".encode()) for i in range(size)]
    top = merkle.root(leaves)
    index = data.draw(st.integers(0, size - 1))
    proof = merkle.inclusion_proof(index, leaves)
    merkle.verify_inclusion(index, size, leaves[index], proof, top)
    with pytest.raises(merkle.ProofError):
        merkle.verify_inclusion(index, size, merkle.leaf_hash(b"forged"), proof, top)
    first = data.draw(st.integers(1, size))
    consistency = merkle.consistency_proof(first, leaves)
    merkle.verify_consistency(first, size, merkle.root(leaves[:first]), top, consistency)
    if first < size:
        rewritten = [*leaves[: first - 1], merkle.leaf_hash(b"rewritten")]
        with pytest.raises(merkle.ProofError):
            merkle.verify_consistency(first, size, merkle.root(rewritten), top, consistency)


@given(size=st.integers(1, 70), data=st.data())
def test_a_range_of_a_proof_hashes_the_same_from_its_full_subtrees(size, data):
    # what the log does with its stored subtrees, against the hash of the leaves themselves
    leaves = [merkle.leaf_hash(f"event {i}".encode()) for i in range(size)]

    def subtree(level, index):
        return merkle.root(leaves[index << level : (index + 1) << level])

    first = data.draw(st.integers(1, size))
    ranges = merkle.inclusion_ranges(data.draw(st.integers(0, size - 1)), size)
    for lo, hi in ranges + merkle.consistency_ranges(first, size) + [(0, size)]:
        assert merkle.range_hash(lo, hi, subtree) == merkle.root(leaves[lo:hi])
