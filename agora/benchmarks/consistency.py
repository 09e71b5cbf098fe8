"""Checks of the database after load or a crash: overlaps, half-written rows, the audit chain.

Every write is one transaction with its audit event, so after any crash each notice
filed has its `notice.filed` event, each decision its `decision.made` seal, each booking
its `booking.created` event, and the chain verifies. These functions count exceptions.
"""

from __future__ import annotations

from collections import defaultdict


def overlaps() -> int:
    """Pairs of bookings on one zone whose held time [starts_at, held_until) overlaps."""
    from agora.scheduling.models import Booking

    by_zone = defaultdict(list)
    for zone, start, end in Booking.objects.values_list("zone_id", "starts_at", "held_until"):
        if end > start:
            by_zone[zone].append((start, end))
    count = 0
    for spans in by_zone.values():
        spans.sort()
        for i, (_start, end) in enumerate(spans):
            for other_start, _other_end in spans[i + 1 :]:
                if other_start >= end:
                    break
                count += 1
    return count


def consistency() -> dict:
    from agora.audit.models import AuditEvent
    from agora.audit.services import verify_chain
    from agora.notices.models import Decision, Notice
    from agora.scheduling.models import Booking

    def objects_with(event: str) -> set[str]:
        return set(
            AuditEvent.objects.filter(event=event, object_type="notice").values_list("object_id", flat=True)
        )

    filed_events = objects_with("notice.filed")
    booked_events = objects_with("booking.created")
    sealed = {
        data.get("reference")
        for data in AuditEvent.objects.filter(event="decision.made").values_list("data", flat=True)
    }
    notices = Notice.objects.filter(filed_at__isnull=False).values_list("pk", flat=True)
    booked = Booking.objects.filter(offer__isnull=True).values_list("notice_id", flat=True).distinct()
    verdict = verify_chain()
    return {
        "notices_without_event": sum(1 for pk in notices if str(pk) not in filed_events),
        "decisions_without_seal": sum(
            1 for ref in Decision.objects.values_list("reference", flat=True) if ref not in sealed
        ),
        "bookings_without_event": sum(1 for pk in booked if str(pk) not in booked_events),
        "audit_ok": verdict.ok,
        "audit_events": AuditEvent.objects.count(),
    }
