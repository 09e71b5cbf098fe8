from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import transaction

from agora.audit.services import record

from .models import Rulebook
from .rulebook import RulebookError, load_rulebook_texts, rulebook_from_data


def load_rulebooks(directory: Path | None = None) -> list[tuple[Rulebook, bool]]:
    """Load every *.yaml rulebook of `directory`; returns (rulebook, created) pairs.

    A version once loaded never changes: loading a different text under the same id and
    version is refused (bump `version:` instead), because decisions point at it.
    """
    directory = Path(directory or settings.AGORA_RULEBOOK_DIR)
    files = sorted(directory.glob("*.yaml"))
    if not files:
        raise RulebookError(f"{directory}: no *.yaml rulebooks found")
    texts = {f.name: f.read_text(encoding="utf-8") for f in files}
    parsed = load_rulebook_texts(texts)
    results = []
    with transaction.atomic():
        for rid, (rulebook, data, name) in parsed.items():
            digest = Rulebook.digest(data)
            existing = Rulebook.objects.filter(code=rid, version=rulebook.version).first()
            if existing is not None:
                # the same rules: the same data, or data an older schema wrote that reads the
                # same (a field added since, with its default; a short form spelled out)
                if existing.sha256 != digest and rulebook_from_data(existing.data) != rulebook:
                    raise RulebookError(
                        f"{rid} version {rulebook.version} is already loaded with different rules; "
                        "give the changed file a new `version:`"
                    )
                results.append((existing, False))
                continue
            row = Rulebook.objects.create(
                code=rid,
                version=rulebook.version,
                title=dict(rulebook.title),
                data=data,
                source=texts[name],
                sha256=digest,
            )
            record("rulebook.loaded", None, row, {"code": rid, "version": rulebook.version, "sha256": digest})
            results.append((row, True))
    return results


def latest(code: str) -> Rulebook:
    return Rulebook.objects.filter(code=code).order_by("-version").first()
