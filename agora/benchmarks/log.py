"""`agora bench log`: the Merkle tree over a log of a million events (issue 19) — how long
storing the tree takes, an inclusion proof's size and time for one event, a consistency
proof's — and the time to sign a letter (PAdES) and to verify one (pyHanko and offline)."""

from __future__ import annotations

import json
import random
import statistics
import tempfile
import time
from pathlib import Path


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def run_log_bench(events: int, repeat: int) -> dict:
    from django.db import connection

    from agora.audit import checkpoints, offline, proofs, tree
    from agora.audit.services import record_many

    started = time.perf_counter()
    record_many(
        "audit.baseline",
        (
            (
                "notice",
                str(i),
                {"state": {f"notice:{i}": {"reference": f"BEN-{i:07d}", "status": "accepted"}}},
            )
            for i in range(events)
        ),
        batch=5000,
    )
    generate = time.perf_counter() - started
    started = time.perf_counter()
    tree.extend()
    extend = time.perf_counter() - started
    started = time.perf_counter()
    checkpoint = checkpoints.latest()
    sign_checkpoint = time.perf_counter() - started
    size, key = checkpoint.size, checkpoints.verifier()
    rng = random.Random(1)
    inclusion_times, sizes, verify_times = [], [], []
    for _ in range(repeat * 20):
        index = rng.randrange(size)
        started = time.perf_counter()
        bundle = proofs.bundle(index + 1, "receipt")
        inclusion_times.append(time.perf_counter() - started)
        sizes.append(len(json.dumps(bundle["proof"])))
        started = time.perf_counter()
        offline.check_bundle(bundle, key)
        verify_times.append(time.perf_counter() - started)
    consistency_times = []
    for _ in range(repeat * 5):
        first = rng.randrange(1, size)
        started = time.perf_counter()
        proofs.consistency(first, size)
        consistency_times.append(time.perf_counter() - started)
    return {
        "database": connection.vendor,
        "events": size,
        "generate_seconds": round(generate, 1),
        "tree_store_seconds": round(extend, 1),
        "checkpoint_sign_ms": _ms(sign_checkpoint),
        "proof_hashes": len(bundle["proof"]["hashes"]),
        "inclusion_proof_bytes_json": max(sizes),
        "inclusion_proof_bytes_raw": 32 * len(bundle["proof"]["hashes"]),
        "inclusion_proof_ms_median": _ms(statistics.median(inclusion_times)),
        "inclusion_proof_ms_max": _ms(max(inclusion_times)),
        "offline_check_ms_median": _ms(statistics.median(verify_times)),
        "consistency_proof_ms_median": _ms(statistics.median(consistency_times)),
        **_letters(repeat),
    }


def _letters(repeat: int) -> dict:
    """Signing and verifying a one-page letter, without the database."""
    from django.conf import settings
    from weasyprint import HTML

    from agora.notices import signing

    html = "<h1>Decision</h1>" + "<p>The notice is accepted as filed; the place is booked.</p>" * 30
    pdf = HTML(string=html).write_pdf()
    signing.sign(pdf, reason="warm-up", location="Almaty")
    signed_times, check_times = [], []
    ca = Path(settings.AGORA_KEY_DIR) / signing.DEMO_CA
    for _ in range(repeat * 5):
        started = time.perf_counter()
        signed = signing.sign(pdf, reason="Decision BEN-1", location="Almaty")
        signed_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        assert signing.check_pdf(signed, [ca]).ok
        check_times.append(time.perf_counter() - started)
    return {
        "letter_sign_ms_median": _ms(statistics.median(signed_times)),
        "letter_verify_pyhanko_ms_median": _ms(statistics.median(check_times)),
        "letter_bytes": len(signed),
    }


def keys_for_bench():
    """A key directory of the bench's own (its keys say nothing about a real authority)."""
    return tempfile.TemporaryDirectory(prefix="agora-bench-keys-")
