"""Decisions are sealed in the audit log: each one's content fingerprint is recorded when
it is made, and `agora audit verify` recomputes it from the row as it is today, so a
decision rewritten by SQL (or any other way around the services) is caught even though
the audit chain itself is intact."""

from __future__ import annotations

import hashlib
import json

from agora.audit.models import AuditEvent

from .models import Decision


def fingerprint(decision: Decision) -> str:
    content = {
        "reference": decision.reference,
        "notice": decision.notice_id,
        "outcome": decision.outcome,
        "grounds": list(decision.grounds),
        "reasoning": decision.reasoning,
        "conditions": decision.conditions,
        "alternative": decision.alternative,
        "officer": decision.officer_id,
        "rulebook": decision.rulebook_id,
        "decided_at": decision.decided_at.isoformat(),
    }
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def sealed_fingerprints() -> dict[str, str]:
    return {
        event["data"]["reference"]: event["data"]["fingerprint"]
        for event in AuditEvent.objects.filter(event="decision.made").values("data")
    }


def check_decisions() -> list[str]:
    """Every decision whose content differs from what was sealed (or was never sealed)."""
    sealed = sealed_fingerprints()
    problems = []
    for decision in Decision.objects.order_by("pk").iterator(chunk_size=2000):
        recorded = sealed.get(decision.reference)
        if recorded is None:
            problems.append(f"decision {decision.reference} has no seal in the audit log")
        elif recorded != fingerprint(decision):
            problems.append(f"decision {decision.reference} was changed after it was made")
    return problems
