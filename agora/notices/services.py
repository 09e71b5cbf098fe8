"""Everything that changes a notice. Each public function is one transaction that checks
the actor's right, makes one state-machine transition and records it in the audit log."""

from __future__ import annotations

import datetime as dt
import hashlib
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone

from agora.accounts.access import officer_of, organizer_of
from agora.audit.services import record
from agora.locking import lock_notice
from agora.rules.checks import Interval, NoticeFacts, VenueFacts, Violation, check_notice
from agora.scheduling import offers
from agora.scheduling import services as scheduling
from agora.scheduling.models import Booking
from agora.venues.models import Venue, Zone

from . import notify
from .integrity import fingerprint
from .models import Decision, Notice
from .workflow import GOING_AHEAD, OFFICER, OFFICER_OUTCOMES, ORGANIZER, SYSTEM, Status, allowed_role

EDITABLE_FIELDS = (
    "assembly_type",
    "purpose",
    "venue",
    "zone",
    "starts_at",
    "ends_at",
    "expected_participants",
    "window_start",
    "window_end",
    "equipment",
    "stewards",
    "language",
)


class TransitionNotAllowed(ValidationError):
    def __init__(self, current: str, target: str):
        super().__init__(
            f"A notice that is {Status(current).label.lower()} cannot become {Status(target).label.lower()}.",
            code="transition_not_allowed",
        )


# --- reading -----------------------------------------------------------------------------


def venue_facts(venue: Venue, start: dt.datetime, end: dt.datetime) -> VenueFacts:
    closures = venue.closures.filter(starts_at__lt=end, ends_at__gt=start)
    return VenueFacts(
        designated=venue.designated,
        capacity=venue.capacity,
        closures=[Interval(c.starts_at, c.ends_at, c.reason) for c in closures],
    )


def organizer_hours_at_venue(notice: Notice) -> float:
    """Hours the organizer already holds at this venue on the notice's local day."""
    tz = ZoneInfo(notice.jurisdiction.timezone)
    day = notice.starts_at.astimezone(tz).date()
    day_start = dt.datetime.combine(day, dt.time(), tz)
    held = (
        Booking.objects.filter(
            notice__organizer=notice.organizer,
            zone__venue=notice.venue,
            notice__status__in=GOING_AHEAD,
            starts_at__lt=day_start + dt.timedelta(days=1),
            held_until__gt=day_start,
        )
        .exclude(notice=notice.pk)
        .values("notice")
        .distinct()  # one notice holding two zones counts once
        .annotate(total=Sum(F("held_until") - F("starts_at")))
    )
    return sum((row["total"].total_seconds() for row in held), 0.0) / 3600


def precheck(notice: Notice, *, at: dt.datetime | None = None) -> list[Violation]:
    """The rule pre-check of a (possibly unsaved) notice as if filed at `at`."""
    rulebook = notice.jurisdiction.rulebook.rules
    facts = NoticeFacts(
        assembly_type=notice.assembly_type,
        filed_at=at or timezone.now(),
        starts_at=notice.starts_at,
        ends_at=notice.ends_at,
        expected_participants=notice.expected_participants,
        venue=venue_facts(notice.venue, notice.starts_at, notice.ends_at),
        organizer_hours_same_venue_day=organizer_hours_at_venue(notice) if notice.organizer_id else 0.0,
    )
    return check_notice(facts, rulebook, notice.jurisdiction.calendar())


def decision_due(notice: Notice) -> dt.datetime:
    """End of the last working day the authority has to decide, never after the start."""
    rules = notice.rulebook.rules.type_rules(notice.assembly_type)
    tz = ZoneInfo(notice.jurisdiction.timezone)
    last_day = notice.jurisdiction.calendar().add_working_days(
        notice.filed_at.astimezone(tz).date(), rules.decision_working_days
    )
    due = dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time(), tz)
    return min(due, notice.starts_at)


# --- the state machine -------------------------------------------------------------------


