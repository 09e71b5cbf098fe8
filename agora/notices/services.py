"""Everything that moves a notice: `run`, the one function that runs an action of
`workflow.ACTIONS`, and one function per action for the pages, the API, the commands and
the deadline job.

`run` locks the notice and checks, in order: that the action starts from its status, the
actor's role (the notice's organizer, an officer of its jurisdiction, or the system), and
the action's guards. Then, in one transaction, it applies the action's own effect, the
effects of the target state (attached to the state, once, whatever the action: a notice
that goes ahead holds its time; one that does not releases it and offers it on; one that no
longer waits gives up its offers), saves, and records the move in the audit log. It returns
what was saved. If anything fails it raises and nothing is saved; the caller's objects are
never touched, so a page can only show what the database holds.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import OperationalError, transaction
from django.db.models import F, Q
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from agora import i18n
from agora.accounts.access import administrator_of, officer_of, organizer_of
from agora.audit.events import Event
from agora.audit.services import record
from agora.i18n import pick
from agora.locking import lock_notice, lock_row
from agora.rules import deadlines
from agora.rules.checks import Interval, NoticeFacts, VenueFacts, Violation, check_notice
from agora.rules.models import Agency
from agora.rules.rulebook import Silence
from agora.scheduling import bookings, moves, offers, planning
from agora.scheduling.models import MOVED, Booking, MoveRequest, Offer
from agora.scheduling.place import Place
from agora.venues.models import Closure, Venue, VenueChange, Zone

from . import consultations, notify, papers, words
from .integrity import fingerprint
from .models import TEXT_MAX, Decision, Notice
from .places import place_label
from .workflow import (
    ACTIONS,
    AUTHORITY,
    DECIDING,
    GOING_AHEAD,
    OFFICER,
    ORGANIZER,
    PENDING,
    WAITING,
    Action,
    Status,
)

EDITABLE_FIELDS = (
    "assembly_type",
    "topic",
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
    "urgent",
    "language",
)


class TransitionNotAllowed(ValidationError):
    def __init__(self, action: Action, current: str):
        status = Status(current).label.lower()
        super().__init__(
            str(action.unavailable) % {"status": status}
            if action.unavailable
            else _("This cannot be done to a notice that is %(status)s: %(action)s.")
            % {"status": status, "action": str(action.label).lower()},
            code="transition_not_allowed",
        )


# --- reading -----------------------------------------------------------------------------


def venue_facts(venue: Venue, start: dt.datetime, end: dt.datetime) -> VenueFacts:
    closures = venue.closures.in_force(start, end)
    return VenueFacts(
        designated=venue.designated,
        capacity=venue.capacity,
        closures=[Interval(c.starts_at, c.until, c.reason) for c in closures],
        slug=venue.slug,
    )


def organizer_hours_at_venue(notice: Notice, venue_id: int | None = None, moment=None) -> float:
    """Hours the organizer already holds at the venue on the local day (other notices,
    whatever their status: the daily cap counts time held)."""
    jurisdiction = notice.jurisdiction
    start, end = jurisdiction.day_bounds(jurisdiction.local_day(moment or notice.starts_at))
    return bookings.hours_held(
        notice.organizer_id, venue_id or notice.venue_id, start, end, exclude=notice.pk
    )


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
        urgent=notice.urgent,
    )
    return check_notice(facts, rulebook, notice.jurisdiction.calendar())


def decision_due(notice: Notice, *, counted_from: dt.datetime | None = None) -> dt.datetime:
    """When the authority must have decided under the notice's rulebook (for its type and
    number of participants), counted from its filing or `counted_from`; never after the start."""
    due, _ = deadlines.decision_deadline(
        *_decision_rules(notice), counted_from or notice.filed_at, notice.starts_at
    )
    return due


@dataclass(frozen=True)
class Counted:
    """One deadline of a filed notice, as counted: which (`kind`), how (`trace`), and whether
    the filing kept it (`kept`: None for the authority's own deadline)."""

    kind: str  # "notice_min", "notice_max", "decision_after_filing", "decision_before_start", "consultation"
    trace: deadlines.Trace
    kept: bool | None
    urgent: bool = False  # an urgent notice: the minimum is shown, but does not apply
    agency: str = ""  # for a consultation: the agency's name


def deadline_traces(notice: Notice) -> list[Counted]:
    """How each deadline of a filed notice was computed under the rulebook it was filed
    under, on today's calendar of its jurisdiction (a declared day moves them)."""
    if notice.filed_at is None or notice.rulebook_id is None:
        return []
    rules, jurisdiction = rules_of(notice), notice.jurisdiction
    counter, decision = deadlines.Counter(jurisdiction.calendar(), jurisdiction.tz), rules.decision
    base, found = f"types.{notice.assembly_type}", []
    if rules.notice.min is not None:
        trace = counter.latest_filing(rules.notice.min, notice.starts_at, f"{base}.notice.min")
        if notice.urgent and rules.urgent:
            found.append(Counted("notice_min", trace, None, urgent=True))
        else:
            found.append(Counted("notice_min", trace, trace.allows(notice.filed_at)))
    if rules.notice.max is not None:
        trace = counter.earliest_filing(rules.notice.max, notice.starts_at, f"{base}.notice.max")
        found.append(Counted("notice_max", trace, notice.filed_at >= trace.at))
    _, traces = deadlines.decision_deadline(
        counter, decision, notice.filed_at, notice.starts_at, rule=f"{base}.decision"
    )
    found += [Counted(f"decision_{t.rule.rsplit('.', 1)[1]}", t, None) for t in traces]
    # each agency consulted, by the rulebook's own period (capped at the authority's deadline)
    rules_asked = consultations.requirements(notice)
    if rules_asked:
        names = {a.code: pick(a.name) for a in Agency.objects.filter(jurisdiction=jurisdiction)}
        for rule in rules_asked:
            if rule.agency in names:
                trace = counter.after(rule.deadline, notice.filed_at, f"consultation.{rule.agency}")
                found.append(Counted("consultation", trace, None, agency=names[rule.agency]))
    return found


def deadline_notes(notice: Notice) -> list[tuple[str, dict]]:
    """What a notice's deadline trace says besides its periods: why no notice was needed,
    and when the decision is due by the start rather than by its period."""
    if notice.filed_at is None or notice.rulebook_id is None:
        return []
    rules, kind = rules_of(notice), notice.rulebook.rules.type_rules(notice.assembly_type)
    notes: list[tuple[str, dict]] = []
    if rules.notice.min is None:
        below = kind.small_group_exempt_below
        day = notice.jurisdiction.local_day(notice.starts_at)
        place = notice.rulebook.rules.place_rule(notice.venue.slug, day)
        if kind.notice.min is None:
            notes.append(("no_notice_type", {}))
        elif below and notice.expected_participants < below:
            notes.append(("no_notice_small", {"n": below}))
        elif place is not None and place.notice_exempt_up_to:
            notes.append(("no_notice_place", {"n": place.notice_exempt_up_to}))
    if rules.decision.after_filing is None and rules.decision.before_start is None:
        notes.append(("decision_by_start", {}))
    elif notice.decision_due_at is not None and notice.decision_due_at >= notice.starts_at:
        notes.append(("capped_at_start", {"when": notice.starts_at}))
    return notes


def rules_of(notice: Notice):
    """The rules of the notice's type under its rulebook, for its size, place and day."""
    day = notice.jurisdiction.local_day(notice.starts_at)
    return notice.rulebook.rules.rules_for(
        notice.assembly_type, notice.expected_participants, notice.venue.slug, day
    )


def _decision_rules(notice: Notice):
    jurisdiction = notice.jurisdiction
    return deadlines.Counter(jurisdiction.calendar(), jurisdiction.tz), rules_of(notice).decision


def open_alternative(notice: Notice) -> Decision | None:
    """The decision whose alternative the organizer may still accept or decline."""
    if notice.status not in ACTIONS["accept_alternative"].sources:
        return None
    latest = notice.decisions.order_by("decided_at", "pk").last()
    if latest is None or not latest.alternative or latest.alternative_answer:
        return None
    return latest


def alternative_held(decision: Decision) -> bool:
    """Whether an open alternative still holds its place for the organizer (one offered
    before alternatives held, or under a closure declared since, does not)."""
    return decision.holds.filter(held_until__gt=F("starts_at")).exists()


def offered_alternative(notice: Notice) -> dict | None:
    """The alternative ({venue, zones, starts_at, ends_at}) open to the organizer, if any."""
    decision = open_alternative(notice)
    return decision.alternative if decision else None


def _when(moment: dt.datetime, tz: ZoneInfo) -> str:
    """A moment in a message to the user: the place's local time, in their language."""
    return i18n.when(moment, tz, zone=True)


# --- the runner --------------------------------------------------------------------------


@dataclass
class Step:
    """One action being run: what its guards check and its effects use and produce."""

    action: Action
    notice: Notice  # locked, as in the database
    actor: object
    at: dt.datetime
    grounds: list[str] = field(default_factory=list)
    reasoning: str = ""
    conditions: str = ""
    text: str = ""
    consultation_note: str = ""  # why the decision does not wait for every consultation
    closure: Closure | None = None
    change: VenueChange | None = None
    alternative: Place | None = None
    placement: Place | None = None
    offer: Offer | None = None
    move_to: Place | None = None  # where an officer asks an accepted assembly to move
    fits: tuple[int, int] = (0, 0)  # the day plan's count of notices fitted without and with it
    move: MoveRequest | None = None  # the request an organizer answers
    # set by guards and effects
    hold: Place | None = None  # what the notice will hold once it goes ahead
    answered: Decision | None = None  # the decision whose alternative is being answered
    decision: Decision | None = None
    offers_made: list = field(default_factory=list)
    changed: list[str] = field(default_factory=list)  # notice fields the effect set
    touched: list = field(default_factory=list)  # other records the effect changed (for the log)
    data: dict = field(default_factory=dict)  # for the audit event
    zones: dict = field(default_factory=dict)  # the zones each place holds, chosen once (_zones)
    dry: bool = False  # only checking (why_not): lock nothing

    @property
    def rules(self):
        return self.notice.rulebook.rules

    @property
    def tz(self) -> ZoneInfo:
        return self.notice.jurisdiction.tz


def run(
    name: str, notice: Notice, actor, *, at: dt.datetime | None = None, dry: bool = False, **params
) -> Step:
    """Run action `name` on `notice` as `actor`; returns the finished Step (its `notice` is
    the notice as saved). Raises PermissionDenied or ValidationError and saves nothing.

    `dry`: only check whether it could be done now (locking and saving nothing), so a page
    can show the errors before it asks the user to confirm.

    A deadlock PostgreSQL broke by aborting this action is retried once, when the action is
    its own transaction (docs/locking.md: the audit head no longer serialises writers)."""
    try:
        return _run(name, notice, actor, at=at, dry=dry, **params)
    except OperationalError as error:
        deadlock = getattr(error.__cause__, "sqlstate", None) == "40P01"
        if not deadlock or transaction.get_connection().in_atomic_block:
            raise
    return _run(name, notice, actor, at=at, dry=dry, **params)


def _read(pk: int, *, lock: bool) -> Notice:
    return lock_notice(pk) if lock else Notice.objects.get(pk=pk)


def _run(name: str, notice: Notice, actor, *, at, dry: bool, created: bool = False, **params) -> Step:
    """`created`: `notice` was inserted by the caller's transaction, which is this action's
    too: nobody else can see the row, so it is neither locked nor read again."""
    action = ACTIONS[name]
    with transaction.atomic(savepoint=not created):
        locked = notice if created else _read(notice.pk, lock=not dry)
        step = Step(action, locked, actor, at or timezone.now(), dry=dry, **params)
        if not action.allows(step.notice.status):
            raise TransitionNotAllowed(action, step.notice.status)
        ROLES[action.role](step)
        _check(step)
        if dry:
            transaction.set_rollback(True)
            return step
        previous = step.notice.status
        EFFECTS.get(name, _nothing)(step)
        if action.target is not None:
            step.notice.status = action.target
        step.notice.save(update_fields=["status", *step.changed])
        if action.target is not None and action.target != previous:
            record(
                MOVE_EVENTS.get(name) or f"notice.{action.target}",
                actor,
                step.notice,
                {"from": previous, "to": action.target, "action": name, **step.data},
                at=step.at,
                state=[step.notice, *step.touched],
            )
            _enter(step, previous)
            notify.status_changed(step.notice)
            papers.moved(step.notice)
        elif step.changed or step.touched:  # a change no event would carry: the log must keep it
            raise RuntimeError(f"action {name!r} changed {step.changed or step.touched} without a move")
    return step


def why_not(name: str, notice: Notice, actor, *, at: dt.datetime | None = None, **params) -> str | None:
    """Why `actor` cannot take action `name` on `notice` now, or None if they can: the same
    checks as `run`, nothing locked or saved. Pages offer only what can be done, and say why not."""
    try:
        run(name, notice, actor, at=at, dry=True, **params)
    except (ValidationError, PermissionDenied) as error:
        return " ".join(getattr(error, "messages", None) or [str(error)])
    return None


# The audit event of a move is named after its target state, except:
MOVE_EVENTS = {"file": Event.NOTICE_FILED, "displace": Event.NOTICE_DISPLACED}


def _check(step: Step) -> None:
    """Run every guard; report every field's problem at once, a general one alone."""
    fields: dict[str, list] = {}
    for guard in step.action.guards:
        try:
            GUARDS[guard](step)
        except ValidationError as error:
            if not hasattr(error, "error_dict"):
                raise
            for key, errors in error.error_dict.items():
                fields.setdefault(key, []).extend(errors)
    if fields:
        raise ValidationError(fields)


def _enter(step: Step, previous: str) -> None:
    """The effects of entering the target state, the same whichever action led there."""
    notice, target, freed = step.notice, step.action.target, []
    if previous == Status.DRAFT and step.hold is None:  # just filed: it holds and was offered nothing
        return
    # an alternative not answered lapses with any other move (one accepted is the notice's own);
    # only a waiting notice has one
    if previous in WAITING:
        freed += _release_alternative(step, "alternative_lapsed")
    if target not in WAITING:  # no longer waiting: pending offers of released time lapse
        for offer in offers.pending_offers(notice):
            freed += offers.close_offer(offer, Offer.State.CANCELLED, step.actor, step.at, offer_on=False)
    if target in GOING_AHEAD:
        if step.hold is not None:
            _hold(step)
    else:
        for move in notice.move_requests.filter(state=MoveRequest.State.PENDING):
            _close_move(
                step, move, MoveRequest.State.CANCELLED
            )  # not going ahead: whatever it holds is released and offered on
        step.offers_made += offers.release_notice(notice, step.at, step.action.name, actor=step.actor)
        if step.decision is not None and step.alternative is not None:
            _hold_alternative(step)
    step.offers_made += offers.pass_on(notice.jurisdiction, freed, at=step.at)
    if previous in PENDING and target not in PENDING:
        _withdraw_moves_without_reason(step)


def _zones(step: Step, place: Place) -> list[Zone]:
    """The zones `place` holds: the named ones, or those the rulebook's zone choice gives.

    Chosen once per step: the guard that checks the place is free and the effect that
    books it hold the same zones (the booking re-checks them under the zones' lock)."""
    if place not in step.zones:
        notice = step.notice
        venue = notice.venue if place.venue == notice.venue_id else Venue.objects.get(pk=place.venue)
        zones = list(Zone.objects.filter(pk__in=place.zones, venue=venue)) if place.zones else []
        step.zones[place] = zones or bookings.zones_to_hold(
            venue,
            notice.expected_participants,
            place.starts_at,
            place.ends_at,
            share=step.rules.fairness.share_venue_between_assemblies,
        )
    return step.zones[place]


def _hold(step: Step) -> list[Booking]:
    """Book the place the notice goes ahead at."""
    notice, place = step.notice, step.hold
    return bookings.book(
        notice,
        _zones(step, place),
        place.starts_at,
        place.ends_at,
        notice.expected_participants,
        actor=step.actor,
    )


def _hold_alternative(step: Step) -> None:
    """The alternative a decision offers holds its place until the organizer answers, so
    that no later decision, plan or offer gives it to someone else in the meantime."""
    notice, place = step.notice, step.alternative
    zones = Zone.objects.filter(venue_id=place.venue, pk__in=place.zones)
    try:
        bookings.book(
            notice,
            zones,
            place.starts_at,
            place.ends_at,
            notice.expected_participants,
            actor=step.actor,
            alternative=step.decision,
        )
    except bookings.SlotTaken as taken:
        raise ValidationError(
            {
                "alternative": _("The alternative is no longer free: %(taken)s")
                % {"taken": " ".join(taken.messages)}
            }
        ) from taken


def _release_alternative(step: Step, reason: str) -> list[tuple]:
    """Give back what an alternative not (or not yet) accepted holds; returns the freed
    (venue, start, end) for the caller to offer on."""
    holds = Booking.objects.for_open_alternatives().filter(notice=step.notice, held_until__gt=F("starts_at"))
    if step.decision is not None:
        holds = holds.exclude(alternative=step.decision)
    return _release_holds(step, holds, reason)


def _release_holds(step: Step, holds, reason: str) -> list[tuple]:
    freed = []
    for hold in holds.select_related("zone__venue"):
        freed.append((hold.zone.venue, hold.starts_at, hold.held_until))
        bookings.release(hold, hold.starts_at, reason, actor=step.actor, now=step.at)
    return freed


def _nothing(step: Step) -> None:
    pass


# --- roles -------------------------------------------------------------------------------


def _own(notice: Notice, user):
    organizer = organizer_of(user)
    if notice.organizer_id != organizer.pk:
        raise PermissionDenied(_("This is not your notice."))
    return organizer


def _system(step: Step) -> None:
    if step.actor is not None:
        raise PermissionDenied(_("Only the system does this, at the deadline."))


ROLES: dict[str, Callable[[Step], object]] = {
    ORGANIZER: lambda step: _own(step.notice, step.actor),
    OFFICER: lambda step: officer_of(step.actor, step.notice.jurisdiction),
    AUTHORITY: lambda step: administrator_of(step.actor, step.notice.jurisdiction),
    "system": _system,
}


# --- guards ------------------------------------------------------------------------------


def request_place(notice: Notice) -> Place:
    return Place(
        notice.venue_id, (notice.zone_id,) if notice.zone_id else (), notice.starts_at, notice.ends_at
    )


def _firm(notice: Notice):
    return notice.bookings.firm()


def _start_of(notice: Notice) -> dt.datetime:
    """When the assembly starts: the start of what it holds, else of what it asked for."""
    starts = [b.starts_at for b in _firm(notice)]
    return min(starts) if starts else notice.starts_at


def _end_of(notice: Notice) -> dt.datetime:
    ends = [b.ends_at for b in _firm(notice)]
    return max(ends) if ends else notice.ends_at


def _not_started(step: Step) -> None:
    start = _start_of(step.notice)
    if step.at >= start:
        raise ValidationError(
            _("The assembly has already started (%(start)s); this can no longer be done.")
            % {"start": _when(start, step.tz)},
            code="started",
        )


def _outcome_in_rulebook(step: Step) -> None:
    allowed = step.rules.decision_outcomes
    if step.action.target not in allowed:
        raise ValidationError({"outcome": _("Choose one of: %(list)s.") % {"list": ", ".join(allowed)}})


def _no_grounds(step: Step) -> None:
    if step.grounds:
        raise ValidationError(
            {"grounds": _("Legal grounds are given only with a refusal or an alternative.")}
        )


def _no_alternative(step: Step) -> None:
    if step.alternative is not None:
        raise ValidationError(
            {
                "alternative": _(
                    "An acceptance offers no alternative; to offer one, choose “Offer an alternative”."
                )
            }
        )


def _grounds_listed(step: Step) -> None:
    unknown = [g for g in step.grounds if g not in step.rules.refusal_grounds]
    if unknown:
        raise ValidationError(
            {
                "grounds": _(
                    "Not a lawful ground in %(rulebook)s: %(codes)s. Choose from the rulebook's list."
                )
                % {"rulebook": words.rulebook(step.notice.rulebook), "codes": ", ".join(unknown)}
            }
        )
    if not step.grounds:
        message = (
            _("An offer of another place or time must name at least one legal ground from the rulebook.")
            if step.action.target == Status.ALTERNATIVE_OFFERED
            else _("A refusal must name at least one legal ground from the rulebook.")
        )
        raise ValidationError({"grounds": message})


def _both_fit(step: Step) -> None:
    """Another event at the same place is a ground only where the two cannot be held
    together (ECtHR, *Lashmankin and Others v. Russia*, 2017): the scheduler looks for room
    beside what is booked, within the time the notice asked for."""
    rival = [g for g in step.grounds if g in step.rules.competing_event_grounds]
    if not rival:
        return
    notice = step.notice
    room = planning.shared_placement(notice)
    if room is None:
        return
    zones = notice.venue.zones.values_list("pk", flat=True)
    rivals = bookings.holding(list(zones), notice.starts_at, notice.ends_at).exclude(notice=notice.pk)
    said = {
        "ground": words.ground(rival[0], notice.rulebook),
        "place": place_label(room, notice.jurisdiction),
    }
    if not rivals.exists():
        message = _(
            "“%(ground)s” does not hold: nothing else is booked at %(place)s. Accept the notice as "
            "asked, or give another ground."
        )
    else:
        message = _(
            "“%(ground)s” does not hold: both assemblies fit, this one at %(place)s. Accept it there "
            "(with that place and time), or give another ground."
        )
    raise ValidationError({"grounds": message % said}, code="both_fit")


def _consulted(step: Step) -> None:
    """Every consultation the rules require is answered or has run out, or the officer says
    why the decision cannot wait for it (the note is public with the decision)."""
    # a notice its rulebook asks nobody about has no consultations: no query for them
    waiting = consultations.waiting_for(step.notice) if consultations.requirements(step.notice) else []
    if not waiting:
        step.consultation_note = ""
        return
    if len(step.consultation_note) > TEXT_MAX:
        raise ValidationError({"consultation_note": _("At most %(n)d characters.") % {"n": TEXT_MAX}})
    if not step.consultation_note:
        raise ValidationError(
            {
                "consultation_note": _(
                    "Still waiting for: %(agencies)s. Wait for their answers, or say here why "
                    "the decision cannot wait."
                )
                % {"agencies": consultations.outstanding_text(step.notice, waiting)}
            }
        )


def _reasons_given(step: Step) -> None:
    if not step.reasoning.strip():
        raise ValidationError(
            {
                "reasoning": _(
                    "Give the reasons: they are printed in the letter and published with the decision."
                )
            }
        )


def _no_conditions(step: Step) -> None:
    if step.conditions.strip():
        raise ValidationError(
            {
                "conditions": _(
                    "Conditions go with “Accept with conditions”; choose it, or leave the conditions empty."
                )
            }
        )


def _conditions_stated(step: Step) -> None:
    if not step.conditions.strip():
        raise ValidationError({"conditions": _("State the conditions.")})


def _alternative_given(step: Step) -> None:
    if step.alternative is None:
        raise ValidationError({"alternative": _("Offer the alternative place and time.")})


def _alternative_if_required(step: Step) -> None:
    if step.alternative is None and step.rules.fairness.refusal_requires_alternative:
        raise ValidationError({"alternative": _("This rulebook requires an alternative with every refusal.")})


# What makes an offered place unlawful; a notice period does not bind the authority's offer.
PLACE_RULES = {
    "outside_hours",
    "too_long",
    "over_daily_cap",
    "over_capacity",
    "venue_not_designated",
    "venue_closed",
}


def _alternative_lawful(step: Step) -> None:
    """An offered place is in the future, within the rulebook, free, and names its zones."""
    place = step.alternative
    if place is None:
        return
    notice = step.notice
    venue = Venue.objects.filter(pk=place.venue, jurisdiction=notice.jurisdiction).first()
    if venue is None:
        raise ValidationError({"alternative": _("Choose a place of this city.")})
    if place.ends_at <= place.starts_at:
        raise ValidationError({"alternative": _("The alternative must end after it starts.")})
    if place.starts_at <= step.at:
        raise ValidationError(
            {
                "alternative": _("The alternative starts %(start)s, in the past; offer a time still to come.")
                % {"start": _when(place.starts_at, step.tz)}
            }
        )
    if Zone.objects.filter(pk__in=place.zones, venue=venue).count() != len(set(place.zones)):
        raise ValidationError({"alternative": _("Each zone must belong to the chosen place.")})
    facts = NoticeFacts(
        assembly_type=notice.assembly_type,
        filed_at=step.at,
        starts_at=place.starts_at,
        ends_at=place.ends_at,
        expected_participants=notice.expected_participants,
        venue=venue_facts(venue, place.starts_at, place.ends_at),
        organizer_hours_same_venue_day=organizer_hours_at_venue(notice, venue.pk, place.starts_at),
    )
    unlawful = [
        v.message
        for v in check_notice(facts, step.rules, notice.jurisdiction.calendar())
        if v.code in PLACE_RULES
    ]
    if unlawful:
        raise ValidationError({"alternative": unlawful})
    free = planning.place_is_free(notice, place)
    if free is None:
        raise ValidationError(
            {
                "alternative": _(
                    "That place is not free at that time (another assembly, or the changeover gap "
                    "after one). Choose one of the free alternatives listed."
                )
            }
        )
    step.alternative = free
    step.data["alternative"] = free.as_json()


def _placement_within_request(step: Step) -> None:
    """An acceptance holds the requested place within the requested time (e.g. trimmed to
    the daily cap); anything else is an alternative."""
    notice, place = step.notice, step.placement
    if place is not None and (
        place.venue != notice.venue_id or place.starts_at < notice.starts_at or place.ends_at > notice.ends_at
    ):
        raise ValidationError(
            {
                "placement": _(
                    "An acceptance holds the requested place within the requested time; "
                    "offer anything else as an alternative."
                )
            }
        )
    step.hold = place or request_place(notice)


def _within_cap(step: Step) -> None:
    """The time the organizer would hold at the venue that day stays within the daily cap."""
    place = step.hold = step.hold or request_place(step.notice)
    cap = step.rules.fairness.max_hours_per_organizer_per_venue_day
    if cap is None:
        return
    held = organizer_hours_at_venue(step.notice, place.venue, place.starts_at)
    if held + place.hours > cap + 1e-9:
        raise ValidationError(
            _(
                "The organizer would hold this place for %(total)s hours that day; the rulebook "
                "allows %(cap)s. Accept a shorter time with conditions, or offer an alternative."
            )
            % {"total": f"{held + place.hours:g}", "cap": f"{cap:g}"},
            code="over_daily_cap",
        )


def _place_free(step: Step) -> None:
    """Nobody else holds the zones the notice would hold (the database constraint is the
    guarantee; this says so before anything is attempted, with the notice in the way)."""
    place = step.hold = step.hold or request_place(step.notice)
    zones = _zones(step, place)
    taken = (
        bookings.holding([z.pk for z in zones], place.starts_at, place.ends_at)
        .exclude(notice=step.notice.pk)
        .select_related("notice", "zone__venue")
        .first()
    )
    closed = (
        Closure.objects.in_force(place.starts_at, place.ends_at)
        .filter(venue=place.venue)
        .filter(Q(zone__isnull=True) | Q(zone__in=zones))
        .first()
    )
    if closed is not None:
        raise ValidationError(
            _("The place is closed from %(start)s to %(end)s: %(reason)s")
            % {
                "start": _when(closed.starts_at, step.tz),
                "end": _when(closed.until, step.tz),
                "reason": closed.reason,
            },
            code="venue_closed",
        )
    if taken is not None:
        where = f"{pick(taken.zone.venue.name)} ({pick(taken.zone.name)})"
        hint = (
            _("Offer one of the free alternatives instead.")
            if step.action.role == OFFICER
            else _("This time is no longer free.")
        )
        raise ValidationError(
            _("%(place)s is already booked at that time by notice %(ref)s, so this notice cannot hold it.")
            % {"place": where, "ref": taken.notice.reference}
            + " "
            + hint,
            code="slot_taken",
        )


def _authority_takes_place(step: Step) -> None:
    """The authority's act (a closure, or a change of the venue) takes what the notice holds."""
    closure, notice = step.closure, step.notice
    if closure is not None:
        takes = (
            _firm(notice)
            .filter(
                Q(zone=closure.zone_id) if closure.zone_id else Q(zone__venue=closure.venue_id),
                starts_at__lt=closure.until,
                held_until__gt=closure.starts_at,
            )
            .exists()
        )
        if takes:
            return
    elif step.change is not None and unfit_reason(notice, step.change.venue) is not None:
        return
    raise ValidationError(
        _("The authority's act does not touch what this notice holds."), code="not_displaced"
    )


def unfit_reason(notice: Notice, venue: Venue) -> str | None:
    """Why `venue`, as it is now, can no longer take what the notice holds there (its
    designation, the capacity of the zones it holds, the venue's hours); None if it can."""
    zones = list(Zone.objects.filter(venue=venue, bookings__in=_firm(notice)).distinct())
    if not zones:
        return None
    name = pick(venue.name)
    if not venue.designated:
        return _("%(place)s is no longer a designated place for assemblies.") % {"place": name}
    capacity = min(sum(zone.capacity for zone in zones), venue.capacity)
    if notice.expected_participants > capacity:
        return _(
            "%(place)s now takes %(capacity)s people where it holds time, fewer than the %(n)s expected."
        ) % {
            "place": name,
            "capacity": capacity,
            "n": notice.expected_participants,
        }
    if venue.opens_at and venue.closes_at:
        tz = notice.jurisdiction.tz
        held = notice.bookings.firm().filter(zone__in=zones)
        for booking in held:
            start, end = booking.starts_at.astimezone(tz), booking.ends_at.astimezone(tz)
            if start.time() < venue.opens_at or end.time() > venue.closes_at or start.date() != end.date():
                return _("%(place)s is now open from %(opens)s to %(closes)s only.") % {
                    "place": name,
                    "opens": formats.time_format(venue.opens_at, "TIME_FORMAT"),
                    "closes": formats.time_format(venue.closes_at, "TIME_FORMAT"),
                }
    return None


def _alternative_open(step: Step) -> None:
    decision = open_alternative(step.notice)
    if decision is None:
        raise ValidationError(
            _("No alternative is offered to this notice, or it has already been answered."),
            code="no_alternative",
        )
    step.answered, step.alternative = decision, Place.of(decision.alternative)


def _alternative_ahead(step: Step) -> None:
    if step.alternative.starts_at <= step.at:
        raise ValidationError(_("The time of the alternative has passed."), code="started")
    step.hold = step.alternative


def _offer(step: Step) -> Offer:
    if step.offer is None:
        raise ValidationError(_("Say which offer."), code="no_offer")
    step.offer = Offer.objects.get(pk=step.offer.pk) if step.dry else lock_row(Offer.objects, step.offer.pk)
    return step.offer


def _offer_pending(step: Step) -> None:
    offer = _offer(step)
    if offer.notice_id != step.notice.pk:
        raise PermissionDenied(_("This offer is not for this notice."))
    if offer.state != Offer.State.PENDING:
        raise ValidationError(
            _("This offer is already %(state)s.") % {"state": offer.get_state_display().lower()},
            code="answered",
        )
    if step.at >= offer.expires_at:
        raise ValidationError(_("This offer has expired."), code="expired")


def _offer_due(step: Step) -> None:
    offer = _offer(step)
    if offer.state != Offer.State.PENDING or step.at < offer.expires_at:
        raise ValidationError(_("This offer is not due to expire."), code="not_due")


def _checkin_window(step: Step) -> None:
    held = list(_firm(step.notice).filter(held_until__gt=step.at))
    if not held:
        raise ValidationError(_("This assembly holds no time left to check in to."), code="no_booking")
    if any(b.checked_in_at for b in held):
        raise ValidationError(_("This assembly has already checked in."), code="checked_in")
    before = dt.timedelta(minutes=step.rules.fairness.checkin_opens_minutes_before)
    start = min(b.starts_at for b in held)
    if step.at < start - before:
        raise ValidationError(
            _("Check-in opens %(minutes)s minutes before the start, on %(opens)s, and closes at the end.")
            % {
                "opens": _when(start - before, step.tz),
                "minutes": i18n.number(int(before.total_seconds() // 60)),
            },
            code="too_early",
        )


def _checked_in(step: Step) -> None:
    bookings = list(_firm(step.notice).exclude(checked_in_at=None))
    if not bookings:
        raise ValidationError(
            _("This assembly has not checked in, so it cannot check out."), code="not_checked_in"
        )
    if all(b.checked_out_at for b in bookings):
        raise ValidationError(_("This assembly has already checked out."), code="checked_out")
    if step.at < max(b.checked_in_at for b in bookings):
        raise ValidationError(_("A check-out cannot be before the check-in."), code="before_checkin")


def _grace_passed(step: Step) -> None:
    grace = step.rules.fairness.checkin_grace_minutes
    firm = _firm(step.notice)
    start = _start_of(step.notice)
    if (
        grace is None
        or step.at < start + dt.timedelta(minutes=grace)
        or firm.exclude(checked_in_at=None).exists()
        or not any(b.held_until > b.starts_at for b in firm)
    ):
        raise ValidationError(_("Not a no-show."), code="not_no_show")


def _ended(step: Step) -> None:
    end = _end_of(step.notice)
    if step.at < end:
        raise ValidationError(
            _("Record whether the assembly was held once it is over, after %(end)s.")
            % {"end": _when(end, step.tz)},
            code="not_over",
        )


def _appeal_stated(step: Step) -> None:
    if not step.text.strip():
        raise ValidationError({"text": _("Say why the decision is wrong.")})


def _deadline_passed(step: Step) -> None:
    due = step.notice.decision_due_at
    if due is None or step.at < due:
        raise ValidationError(_("The decision deadline has not passed yet."), code="not_due")


# --- moving an accepted booking, with its organizer's consent -----------------------------


def _not_asked_before(step: Step) -> None:
    """An organizer is asked once per notice: a pending request waits for its answer, and
    an answer (or the silence of one that lapsed) stands."""
    asked = step.notice.move_requests.asked().order_by("-asked_at").first()
    if asked is None:
        return
    if asked.state == MoveRequest.State.PENDING:
        raise ValidationError(
            _("Its organizer has already been asked to move this assembly: wait for the answer."),
            code="move_pending",
        )
    raise ValidationError(
        _(
            "Its organizer was asked to move this assembly on %(when)s and kept the booking: "
            "they are not asked again."
        )
        % {"when": i18n.when(asked.asked_at, step.notice.jurisdiction)}
        if asked.state != MoveRequest.State.ACCEPTED
        else _(
            "This assembly has moved once already, with its organizer's consent: "
            "it is not asked to move again."
        ),
        code="asked_before",
    )


def _move_within_request(step: Step) -> None:
    """The new place and time are within what the organizer said it accepts (its venue or
    the others it listed, its time or its window), as long as what it holds now, still to
    come and free (hours, capacity, the daily cap, closures, bookings, changeover gaps)."""
    notice, place = step.notice, step.move_to
    if place is None:
        raise ValidationError({"move_to": _("Say where and when the assembly would move.")})
    current = moves.held(notice)
    if current is None:
        raise ValidationError(_("This notice holds no time to move."), code="nothing_held")
    acceptable = {notice.venue_id, *notice.acceptable_venues.values_list("pk", flat=True)}
    if notice.window_start and notice.window_end:
        in_time = notice.window_start <= place.starts_at and place.ends_at <= notice.window_end
    else:
        in_time = place.starts_at == notice.starts_at
    problems = []
    if place.venue not in acceptable or not in_time:
        problems.append(_("The organizer did not say they accept that place and time: choose within them."))
    if place.ends_at - place.starts_at != current.ends_at - current.starts_at:
        problems.append(_("A move keeps the length of what the assembly holds now."))
    if place == current:
        problems.append(_("That is where the assembly is booked already."))
    if place.starts_at <= step.at:
        problems.append(_("The new time has begun: choose a time still to come."))
    if problems:
        raise ValidationError({"move_to": problems})
    free = planning.place_is_free(notice, place)
    if free is None:
        raise ValidationError(
            {
                "move_to": _(
                    "That place is not free at that time (another assembly, a closure, or the gap after one)."
                )
            }
        )
    step.move_to = step.hold = free
    step.data["from"], step.data["to"] = current.as_json(), free.as_json()


def _move_request(step: Step) -> MoveRequest:
    if step.move is None:
        raise ValidationError(_("Say which request to move."), code="no_move")
    objects = MoveRequest.objects
    step.move = objects.get(pk=step.move.pk) if step.dry else lock_row(objects, step.move.pk)
    if step.move.notice_id != step.notice.pk:
        raise PermissionDenied(_("This request is not for this notice."))
    return step.move


def _move_pending(step: Step) -> None:
    move = _move_request(step)
    if move.state != MoveRequest.State.PENDING:
        raise ValidationError(
            _("This request has already been answered, or has lapsed: the booking stays as it is now."),
            code="answered",
        )
    if step.at >= move.expires_at:
        raise ValidationError(_("This request has expired: the booking stays as it was."), code="expired")
    step.hold = Place(move.venue_id, tuple(move.zones), move.starts_at, move.ends_at)


def _move_still_free(step: Step) -> None:
    if planning.place_is_free(step.notice, step.hold) is None:
        raise ValidationError(
            _("The new place and time have been taken meanwhile; your booking stays as it was."),
            code="slot_taken",
        )


def _move_due(step: Step) -> None:
    move = _move_request(step)
    if move.state != MoveRequest.State.PENDING or step.at < move.expires_at:
        raise ValidationError(_("This request is not due to expire."), code="not_due")


def _day_of(notice: Notice) -> dt.date:
    return notice.starts_at.astimezone(notice.jurisdiction.tz).date()


def _nothing_waits(step: Step) -> None:
    """A move is asked so that more of the notices waiting for that day fit: once none
    waits for a decision any more, it has nothing left to gain."""
    if planning.pending_on(step.notice.jurisdiction, _day_of(step.notice)).exists():
        raise ValidationError(_("Notices of that day still wait for a decision."), code="still_waiting")


def move_place(move: MoveRequest) -> Place:
    return Place(move.venue_id, tuple(move.zones), move.starts_at, move.ends_at)


GUARDS: dict[str, Callable[[Step], None]] = {
    "not_started": _not_started,
    "outcome_in_rulebook": _outcome_in_rulebook,
    "consulted": _consulted,
    "no_grounds": _no_grounds,
    "no_alternative": _no_alternative,
    "grounds_listed": _grounds_listed,
    "both_fit": _both_fit,
    "reasons_given": _reasons_given,
    "conditions_stated": _conditions_stated,
    "no_conditions": _no_conditions,
    "alternative_given": _alternative_given,
    "alternative_if_required": _alternative_if_required,
    "alternative_lawful": _alternative_lawful,
    "placement_within_request": _placement_within_request,
    "within_cap": _within_cap,
    "place_free": _place_free,
    "alternative_open": _alternative_open,
    "alternative_ahead": _alternative_ahead,
    "offer_pending": _offer_pending,
    "offer_due": _offer_due,
    "checkin_window": _checkin_window,
    "checked_in": _checked_in,
    "grace_passed": _grace_passed,
    "ended": _ended,
    "appeal_stated": _appeal_stated,
    "deadline_passed": _deadline_passed,
    "authority_takes_place": _authority_takes_place,
    "not_asked_before": _not_asked_before,
    "move_within_request": _move_within_request,
    "move_pending": _move_pending,
    "move_still_free": _move_still_free,
    "move_due": _move_due,
    "nothing_waits": _nothing_waits,
}


# --- effects of each action (the target's effects are in _enter) ---------------------------


def _keep(step: Step, **fields) -> None:
    for name, value in fields.items():
        setattr(step.notice, name, value)
    step.changed += list(fields)


def private_text(notice: Notice, text: str) -> str:
    """What the public audit log keeps of an organizer's own words: a keyed fingerprint
    (HMAC-SHA256 with the notice's secret, never published), not the text, which may hold
    personal data. Unkeyed, a guess ("Event postponed.") could be confirmed by hashing it;
    with the key, whoever holds the notice (the authority, a court) can still check the words.
    The text itself stays on the notice (not public)."""
    text = (text or "").strip()
    if not text:
        return ""
    return "hmac-sha256:" + hmac.new(notice.secret.encode(), text.encode(), hashlib.sha256).hexdigest()


def _stamp(step: Step) -> None:
    notice, at = step.notice, step.at
    notice.filed_at = at
    notice.rulebook = notice.jurisdiction.rulebook
    notice.reference = f"{notice.jurisdiction.reference_prefix}-{at:%Y}-{notice.pk:06d}"
    notice.violations = [v.as_dict() for v in precheck(notice, at=at)]
    notice.decision_due_at = decision_due(notice)
    step.changed += ["filed_at", "rulebook", "reference", "violations", "decision_due_at"]
    # the agencies the rules require are asked at once, in parallel; the log keeps each request
    asked = consultations.start(notice, at)
    step.touched += asked
    step.data.update(
        reference=notice.reference,
        venue=notice.venue_id,
        rulebook=str(notice.rulebook),
        violations=[v["code"] for v in notice.violations],
        decision_due_at=notice.decision_due_at.isoformat(),
    )
    if asked:
        step.data["consultations"] = [
            {"agency": c.agency.code, "due_at": c.due_at.isoformat()} for c in asked
        ]


def _decide(step: Step, *, officer=True) -> None:
    """A new decision on the notice, numbered after the ones before it, sealed in the log."""
    notice = step.notice
    outcome = step.action.target
    reference = f"{notice.reference}-D{notice.decisions.count() + 1}"
    decision = Decision.objects.create(
        notice=notice,
        reference=reference,
        rulebook=notice.rulebook,
        outcome=outcome,
        grounds=list(step.grounds),
        reasoning=step.reasoning,
        conditions=step.conditions,
        alternative=step.alternative.as_json() if step.alternative else None,
        officer=step.actor if officer else None,
        decided_at=step.at,
        consultation_note=step.consultation_note if officer else "",
    )
    # seal what the database holds (e.g. its rounding of times); its notice and rulebook
    # are the ones it was made with, so they are not read again
    decision.refresh_from_db(fields=[f.attname for f in Decision._meta.concrete_fields if not f.is_relation])
    record(
        "decision.made",
        step.actor if officer else None,
        notice,
        {"reference": reference, "outcome": outcome, "fingerprint": fingerprint(decision)},
        at=step.at,
        state=[decision],
    )
    step.decision = decision
    step.data.setdefault("grounds", list(step.grounds))


def _answer(step: Step, answer: str) -> None:
    decision = step.answered
    decision.alternative_answer, decision.alternative_answered_at = answer, step.at
    decision.save(update_fields=["alternative_answer", "alternative_answered_at"])
    step.data["decision"] = decision.reference
    held = decision.holds.filter(held_until__gt=F("starts_at"))
    if answer == "declined":
        record(
            "alternative.declined",
            step.actor,
            step.notice,
            {"decision": decision.reference},
            at=step.at,
            state=[decision],
        )
        freed = _release_holds(step, held, "alternative_declined")
        step.offers_made += offers.pass_on(step.notice.jurisdiction, freed, at=step.at)
    else:  # the move to accepted records it
        step.touched.append(decision)
        if held.exists():  # what the alternative held is now the notice's own: nothing to book
            step.hold = None


def _accept_released_time(step: Step) -> None:
    offer = step.offer
    offer.state, offer.answered_at = Offer.State.ACCEPTED, step.at
    offer.save(update_fields=["state", "answered_at"])
    record("offer.accepted", step.actor, step.notice, {"offer": offer.pk}, at=step.at, state=[offer])
    step.data["offer"] = offer.pk
    # the system's words are sealed in English, and shown in each reader's (words.reasoning)
    with translation.override("en"):
        step.reasoning = words.RELEASED_TIME % {
            "time": i18n.span(offer.starts_at, offer.ends_at, step.tz, zone=True)
        }
    _decide(step, officer=False)


def _check_out(step: Step) -> None:
    bookings.check_out(step.notice, actor=step.actor, at=step.at)
    if step.rules.fairness.release_on_checkout:
        step.offers_made += offers.release_notice(step.notice, step.at, "checked_out", actor=step.actor)


def _silence(step: Step) -> None:
    step.reasoning = words.SILENCE  # sealed in English, shown in each reader's (words.reasoning)
    _decide(step, officer=False)
    if step.action.target == Status.DEEMED_ACCEPTED:
        # The law says it may go ahead; a clash with another booking or the daily cap is
        # the authority's to resolve, and is recorded instead of booked.
        step.hold = request_place(step.notice)
        try:
            with transaction.atomic():
                _within_cap(step)
                _place_free(step)
                _hold(step)
        except ValidationError as clash:
            record("notice.deemed_accepted_conflict", None, step.notice, {"message": clash.messages[0]})
        step.hold = None


def _displace(step: Step) -> None:
    """Back to an officer, with a fresh decision deadline (never later than the start, and
    never shorter than the one the authority already had), and the organizer told why."""
    notice = step.notice
    due = decision_due(notice, counted_from=step.at)
    _keep(
        step,
        displaced_by=step.closure,
        displaced_by_change=step.change,
        decision_due_at=max(due, notice.decision_due_at or due),
        reminded_at=None,
    )
    # the status email tells the organizer why
    step.data.update({"closure": step.closure.pk} if step.closure else {"venue_change": step.change.pk})


def _ask_to_move(step: Step) -> None:
    rules, place = step.rules.fairness, step.move_to
    hold = dt.timedelta(hours=rules.offer_hold_hours or 12)
    start = min(place.starts_at, _start_of(step.notice))
    move = MoveRequest.objects.create(
        notice=step.notice,
        venue_id=place.venue,
        zones=list(place.zones),
        starts_at=place.starts_at,
        ends_at=place.ends_at,
        asked_at=step.at,
        asked_by=step.actor,
        expires_at=min(step.at + hold, start),
        fits_without=step.fits[0],
        fits_with=step.fits[1],
    )
    step.move = move
    record(
        Event.MOVE_ASKED,
        step.actor,
        step.notice,
        {"move": move.pk, **step.data, "fits": list(step.fits), "expires_at": move.expires_at.isoformat()},
        at=step.at,
        state=[move],
    )
    notify.move_asked(move)


def _close_move(step: Step, move: MoveRequest, state: str, **data) -> None:
    move.state, move.answered_at = state, step.at
    move.save(update_fields=["state", "answered_at"])
    actor = step.actor if state in (MoveRequest.State.ACCEPTED, MoveRequest.State.DECLINED) else None
    record(f"move.{state}", actor, step.notice, {"move": move.pk, **data}, at=step.at, state=[move])


def _withdraw_move(step: Step) -> None:
    _close_move(step, step.move, MoveRequest.State.CANCELLED, reason="nothing_waits")
    notify.move_withdrawn(step.move)


def moves_pending_on(jurisdiction, day: dt.date):
    """The requests to move an assembly of `day` still waiting for their organizer's answer."""
    start, end = jurisdiction.day_bounds(day)
    return (
        MoveRequest.objects.filter(
            state=MoveRequest.State.PENDING,
            notice__jurisdiction=jurisdiction,
            notice__starts_at__gte=start,
            notice__starts_at__lt=end,
        )
        .select_related("notice")
        .order_by("pk")
    )


def _withdraw_moves_without_reason(step: Step) -> None:
    """A notice of the day has just stopped waiting for a decision: if it was the last one,
    the moves asked for that day have nothing left to gain, and their organizers are told
    they need not answer (a plan recorded meanwhile decided the notices they were for)."""
    for move in moves_pending_on(step.notice.jurisdiction, _day_of(step.notice)):
        try:
            run("withdraw_move", move.notice, None, at=step.at, move=move)
        except ValidationError:
            return  # notices still wait (or it was answered meanwhile): the requests stand


def _accept_move(step: Step) -> None:
    """Give up what the notice holds, book the new place in the same transaction, then
    offer the time given up to waiting notices, as any release does."""
    notice, freed = step.notice, []
    for booking in _firm(notice).filter(held_until__gt=F("starts_at")).select_related("zone__venue"):
        freed.append((booking.zone.venue, booking.starts_at, booking.held_until))
        bookings.release(booking, booking.starts_at, MOVED, actor=step.actor, now=step.at)
    _hold(step)
    _close_move(step, step.move, MoveRequest.State.ACCEPTED)
    step.offers_made += offers.pass_on(notice.jurisdiction, freed, at=step.at)


EFFECTS: dict[str, Callable[[Step], None]] = {
    "file": _stamp,
    "withdraw": lambda step: _keep(step, withdraw_reason=step.text),
    "accept": _decide,
    "accept_with_conditions": _decide,
    "offer_alternative": _decide,
    "refuse": _decide,
    "accept_alternative": lambda step: _answer(step, "accepted"),
    "decline_alternative": lambda step: _answer(step, "declined"),
    "accept_released_time": _accept_released_time,
    "decline_released_time": lambda step: step.offers_made.extend(
        offers.close_offer(step.offer, Offer.State.DECLINED, step.actor, step.at)
    ),
    "expire_offer": lambda step: step.offers_made.extend(
        offers.close_offer(step.offer, Offer.State.EXPIRED, None, step.at)
    ),
    "ask_to_move": _ask_to_move,
    "accept_move": _accept_move,
    "decline_move": lambda step: _close_move(step, step.move, MoveRequest.State.DECLINED),
    "expire_move": lambda step: _close_move(step, step.move, MoveRequest.State.EXPIRED),
    "withdraw_move": _withdraw_move,
    "check_in": lambda step: bookings.check_in(step.notice, actor=step.actor, at=step.at),
    "check_out": _check_out,
    "no_show": lambda step: step.offers_made.extend(
        offers.release_notice(
            step.notice, step.at, "no_show", actor=None, release_from=_start_of(step.notice)
        )
    ),
    "appeal": lambda step: _keep(step, appeal_text=step.text.strip()),
    "uphold": _decide,
    "overturn": _decide,
    "displace": _displace,
    "silence_accepts": _silence,
    "silence_refuses": _silence,
}


# --- the actions, as the pages, the API and the commands call them -------------------------


def create_draft(user, *, acceptable_venues=(), **fields) -> Notice:
    """Keep a notice as a draft: not filed, seen by its organizer alone."""
    with transaction.atomic():
        notice = _new(user, acceptable_venues, fields)
        record(Event.NOTICE_DRAFT, user, notice, {"venue": notice.venue_id}, state=[notice])
    return notice


def _new(user, acceptable_venues, fields) -> Notice:
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
    notice.save()
    if acceptable_venues:  # a new notice has none to compare with
        notice.acceptable_venues.set(acceptable_venues)
    # what it was just given, as a prefetch would hold it (the audit event's state reads it)
    chosen = Venue.objects.filter(pk__in=[v.pk for v in acceptable_venues])
    chosen._result_cache, chosen._prefetch_done = list(acceptable_venues), True
    notice._prefetched_objects_cache = {"acceptable_venues": chosen}
    return notice


def _validate(notice: Notice, acceptable_venues) -> None:
    errors: dict[str, list[str]] = {}
    rulebook = notice.jurisdiction.rulebook.rules
    if notice.assembly_type not in rulebook.types:
        named = ", ".join(words.assembly_type(t, notice.jurisdiction.rulebook) for t in rulebook.types)
        errors["assembly_type"] = [
            _("%(city)s's rulebook has no such type; choose one of: %(list)s.")
            % {"city": i18n.pick(notice.jurisdiction.name), "list": named}
        ]
    kind = rulebook.types.get(notice.assembly_type)
    if notice.urgent and kind is not None and not kind.urgent:
        errors["urgent"] = [
            _("This rulebook does not let a %(type)s be notified at short notice; give the full notice.")
            % {"type": words.assembly_type(notice.assembly_type, notice.jurisdiction.rulebook).lower()}
        ]
    if notice.topic and not rulebook.topics:
        errors["topic"] = [_("This rulebook has no list of topics: leave the topic empty.")]
    elif notice.topic and notice.topic not in rulebook.topics:
        known = ", ".join(rulebook.topics)
        errors["topic"] = [_("Choose a topic from the list: %(list)s.") % {"list": known}]
    if notice.zone_id and notice.zone.venue_id != notice.venue_id:
        errors["zone"] = ["The zone must belong to the chosen venue."]
    for venue in acceptable_venues:
        if venue.jurisdiction_id != notice.jurisdiction_id:
            errors.setdefault("acceptable_venues", []).append(f"{venue} is in another jurisdiction.")
    if errors:
        raise ValidationError(errors)
    # the venue and zone are instances already checked above; the check constraints are
    # asked in Python (Notice.broken_checks), not one query and savepoint each
    try:
        notice.full_clean(
            exclude=["reference", "rulebook", "jurisdiction", "organizer", "venue", "zone"],
            validate_constraints=False,
        )
    except ValidationError as error:
        errors = error.message_dict
    broken = [] if {"starts_at", "ends_at", "expected_participants"} & set(errors) else notice.broken_checks()
    if broken:
        errors.setdefault(NON_FIELD_ERRORS, []).extend(broken)
    if errors:
        raise ValidationError(errors)


def submit(notice: Notice, user, *, at: dt.datetime | None = None) -> Notice:
    """File the notice: stamp it, give it a reference and a decision deadline.

    A notice that breaks a rule can still be filed (the officer decides); its violations
    are stored with it."""
    return run("file", notice, user, at=at).notice


def file_notice(user, *, at: dt.datetime | None = None, acceptable_venues=(), **fields) -> Notice:
    """Create and file in one go (one audit event: notice.filed), in one transaction."""
    with transaction.atomic():
        return _run(
            "file", _new(user, acceptable_venues, fields), user, at=at, dry=False, created=True
        ).notice


def start_review(notice: Notice, user) -> Notice:
    return run("start_review", notice, user).notice


def _place(value, name: str) -> Place | None:
    if not value:
        return None
    if isinstance(value, Place):
        return value
    try:
        return Place.of(value)
    except (KeyError, ValueError, TypeError, AttributeError):
        raise ValidationError({name: _("Give the place (of this city), the start and the end.")}) from None


def decide(
    notice: Notice,
    user,
    outcome: str,
    *,
    grounds=(),
    reasoning: str = "",
    conditions: str = "",
    alternative: dict | Place | None = None,
    placement: dict | Place | None = None,
    consultation_note: str = "",
    at: dt.datetime | None = None,
    dry: bool = False,
) -> Decision | None:
    """An officer's decision. Accepting holds the request (or `placement` within it, e.g.
    trimmed to the daily cap); a refusal or an alternative needs listed grounds and reasons.
    `dry`: only check it (raises what deciding would raise, saves nothing)."""
    if outcome not in DECIDING:
        raise ValidationError({"outcome": _("Choose one of: %(list)s.") % {"list": ", ".join(DECIDING)}})
    step = run(
        DECIDING[outcome],
        notice,
        user,
        at=at,
        grounds=list(dict.fromkeys(grounds)),
        reasoning=reasoning.strip(),
        conditions=conditions.strip(),
        alternative=_place(alternative, "alternative"),
        placement=_place(placement, "placement"),
        consultation_note=(consultation_note or "").strip(),
        dry=dry,
    )
    return step.decision


def apply_silence(notice: Notice, *, at: dt.datetime | None = None) -> Decision:
    """The deadline passed with no decision: the rulebook's silence rule decides."""
    outcome = silence_of(notice)
    name = "silence_refuses" if outcome == Silence.DEEMED_REFUSED else "silence_accepts"
    return run(name, notice, None, at=at).decision


def silence_of(notice: Notice) -> str:
    """What the authority's silence means for this notice (its type and size)."""
    return rules_of(notice).silence


def apply_due_silences(at: dt.datetime | None = None) -> list[Decision]:
    """Apply the silence rule to every pending notice whose decision deadline has passed."""
    at = at or timezone.now()
    due = Notice.objects.pending().filter(decision_due_at__lte=at).select_related("rulebook")
    # where silence means nothing the notice stays with the officer, overdue
    return [
        apply_silence(notice, at=at)
        for notice in due.order_by("decision_due_at", "pk")
        if silence_of(notice) != Silence.NOTHING
    ]


def withdraw(notice: Notice, user, *, reason: str = "", at: dt.datetime | None = None) -> Notice:
    """Withdraw before the assembly starts; the reason stays private (the log keeps a fingerprint)."""
    reason = (reason or "").strip()
    return run(
        "withdraw", notice, user, at=at, text=reason, data={"reason": private_text(notice, reason)}
    ).notice


def accept_alternative(notice: Notice, user, *, at: dt.datetime | None = None) -> Notice:
    """Take the alternative offered with the decision: the notice goes ahead there."""
    return run("accept_alternative", notice, user, at=at).notice


def decline_alternative(notice: Notice, user, *, at: dt.datetime | None = None) -> Notice:
    """Say no to the alternative: the decision stands as it is (an appeal stays possible)."""
    return run("decline_alternative", notice, user, at=at).notice


def accept_offer(offer: Offer, user, *, at: dt.datetime | None = None) -> Decision:
    """The organizer takes released time offered to their waiting notice."""
    return run("accept_released_time", offer.notice, user, at=at, offer=offer).decision


def decline_offer(offer: Offer, user, *, at: dt.datetime | None = None) -> list[Offer]:
    """Say no to released time: it passes to the next waiting notice."""
    return run("decline_released_time", offer.notice, user, at=at, offer=offer).offers_made


def expire_offers(at: dt.datetime | None = None) -> list[Offer]:
    """Expire offers past their hold time; their time passes to the next waiting notice."""
    at = at or timezone.now()
    made = []
    for offer in offers.due_offers(at).select_related("notice"):
        try:
            made += run("expire_offer", offer.notice, None, at=at, offer=offer).offers_made
        except ValidationError:
            continue  # answered meanwhile
    return made


def ask_to_move(
    notice: Notice, officer, place: Place, *, fits: tuple[int, int] = (0, 0), at: dt.datetime | None = None
) -> MoveRequest:
    """Ask the organizer of an accepted assembly whether it may move to `place` (within what
    they accept); `fits`: the day plan's count of notices fitted without and with the move."""
    return run("ask_to_move", notice, officer, at=at, move_to=place, fits=fits).move


def accept_move(move: MoveRequest, user, *, at: dt.datetime | None = None) -> Notice:
    """The organizer agrees: the assembly holds the new place and time instead."""
    return run("accept_move", move.notice, user, at=at, move=move).notice


def decline_move(move: MoveRequest, user, *, at: dt.datetime | None = None) -> Notice:
    """The organizer keeps their booking as it is."""
    return run("decline_move", move.notice, user, at=at, move=move).notice


def expire_moves(at: dt.datetime | None = None) -> list[MoveRequest]:
    """Requests to move that nobody answered in time: the bookings stay as they were."""
    at = at or timezone.now()
    due = MoveRequest.objects.filter(state=MoveRequest.State.PENDING, expires_at__lte=at)
    expired = []
    for move in due.select_related("notice").order_by("expires_at", "pk"):
        try:
            expired.append(run("expire_move", move.notice, None, at=at, move=move).move)
        except ValidationError:
            continue  # answered meanwhile
    return expired


def release_no_shows(at: dt.datetime | None = None) -> list[Notice]:
    """Release the time of assemblies nobody checked in to within the rulebook's grace."""
    at = at or timezone.now()
    released = []
    for notice in offers.no_shows(at):
        try:
            released.append(run("no_show", notice, None, at=at).notice)
        except ValidationError:
            continue  # checked in meanwhile
    return released


def appeal(notice: Notice, user, *, text: str, at: dt.datetime | None = None) -> Notice:
    return run(
        "appeal", notice, user, at=at, text=text or "", data={"reason": private_text(notice, text)}
    ).notice


def resolve_appeal(
    notice: Notice, user, *, grant: bool, reasoning: str, at: dt.datetime | None = None
) -> Decision:
    """Decide an appeal: overturned (the notice goes ahead as filed) or upheld."""
    return run(
        "overturn" if grant else "uphold", notice, user, at=at, reasoning=(reasoning or "").strip()
    ).decision


def record_held(notice: Notice, user, *, held: bool, at: dt.datetime | None = None) -> Notice:
    """After the assembly: did it take place?"""
    return run("record_held" if held else "record_not_held", notice, user, at=at).notice


def check_in(notice: Notice, user, *, at: dt.datetime | None = None) -> Notice:
    return run("check_in", notice, user, at=at).notice


def check_out(notice: Notice, user, *, at: dt.datetime | None = None) -> list:
    """Record that the assembly left. Where the rulebook says so, the rest of the booking is
    released at once and offered to waiting notices (returns the offers made)."""
    return run("check_out", notice, user, at=at).offers_made


def apply_day_plan(proposal: dict, officer, *, at=None) -> list:
    """Decide every notice of a day plan (`planning.propose_day`) as proposed, in filing
    order, as `officer`. Where the rulebook requires an alternative with every refusal, the
    plan offers one where any is free; a refusal left (none free) is for the officer to
    decide by hand (returned with decision None).

    All or nothing: if the day changed since the plan was proposed (a notice decided
    meanwhile, a place taken), nothing is decided and the error says what changed."""
    for attempt in (1, 2):
        try:
            with transaction.atomic():
                # every notice of the plan locked first, in one order, before any booking
                # takes its zones: two plans (or a plan and a decision) then queue on the
                # notices instead of each holding what the other waits for
                for pk in sorted(item["notice"].pk for item in proposal["items"]):
                    lock_notice(pk)
                return _apply_day_plan(proposal, officer, at)
        except OperationalError as error:  # a deadlock PostgreSQL broke: once more, from the start
            deadlock = getattr(error.__cause__, "sqlstate", None) == "40P01"
            if attempt == 2 or not deadlock or transaction.get_connection().in_atomic_block:
                raise
    raise AssertionError("unreachable")


def left_for_hand(outcome: str, notice: Notice) -> bool:
    """A day plan's refusal where the rulebook wants an alternative with every refusal and
    the plan found none free (`planning._fall_back`): recording it would break the rulebook,
    so the officer decides it by hand."""
    return outcome == "refused" and notice.jurisdiction.rulebook.rules.fairness.refusal_requires_alternative


def _apply_day_plan(proposal: dict, officer, at) -> list:
    # the notices that go ahead are booked first, so that a refusal or a move for another
    # event at the same place is judged beside the bookings the plan makes ("both fit")
    ahead = ("accepted", "accepted_with_conditions")
    order = sorted(proposal["items"], key=lambda item: item["outcome"] not in ahead)
    decided = {}
    for item in order:
        notice, outcome = item["notice"], item["outcome"]
        kwargs = {
            "grounds": item["grounds"],
            "reasoning": item["reason"],
            "consultation_note": item.get("consultation_note", ""),
            "at": at,
        }
        if outcome in ("accepted", "accepted_with_conditions"):
            kwargs["placement"] = item["placement"]
            if outcome == "accepted_with_conditions":
                kwargs["conditions"] = item.get("conditions") or item["reason"]
        elif outcome == "alternative_offered":
            kwargs["alternative"] = item["placement"]
        elif left_for_hand(outcome, notice):
            decided[notice.pk] = (notice, None)
            continue
        decided[notice.pk] = (notice, decide(notice, officer, outcome, **kwargs))
    return [decided[item["notice"].pk] for item in proposal["items"]]  # in filing order
