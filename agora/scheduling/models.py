from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from agora.notices.models import Decision, Notice
from agora.venues.models import Zone

# the release reason of what a notice gave up when its organizer agreed to move it
MOVED = "moved"


class BookingQuerySet(models.QuerySet):
    def firm(self):
        """What notices hold as their own: not the holds of offers still pending, declined,
        expired or cancelled, nor of a decision's alternative not accepted, nor what a notice
        gave up when it agreed to move."""
        return (
            self.filter(Q(offer__isnull=True) | Q(offer__state="accepted"))
            .filter(Q(alternative__isnull=True) | Q(alternative__alternative_answer="accepted"))
            .exclude(release_reason=MOVED)
        )

    def for_open_alternatives(self):
        """What decisions' alternatives hold while their organizers have not answered."""
        return self.filter(alternative__isnull=False, alternative__alternative_answer="")


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
    alternative = models.ForeignKey(
        Decision,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="holds",
        help_text="The decision whose alternative this booking holds: the notice's own once the "
        "organizer accepts it, released when they decline or the notice moves on.",
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


class MoveRequestQuerySet(models.QuerySet):
    def asked(self):
        """Requests that count as the organizer asked: pending or answered (accepted,
        declined, expired). An organizer is asked once per notice; a request withdrawn
        before its answer (cancelled) does not count."""
        return self.exclude(state=MoveRequest.State.CANCELLED)


class MoveRequest(models.Model):
    """An officer asks the organizer of an accepted assembly whether it may move to another
    place or time within what they said they accept, so that more of the notices waiting
    for that day fit (PRODUCT.md §4.3: never moved without the organizer's consent).

    Nothing moves while it is pending: the booking stands, and the new time is not held (it
    overlaps the booking's own time as often as not). Accepting re-checks that the new
    place is free and moves the booking in one transaction; declining, expiry, or the notice
    no longer going ahead leaves the booking as it was."""

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        EXPIRED = "expired", "Expired"
        CANCELLED = "cancelled", "Cancelled"

    notice = models.ForeignKey(Notice, on_delete=models.PROTECT, related_name="move_requests")
    venue = models.ForeignKey("venues.Venue", on_delete=models.PROTECT, related_name="+")
    zones = models.JSONField(default=list, help_text="The zones of the venue the notice would hold.")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    asked_at = models.DateTimeField()
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    expires_at = models.DateTimeField()
    # what the day plan fitted of the notices waiting for that day, without and with the move
    fits_without = models.PositiveIntegerField()
    fits_with = models.PositiveIntegerField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    answered_at = models.DateTimeField(null=True, blank=True)

    objects = MoveRequestQuerySet.as_manager()

    objects = MoveRequestQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="move_ends_after_start"),
            models.CheckConstraint(condition=Q(expires_at__lte=F("starts_at")), name="move_expires_by_start"),
            models.UniqueConstraint(
                fields=["notice"], condition=Q(state="pending"), name="one_pending_move_per_notice"
            ),
        ]
        ordering = ["asked_at", "pk"]

    def __str__(self) -> str:
        return f"move #{self.pk} of {self.notice} ({self.state})"
