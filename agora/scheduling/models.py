from __future__ import annotations

from django.db import models
from django.db.models import F, Q

from agora.notices.models import Notice
from agora.venues.models import Zone


class Booking(models.Model):
    """The time a notice holds on one zone of a venue.

    [starts_at, ends_at) is what was booked and stays as the record; [starts_at, held_until)
    is what the booking still holds. Releasing (check-out, no-show, withdrawal) only moves
    held_until earlier, so the register can show both. No two bookings hold overlapping
    time on a zone: enforced by the database (see migrations/0002 and docs/locking.md).
    """

    notice = models.ForeignKey(Notice, on_delete=models.PROTECT, related_name="bookings")
    zone = models.ForeignKey(Zone, on_delete=models.PROTECT, related_name="bookings")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    held_until = models.DateTimeField()
    participants = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    checked_out_at = models.DateTimeField(null=True, blank=True)
    released_at = models.DateTimeField(null=True, blank=True)
    release_reason = models.CharField(max_length=40, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="booking_ends_after_start"),
            models.CheckConstraint(
                condition=Q(held_until__gte=F("starts_at"), held_until__lte=F("ends_at")),
                name="booking_held_within_booked",
            ),
            models.UniqueConstraint(fields=["notice", "zone"], name="booking_one_per_notice_zone"),
        ]
        indexes = [models.Index(fields=["zone", "starts_at", "held_until"])]
        ordering = ["starts_at", "zone"]

    def __str__(self) -> str:
        return f"{self.zone} {self.starts_at:%Y-%m-%d %H:%M}–{self.ends_at:%H:%M} ({self.notice})"

    @property
    def is_released(self) -> bool:
        return self.held_until < self.ends_at
