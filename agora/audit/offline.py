#!/usr/bin/env python3
"""Agora's offline verifier: is this filing receipt, decision letter or certificate of
silence in the authority's public log, and is the log's checkpoint signed by the authority?

One file, needing nothing beyond the Python standard library and `cryptography`
(`pip install cryptography`), so anyone can keep it with their papers and run it without
the authority's server. Agora serves it at /audit/agora_verify.py; it is also
`tools/agora_verify.py` in the source and `agora verify-offline` on a server.

    python3 agora_verify.py receipt RECEIPT.json --key KEY
    python3 agora_verify.py document LETTER.pdf --proof PROOF.json --key KEY [--checkpoint CP]
    python3 agora_verify.py consistency OLD_CP NEW_CP --proof PROOF.json --key KEY

KEY is the authority's verifier key, `name+keyid+base64` (published at /audit/key): take it
from a source you trust, not from the receipt. It prints "yes" or "no" and why; the exit
status is 0 only for yes.

The log is a Merkle tree of RFC 9162 (RFC 6962's hashing) over the audit events, a leaf
being an event's canonical JSON (sorted keys, no spaces, UTF-8) without its `hash`; the
checkpoint is a C2SP signed note (tlog-checkpoint) with an Ed25519 signature and a
timestamped cosignature (tlog-cosignature) of the same key.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import hashlib
import json
import struct
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

LEAF, NODE = b"\x00", b"\x01"
ED25519, COSIGNATURE = 0x01, 0x04
DASH = "\u2014 "
_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


class ProofError(ValueError):
    """Something does not verify; the message says what and why."""


# --- the log's hashing -----------------------------------------------------------------


def canonical(fields: dict) -> bytes:
    return _ENCODER.encode(fields).encode()


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(LEAF + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(NODE + left + right).digest()


def event_bytes(event: dict) -> bytes:
    """The leaf's data: the event as its chain hash covers it (every field but `hash`)."""
    return canonical({k: v for k, v in event.items() if k != "hash"})


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
        raise ProofError("the proof leads to another root than the checkpoint's")


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
            raise ProofError("equal sizes with different roots: the log was rewritten")
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
        raise ProofError("the proof does not lead to the first checkpoint's root")
    if sr != root2:
        raise ProofError("the proof does not lead to the second checkpoint's root")


# --- signed notes (C2SP signed-note, tlog-checkpoint, tlog-cosignature) ------------------


def key_id(name: str, kind: int, public: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + bytes([kind]) + public).digest()[:4]


def verifier_key(name: str, public: bytes) -> str:
    """The note verifier key anyone uses to check the authority's checkpoints."""
    encoded = base64.b64encode(bytes([ED25519]) + public).decode()
    return f"{name}+{key_id(name, ED25519, public).hex()}+{encoded}"


def parse_verifier_key(text: str) -> tuple[str, bytes]:
    try:
        name, hex_id, encoded = text.strip().split("+", 2)
        raw = base64.b64decode(encoded, validate=True)
    except ValueError:
        raise ProofError("the key is not a verifier key (name+keyid+base64)") from None
    if len(raw) != 33 or raw[0] != ED25519:
        raise ProofError("the key is not an Ed25519 verifier key")
    if key_id(name, ED25519, raw[1:]).hex() != hex_id:
        raise ProofError("the key's id does not match its name and public key")
    return name, raw[1:]


def cosigned_message(body: str, timestamp: int) -> bytes:
    return f"cosignature/v1\ntime {timestamp}\n{body}".encode()


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes
    signed_at: dt.datetime | None  # from the timestamped cosignature, when the note has one


