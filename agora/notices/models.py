from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.core.validators import MaxLengthValidator, MinValueValidator
from django.db import models
from django.db.models import Count, ExpressionWrapper, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from agora.accounts.models import Organizer
from agora.rules.models import Agency, Jurisdiction, Rulebook
from agora.venues.models import Closure, Venue, VenueChange, Zone

from .workflow import GOING_AHEAD, IN_QUEUE, PENDING, WAITING, Status

PURPOSE_MAX = 2000
TEXT_MAX = 4000


class NoticeQuerySet(models.QuerySet):
    """Each question about notices, asked once by name."""

    def filed(self):
        return self.exclude(status=Status.DRAFT)

    def pending(self):
        """Waiting for the authority's decision."""
        return self.filter(status__in=PENDING)

    def in_queue(self):
        """Waiting for a decision or an appeal decision: the officer's queue."""
        return self.filter(status__in=IN_QUEUE)

    def waiting(self):
        """Not going ahead but still wanting the place: released time may be offered to them."""
        return self.filter(status__in=WAITING)

    def going_ahead(self):
        return self.filter(status__in=GOING_AHEAD)

    def contending(self):
        """Pending or going ahead: what may clash with another notice for the same place."""
        return self.filter(status__in=PENDING | GOING_AHEAD)

    def clashing_with(self, notice, gap: dt.timedelta = dt.timedelta(0)):
        """Other contending notices for the same venue at an overlapping time, or closer to
        it than `gap` (the rulebook's changeover: the two cannot follow each other then)."""
        return (
            self.contending()
            .filter(
                venue=notice.venue_id, starts_at__lt=notice.ends_at + gap, ends_at__gt=notice.starts_at - gap
            )
            .exclude(pk=notice.pk)
        )

    def with_review_facts(self, now, gap: dt.timedelta = dt.timedelta(0)):
        """For the officer's queue, in one query: how many notices clash with each (as
        `clashing_with` counts them), and whether its decision deadline has passed."""
        clashing = (
            Notice.objects.contending()
            .filter(
                venue=OuterRef("venue"),
                starts_at__lt=OuterRef("ends_at") + gap,
                ends_at__gt=OuterRef("starts_at") - gap,
            )
            .exclude(pk=OuterRef("pk"))
            .order_by()
            .values("venue")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return self.annotate(
            conflict_count=Coalesce(Subquery(clashing), 0),
            overdue=ExpressionWrapper(Q(decision_due_at__lt=now), output_field=models.BooleanField()),
        )

    # Who may see a notice: every page, the API and the letters ask here.
    def for_organizer(self, user):
        """The notices `user` organizes (none for anyone else)."""
        return self.filter(organizer__user_id=user.pk) if user.is_authenticated else self.none()

    def for_officer(self, user):
        """The notices of the jurisdiction `user` is an officer of (none for anyone else)."""
        return self.filter(jurisdiction__officers__user_id=user.pk) if user.is_authenticated else self.none()

    def with_letters_for(self, user):
        """Notices whose letters `user` may read: their organizer, officers of their
        jurisdiction, administrators. (The public sees each letter's hash, not the letter.)"""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.filter(Q(organizer__user_id=user.pk) | Q(jurisdiction__officers__user_id=user.pk))


def new_secret() -> str:
    return secrets.token_hex(32)


class Notice(models.Model):
    """An organizer's notice (or application) of an assembly at a place and time."""

    reference = models.CharField(
        max_length=32, unique=True, null=True, blank=True, help_text="Given when the notice is submitted."
    )
    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.PROTECT, related_name="notices")
    organizer = models.ForeignKey(Organizer, on_delete=models.PROTECT, related_name="notices")
    assembly_type = models.CharField(max_length=40)
    # what it is about, from the rulebook's closed list (public; empty for older notices)
    topic = models.CharField(max_length=40, blank=True)
    purpose = models.TextField(validators=[MaxLengthValidator(PURPOSE_MAX)], help_text="Public.")
    venue = models.ForeignKey(Venue, on_delete=models.PROTECT, related_name="notices")
    zone = models.ForeignKey(
        Zone,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="notices",
        help_text="Empty: any zone that fits.",
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    expected_participants = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    # What else the organizer accepts: other venues, and a window the time may shift within.
    acceptable_venues = models.ManyToManyField(Venue, blank=True, related_name="+")
    window_start = models.DateTimeField(null=True, blank=True)
    window_end = models.DateTimeField(null=True, blank=True)
    equipment = models.TextField(blank=True, validators=[MaxLengthValidator(TEXT_MAX)])
    stewards = models.PositiveIntegerField(default=0)
    # notified "as soon as practicable", where the rulebook lets this type be (the minimum
    # notice then does not apply)
    urgent = models.BooleanField(default=False, db_default=False)  # raw writers (the bench) need not name it
    language = models.CharField(max_length=2, choices=settings.LANGUAGES, default="ru")

    status = models.CharField(max_length=30, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)
    filed_at = models.DateTimeField(null=True, blank=True)
    decision_due_at = models.DateTimeField(null=True, blank=True)
    rulebook = models.ForeignKey(
        Rulebook,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text="The rulebook version in force when it was filed.",
    )
    # The organizer's own words, shown to them and to officers, never public.
    withdraw_reason = models.TextField(blank=True, validators=[MaxLengthValidator(TEXT_MAX)])
    appeal_text = models.TextField(blank=True, validators=[MaxLengthValidator(TEXT_MAX)])
    # The key of the fingerprints the public log keeps of the organizer's own words (withdrawal
    # reason, appeal): never published, so nobody can confirm a guess at the words by hashing it.
    secret = models.CharField(max_length=64, default=new_secret, editable=False)
    reminded_at = models.DateTimeField(
        null=True, blank=True, help_text="When the officers were reminded of the deadline."
    )
    violations = models.JSONField(
        default=list, blank=True, help_text="The rule pre-check at filing: [{code, message, ground}]."
    )
    displaced_by = models.ForeignKey(
        Closure,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="displaced",
        help_text="The authority's closure that took the place it had been accepted for.",
    )
    displaced_by_change = models.ForeignKey(
        VenueChange,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="displaced",
        help_text="The authority's change of the venue after which it no longer fit there.",
    )

    objects = NoticeQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="notice_ends_after_start",
                violation_error_message="The end must be after the start.",
            ),
            models.CheckConstraint(
                condition=Q(window_start__isnull=True, window_end__isnull=True)
                | Q(window_start__lte=F("starts_at"), window_end__gte=F("ends_at")),
                name="notice_window_contains_request",
                violation_error_message="The acceptable window must contain the requested time.",
            ),
            models.CheckConstraint(
                condition=Q(expected_participants__gte=1),
                name="notice_has_participants",
                violation_error_message="Expect at least one participant.",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(filed_at__isnull=False, reference__isnull=False),
                name="notice_filed_has_reference",
            ),
        ]
        indexes = [
            models.Index(fields=["jurisdiction", "status", "decision_due_at"]),
            models.Index(fields=["venue", "starts_at"]),
            # the officer's queue: its page read in deadline order and counted from this alone,
            # however many decided notices the years leave beside it
            models.Index(
                fields=["jurisdiction", "decision_due_at", "filed_at"],
                condition=Q(status__in=sorted(IN_QUEUE)),
                name="officer_queue",
            ),
            # the public register: keyset pages by (filed_at, id), newest first, per filter
            models.Index(fields=["-filed_at", "-id"], name="register_page"),
            models.Index(fields=["venue", "-filed_at", "-id"], name="register_by_venue"),
            models.Index(fields=["status", "-filed_at", "-id"], name="register_by_status"),
            models.Index(fields=["assembly_type", "-filed_at", "-id"], name="register_by_type"),
            # place + type + date range: an index-only scan finds the page's ids (PostgreSQL)
            models.Index(
                fields=["venue", "assembly_type", "starts_at"],
                include=["filed_at", "status"],
                name="register_by_venue_type_day",
            ),
        ]
        ordering = ["-filed_at", "-pk"]

    def __str__(self) -> str:
        return self.reference or f"draft #{self.pk}"

    def broken_checks(self) -> list[str]:
        """The messages of the check constraints below that this notice breaks, found in
        Python. The database's constraints are the guarantee; this gives their words before
        the insert without the round trip (and savepoint) Django spends on each of them.
        As in SQL, a condition that is unknown (a comparison with NULL) is not broken.
        tests/notices/test_checks.py holds the two to the same answers."""

        def below(a, b) -> bool:  # a < b, definitely
            return a is not None and b is not None and a < b

        start, end, ws, we = self.starts_at, self.ends_at, self.window_start, self.window_end
        message = {c.name: c.violation_error_message for c in self._meta.constraints}
        broken = []
        if start is not None and end is not None and not end > start:
            broken.append(message["notice_ends_after_start"])
        if (ws, we) != (None, None) and (below(start, ws) or below(we, end)):
            broken.append(message["notice_window_contains_request"])
        if below(self.expected_participants, 1):
            broken.append(message["notice_has_participants"])
        return broken

    @property
    def awaiting_decision(self) -> bool:
        """Its decision deadline still runs (decided notices show their decisions instead)."""
        return self.status in PENDING

    @property
    def local_day(self):
        """The day it starts on, in its jurisdiction (the day its day plan is of)."""
        return self.jurisdiction.local_day(self.starts_at)


