"""The authority's own acts on its places, accountable like everyone else's: a closure is
declared on a legal ground from the rulebook, with reasons, ahead of time (unless on an
emergency ground), never backdated; it is audited and public with when and by whom it was
declared; and it never silently cancels an assembly already accepted there: each one goes
back to an officer (the `displace` action), who offers the organizer another place or time.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from agora.accounts.access import administrator_of
from agora.audit.events import Event
from agora.audit.services import record
from agora.scheduling.models import Booking
from agora.venues.models import Closure, Venue

from . import services
from .models import Notice


def declare_closure(
    user,
    venue: Venue,
    *,
    ground: str,
    reason: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    zone=None,
    kind: str = Closure.Kind.OTHER,
    at: dt.datetime | None = None,
    dry: bool = False,
) -> Closure | None:
    """Close `venue` (or one zone) from `starts_at` to `ends_at`; returns the closure.
    `dry`: only check it (raises what declaring would raise, saves nothing)."""
    jurisdiction = venue.jurisdiction
    administrator_of(user, jurisdiction)
    at = at or timezone.now()
    rules = jurisdiction.rulebook.rules.closures
    reason = (reason or "").strip()
    errors: dict[str, str] = {}
    basis = rules.grounds.get(ground)
    if basis is None:
        errors["ground"] = _("Choose a closure ground from the rulebook: %(list)s.") % {
            "list": ", ".join(rules.grounds)
        }
    if not reason:
        errors["reason"] = _("Give the reasons: they are published with the closure.")
    if zone is not None and zone.venue_id != venue.pk:
        errors["zone"] = _("The zone must belong to the closed place.")
    if ends_at <= starts_at:
        errors["ends_at"] = _("A closure must end after it starts.")
    elif starts_at < at:
        errors["starts_at"] = _("A closure cannot be backdated: it must start after it is declared.")
    elif (
        basis is not None and not basis.emergency and starts_at - at < dt.timedelta(hours=rules.notice_hours)
    ):
        earliest = timezone.localtime(at + dt.timedelta(hours=rules.notice_hours), jurisdiction.tz)
        errors["starts_at"] = _(
            "The rulebook requires a closure to be declared %(hours)s hours ahead: it may start at "
            "%(earliest)s at the earliest, unless on an emergency ground."
        ) % {"hours": f"{rules.notice_hours:g}", "earliest": f"{earliest:%Y-%m-%d %H:%M}"}
    if errors:
        raise ValidationError(errors)
    if dry:
        return None
    with transaction.atomic():
        closure = Closure.objects.create(
            venue=venue,
            zone=zone,
            kind=kind,
            ground=ground,
            reason=reason,
            starts_at=starts_at,
            ends_at=ends_at,
            declared_at=at,
            declared_by=user,
        )
        displaced = affected(closure)
        record(
            Event.CLOSURE_DECLARED,
            user,
            closure,
            {
                "venue": venue.pk,
                "zone": zone.pk if zone else None,
                "ground": ground,
                "reason": reason,
                "starts_at": starts_at.isoformat(),
                "ends_at": ends_at.isoformat(),
                "displaces": [n.reference for n in displaced],
            },
            at=at,
        )
        for notice in displaced:
            services.run("displace", notice, user, at=at, closure=closure)
    return closure


def affected(closure: Closure):
    """Accepted notices that hold time the closure takes, and have not started."""
    return would_displace(
        closure.venue, closure.zone, closure.starts_at, closure.until, at=closure.declared_at
    )


def would_displace(venue, zone, start: dt.datetime, end: dt.datetime, *, at: dt.datetime | None = None):
    """Accepted notices not yet started that hold time at `venue` (or `zone`) in [start, end)."""
    zones = Q(zone=zone.pk) if zone else Q(zone__venue=venue.pk)
    holding = (
        Booking.objects.firm()
        .filter(zones, starts_at__lt=end, held_until__gt=start)
        .filter(held_until__gt=F("starts_at"), starts_at__gt=at or timezone.now())
        .values("notice")
    )
    return list(Notice.objects.going_ahead().filter(pk__in=holding).order_by("starts_at", "pk"))


def lift_closure(user, closure: Closure, *, reason: str, at: dt.datetime | None = None) -> Closure:
    """End a closure early: the place is open again from `at` (the record stays)."""
    administrator_of(user, closure.venue.jurisdiction)
    at = at or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reasons for lifting the closure.")})
    if closure.lifted_at is not None or closure.ends_at <= at:
        raise ValidationError(_("This closure is over already."))
    with transaction.atomic():
        Closure.objects.filter(pk=closure.pk).update(lifted_at=at, lift_reason=reason)
        record(Event.CLOSURE_LIFTED, user, closure, {"reason": reason}, at=at)
    closure.refresh_from_db()
    return closure
