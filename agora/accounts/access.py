"""One access check per role, used by every service, view and endpoint."""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied

from .models import Officer, Organizer


def organizer_of(user) -> Organizer:
    try:
        return user.organizer
    except (ObjectDoesNotExist, AttributeError):
        raise PermissionDenied("Only an organizer may do this; sign in with an organizer account.") from None


def officer_of(user, jurisdiction) -> Officer:
    """The user's officer record, if they are staff of `jurisdiction`."""
    try:
        officer = user.officer
    except (ObjectDoesNotExist, AttributeError):
        raise PermissionDenied("Only an officer of the authority may do this.") from None
    if officer.jurisdiction_id != jurisdiction.pk:
        raise PermissionDenied("This notice is outside your jurisdiction.")
    return officer


def actor_label(user) -> str:
    """A pseudonymous label for the audit log: role and id, never a name."""
    if user is None:
        return "system"
    if getattr(user, "is_superuser", False):
        return f"admin:{user.pk}"
    if hasattr(user, "officer"):
        return f"officer:{user.officer.pk}"
    if hasattr(user, "organizer"):
        return f"organizer:{user.organizer.pk}"
    return f"user:{user.pk}"