def _move(
    notice: Notice,
    target: str,
    actor,
    role: str,
    *,
    reason: str = "",
    data=None,
    at: dt.datetime | None = None,
    prepare=None,
) -> Notice:
    """Lock the notice, check the transition, apply and record it. Inside a transaction.

    `prepare(locked)` may set more fields in the same save; it returns their names.
    """
    locked = lock_notice(notice.pk)
    if allowed_role(locked.status, target) != role:
        raise TransitionNotAllowed(locked.status, target)
    previous = locked.status
    locked.status = target
    changed = prepare(locked) if prepare else []
    locked.save(update_fields=["status", *changed])
    record(
        f"notice.{target}",
        actor,
        locked,
        {"from": previous, "to": target, "reason": reason, **(data or {})},
        at=at,
    )
    notice.status = target
    notify.status_changed(locked)
    return locked


def private_text(text: str) -> str:
    """What the public audit log keeps of an organizer's own words: a fingerprint, not the
    text, which may hold personal data. The text itself stays on the notice (not public)."""
    text = (text or "").strip()
    return f"sha256:{hashlib.sha256(text.encode()).hexdigest()}" if text else ""


def _keep(notice: Notice, **fields) -> list[str]:
    for name, value in fields.items():
        setattr(notice, name, value)
    return list(fields)


def _own(notice: Notice, user):
    organizer = organizer_of(user)
    if notice.organizer_id != organizer.pk:
        raise PermissionDenied("This is not your notice.")
    return organizer


def create_draft(user, *, acceptable_venues=(), **fields) -> Notice:
    organizer = organizer_of(user)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown field(s): {', '.join(sorted(unknown))}.")
    venue: Venue = fields["venue"]
    notice = Notice(
        organizer=organizer,
        jurisdiction=venue.jurisdiction,
        language=fields.pop("language", organizer.language),
        **fields,
    )
    _validate(notice, acceptable_venues)
    with transaction.atomic():
        notice.save()
        notice.acceptable_venues.set(acceptable_venues)
        record("notice.draft", user, notice, {"venue": venue.pk})
    return notice


def _validate(notice: Notice, acceptable_venues) -> None:
    errors: dict[str, list[str]] = {}
    rulebook = notice.jurisdiction.rulebook.rules
    if notice.assembly_type not in rulebook.types:
        errors["assembly_type"] = [f"Choose one of: {', '.join(rulebook.types)}."]
    if notice.zone_id and notice.zone.venue_id != notice.venue_id:
        errors["zone"] = ["The zone must belong to the chosen venue."]
    for venue in acceptable_venues:
        if venue.jurisdiction_id != notice.jurisdiction_id:
            errors.setdefault("acceptable_venues", []).append(f"{venue} is in another jurisdiction.")
    if errors:
        raise ValidationError(errors)
    notice.full_clean(exclude=["reference", "rulebook", "jurisdiction", "organizer"])


def submit(notice: Notice, user, *, at: dt.datetime | None = None) -> Notice:
    """File the notice: stamp it, give it a reference and a decision deadline.

    A notice that breaks a rule can still be filed (the officer decides); its violations
    are stored with it.
    """
    _own(notice, user)
    at = at or timezone.now()

    def stamp(locked: Notice) -> list[str]:
        locked.filed_at = at
        locked.rulebook = locked.jurisdiction.rulebook
        locked.reference = f"{locked.jurisdiction.reference_prefix}-{at:%Y}-{locked.pk:06d}"
        locked.violations = [v.as_dict() for v in precheck(locked, at=at)]
        locked.decision_due_at = decision_due(locked)
        return ["filed_at", "rulebook", "reference", "violations", "decision_due_at"]

    with transaction.atomic():
        locked = _move(notice, Status.SUBMITTED, user, ORGANIZER, at=at, prepare=stamp)
        record(
            "notice.filed",
            user,
            locked,
            {
                "reference": locked.reference,
                "rulebook": str(locked.rulebook),
                "violations": [v["code"] for v in locked.violations],
                "decision_due_at": locked.decision_due_at.isoformat(),
            },
            at=at,
        )
    return locked


def file_notice(user, *, at: dt.datetime | None = None, **fields) -> Notice:
    """Create and submit in one go."""
    with transaction.atomic():
        return submit(create_draft(user, **fields), user, at=at)


