from __future__ import annotations

from django.db import models
from django.db.models import F, Q

from agora.notices.models import Notice
from agora.venues.models import Zone


class BookingQuerySet(models.QuerySet):
    def firm(self):
        """What notices hold as their own: not the holds of offers still pending, declined,
        expired or cancelled."""
        return self.filter(Q(offer__isnull=True) | Q(offer__state="accepted"))


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
    offer = models.ForeignKey(
        "Offer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="holds",
        help_text="Set while this booking holds released time offered to the notice.",
    )

    objects = BookingQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="booking_ends_after_start"),
            models.CheckConstraint(
                condition=Q(held_until__gte=F("starts_at"), held_until__lte=F("ends_at")),
                name="booking_held_within_booked",
            ),
        ]
        indexes = [models.Index(fields=["zone", "starts_at", "held_until"])]
        ordering = ["starts_at", "zone"]

    def __str__(self) -> str:
        return f"{self.zone} {self.starts_at:%Y-%m-%d %H:%M}–{self.ends_at:%H:%M} ({self.notice})"

    @property
    def is_released(self) -> bool:
        return self.held_until < self.ends_at


class Offer(models.Model):
    """Released time offered to a waiting notice, held for it until `expires_at`.

    The held time is a Booking (with `offer` set), so the no-overlap guarantee covers
    offers too. Accepting makes the hold the notice's booking; declining or expiry
    releases it and the time passes to the next waiting notice in filing order.
    """

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        EXPIRED = "expired", "Expired"
        # the notice moved on (accepted elsewhere, withdrawn, appealed) while it was pending
        CANCELLED = "cancelled", "Cancelled"

    notice = models.ForeignKey(Notice, on_delete=models.PROTECT, related_name="offers")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    offered_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="offer_ends_after_start"),
            models.CheckConstraint(
                condition=Q(expires_at__lte=F("starts_at")), name="offer_expires_by_start"
            ),
            models.UniqueConstraint(
                fields=["notice"], condition=Q(state="pending"), name="one_pending_offer_per_notice"
            ),
        ]
        ordering = ["offered_at", "pk"]

    def __str__(self) -> str:
        return f"offer #{self.pk} to {self.notice} ({self.state})"
