"""Decisions are sealed in the audit log: each one's content fingerprint is recorded when it
is made (`decision.made`), so anyone holding the decision's text can check it against the
public log. `agora audit verify` compares every decision with the state the log keeps of it
(notices/ledger.py), field by field."""

from __future__ import annotations

import hashlib
import json

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