def start_review(notice: Notice, user) -> Notice:
    officer_of(user, notice.jurisdiction)
    with transaction.atomic():
        return _move(notice, Status.UNDER_REVIEW, user, OFFICER)


def _book(notice: Notice, actor, placement: dict | None = None):
    """Book `placement` ({venue, zones, starts_at, ends_at}), or the request as filed.

    Without named zones the rulebook decides which zones the notice holds."""
    placement = placement or {
        "venue": notice.venue_id,
        "zones": [notice.zone_id] if notice.zone_id else [],
        "starts_at": notice.starts_at,
        "ends_at": notice.ends_at,
    }
    start, end = _moment(placement["starts_at"]), _moment(placement["ends_at"])
    venue = Venue.objects.get(pk=placement["venue"])
    zones = list(Zone.objects.filter(pk__in=placement.get("zones") or [], venue=venue))
    if not zones:
        zones = scheduling.zones_to_hold(
            venue,
            notice.expected_participants,
            start,
            end,
            share=notice.rulebook.rules.fairness.share_venue_between_assemblies,
        )
    return scheduling.book(notice, zones, start, end, notice.expected_participants, actor=actor)


def _moment(value) -> dt.datetime:
    return dt.datetime.fromisoformat(value) if isinstance(value, str) else value


def _clean_place(notice: Notice, place: dict | None, field: str) -> dict | None:
    """Validate an offered alternative or a placement: {venue, zones?, starts_at, ends_at}."""
    if not place:
        return None
    try:
        venue = Venue.objects.get(pk=place["venue"], jurisdiction=notice.jurisdiction)
        start, end = _moment(place["starts_at"]), _moment(place["ends_at"])
    except (KeyError, ValueError, TypeError, Venue.DoesNotExist):
        raise ValidationError({field: "Give the venue (of this jurisdiction), start and end."}) from None
    if not (isinstance(start, dt.datetime) and isinstance(end, dt.datetime)) or end <= start:
        raise ValidationError({field: "It must end after it starts."})
    zones = list(place.get("zones") or ([place["zone"]] if place.get("zone") else []))
    if Zone.objects.filter(pk__in=zones, venue=venue).count() != len(set(zones)):
        raise ValidationError({field: "Each zone must belong to the venue."})
    return {"venue": venue.pk, "zones": zones, "starts_at": start.isoformat(), "ends_at": end.isoformat()}


def _decision(notice: Notice, **fields) -> Decision:
    """A new decision on a (locked) notice, numbered after the ones before it."""
    reference = f"{notice.reference}-D{notice.decisions.count() + 1}"
    decision = Decision.objects.create(notice=notice, reference=reference, rulebook=notice.rulebook, **fields)
    decision.refresh_from_db()  # seal what the database holds (e.g. its rounding of times)
    record(
        "decision.made",
        decision.officer,
        notice,
        {"reference": reference, "outcome": decision.outcome, "fingerprint": fingerprint(decision)},
        at=decision.decided_at,
    )
    return decision


