"""Personal data with a lifecycle (issue 22): what Agora holds about an organizer, handed to
them on request, and erased once it is no longer needed or when they close their account.

What is personal: the account (user name, e-mail addresses, names, password, second factor,
sessions, API tokens), the organizer's profile (full name, phone, national ID) and their
own words on their notices (a withdrawal's reason, an appeal's text). What is not, and
stays: the notices themselves, their decisions, bookings and letters, which the public
register and the audit log hold under the organizer's public name ("private organizer no. 7",
or an organization's name), and which never named the person.

Erasure keeps the rows (the register, the statistics and the log's replay need them) and
blanks what is personal; the log records that it happened and the notices' new state.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from agora.accounts.models import Organizer
from agora.audit.events import Event
from agora.audit.services import record

from .models import Notice
from .workflow import GOING_AHEAD, IN_QUEUE, Status

RETENTION, CLOSED = "retention", "closed"


def retention() -> dt.timedelta:
    return dt.timedelta(days=settings.AGORA_RETENTION_DAYS)


def ongoing(organizer: Organizer, at: dt.datetime):
    """The organizer's notices that are not over: waiting for a decision or an appeal's,
    offered an alternative they may still answer, or going ahead and not yet ended."""
    return organizer.notices.filter(
        Q(status__in=IN_QUEUE) | Q(status__in=GOING_AHEAD | {Status.ALTERNATIVE_OFFERED}, ends_at__gt=at)
    )


def last_activity(organizer: Organizer) -> dt.datetime:
    """The latest of: joining, signing in, an assembly's end, a decision on one of theirs."""
    user = organizer.user
    found = organizer.notices.aggregate(ends=Max("ends_at"), decided=Max("decisions__decided_at"))
    moments = [user.date_joined, user.last_login, found["ends"], found["decided"]]
    return max(m for m in moments if m is not None)


def due(at: dt.datetime | None = None):
    """Organizers whose data have outlived the retention period: nothing of theirs ongoing,
    and their last activity longer ago than AGORA_RETENTION_DAYS."""
    at = at or timezone.now()
    for organizer in Organizer.objects.filter(anonymized_at__isnull=True).select_related("user"):
        if organizer.user.is_staff or hasattr(organizer.user, "officer"):
            continue  # an authority's account is the authority's, not an organizer's to lose
        if ongoing(organizer, at).exists() or at - last_activity(organizer) < retention():
            continue
        yield organizer


def erase(organizer: Organizer, why: str, *, actor=None, at: dt.datetime | None = None) -> Organizer:
    """Blank the organizer's personal data; their notices stay, under the same public name."""
    at = at or timezone.now()
    with transaction.atomic():
        organizer = Organizer.objects.select_for_update().select_related("user").get(pk=organizer.pk)
        if organizer.anonymized_at is not None:
            return organizer
        user = organizer.user
        user.username = f"erased-{organizer.pk}-{secrets.token_hex(4)}"
        user.email = user.first_name = user.last_name = ""
        user.is_active = False
        user.set_unusable_password()
        user.save()
        user.emailaddress_set.all().delete()
        user.authenticator_set.all().delete()
        user.api_tokens.filter(revoked_at__isnull=True).update(revoked_at=at)
        _end_sessions(user)
        organizer.full_name = organizer.phone = organizer.national_id = ""
        organizer.anonymized_at = at
        organizer.save(update_fields=["full_name", "phone", "national_id", "anonymized_at"])
        worded = list(organizer.notices.exclude(withdraw_reason="", appeal_text=""))
        for notice in worded:
            notice.withdraw_reason = notice.appeal_text = ""
            notice.save(update_fields=["withdraw_reason", "appeal_text"])
        record(
            Event.ORGANIZER_ANONYMIZED,
            actor,
            organizer,
            {"why": why, "notices": organizer.notices.count()},
            at=at,
            state=worded,
        )
    return organizer


def _end_sessions(user) -> None:
    key = str(user.pk)
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == key:
            session.delete()


def erase_due(at: dt.datetime | None = None) -> list[Organizer]:
    """The retention job: erase every organizer whose data have outlived their use."""
    return [erase(organizer, RETENTION, at=at) for organizer in list(due(at))]


