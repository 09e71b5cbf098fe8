from __future__ import annotations

import math

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from agora.i18n import pick, validate_names
from agora.rules.models import Jurisdiction

from .geometry import area_m2, validate_geometry

# Persons per square metre for a standing crowd that can still move and leave safely.
DEFAULT_CROWD_DENSITY = 2.0


class Venue(models.Model):
    """A designated place for assemblies (or, with designated=False, any other place)."""

    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.PROTECT, related_name="venues")
    slug = models.SlugField(max_length=80)
    name = models.JSONField(validators=[validate_names])
    address = models.CharField(max_length=300, blank=True)
    designated = models.BooleanField(default=True)
    geometry = models.JSONField(validators=[validate_geometry], help_text="GeoJSON Polygon or MultiPolygon.")
    geometry_note = models.CharField(max_length=300, blank=True, help_text="e.g. 'illustrative outline'.")
    crowd_density = models.FloatField(
        default=DEFAULT_CROWD_DENSITY,
        validators=[MinValueValidator(0.1)],
        help_text="Safe persons per square metre, used to derive the capacity from the area.",
    )
    capacity_override = models.PositiveIntegerField(null=True, blank=True)
    opens_at = models.TimeField(null=True, blank=True, help_text="Empty: the rulebook's hours.")
    closes_at = models.TimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["jurisdiction", "slug"], name="venue_slug_unique"),
            models.CheckConstraint(
                condition=Q(opens_at__isnull=True, closes_at__isnull=True)
                | Q(opens_at__lt=models.F("closes_at")),
                name="venue_hours_ordered",
                violation_error_message="Opening time must be before closing time (or leave both empty).",
            ),
        ]
        ordering = ["jurisdiction", "slug"]

    def __str__(self) -> str:
        return pick(self.name)

    @property
    def area_m2(self) -> float:
        return area_m2(self.geometry)

    @property
    def capacity(self) -> int:
        if self.capacity_override is not None:
            return self.capacity_override
        return math.floor(self.area_m2 * self.crowd_density)

    def lawful_capacity(self, day=None) -> int:
        """Its capacity, or the lower number the law sets for the place on `day` (today)."""
        from django.utils import timezone

        day = day or self.jurisdiction.local_day(timezone.now())
        rule = self.jurisdiction.rulebook.rules.place_rule(self.slug, day)
        return min(self.capacity, rule.capacity) if rule is not None and rule.capacity else self.capacity

    @property
    def capacity_today(self) -> int:
        return self.lawful_capacity()


class Zone(models.Model):
    """A part of a venue that can host an assembly of its own; bookings are per zone.

    A venue without parts has one zone covering all of it.
    """

    venue = models.ForeignKey(Venue, on_delete=models.CASCADE, related_name="zones")
    slug = models.SlugField(max_length=40)
    name = models.JSONField(validators=[validate_names])
    geometry = models.JSONField(null=True, blank=True, validators=[validate_geometry])
    capacity_override = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["venue", "slug"], name="zone_slug_unique")]
        ordering = ["venue", "slug"]

    def __str__(self) -> str:
        return f"{self.venue} / {pick(self.name)}"

    @property
    def capacity(self) -> int:
        if self.capacity_override is not None:
            return self.capacity_override
        if self.geometry:
            return math.floor(area_m2(self.geometry) * self.venue.crowd_density)
        return self.venue.capacity // max(1, self.venue.zones.count())


class ClosureQuerySet(models.QuerySet):
    def in_force(self, start, end):
        """Closures that close the place at some instant of [start, end): declared over it
        and not lifted before."""
        return (
            self.filter(starts_at__lt=end, ends_at__gt=start)
            .exclude(lifted_at__lte=models.F("starts_at"))
            .filter(Q(lifted_at__isnull=True) | Q(lifted_at__gt=start))
        )


class Closure(models.Model):
    """A public closure of a venue (or one zone): maintenance, a state event."""

    class Kind(models.TextChoices):
        MAINTENANCE = "maintenance", "Maintenance"
        STATE_EVENT = "state_event", "State event"
        OTHER = "other", "Other"

    venue = models.ForeignKey(Venue, on_delete=models.CASCADE, related_name="closures")
    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, null=True, blank=True, related_name="closures")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    reason = models.CharField(max_length=500, help_text="Public: shown on the venue page.")
    # The authority's act, in public: on what legal basis, when and by whom it was declared
    # (empty on closures entered before closures were declared through the service).
    ground = models.CharField(max_length=40, blank=True, help_text="From the rulebook's closure grounds.")
    declared_at = models.DateTimeField(null=True, blank=True)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    lifted_at = models.DateTimeField(
        null=True, blank=True, help_text="Lifted early: from then on the place is open."
    )
    lift_reason = models.CharField(max_length=500, blank=True)

    objects = ClosureQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="closure_ends_after_start",
                violation_error_message="A closure must end after it starts.",
            )
        ]
        ordering = ["starts_at"]

    def __str__(self) -> str:
        return f"{self.venue} closed {self.starts_at:%Y-%m-%d %H:%M}: {self.reason}"

    @property
    def until(self):
        """When the place opens again: the declared end, or the moment it was lifted."""
        return min(self.ends_at, self.lifted_at) if self.lifted_at else self.ends_at

    def clean(self) -> None:
        if self.zone_id and self.zone.venue_id != self.venue_id:
            raise ValidationError({"zone": "The zone must belong to the closed venue."})


class VenueChange(models.Model):
    """A change the authority made to a venue (designation, capacity, hours, outline, zones),
    made through `notices.authority.change_venue`: public with its reasons, when it was made
    and what it changed (old → new)."""

    venue = models.ForeignKey(Venue, on_delete=models.PROTECT, related_name="changes")
    changes = models.JSONField(help_text='{"field": [old, new]}; zone fields as "zone:<slug>.<field>".')
    reason = models.CharField(max_length=500, help_text="Public: shown on the venue page.")
    declared_at = models.DateTimeField()
    declared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-declared_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.venue} changed {self.declared_at:%Y-%m-%d %H:%M}: {', '.join(self.changes)}"