def decide(
    notice: Notice,
    user,
    outcome: str,
    *,
    grounds=(),
    reasoning: str = "",
    conditions: str = "",
    alternative: dict | None = None,
    placement: dict | None = None,
    at: dt.datetime | None = None,
) -> Decision:
    """An officer's decision. Accepting books the venue (the request, or `placement`
    within it, e.g. trimmed to the daily cap); a refusal needs a listed ground."""
    officer_of(user, notice.jurisdiction)
    at = at or timezone.now()
    rulebook = notice.rulebook.rules
    grounds = list(dict.fromkeys(grounds))
    errors: dict[str, str] = {}
    if outcome not in OFFICER_OUTCOMES or outcome not in rulebook.decision_outcomes:
        errors["outcome"] = f"Choose one of: {', '.join(rulebook.decision_outcomes)}."
    unknown = [g for g in grounds if g not in rulebook.refusal_grounds]
    if unknown:
        errors["grounds"] = (
            f"Not a lawful ground in {notice.rulebook}: {', '.join(unknown)}. "
            "Choose from the rulebook's list."
        )
    elif outcome == Status.REFUSED and not grounds:
        errors["grounds"] = "A refusal must name at least one legal ground from the rulebook."
    elif outcome != Status.REFUSED and outcome != Status.ALTERNATIVE_OFFERED and grounds:
        errors["grounds"] = "Legal grounds are given only with a refusal or an alternative."
    if outcome == Status.ACCEPTED_WITH_CONDITIONS and not conditions.strip():
        errors["conditions"] = "State the conditions."
    if outcome == Status.ALTERNATIVE_OFFERED and not alternative:
        errors["alternative"] = "Offer the alternative place and/or time."
    if outcome == Status.REFUSED and rulebook.fairness.refusal_requires_alternative and not alternative:
        errors["alternative"] = "This rulebook requires an alternative with every refusal."
    if errors:
        raise ValidationError(errors)
    offered = _clean_place(notice, alternative, "alternative")
    placed = _clean_place(notice, placement, "placement")
    if placed and (
        placed["venue"] != notice.venue_id
        or _moment(placed["starts_at"]) < notice.starts_at
        or _moment(placed["ends_at"]) > notice.ends_at
    ):
        raise ValidationError(
            {
                "placement": "An acceptance holds the requested place within the requested "
                "time; offer anything else as an alternative."
            }
        )
    with transaction.atomic():
        locked = _move(
            notice,
            outcome,
            user,
            OFFICER,
            reason=reasoning,
            at=at,
            data={"grounds": grounds, "alternative": offered},
        )
        decision = _decision(
            locked,
            outcome=outcome,
            grounds=grounds,
            reasoning=reasoning,
            conditions=conditions,
            alternative=offered,
            officer=user,
            decided_at=at,
        )
        if outcome in (Status.ACCEPTED, Status.ACCEPTED_WITH_CONDITIONS):
            _book(locked, user, placed)
    return decision


def apply_silence(notice: Notice, *, at: dt.datetime | None = None) -> Decision:
    """The deadline passed with no decision: the rulebook's silence rule decides."""
    at = at or timezone.now()
    with transaction.atomic():
        locked = lock_notice(notice.pk)
        if locked.decision_due_at is None or at < locked.decision_due_at:
            raise ValidationError("The decision deadline has not passed yet.")
        outcome = locked.rulebook.rules.type_rules(locked.assembly_type).silence.value
        locked = _move(locked, outcome, None, SYSTEM, reason="no decision by the deadline", at=at)
        decision = _decision(
            locked,
            outcome=outcome,
            reasoning="No decision was made by the legal deadline.",
            decided_at=at,
        )
        if outcome == Status.DEEMED_ACCEPTED:
            try:
                with transaction.atomic():
                    _book(locked, None)
            except scheduling.SlotTaken as taken:
                # The law says it may go ahead; the clash is the authority's to resolve.
                record("notice.deemed_accepted_conflict", None, locked, {"message": taken.messages[0]})
    notice.status = locked.status
    return decision


def withdraw(notice: Notice, user, *, reason: str = "", at: dt.datetime | None = None) -> Notice:
    _own(notice, user)
    at = at or timezone.now()
    if at >= notice.starts_at:
        raise ValidationError("The assembly has already started; it can no longer be withdrawn.")
    with transaction.atomic():
        locked = _move(
            notice,
            Status.WITHDRAWN,
            user,
            ORGANIZER,
            reason=private_text(reason),
            at=at,
            prepare=lambda n: _keep(n, withdraw_reason=reason),
        )
        offers.release_notice(locked, at, "withdrawn", actor=user)
    return locked


def offered_alternative(notice: Notice) -> dict | None:
    """The alternative the latest decision offers, while the organizer may still take it."""
    if notice.status not in (Status.ALTERNATIVE_OFFERED, Status.REFUSED):
        return None
    latest = notice.decisions.order_by("decided_at", "pk").last()
    return latest.alternative if latest else None


