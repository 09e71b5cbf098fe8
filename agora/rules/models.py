from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from functools import cached_property
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from agora.i18n import pick, validate_names

from .calendar import WorkingCalendar
from .rulebook import Rulebook as RulebookData
from .rulebook import rulebook_from_data


class Rulebook(models.Model):
    """One version of a rulebook; immutable once loaded (decisions point at it)."""

    code = models.SlugField(max_length=40)
    version = models.PositiveIntegerField()
    title = models.JSONField(default=dict)
    data = models.JSONField(help_text="The resolved rulebook (after `extends`), validated.")
    source = models.TextField(help_text="The YAML text it was loaded from.")
    sha256 = models.CharField(max_length=64, editable=False)
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="rulebook_code_version_unique")
        ]
        ordering = ["code", "-version"]

    def __str__(self) -> str:
        return f"{self.code} v{self.version}"

    @staticmethod
    def digest(data: dict) -> str:
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()

    @cached_property
    def rules(self) -> RulebookData:
        # A loaded version never changes and its parsed form is frozen, so it is parsed once per
        # process, not once per row that fetches it (a queue or a check reads it for each notice).
        if not self.sha256:
            return rulebook_from_data(self.data)
        parsed = _PARSED.get(self.sha256)
        if parsed is None:
            parsed = _PARSED[self.sha256] = rulebook_from_data(self.data)
        return parsed


_PARSED: dict[str, RulebookData] = {}  # sha256 of a rulebook's data -> the parsed rulebook


class Jurisdiction(models.Model):
    """An authority deciding on notices (e.g. the Almaty mayor's office)."""

    slug = models.SlugField(max_length=60, unique=True)
    name = models.JSONField(validators=[validate_names])
    timezone = models.CharField(max_length=64, default="Asia/Almaty")
    languages = models.JSONField(default=list, help_text='e.g. ["kk", "ru", "en"]')
    rulebook = models.ForeignKey(Rulebook, on_delete=models.PROTECT, related_name="jurisdictions")
    reference_prefix = models.CharField(
        max_length=8, help_text="Prefix of notice and letter reference numbers, e.g. ALA."
    )
    # where the authority sits, as its letters give it, in each language
    address = models.JSONField(default=dict, blank=True, help_text='{"en": …, "ru": …, "kk": …}')
    # a new random value whenever one of its calendar days is saved or deleted, so every
    # process sees that its kept calendar is stale without asking (it comes with the row);
    # random, not counted up, so a change rolled back never shares a value with a later one
    calendar_version = models.BigIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return pick(self.name)

    def clean(self) -> None:
        if self.rulebook_id and self.rulebook.rules.timezone != self.timezone:
            raise ValidationError(
                {"timezone": f"The rulebook uses {self.rulebook.rules.timezone}; use the same."}
            )

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def local_day(self, moment: dt.datetime) -> dt.date:
        """The jurisdiction's calendar day a moment falls on."""
        return moment.astimezone(self.tz).date()

    def day_bounds(self, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
        """Local midnight to the next local midnight of `day` (23 or 25 hours on a DST change)."""
        return (
            dt.datetime.combine(day, dt.time(), self.tz),
            dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), self.tz),
        )

    def at(self, day: dt.date, time: dt.time) -> dt.datetime:
        """A local date and time of the jurisdiction as a moment."""
        return dt.datetime.combine(day, time, self.tz)

    def calendar(self) -> WorkingCalendar:
        """Its working calendar: the rulebook's, with the days the authority declared.

        Kept per process under (jurisdiction, `calendar_version`, rulebook): the version
        comes with the row, so a day declared by any process is seen by the next request
        that reads the jurisdiction, and a filing reads no calendar days at all."""
        key = (self.pk, self.calendar_version, self.rulebook.sha256 or self.rulebook_id)
        kept = not getattr(self, "_calendar_unknown", False)
        calendar = _CALENDARS.get(key) if kept else None
        if calendar is None:
            days = list(self.calendar_days.values_list("date", "kind"))
            calendar = WorkingCalendar.from_rulebook_calendar(
                self.rulebook.rules.calendar,
                [d for d, kind in days if kind == CalendarDay.Kind.HOLIDAY],
                [d for d, kind in days if kind == CalendarDay.Kind.WORKING_DAY],
            )
            if len(_CALENDARS) >= 256:  # old versions are never asked for again
                _CALENDARS.clear()
            if kept:
                _CALENDARS[key] = calendar
        return calendar


class CalendarDay(models.Model):
    """A day the authority declared a holiday, or a working day (e.g. a Saturday that makes
    up for a bridged holiday), beyond the `holidays` package and the rulebook. Declared through
    `notices.authority.declare_calendar_day` (audited; deadlines move forward only)."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("holiday")
        WORKING_DAY = "working_day", _("working day")

    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.CASCADE, related_name="calendar_days")
    date = models.DateField()
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.HOLIDAY)
    name = models.CharField(max_length=200)
    declared_at = models.DateTimeField(null=True, blank=True)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["jurisdiction", "date"], name="extra_holiday_unique")]
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date}: {self.name} ({self.get_kind_display()})"


_CALENDARS: dict[tuple, WorkingCalendar] = {}  # (jurisdiction, calendar version, rulebook) -> calendar


@receiver([post_save, post_delete], sender=CalendarDay)
def _calendar_changed(instance, **kwargs) -> None:
    """A new calendar version, in the same transaction as the change (rolled back with it).
    The jurisdiction the day was declared with no longer knows its version (the change may
    yet be rolled back), so it reads its calendar days whenever asked."""
    Jurisdiction.objects.filter(pk=instance.jurisdiction_id).update(calendar_version=secrets.randbits(62))
    if "jurisdiction" in instance._state.fields_cache:
        instance.jurisdiction._calendar_unknown = True


class Agency(models.Model):
    """An agency the jurisdiction consults before it decides (police, traffic, emergency
    services): its rulebook says which notices need whose sign-off (`consultation.rules`, by
    the agency's `code`), by when, and what its silence means."""

    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.PROTECT, related_name="agencies")
    code = models.SlugField(max_length=40, help_text="As the rulebook's consultation rules name it.")
    name = models.JSONField(validators=[validate_names], help_text='{"en": …, "ru": …, "kk": …}')

    class Meta:
        constraints = [models.UniqueConstraint(fields=["jurisdiction", "code"], name="agency_code_unique")]
        ordering = ["jurisdiction", "code"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return pick(self.name)
