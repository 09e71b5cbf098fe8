"""The authority's own acts, accountable like everyone else's: closures, venue changes,
declared calendar days and rulebook assignments; each one validated and audited (who, when,
old → new). A closure is
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
from django.utils.translation import gettext_lazy

from agora import i18n
from agora.accounts.access import administrator_of
from agora.audit.events import Event
from agora.audit.services import record
from agora.rules.models import CalendarDay, Jurisdiction, Rulebook
from agora.scheduling import bookings
from agora.scheduling.models import Booking
from agora.venues.models import Closure, Venue, VenueChange

from . import services
from .models import Notice

REASON_MAX = 500  # the public reasons' column
TOO_LONG = gettext_lazy("Shorten this to %(n)s characters at most.")


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
    elif len(reason) > REASON_MAX:
        errors["reason"] = TOO_LONG % {"n": REASON_MAX}
    if zone is not None and zone.venue_id != venue.pk:
        errors["zone"] = _("The zone must belong to the closed place.")
    if ends_at <= starts_at:
        errors["ends_at"] = _("A closure must end after it starts.")
    elif starts_at < at:
        errors["starts_at"] = _("A closure cannot be backdated: it must start after it is declared.")
    elif (
        basis is not None and not basis.emergency and starts_at - at < dt.timedelta(hours=rules.notice_hours)
    ):
        earliest = i18n.when(at + dt.timedelta(hours=rules.notice_hours), jurisdiction, zone=True)
        errors["starts_at"] = _(
            "The rulebook requires a closure to be declared %(hours)s hours ahead: it may start at "
            "%(earliest)s at the earliest, unless on an emergency ground."
        ) % {"hours": i18n.number(rules.notice_hours), "earliest": earliest}
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
        # an alternative not yet answered holds nothing the authority closes: accepting it
        # is then refused as closed, and the organizer may appeal or file again
        inside = Q(zone=zone.pk) if zone else Q(zone__venue=venue.pk)
        for hold in (
            Booking.objects.for_open_alternatives()
            .filter(inside, starts_at__lt=closure.until, held_until__gt=starts_at)
            .filter(held_until__gt=F("starts_at"))
        ):
            bookings.release(hold, hold.starts_at, "closure", actor=user, now=at)
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
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": TOO_LONG % {"n": REASON_MAX}})
    with transaction.atomic():
        locked = Closure.objects.select_for_update().get(pk=closure.pk)  # two lifts at once: one wins
        if locked.lifted_at is not None or locked.ends_at <= at:
            raise ValidationError(_("This closure is over already."))
        Closure.objects.filter(pk=closure.pk).update(lifted_at=at, lift_reason=reason)
        record(Event.CLOSURE_LIFTED, user, closure, {"reason": reason}, at=at)
    closure.refresh_from_db()
    return closure


# --- the calendar --------------------------------------------------------------------------


def declare_calendar_day(
    user,
    jurisdiction: Jurisdiction,
    *,
    day: dt.date,
    kind: str,
    name: str,
    at: dt.datetime | None = None,
    dry: bool = False,
) -> CalendarDay | None:
    """Declare `day` a holiday or a working day. The decision deadlines of notices waiting
    for a decision are recomputed and move forward only: an organizer may have relied on a
    deadline (a silence that counts as consent, a date to plan for), so a new working day
    never shortens one. Each move is audited with the day that caused it."""
    administrator_of(user, jurisdiction)
    at = at or timezone.now()
    name = (name or "").strip()
    errors: dict[str, str] = {}
    if kind not in CalendarDay.Kind.values:
        errors["kind"] = _("Choose a holiday or a working day.")
    if not name:
        errors["name"] = _("Name the day (e.g. the holiday, or the day it makes up for).")
    elif len(name) > 200:
        errors["name"] = TOO_LONG % {"n": 200}
    if day <= jurisdiction.local_day(at):
        errors["day"] = _("A day can only be declared ahead: choose a date after today.")
    elif jurisdiction.calendar_days.filter(date=day).exists():
        errors["day"] = _("This date is already declared; each date can be declared once.")
    elif kind in CalendarDay.Kind.values:
        working = jurisdiction.calendar().is_working_day(day)
        if kind == CalendarDay.Kind.HOLIDAY and not working:
            errors["day"] = _("This date is not a working day already.")
        if kind == CalendarDay.Kind.WORKING_DAY and working:
            errors["day"] = _("This date is a working day already.")
    if errors:
        raise ValidationError(errors)
    if dry:
        return None
    with transaction.atomic():
        declared = CalendarDay.objects.create(
            jurisdiction=jurisdiction, date=day, kind=kind, name=name, declared_at=at, declared_by=user
        )
        record(
            Event.CALENDAR_DAY_DECLARED,
            user,
            declared,
            {"jurisdiction": jurisdiction.slug, "date": day.isoformat(), "kind": kind, "name": name},
            at=at,
        )
        for notice in Notice.objects.pending().filter(jurisdiction=jurisdiction, decision_due_at__gt=at):
            due = services.decision_due(notice)
            if due > notice.decision_due_at:
                before, notice.decision_due_at = notice.decision_due_at, due
                notice.save(update_fields=["decision_due_at"])
                record(
                    Event.NOTICE_DEADLINE_MOVED,
                    user,
                    notice,
                    {"from": before.isoformat(), "to": due.isoformat(), "because": day.isoformat()},
                    at=at,
                    state=[notice],
                )
    return declared


# --- venues --------------------------------------------------------------------------------

VENUE_FIELDS = ("designated", "capacity_override", "crowd_density", "opens_at", "closes_at", "geometry")
ZONE_FIELDS = ("geometry", "capacity_override")


def change_venue(
    user,
    venue: Venue,
    *,
    reason: str,
    changes: dict,
    zones: dict | None = None,
    at: dt.datetime | None = None,
    dry: bool = False,
) -> VenueChange:
    """Change a venue's designation, capacity, hours or outline (`changes`, by field) and its
    zones' outlines or capacities (`zones`: {slug: {field: value}}). Recorded old → new with
    the reasons, public. Accepted assemblies not yet started that the venue no longer takes
    (no longer designated, too small where they hold time, outside its new hours) go back to
    an officer for another place or time, like a closure's. The change's `displaces` lists
    them. `dry`: check and preview it (an unsaved change), saving nothing."""
    administrator_of(user, venue.jurisdiction)
    at = at or timezone.now()
    reason = (reason or "").strip()
    unknown = set(changes) - set(VENUE_FIELDS)
    if unknown:
        raise ValidationError(
            _("These cannot be changed here: %(fields)s.") % {"fields": ", ".join(sorted(unknown))}
        )
    with transaction.atomic():
        venue = Venue.objects.select_for_update().get(pk=venue.pk)
        diff = {
            f: [_plain(getattr(venue, f)), _plain(v)] for f, v in changes.items() if getattr(venue, f) != v
        }
        capacity = venue.capacity
        for field_name, value in changes.items():
            setattr(venue, field_name, value)
        edited = []
        for slug, fields in (zones or {}).items():
            zone = venue.zones.filter(slug=slug).first()
            if zone is None or set(fields) - set(ZONE_FIELDS):
                raise ValidationError(
                    {"zones": _("No zone %(slug)s here, or a field that cannot be changed.") % {"slug": slug}}
                )
            for field_name, value in fields.items():
                if getattr(zone, field_name) != value:
                    diff[f"zone:{slug}.{field_name}"] = [_plain(getattr(zone, field_name)), _plain(value)]
                    setattr(zone, field_name, value)
            edited.append(zone)
        errors: dict[str, list[str]] = {}
        for obj in (venue, *edited):
            try:
                obj.full_clean(exclude=["jurisdiction", "venue", "name", "slug"])
            except ValidationError as e:
                for field_name, messages in e.message_dict.items():
                    errors.setdefault(field_name, []).extend(messages)
        if not diff:
            errors.setdefault("__all__", []).append(_("Nothing is changed: change at least one value."))
        if not reason:
            errors["reason"] = [_("Give the reasons: they are published with the change.")]
        elif len(reason) > REASON_MAX:
            errors["reason"] = [TOO_LONG % {"n": REASON_MAX}]
        if errors:
            raise ValidationError(errors)
        if venue.capacity != capacity:  # what people can count on, whatever made it change
            diff["capacity"] = [capacity, venue.capacity]
        venue.save()
        for zone in edited:
            zone.save()
        going_ahead = Notice.objects.going_ahead().filter(
            pk__in=Booking.objects.firm().filter(zone__venue=venue, starts_at__gt=at).values("notice")
        )
        unfit = [n for n in going_ahead.order_by("starts_at", "pk") if services.unfit_reason(n, venue)]
        change = VenueChange(venue=venue, changes=diff, reason=reason, declared_at=at, declared_by=user)
        change.displaces = unfit
        if dry:
            transaction.set_rollback(True)
            return change
        change.save()
        record(
            Event.VENUE_CHANGED,
            user,
            change,
            {"venue": venue.pk, "changes": diff, "reason": reason, "displaces": [n.reference for n in unfit]},
            at=at,
        )
        for notice in unfit:
            services.run("displace", notice, user, at=at, change=change)
    return change


def _plain(value):
    """A value as the audit log and the public record keep it."""
    if isinstance(value, dt.time):
        return f"{value:%H:%M}"
    return value


# --- rulebooks -----------------------------------------------------------------------------


def assign_rulebook(user, jurisdiction: Jurisdiction, rulebook: Rulebook, *, at: dt.datetime | None = None):
    """Make `rulebook` the jurisdiction's rules for notices filed from now on (a notice keeps
    the version it was filed under: its deadlines and checks do not change under it)."""
    administrator_of(user, jurisdiction)
    at = at or timezone.now()
    if rulebook.rules.timezone != jurisdiction.timezone:
        raise ValidationError(
            {
                "rulebook": _("This rulebook is for the time zone %(tz)s, not this jurisdiction's.")
                % {"tz": rulebook.rules.timezone}
            }
        )
    if rulebook.pk == jurisdiction.rulebook_id:
        raise ValidationError({"rulebook": _("This is the jurisdiction's rulebook already.")})
    with transaction.atomic():
        old = jurisdiction.rulebook
        Jurisdiction.objects.filter(pk=jurisdiction.pk).update(rulebook=rulebook)
        record(
            Event.RULEBOOK_ASSIGNED,
            user,
            jurisdiction,
            {
                "from": f"{old.code} v{old.version}",
                "to": f"{rulebook.code} v{rulebook.version}",
                "sha256": rulebook.sha256,
            },
            at=at,
        )
    jurisdiction.refresh_from_db()
    return jurisdiction
