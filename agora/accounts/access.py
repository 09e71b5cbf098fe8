"""One access check per role, used by every service, view and endpoint."""

from __future__ import annotations

from functools import wraps

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

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


def administrator_of(user, jurisdiction) -> Officer:
    """The user's officer record, if they administer `jurisdiction` (its acts as an authority)."""
    officer = officer_of(user, jurisdiction)
    if not officer.administers:
        raise PermissionDenied("Only an administrator of this jurisdiction may do this.")
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
    if hasattr(user, "agency_staff"):
        return f"agency:{user.agency_staff.pk}"
    return f"user:{user.pk}"


def organizer_required(view):
    """Views for organizers: signed in with an organizer profile."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        request.organizer = organizer_of(request.user)
        return view(request, *args, **kwargs)

    return wrapped


def _second_factor(request, setup: str):
    """A redirect to set up (saying `setup`) or confirm the authenticator app, or None when
    this session has it."""
    if not settings.AGORA_OFFICER_MFA:
        return None
    if not is_mfa_enabled(request.user, [Authenticator.Type.TOTP]):
        messages.info(request, setup)
        return redirect("mfa_activate_totp")
    if not any(r.get("method") == "mfa" for r in get_authentication_records(request, request.user)):
        return redirect(f"{reverse('mfa_reauthenticate')}?next={request.get_full_path()}")
    return None


def agency_required(view):
    """Views for a consulted agency's staff: signed in with TOTP, like officers."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            request.agency = request.user.agency_staff.agency
        except ObjectDoesNotExist:
            raise PermissionDenied("Only the staff of a consulted agency may open this page.") from None
        setup = _("Agency staff must set up an authenticator app before answering.")
        return _second_factor(request, setup) or view(request, *args, **kwargs)

    return wrapped


def officer_required(view):
    """Views for officers: signed in, with TOTP set up, and this session confirmed by it.

    Object-level checks (the notice's jurisdiction) stay in the services: officer_of()."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            request.officer = request.user.officer
        except ObjectDoesNotExist:
            raise PermissionDenied("Only an officer of the authority may open this page.") from None
        setup = _("Officers must set up an authenticator app before deciding.")
        return _second_factor(request, setup) or view(request, *args, **kwargs)

    return wrapped
