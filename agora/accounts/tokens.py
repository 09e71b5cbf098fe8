"""Making, checking and revoking API tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agora.audit.services import record

from .models import ApiToken

PREFIX = "agora_"
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def role_of(user) -> str:
    if hasattr(user, "officer"):
        return ApiToken.Role.OFFICER
    if hasattr(user, "organizer"):
        return ApiToken.Role.ORGANIZER
    if hasattr(user, "agency_staff"):
        return ApiToken.Role.AGENCY
    raise PermissionDenied("Only organizers, officers and agency staff have API tokens.")


def create_token(user, name: str) -> tuple[ApiToken, str]:
    """A new token for the user's role; returns the row and the token (shown only now)."""
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ValidationError(
            {"name": "Name the token (1 to 100 characters), e.g. the tool that will use it."}
        )
    token = PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        row = ApiToken.objects.create(
            user=user, name=name, role=role_of(user), prefix=token[:12], key_hash=digest(token)
        )
        record("api_token.created", user, row, {"role": row.role})
    return row, token


def revoke_token(user, pk: int) -> None:
    with transaction.atomic():
        row = ApiToken.objects.select_for_update().filter(pk=pk, user=user, revoked_at__isnull=True).first()
        if row is None:
            raise ValidationError(_("No such active token of yours."))
        row.revoked_at = timezone.now()
        row.save(update_fields=["revoked_at"])
        record("api_token.revoked", user, row, {})


def authenticate(token: str) -> ApiToken | None:
    if not token.startswith(PREFIX) or len(token) > 200:
        return None
    row = (
        # with the roles every endpoint and the audit label ask about (absent ones kept as None)
        ApiToken.objects.select_related("user__officer", "user__organizer", "user__agency_staff")
        .filter(key_hash=digest(token), revoked_at__isnull=True)
        .first()
    )
    if row is None or not row.user.is_active:
        return None
    now = timezone.now()
    # "last used" to the minute is enough; a write on every API request is not
    if row.last_used_at is None or now - row.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
    return row
