"""People and their roles. Personal data lives here and nowhere public.

- Organizer: files notices. A private person is shown publicly only as
  "private organizer #<id>"; an organization by its name.
- Officer: staff of one jurisdiction; may decide only there. An officer who administers the
  jurisdiction also declares its closures (and, later, its venue and calendar changes).
- Administrator of the site: a Django superuser (configuration, never the authority's acts).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from agora.rules.models import Jurisdiction


class Organizer(models.Model):
    class Kind(models.TextChoices):
        PERSON = "person", _("Private person")
        ORGANIZATION = "organization", _("Organization")

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="organizer")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.PERSON)
    full_name = models.CharField(max_length=200, help_text="Personal data: never public.")
    organization_name = models.CharField(max_length=200, blank=True, help_text="Public for organizations.")
    phone = models.CharField(max_length=40, blank=True, help_text="Personal data: never public.")
    national_id = models.CharField(max_length=20, blank=True, help_text="Personal data: never public.")
    language = models.CharField(max_length=2, choices=settings.LANGUAGES, default="ru")
    anonymized_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the personal data were erased (retention over, or the account closed).",
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="organization") | ~Q(organization_name=""),
                name="organization_has_name",
                violation_error_message="An organization needs its name.",
            )
        ]

    def __str__(self) -> str:
        return self.public_name

    @property
    def public_name(self) -> str:
        """What the public register shows: never a private person's name."""
        if self.kind == self.Kind.ORGANIZATION:
            return self.organization_name
        return gettext("private organizer no. %(n)s") % {"n": self.pk}


class Officer(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="officer")
    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.PROTECT, related_name="officers")
    # what the officer's letters say under their name, in each language {"en": …, "ru": …, "kk": …}
    position = models.JSONField(default=dict, blank=True, help_text="The position, as letters sign it.")
    administers = models.BooleanField(
        default=False,
        help_text="Administrator of the jurisdiction: declares and lifts closures of its places.",
    )

    def __str__(self) -> str:
        return f"officer #{self.pk} ({self.jurisdiction})"


class AgencyStaff(models.Model):
    """A member of an agency the jurisdiction consults: answers the consultations sent to it
    (with an authenticator app, like officers), and sees nothing else."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agency_staff"
    )
    agency = models.ForeignKey("rules.Agency", on_delete=models.PROTECT, related_name="staff")

    class Meta:
        verbose_name_plural = "agency staff"

    def __str__(self) -> str:
        return f"agency staff #{self.pk} ({self.agency})"


class ApiToken(models.Model):
    """A bearer token for the REST API, made and revoked by its user on a page.

    Only a SHA-256 of the token is stored; the token is shown once, when made. A token is
    scoped to one role (what its user is: organizer or officer) and acts only as that role.
    """

    class Role(models.TextChoices):
        ORGANIZER = "organizer", _("Organizer")
        OFFICER = "officer", _("Officer")
        AGENCY = "agency", _("Agency staff")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    role = models.CharField(max_length=20, choices=Role.choices)
    prefix = models.CharField(max_length=12, help_text="The token's first characters, to tell tokens apart.")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"token {self.prefix}… ({self.role})"