def accept_alternative(notice: Notice, user, *, at: dt.datetime | None = None) -> Notice:
    """Take the alternative offered with the decision (an alternative_offered outcome, or a
    refusal that came with one): the notice goes ahead there and then."""
    _own(notice, user)
    offered = offered_alternative(notice)
    if offered is None:
        raise TransitionNotAllowed(notice.status, Status.ACCEPTED)
    with transaction.atomic():
        locked = _move(notice, Status.ACCEPTED, user, ORGANIZER, reason="alternative accepted", at=at)
        _book(locked, user, offered)
    return locked


def decline_alternative(notice: Notice, user, *, at: dt.datetime | None = None) -> Notice:
    _own(notice, user)
    with transaction.atomic():
        return _move(notice, Status.WITHDRAWN, user, ORGANIZER, reason="alternative declined", at=at)


def appeal(notice: Notice, user, *, text: str, at: dt.datetime | None = None) -> Notice:
    _own(notice, user)
    if not text.strip():
        raise ValidationError({"text": "Say why the decision is wrong."})
    with transaction.atomic():
        return _move(
            notice,
            Status.APPEALED,
            user,
            ORGANIZER,
            reason=private_text(text),
            at=at,
            prepare=lambda n: _keep(n, appeal_text=text.strip()),
        )


def resolve_appeal(
    notice: Notice, user, *, grant: bool, reasoning: str, at: dt.datetime | None = None
) -> Decision:
    """Decide an appeal: overturned (the notice goes ahead as filed) or upheld."""
    officer_of(user, notice.jurisdiction)
    if not reasoning.strip():
        raise ValidationError({"reasoning": "Give the reasons for the appeal decision."})
    at = at or timezone.now()
    outcome = Status.OVERTURNED if grant else Status.UPHELD
    with transaction.atomic():
        locked = _move(notice, outcome, user, OFFICER, reason=reasoning, at=at)
        decision = _decision(
            locked,
            outcome=outcome,
            reasoning=reasoning,
            officer=user,
            decided_at=at,
        )
        if grant:
            _book(locked, user)
    return decision


def record_held(notice: Notice, user, *, held: bool, at: dt.datetime | None = None) -> Notice:
    """After the day: did the assembly take place?"""
    officer_of(user, notice.jurisdiction)
    with transaction.atomic():
        return _move(notice, Status.HELD if held else Status.NOT_HELD, user, OFFICER, at=at)


def check_in(notice: Notice, user, *, at: dt.datetime | None = None) -> None:
    officer_of(user, notice.jurisdiction)
    scheduling.check_in(notice, actor=user, at=at)


def check_out(notice: Notice, user, *, at: dt.datetime | None = None) -> list:
    """Record that the assembly left. Where the rulebook says so, the rest of the booking is
    released at once and offered to waiting notices (returns the offers made)."""
    officer_of(user, notice.jurisdiction)
    at = at or timezone.now()
    with transaction.atomic():
        scheduling.check_out(notice, actor=user, at=at)
        if notice.rulebook.rules.fairness.release_on_checkout:
            return offers.release_notice(notice, at, "checked_out", actor=user)
    return []


def accept_released_time(notice: Notice, user, *, offer, at: dt.datetime) -> Decision:
    """The organizer accepted an offer of released time (scheduling.offers.accept_offer):
    the waiting notice goes ahead at the offered time. Called inside that transaction."""
    locked = _move(
        notice,
        Status.ACCEPTED,
        user,
        ORGANIZER,
        reason=f"released time accepted (offer {offer.pk})",
        at=at,
        data={"offer": offer.pk},
    )
    return _decision(
        locked,
        outcome=Status.ACCEPTED,
        reasoning=f"Released time offered and accepted: {offer.starts_at.isoformat()} to "
        f"{offer.ends_at.isoformat()}.",
        decided_at=at,
    )


def apply_due_silences(at: dt.datetime | None = None) -> list[Decision]:
    """Apply the silence rule to every pending notice whose decision deadline has passed."""
    at = at or timezone.now()
    due = Notice.objects.filter(status__in=[Status.SUBMITTED, Status.UNDER_REVIEW], decision_due_at__lte=at)
    return [apply_silence(notice, at=at) for notice in due.order_by("decision_due_at", "pk")]
