"""The whole register as one file, written by the job queue every night (`agora dump-register`
by hand): gzip'd JSON Lines of every public row, the same rows as /register.jsonl, beside a
small JSON file saying when it was made, how many rows it holds and its SHA-256. Written to a
temporary file and renamed, so a reader never gets half a dump."""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
import os
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from .queries import export_rows, filtered

NAME = "agora-register.jsonl.gz"


def folder() -> Path:
    return Path(settings.REGISTER_DUMP_DIR)


def latest() -> dict | None:
    """What the last dump holds ({generated_at, rows, sha256, bytes}), or None before the first."""
    try:
        about = json.loads((folder() / f"{NAME}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not (folder() / NAME).exists():
        return None
    about["generated_at"] = dt.datetime.fromisoformat(about["generated_at"])
    return about


def write(now: dt.datetime | None = None) -> dict:
    """Write the dump; returns what `latest` will say of it."""
    now = now or timezone.now()
    folder().mkdir(parents=True, exist_ok=True)
    target, partial = folder() / NAME, folder() / f".{NAME}.partial"
    rows, digest = 0, hashlib.sha256()
    with (
        open(partial, "wb") as raw,
        gzip.GzipFile(fileobj=_Hashed(raw, digest), mode="wb", mtime=0) as zipped,
    ):
        for row in export_rows(filtered({})):
            zipped.write((json.dumps(row, ensure_ascii=False) + "\n").encode())
            rows += 1
    about = {
        "generated_at": now.isoformat(),
        "rows": rows,
        "sha256": digest.hexdigest(),
        "bytes": partial.stat().st_size,
    }
    os.replace(partial, target)
    (folder() / f"{NAME}.json").write_text(json.dumps(about), encoding="utf-8")
    return {**about, "generated_at": now}


class _Hashed:
    """A file that hashes what is written to it (the dump's digest, without reading it back)."""

    def __init__(self, raw, digest):
        self.raw, self.digest = raw, digest

    def write(self, data) -> int:
        self.digest.update(data)
        return self.raw.write(data)

    def flush(self) -> None:
        self.raw.flush()