class Decision(models.Model):
    """A decision on a notice: by an officer, by silence at the deadline, or on appeal."""

    notice = models.ForeignKey(Notice, on_delete=models.PROTECT, related_name="decisions")
    reference = models.CharField(max_length=40, unique=True)
    outcome = models.CharField(max_length=30, choices=Status.choices)
    grounds = models.JSONField(default=list, blank=True, help_text="Codes from the rulebook's closed list.")
    reasoning = models.TextField(blank=True, validators=[MaxLengthValidator(TEXT_MAX)])
    conditions = models.TextField(blank=True, validators=[MaxLengthValidator(TEXT_MAX)])
    alternative = models.JSONField(
        null=True, blank=True, help_text="{venue, zones, starts_at, ends_at} offered instead."
    )
    alternative_answer = models.CharField(
        max_length=10,
        blank=True,
        choices=[("accepted", _("Accepted")), ("declined", _("Declined"))],
        help_text="The organizer's answer to the alternative; empty while it is open.",
    )
    alternative_answered_at = models.DateTimeField(null=True, blank=True)
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty for decisions by silence.",
    )
    rulebook = models.ForeignKey(Rulebook, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField()
    # why the officer decided before every consultation the rules require was answered or ran
    # out (public, like the reasoning); empty when none was outstanding
    consultation_note = models.TextField(
        blank=True, default="", db_default="", validators=[MaxLengthValidator(TEXT_MAX)]
    )  # db_default: raw writers (the bench's history) need not name it

    class Meta:
        ordering = ["decided_at", "pk"]
        # the feed and the register read decisions newest first: an index, not a sort of all
        indexes = [models.Index(fields=["decided_at", "id"], name="decision_by_time")]

    def __str__(self) -> str:
        return f"{self.reference}: {self.outcome}"

    @property
    def after_deadline(self) -> bool:
        due = self.notice.decision_due_at
        return due is not None and self.decided_at > due

    @property
    def too_late_for_court(self) -> bool:
        """Made later than the rulebook's days a court needs before the assembly."""
        appeal = self.rulebook.rules.appeal if self.rulebook_id else None
        days = appeal.court_days if appeal else None
        return bool(days) and self.decided_at > self.notice.starts_at - dt.timedelta(days=days)


class Letter(models.Model):
    """The PDF letter of a decision, made once and kept: its hash is published on the
    decision's public page, so the letter an organizer holds can be verified."""

    decision = models.OneToOneField(Decision, on_delete=models.PROTECT, related_name="letter")
    pdf = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    language = models.CharField(max_length=2)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"letter {self.decision.reference}"


class Receipt(models.Model):
    """The filing receipt of a notice, made once and kept: the filing's event in the log with
    its inclusion proof and the signed checkpoint (`bundle`, the JSON receipt), and the same
    as a signed PDF. It settles who filed first without trusting the server later."""

    notice = models.OneToOneField(Notice, on_delete=models.PROTECT, related_name="receipt")
    bundle = models.JSONField()
    pdf = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"receipt {self.notice.reference}"


class ConsultationQuerySet(models.QuerySet):
    def outstanding(self):
        """Neither answered nor run out: the decision waits for these."""
        return self.filter(state=Consultation.State.PENDING)

    def for_staff(self, user):
        """The consultations sent to `user`'s agency (none for anyone else)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(agency__staff__user_id=user.pk)


class Consultation(models.Model):
    """One agency's sign-off on a notice, asked at filing when the rulebook requires it, in
    parallel with the others, each by its own deadline (within the authority's)."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for the answer")
        CONSENTED = "consented", _("Consents")
        CONSENTED_WITH_CONDITIONS = "consented_with_conditions", _("Consents with conditions")
        OBJECTED = "objected", _("Objects")
        DEEMED_CONSENTED = "deemed_consented", _("No answer in time: consent")
        TIMED_OUT = "timed_out", _("No answer in time")

    notice = models.ForeignKey(Notice, on_delete=models.PROTECT, related_name="consultations")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="consultations")
    requested_at = models.DateTimeField()
    due_at = models.DateTimeField()
    silence = models.CharField(
        max_length=10, help_text="What its silence at the deadline means: consent or nothing."
    )
    state = models.CharField(max_length=30, choices=State.choices, default=State.PENDING)
    conditions = models.JSONField(
        default=list, blank=True, help_text="Codes from the rulebook's closed list."
    )
    conditions_text = models.TextField(blank=True, validators=[MaxLengthValidator(TEXT_MAX)])
    reasons = models.TextField(blank=True, validators=[MaxLengthValidator(TEXT_MAX)])
    # who answered: the agency's staff member (shown to nobody outside the authority)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    # when the agency's staff were reminded that the answer is due (a day before; once)
    reminded_at = models.DateTimeField(null=True, blank=True)

    objects = ConsultationQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["notice", "agency"], name="consultation_once_per_agency"),
            models.CheckConstraint(
                condition=Q(due_at__gte=F("requested_at")), name="consultation_due_after_request"
            ),
        ]
        indexes = [models.Index(fields=["agency", "state", "due_at"], name="consultation_queue")]
        ordering = ["due_at", "pk"]

    def __str__(self) -> str:
        return f"{self.notice} / {self.agency.code}: {self.state}"

    @property
    def answered(self) -> bool:
        return self.state != self.State.PENDING