def close_account(user, *, at: dt.datetime | None = None) -> Organizer:
    """The organizer closes their account: refused while an assembly of theirs is ongoing
    (the authority must be able to reach them about it)."""
    at = at or timezone.now()
    organizer = user.organizer
    waiting = list(ongoing(organizer, at).values_list("reference", flat=True))
    if waiting:
        refs = ", ".join(r or _("a draft") for r in waiting)
        raise ValidationError(
            ngettext(
                "%(refs)s is not over yet: withdraw it, or wait until it has taken place and any "
                "decision on it is made, then close the account.",
                "%(refs)s are not over yet: withdraw them, or wait until they have taken place and "
                "any decision on them is made, then close the account.",
                len(waiting),
            )
            % {"refs": refs}
        )
    return erase(organizer, CLOSED, actor=user, at=at)


def held_about(user) -> dict:
    """Everything Agora holds about the organizer, as JSON for them to download."""
    organizer = user.organizer
    notices = (
        Notice.objects.filter(organizer=organizer)
        .prefetch_related("decisions", "bookings__zone", "offers", "move_requests", "acceptable_venues")
        .select_related("venue")
        .order_by("created_at")
    )

    def moment(value):
        return value.isoformat() if value else None

    return {
        "made_at": timezone.now().isoformat(),
        "retention_days": settings.AGORA_RETENTION_DAYS,
        "account": {
            "username": user.username,
            "email": user.email,
            "email_addresses": [
                {"email": e.email, "verified": e.verified, "primary": e.primary}
                for e in user.emailaddress_set.all()
            ],
            "date_joined": moment(user.date_joined),
            "last_login": moment(user.last_login),
            "second_factors": [a.type for a in user.authenticator_set.all()],
            "api_tokens": [
                {
                    "name": t.name,
                    "role": t.role,
                    "prefix": t.prefix,
                    "created_at": moment(t.created_at),
                    "last_used_at": moment(t.last_used_at),
                    "revoked_at": moment(t.revoked_at),
                }
                for t in user.api_tokens.all()
            ],
        },
        "organizer": {
            "kind": organizer.kind,
            "public_name": organizer.public_name,
            "full_name": organizer.full_name,
            "organization_name": organizer.organization_name,
            "phone": organizer.phone,
            "national_id": organizer.national_id,
            "language": organizer.language,
        },
        "notices": [
            {
                "reference": n.reference,
                "status": n.status,
                "assembly_type": n.assembly_type,
                "topic": n.topic,
                "purpose": n.purpose,
                "venue": n.venue.slug,
                "acceptable_venues": [v.slug for v in n.acceptable_venues.all()],
                "starts_at": moment(n.starts_at),
                "ends_at": moment(n.ends_at),
                "window": [moment(n.window_start), moment(n.window_end)] if n.window_start else None,
                "expected_participants": n.expected_participants,
                "equipment": n.equipment,
                "stewards": n.stewards,
                "language": n.language,
                "created_at": moment(n.created_at),
                "filed_at": moment(n.filed_at),
                "withdraw_reason": n.withdraw_reason,
                "appeal_text": n.appeal_text,
                "decisions": [
                    {
                        "reference": d.reference,
                        "outcome": d.outcome,
                        "grounds": d.grounds,
                        "reasoning": d.reasoning,
                        "conditions": d.conditions,
                        "decided_at": moment(d.decided_at),
                    }
                    for d in n.decisions.all()
                ],
                "bookings": [
                    {
                        "zone": b.zone.slug,
                        "starts_at": moment(b.starts_at),
                        "ends_at": moment(b.ends_at),
                        "held_until": moment(b.held_until),
                        "checked_in_at": moment(b.checked_in_at),
                        "checked_out_at": moment(b.checked_out_at),
                    }
                    for b in n.bookings.all()
                ],
                "offers": [
                    {"starts_at": moment(o.starts_at), "ends_at": moment(o.ends_at), "state": o.state}
                    for o in n.offers.all()
                ],
                "move_requests": [
                    {"starts_at": moment(m.starts_at), "ends_at": moment(m.ends_at), "state": m.state}
                    for m in n.move_requests.all()
                ],
            }
            for n in notices
        ],
    }
