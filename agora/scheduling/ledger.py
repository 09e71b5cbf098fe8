"""What the audit log keeps of bookings and offers (agora.audit.state): `verify` replays it
against the tables, so a booking deleted or its held time shortened by SQL is named."""

from __future__ import annotations

from agora.audit.state import Shape

from .models import Booking, MoveRequest, Offer

BOOKING = Shape(
    Booking,
    clear=(
        "notice",
        "zone",
        "starts_at",
        "ends_at",
        "held_until",
        "participants",
        "created_at",
        "checked_in_at",
        "checked_out_at",
        "released_at",
        "release_reason",
        "offer",
        "alternative",
    ),
    unkept={"id": "the record's key"},
)

OFFER = Shape(
    Offer,
    clear=("notice", "starts_at", "ends_at", "offered_at", "expires_at", "state", "answered_at"),
    unkept={"id": "the record's key"},
)

MOVE_REQUEST = Shape(
    MoveRequest,
    clear=(
        "notice",
        "venue",
        "zones",
        "starts_at",
        "ends_at",
        "asked_at",
        "asked_by",
        "expires_at",
        "fits_without",
        "fits_with",
        "state",
        "answered_at",
    ),
    unkept={"id": "the record's key"},
)