def read_checkpoint(note: str, key: str) -> Checkpoint:
    """Check the note's signature with `key` and read its checkpoint; ProofError otherwise."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    name, public = parse_verifier_key(key)
    if "\n\n" not in note:
        raise ProofError("the checkpoint is not a signed note (no blank line before its signatures)")
    body, signatures = note.split("\n\n", 1)
    body += "\n"
    lines = body.split("\n")[:-1]
    if len(lines) < 3:
        raise ProofError("a checkpoint has an origin, a tree size and a root hash")
    origin, size_text, root_text = lines[:3]
    if not size_text.isdigit() or (size_text != "0" and size_text.startswith("0")):
        raise ProofError("the checkpoint's tree size is not a whole number")
    try:
        root = base64.b64decode(root_text, validate=True)
    except ValueError:
        raise ProofError("the checkpoint's root hash is not base64") from None
    if len(root) != 32:
        raise ProofError("the checkpoint's root hash is not 32 bytes")
    verifier, signed, signed_at = Ed25519PublicKey.from_public_bytes(public), False, None
    for line in signatures.split("\n"):
        if not line:
            continue
        if not line.startswith(DASH) or line[len(DASH) :].count(" ") != 1:
            raise ProofError("a signature line is malformed")
        line_name, encoded = line[len(DASH) :].split(" ")
        try:
            raw = base64.b64decode(encoded, validate=True)
        except ValueError:
            raise ProofError("a signature is not base64") from None
        if line_name != name or len(raw) < 4:
            continue  # someone else's signature: not ours to check
        try:
            if raw[:4] == key_id(name, ED25519, public) and len(raw) == 68:
                verifier.verify(raw[4:], body.encode())
                signed = True
            elif raw[:4] == key_id(name, COSIGNATURE, public) and len(raw) == 76:
                (timestamp,) = struct.unpack(">Q", raw[4:12])
                verifier.verify(raw[12:], cosigned_message(body, timestamp))
                signed_at = dt.datetime.fromtimestamp(timestamp, dt.UTC)
        except InvalidSignature:
            raise ProofError(
                "the checkpoint's signature does not verify: it was changed or not signed by this key"
            ) from None
    if not signed:
        raise ProofError(f"the checkpoint is not signed by this key ({name}): another key, or no signature")
    return Checkpoint(origin, int(size_text), root, signed_at)


# --- receipts, letters, certificates -------------------------------------------------------


def _b64(value, what: str) -> bytes:
    try:
        raw = base64.b64decode(value, validate=True)
    except (TypeError, ValueError):
        raise ProofError(f"{what} is not base64") from None
    if len(raw) != 32:
        raise ProofError(f"{what} is not 32 bytes")
    return raw


def check_bundle(bundle: dict, key: str, checkpoint: str | None = None) -> tuple[dict, Checkpoint]:
    """The event of a proof bundle (a receipt, or the proof of a letter) is in the log whose
    signed checkpoint is `checkpoint` (or the bundle's own). Returns the event and checkpoint."""
    if not isinstance(bundle, dict) or not isinstance(bundle.get("event"), dict):
        raise ProofError("the proof has no event")
    event, proof = bundle["event"], bundle.get("proof") or {}
    note = checkpoint if checkpoint is not None else bundle.get("checkpoint")
    if not isinstance(note, str):
        raise ProofError("no checkpoint: give one with --checkpoint")
    cp = read_checkpoint(note, key)
    seq = event.get("seq")
    if not isinstance(seq, int) or seq < 1:
        raise ProofError("the event has no position in the log")
    if event.get("hash") != hashlib.sha256(event_bytes(event)).hexdigest():
        raise ProofError(f"event #{seq} was changed: its hash does not match its fields")
    leaf = leaf_hash(event_bytes(event))
    if proof.get("leaf_hash") is not None and _b64(proof["leaf_hash"], "the leaf hash") != leaf:
        raise ProofError("the proof is for another event")
    size = proof.get("size")
    if size != cp.size:
        raise ProofError(f"the proof is for a tree of {size} events, the checkpoint for {cp.size}")
    hashes = proof.get("hashes")
    if not isinstance(hashes, list):
        raise ProofError("the proof has no hashes")
    verify_inclusion(seq - 1, cp.size, leaf, [_b64(h, "a proof hash") for h in hashes], cp.root)
    return event, cp


def check_receipt(receipt: dict, key: str, checkpoint: str | None = None) -> str:
    event, cp = check_bundle(receipt, key, checkpoint)
    if event.get("event") != "notice.filed":
        raise ProofError("the receipt's event is not a filing")
    if receipt.get("fingerprint") != hashlib.sha256(canonical(event.get("data"))).hexdigest():
        raise ProofError("the receipt's fingerprint is not that of the filing in the log")
    state = (event.get("data") or {}).get("state") or {}
    reference = receipt.get("reference")
    filed = [s for s in state.values() if isinstance(s, dict) and s.get("reference") == reference]
    if not filed:
        raise ProofError("the filing in the log is of another reference than the receipt's")
    if receipt.get("index") != event["seq"] - 1:
        raise ProofError(f"the receipt's index is not the filing's place in the log (#{event['seq']})")
    _same_moment(receipt, filed[0].get("filed_at"))
    return (
        f"notice {reference} was filed at {receipt.get('filed_at')} ({receipt.get('time_zone')}), "
        f"event #{event['seq']} "
        f"of the log {cp.origin}, in its checkpoint of {cp.size} events{_signed(cp)}"
    )


def _same_moment(receipt: dict, logged) -> None:
    """The receipt's filing time (in its city's zone) is the one the log holds."""
    try:
        shown = dt.datetime.fromisoformat(str(receipt.get("filed_at")))
        held = dt.datetime.fromisoformat(str(logged))
    except ValueError:
        raise ProofError("the receipt's filed_at is not a time with its offset") from None
    if shown.tzinfo is None or held.tzinfo is None or abs((shown - held).total_seconds()) >= 1:
        raise ProofError(
            f"the receipt's filed_at ({receipt.get('filed_at')}) is not the filing time in the log ({logged})"
        )
    try:
        from zoneinfo import ZoneInfo

        offset = held.astimezone(ZoneInfo(str(receipt.get("time_zone")))).utcoffset()
    except (ValueError, KeyError, OSError):
        raise ProofError(f"the receipt's time_zone {receipt.get('time_zone')!r} is no time zone") from None
    if offset != shown.utcoffset():
        raise ProofError("the receipt's filed_at is not in its time_zone")


def check_document(document: bytes, bundle: dict, key: str, checkpoint: str | None = None) -> str:
    event, cp = check_bundle(bundle, key, checkpoint)
    data = event.get("data") or {}
    if event.get("event") != "letter.issued":
        raise ProofError("the proof's event is not the issuing of a letter or certificate")
    if hashlib.sha256(document).hexdigest() != data.get("sha256"):
        raise ProofError(
            "the file is not the one the log holds: its SHA-256 differs (changed, or another file)"
        )
    what = "certificate of silence" if data.get("kind") == "certificate" else "decision letter"
    return (
        f"this is the {what} {data.get('reference')}, issued at {event.get('at')} (UTC), "
        f"event #{event['seq']} "
        f"of the log {cp.origin}, in its checkpoint of {cp.size} events{_signed(cp)}"
    )


def check_consistency(old: str, new: str, proof: dict, key: str) -> str:
    first, second = read_checkpoint(old, key), read_checkpoint(new, key)
    if first.origin != second.origin:
        raise ProofError("the checkpoints are of different logs")
    if first.size > second.size:
        raise ProofError("the first checkpoint is the larger: give the older one first")
    hashes = proof.get("hashes") if isinstance(proof, dict) else None
    if not isinstance(hashes, list):
        raise ProofError("the proof has no hashes")
    if (proof.get("first"), proof.get("second")) != (first.size, second.size):
        raise ProofError("the proof is for other tree sizes than the checkpoints'")
    verify_consistency(
        first.size, second.size, first.root, second.root, [_b64(h, "a proof hash") for h in hashes]
    )
    return (
        f"the log of {second.size} events still begins with the {first.size} of the older "
        "checkpoint: nothing was rewritten"
    )


def _signed(cp: Checkpoint) -> str:
    return f", signed at {cp.signed_at:%Y-%m-%d %H:%M:%S} UTC" if cp.signed_at else ""


def _load_json(path: str, what: str) -> dict:
    try:
        raw = Path(path).read_bytes()
    except OSError as error:
        raise ProofError(f"cannot read the {what} {path}: {error.strerror}") from None
    if raw.startswith(b"%PDF"):
        raise ProofError(
            f"{path} is a PDF: give the {what} as JSON (download it beside the PDF, or save the "
            "JSON file attached inside the PDF)"
        )
    try:
        return json.loads(raw.decode("utf-8"))
    except ValueError as error:
        raise ProofError(f"the {what} {path} is not JSON: {error}") from None


def _read(path: str | None, what: str) -> str | None:
    if path is None:
        return None
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise ProofError(f"cannot read the {what} {path}: {error}") from None


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="agora_verify.py", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    receipt = commands.add_parser("receipt", help="a filing receipt (JSON)")
    receipt.add_argument("receipt")
    document = commands.add_parser("document", help="a decision letter or certificate of silence (PDF)")
    document.add_argument("file")
    document.add_argument("--proof", required=True, help="the letter's proof (JSON, from its public page)")
    consistency = commands.add_parser("consistency", help="a newer checkpoint extends an older one")
    consistency.add_argument("old")
    consistency.add_argument("new")
    consistency.add_argument("--proof", required=True, help="the consistency proof (JSON)")
    for each in (receipt, document, consistency):
        each.add_argument("--key", required=True, help="the authority's verifier key, or a file holding it")
    for each in (receipt, document):
        each.add_argument(
            "--checkpoint", help="a checkpoint you kept (the signed note), instead of the proof's own"
        )
    args = parser.parse_args(argv)
    try:
        key = Path(args.key).read_text().strip() if Path(args.key).is_file() else args.key
        if args.command == "receipt":
            said = check_receipt(
                _load_json(args.receipt, "receipt"), key, _read(args.checkpoint, "checkpoint")
            )
        elif args.command == "document":
            try:
                content = Path(args.file).read_bytes()
            except OSError as error:
                raise ProofError(f"cannot read {args.file}: {error}") from None
            bundle = _load_json(args.proof, "proof")
            said = check_document(content, bundle, key, _read(args.checkpoint, "checkpoint"))
        else:
            old, new = _read(args.old, "checkpoint"), _read(args.new, "checkpoint")
            said = check_consistency(old, new, _load_json(args.proof, "proof"), key)
    except ProofError as error:
        print(f"no: {error}")
        return 1
    print(f"yes: {said}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
