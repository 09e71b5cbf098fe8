"""What the audit log keeps of notices and decisions (agora.audit.state): `verify` replays it
against the tables, so a filing time moved, a status rewritten or a decision deleted by SQL
is named."""

from __future__ import annotations

from agora.audit.state import Shape

from .models import Consultation, Decision, Notice
from .workflow import Status

NOTICE = Shape(
    Notice,
    clear=(
        "reference",
        "jurisdiction",
        "assembly_type",
        "topic",
        "venue",
        "zone",
        "starts_at",
        "ends_at",
        "expected_participants",
        "window_start",
        "window_end",
        "stewards",
        "urgent",
        "language",
        "status",
        "created_at",
        "filed_at",
        "decision_due_at",
        "rulebook",
        "displaced_by",
        "displaced_by_change",
    ),
    digested=("purpose", "violations"),
    private=("organizer", "equipment", "withdraw_reason", "appeal_text"),
    many=("acceptable_venues",),
    unkept={
        "id": "the record's key",
        "secret": "the key of its private fingerprints, never published",
        "reminded_at": "when the officers were reminded of the deadline: decides nothing",
    },
    key=lambda row: row["secret"].encode(),
    # a draft is its organizer's alone: nothing of it in clear
    concealed=lambda row: row["status"] == Status.DRAFT,
    label="reference",
)

DECISION = Shape(
    Decision,
    clear=(
        "notice",
        "reference",
        "outcome",
        "grounds",
        "alternative_answer",
        "alternative_answered_at",
        "officer",
        "rulebook",
        "decided_at",
    ),
    digested=("reasoning", "conditions", "alternative", "consultation_note"),
    unkept={"id": "the record's key"},
    label="reference",
)

CONSULTATION = Shape(
    Consultation,
    clear=(
        "notice",
        "agency",
        "requested_at",
        "due_at",
        "silence",
        "state",
        "conditions",
        "answered_by",
        "answered_at",
    ),
    digested=("conditions_text", "reasons"),
    unkept={
        "id": "the record's key",
        "reminded_at": "when the agency's staff were reminded of the deadline: decides nothing",
    },
)
