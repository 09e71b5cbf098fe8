from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from django.utils import timezone
from ninja import Schema
from pydantic import AfterValidator, BeforeValidator, Field, StrictBool, StrictInt, model_validator

from agora.fields import FIRST_YEAR, LAST_YEAR, plausible_moment
from agora.i18n import pick
from agora.notices import consultations, review
from agora.notices.authority import VENUE_FIELDS
from agora.venues.models import Closure

MAX_PARTICIPANTS = 1_000_000
EXAMPLE_TIME = "2026-12-07T14:00:00+05:00"


def local(moment: dt.datetime | None) -> dt.datetime | None:
    """Times go out in the city's zone with their offset (+05:00), as on the pages and letters."""
    return timezone.localtime(moment) if moment else None


# A time that goes out in the city's zone, whatever zone it was read in.
LocalTime = Annotated[dt.datetime, AfterValidator(local)]


def _iso(kind: str, example: str, shape: str):
    """Dates only as ISO 8601 text: pydantic alone would also read 0 or "0" as 1970-01-01."""
    pattern = re.compile(shape)

    def check(value):
        if isinstance(value, dt.date) or (isinstance(value, str) and pattern.match(value)):
            return value
        raise ValueError(f"give the {kind} as ISO 8601 text, e.g. {example}")

    return BeforeValidator(check)


def _in_range(value: dt.date) -> dt.date:
    # Year 1 or 9999 overflow once shifted to a time zone; no assembly is that far off.
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError(f"give a date between the years {FIRST_YEAR} and {LAST_YEAR}")
    return value


def _aware(value: dt.datetime) -> dt.datetime:
    problem = plausible_moment(value)
    if problem:
        raise ValueError(f"{problem}, e.g. {EXAMPLE_TIME}")
    return value


Moment = Annotated[
    dt.datetime, _iso("time", EXAMPLE_TIME, r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}"), AfterValidator(_aware)
]
Day = Annotated[dt.date, _iso("date", "2026-12-07", r"\d{4}-\d{2}-\d{2}$"), AfterValidator(_in_range)]
Id = Annotated[StrictInt, Field(ge=1, le=2**62)]


class Error(Schema):
    code: str
    message: str
    fields: dict[str, list[str]] = {}


class ErrorOut(Schema):
    error: Error


class ZoneOut(Schema):
    id: int
    slug: str
    name: dict[str, str]
    capacity: int


class VenueOut(Schema):
    id: int
    jurisdiction: str
    slug: str
    name: dict[str, str]
    designated: bool
    capacity: int
    geometry: dict
    zones: list[ZoneOut]


class Span(Schema):
    start: dt.datetime
    end: dt.datetime


class ZoneAvailability(Schema):
    zone: int
    capacity: int
    free: list[Span]


class RegisterRow(Schema):
    reference: str | None
    type: str
    purpose: str
    organizer: str
    venue: str | None
    venue_id: int
    requested_start: str
    requested_end: str
    booked_start: str | None
    booked_end: str | None
    filed_at: str | None
    status: str
    decision: str | None
    decision_reference: str | None
    grounds: list[str]
    reasoning: str
    decided_at: str | None
    hours_to_decision: float | None
    decided_after_deadline: bool | None


class RegisterPage(Schema):
    items: list[RegisterRow]
    next_cursor: str | None


class ConsultationAsked(Schema):
    """An agency the authority consults about the organizer's notice, and by when."""

    agency: str = Field(description="the agency's code, as the rulebook names it")
    agency_name: str
    due_at: LocalTime

    @staticmethod
    def resolve_agency(c) -> str:
        return c.agency.code

    @staticmethod
    def resolve_agency_name(c) -> str:
        return pick(c.agency.name)


class ConsultationOut(ConsultationAsked):
    """One agency's sign-off on a notice: its deadline, what its silence means, its answer.
    Never who answered."""

    id: int
    notice: str
    state: str
    requested_at: LocalTime
    silence: Literal["consent", "nothing"]
    conditions: list[str] = Field(description="codes from the rulebook's closed list")
    conditions_text: str
    reasons: str
    answered_at: LocalTime | None

    @staticmethod
    def resolve_notice(c) -> str:
        return c.notice.reference


class ConsultationTask(ConsultationOut):
    """A consultation as the agency's staff see it: what the task needs of the notice, and
    nothing of its organizer."""

    assembly_type: str
    venue: int
    venue_name: str
    starts_at: LocalTime
    ends_at: LocalTime
    expected_participants: int
    stewards: int
    equipment: str
    purpose: str
    notice_status: str

    @staticmethod
    def resolve_assembly_type(c) -> str:
        return c.notice.assembly_type

    @staticmethod
    def resolve_venue(c) -> int:
        return c.notice.venue_id

    @staticmethod
    def resolve_venue_name(c) -> str:
        return pick(c.notice.venue.name)

    @staticmethod
    def resolve_starts_at(c):
        return c.notice.starts_at

    @staticmethod
    def resolve_ends_at(c):
        return c.notice.ends_at

    @staticmethod
    def resolve_expected_participants(c) -> int:
        return c.notice.expected_participants

    @staticmethod
    def resolve_stewards(c) -> int:
        return c.notice.stewards

    @staticmethod
    def resolve_equipment(c) -> str:
        return c.notice.equipment

    @staticmethod
    def resolve_purpose(c) -> str:
        return c.notice.purpose

    @staticmethod
    def resolve_notice_status(c) -> str:
        return c.notice.status


class ConsultationAnswerIn(Schema):
    outcome: Literal["consent", "consent_with_conditions", "objection"]
    conditions: list[Annotated[str, Field(max_length=40)]] = Field(default=[], max_length=30)
    conditions_text: str = Field(default="", max_length=4000)
    reasons: str = Field(default="", max_length=4000)


class DecisionOut(Schema):
    reference: str
    notice: str
    outcome: str
    grounds: list[str]
    reasoning: str
    conditions: str
    alternative: dict | None
    decided_at: LocalTime
    after_deadline: bool
    too_late_for_court: bool = Field(
        description="made later than the rulebook's days a court needs to rule before the assembly"
    )
    rulebook: str
    letter_sha256: str | None
    consultation_note: str = Field(description="why it was decided before every agency answered")
    consultations: list[ConsultationOut] = Field(description="the agencies consulted and their answers")

    @staticmethod
    def resolve_notice(d) -> str:
        return d.notice.reference

    @staticmethod
    def resolve_consultations(d) -> list:
        return consultations.public(d.notice)

    @staticmethod
    def resolve_rulebook(d) -> str:
        return str(d.rulebook)

    @staticmethod
    def resolve_letter_sha256(d) -> str | None:
        letter = getattr(d, "letter", None)  # the reverse one-to-one raises AttributeError when absent
        return letter.sha256 if letter else None


class StatRow(Schema):
    label: str
    value: float
    # a table's row: a value per column key (None where there is nothing to count)
    values: dict[str, float | None] = {}


class StatColumn(Schema):
    key: str
    title: str
    unit: str


class StatSection(Schema):
    """A bar chart (label, value), or with `columns` a table: each row's `values` by column
    key, and `value` its first column."""

    title: str
    unit: str
    rows: list[StatRow]
    columns: list[StatColumn] = []


class DigestOut(Schema):
    count: int
    head_hash: str
    last_event_at: str | None
    generated_at: str


class CheckpointOut(Schema):
    size: int
    root_hash: str = Field(description="base64, the tree's root (RFC 9162 MTH)")
    signed_at: str = Field(description="UTC, ISO 8601")
    note: str = Field(description="the C2SP signed note, as /audit/checkpoint serves it")
    key: str = Field(description="the verifier key of the note's signature")


class InclusionOut(Schema):
    index: int
    size: int
    leaf_hash: str = Field(description="base64 of the event's leaf hash")
    hashes: list[str] = Field(description="base64, in the order of RFC 9162 §2.1.3")


class ConsistencyOut(Schema):
    first: int
    second: int
    hashes: list[str] = Field(description="base64, in the order of RFC 9162 §2.1.4")


class ProofBundleOut(Schema):
    kind: str = Field(description="receipt, letter or certificate")
    log: str
    event: dict = Field(description="the event of the log, as events.jsonl has it")
    proof: InclusionOut
    checkpoint: str


class ReceiptOut(ProofBundleOut):
    format: str
    reference: str
    filed_at: str = Field(description="to the second, in the city's zone, with its offset")
    time_zone: str
    fingerprint: str = Field(description="SHA-256 of the filing event's canonical data")
    index: int
    verify: str


class LetterProofOut(ProofBundleOut):
    reference: str
    sha256: str


class NoticeIn(Schema):
    assembly_type: str = Field(min_length=1, max_length=40, pattern=r"^[a-z_]+$")
    # from the rulebook's list of topics (GET /api/v1/venues gives the jurisdiction; the
    # register's filters list them); optional, as older clients send none
    topic: str = Field(default="", max_length=40, pattern=r"^[a-z_]*$")
    purpose: str = Field(min_length=1, max_length=2000)
    venue: Id
    zone: Id | None = None
    starts_at: Moment
    ends_at: Moment
    expected_participants: StrictInt = Field(ge=1, le=MAX_PARTICIPANTS)
    window_start: Moment | None = None
    window_end: Moment | None = None
    acceptable_venues: list[Id] = Field(default=[], max_length=20)
    equipment: str = Field(default="", max_length=4000)
    stewards: StrictInt = Field(default=0, ge=0, le=100_000)
    urgent: StrictBool = Field(
        default=False,
        description="notified as soon as practicable, where the rulebook allows it for the type",
    )
    language: Literal["kk", "ru", "en"] = "ru"
    submit: StrictBool = True

    @model_validator(mode="after")
    def _ordered(self) -> NoticeIn:
        if self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        if (self.window_start is None) != (self.window_end is None):
            raise ValueError("give both window_start and window_end, or neither")
        return self


class Violation(Schema):
    """A rule the notice breaks: its code, its parameters (dates ISO 8601), the legal ground
    it supports, and what it means in the request's language (Accept-Language)."""

    code: str
    message: str
    ground: str | None
    params: dict = {}


class Option(Schema):
    """A free place and time (planning.Option, or a place of a day plan)."""

    venue: int
    zones: list[int]
    starts_at: dt.datetime
    ends_at: dt.datetime
    within_acceptable: bool

    @staticmethod
    def of(option, *, within_acceptable: bool | None = None) -> dict:
        place = getattr(option, "place", option)
        return {
            "venue": place.venue,
            "zones": list(place.zones),
            "starts_at": local(place.starts_at),
            "ends_at": local(place.ends_at),
            "within_acceptable": getattr(option, "within_acceptable", within_acceptable),
        }


class PrecheckOut(Schema):
    violations: list[Violation]
    free_as_filed: bool
    alternatives: list[Option]


class BookingOut(Schema):
    zone: int
    starts_at: LocalTime
    ends_at: LocalTime
    held_until: LocalTime = Field(
        description="the time is held until then; earlier than ends_at once released"
    )
    released: bool = Field(description="part or all of the time was given up (see release_reason)")
    release_reason: str = Field(
        description="why it was given up: the action that released it (withdraw, no_show, checked_out, "
        "...), 'moved' where its organizer agreed to move the assembly, 'alternative_declined' or "
        "'alternative_lapsed' for the hold of an alternative; empty while held"
    )
    alternative: bool = Field(
        description="it holds the alternative a decision offered: the notice's own once the organizer "
        "accepted it, until then a hold that keeps it free for them"
    )

    @staticmethod
    def resolve_zone(b) -> int:
        return b.zone_id

    @staticmethod
    def resolve_alternative(b) -> bool:
        return b.alternative_id is not None

    @staticmethod
    def resolve_released(b) -> bool:
        return b.is_released


class OfferOut(Schema):
    id: int
    starts_at: LocalTime
    ends_at: LocalTime
    expires_at: LocalTime
    state: str


class NoticeOut(Schema):
    id: int
    reference: str | None
    status: str
    assembly_type: str
    topic: str
    purpose: str
    venue: int
    starts_at: LocalTime
    ends_at: LocalTime
    expected_participants: int
    urgent: bool
    filed_at: LocalTime | None
    decision_due_at: LocalTime | None
    violations: list[dict]
    decisions: list[str]
    bookings: list[BookingOut]
    offers: list[OfferOut]
    receipt: str | None = Field(description="where the filing receipt is (JSON; + .pdf), once filed")

    @staticmethod
    def resolve_venue(n) -> int:
        return n.venue_id

    @staticmethod
    def resolve_receipt(n) -> str | None:
        return f"/api/v1/notices/{n.pk}/receipt" if n.filed_at else None

    @staticmethod
    def resolve_decisions(n) -> list[str]:
        return [d.reference for d in n.decisions.all()]

    @staticmethod
    def resolve_bookings(n):
        return list(n.bookings.all())

    @staticmethod
    def resolve_offers(n):
        return list(n.offers.all())


class MoveOut(Schema):
    """The authority's request to move an accepted assembly (answer it at /moves/{id})."""

    id: int
    notice: str = Field(description="the reference of the notice asked to move")
    venue: int
    zones: list[int]
    starts_at: LocalTime
    ends_at: LocalTime
    expires_at: LocalTime
    state: str
    fits_without: int = Field(description="notices waiting for that day the plan fits without the move")
    fits_with: int = Field(description="... and with it")

    @staticmethod
    def resolve_venue(m) -> int:
        return m.venue_id

    @staticmethod
    def resolve_notice(m) -> str:
        return m.notice.reference


class OwnNoticeOut(NoticeOut):
    """One notice as its organizer follows it: as the list shows it, and whom the authority
    consults (while it waits) or what they answered (once decided), as the notice's page says."""

    consulting: list[ConsultationAsked] = Field(description="while it waits: who is asked, by when")
    consultations: list[ConsultationOut] = Field(description="once decided: the agencies' answers (public)")
    moves: list[MoveOut] = Field(
        description="the authority's requests to move it, once accepted; nothing moves unless you agree"
    )

    @staticmethod
    def resolve_moves(n) -> list:
        return list(n.move_requests.all())

    @staticmethod
    def resolve_consulting(n) -> list:
        return consultations.asked(n)

    @staticmethod
    def resolve_consultations(n) -> list:
        return consultations.public(n)


class ReviewOut(NoticeOut):
    """A notice as an officer reviews it: who asked (a public name), what clashes with it,
    and where it cannot be granted as filed, the free alternatives."""

    organizer: str
    appeal_text: str
    conflicts: list[str]
    alternatives: list[Option]
    consultations: list[ConsultationOut]

    @staticmethod
    def resolve_consultations(n) -> list:
        return list(n.consultations.select_related("agency", "notice"))

    @staticmethod
    def resolve_organizer(n) -> str:
        return n.organizer.public_name

    @staticmethod
    def resolve_conflicts(n) -> list[str]:
        return [c.reference for c in review.conflicts(n)]

    @staticmethod
    def resolve_alternatives(n) -> list[dict]:
        return [Option.of(o) for o in review.computed_alternatives(n)]


class DaySheetRow(Schema):
    """A booking on the officer's day sheet."""

    notice: str | None
    notice_id: int
    status: str
    zone: int
    starts_at: LocalTime
    ends_at: LocalTime
    held_until: LocalTime
    checked_in_at: LocalTime | None
    checked_out_at: LocalTime | None

    @staticmethod
    def resolve_notice(b) -> str | None:
        return b.notice.reference

    @staticmethod
    def resolve_status(b) -> str:
        return b.notice.status

    @staticmethod
    def resolve_zone(b) -> int:
        return b.zone_id


class NoticePage(Schema):
    items: list[NoticeOut]
    next_cursor: str | None


class ReasonIn(Schema):
    reason: str = Field(default="", max_length=4000)


class AppealIn(Schema):
    text: str = Field(min_length=1, max_length=4000)


class AnswerIn(Schema):
    answer: Literal["accept", "decline"]


class PlaceIn(Schema):
    venue: Id
    zones: list[Id] = Field(default=[], max_length=10)
    starts_at: Moment
    ends_at: Moment


class DecisionIn(Schema):
    outcome: Literal["accepted", "accepted_with_conditions", "alternative_offered", "refused"]
    grounds: list[Annotated[str, Field(max_length=40)]] = Field(default=[], max_length=20)
    reasoning: str = Field(default="", max_length=4000)
    conditions: str = Field(default="", max_length=4000)
    alternative: PlaceIn | None = None
    consultation_note: str = Field(
        default="", max_length=4000, description="why the decision cannot wait for every agency's answer"
    )


class AppealDecisionIn(Schema):
    grant: StrictBool
    reasoning: str = Field(min_length=1, max_length=4000)


class AttendanceIn(Schema):
    action: Literal["check_in", "check_out", "held", "not_held"]


class ClosureOut(Schema):
    """A closure as the public sees it: the authority's act, with its legal ground, when and by
    which office it was declared, and the notices it displaced. Never the officer's identity."""

    id: int
    jurisdiction: str
    venue: int
    venue_name: str
    zone: int | None
    zone_name: str | None
    kind: str
    ground: str
    ground_title: str
    emergency: bool
    reason: str
    starts_at: LocalTime
    ends_at: LocalTime
    until: LocalTime
    declared_at: LocalTime | None
    office: str
    lifted_at: LocalTime | None
    lift_reason: str
    displaced: list[str]

    @staticmethod
    def of(closure, lang: str, rules_of=None) -> dict:
        """`closure` with venue__jurisdiction, zone and displaced (references) fetched;
        `rules_of(rulebook)` may cache the parsed rulebook across rows."""
        jurisdiction = closure.venue.jurisdiction
        rules = rules_of(jurisdiction.rulebook) if rules_of else jurisdiction.rulebook.rules
        basis = rules.closures.grounds.get(closure.ground)
        return {
            "id": closure.pk,
            "jurisdiction": jurisdiction.slug,
            "venue": closure.venue_id,
            "venue_name": pick(closure.venue.name, lang),
            "zone": closure.zone_id,
            "zone_name": pick(closure.zone.name, lang) if closure.zone else None,
            "kind": closure.kind,
            "ground": closure.ground,
            "ground_title": basis.text(lang) if basis else "",
            "emergency": bool(basis and basis.emergency),
            "reason": closure.reason,
            "starts_at": closure.starts_at,
            "ends_at": closure.ends_at,
            "until": closure.until,
            "declared_at": closure.declared_at,
            "office": pick(jurisdiction.name, lang),
            "lifted_at": closure.lifted_at,
            "lift_reason": closure.lift_reason,
            "displaced": sorted(n.reference for n in closure.displaced.all() if n.reference),
        }


class ClosurePage(Schema):
    items: list[ClosureOut]
    next_cursor: str | None


class ClosureIn(Schema):
    venue: Id
    zone: Id | None = None
    kind: Literal[tuple(Closure.Kind.values)] = Closure.Kind.OTHER.value
    ground: str = Field(min_length=1, max_length=40, pattern=r"^[-a-zA-Z0-9_]+$")
    reason: str = Field(min_length=1, max_length=500)  # published with the closure
    starts_at: Moment
    ends_at: Moment

    @model_validator(mode="after")
    def _ordered(self) -> ClosureIn:
        if self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        return self


class LiftIn(Schema):
    reason: str = Field(min_length=1, max_length=500)  # published with the closure


class AllocationIn(Schema):
    date: Day
    venue: int | None = Field(default=None, description="only the notices at this place")
    pins: list[str] = Field(
        default=[],
        max_length=200,
        description="references of notices decided as filed; the plan is made around them",
    )
    confirm: StrictBool = False
    time_limit: float = Field(default=10.0, gt=0, le=60, strict=True)


class ProposalItem(Schema):
    notice: str | None
    outcome: str
    grounds: list[str]
    reason: str
    placement: Option | None
    pinned: bool = Field(description="decided as filed, by the officer's choice")
    paper: Option | None = Field(
        description="what today's paper process gives it (first come, first served, whole)"
    )


class MoveProposed(Schema):
    notice: str
    held: Option = Field(description="what the accepted assembly holds now")
    to: Option = Field(description="where the plan would move it, within what its organizer accepts")


class MoveAskIn(Schema):
    date: Day
    notice: str = Field(max_length=40, description="the reference of an assembly the plan would move")


class AllocationOut(Schema):
    date: dt.date
    moves: list[MoveProposed] = Field(
        description="accepted assemblies that, moved with their organizers' consent, would let more fit"
    )
    accommodated_with_moves: int | None = Field(description="how many would fit with every move agreed")
    accommodated: int = Field(description="how many the plan holds, `in_part` included")
    in_part: int = Field(
        description="of those, held for part of their own time beside what the optimiser placed"
    )
    bound: int = Field(
        description="the most the optimiser can place (proven when equal to what it placed); "
        "notices held for part of their own time come on top"
    )
    fcfs: int
    paper: int = Field(
        description="how many today's paper process accommodates (each notice whole, the whole place)"
    )
    method: str
    applied: bool
    items: list[ProposalItem]


class VenueChangeOut(Schema):
    """A change the authority made to a place, as the public sees it: what changed (old → new,
    and in words in the request's language), why, when and by which office, and the notices it
    displaced. Never the officer's identity."""

    id: int
    venue: int
    venue_name: str
    changes: dict
    described: list[str]
    reason: str
    declared_at: LocalTime
    office: str
    displaced: list[str]


class VenueChangeIn(Schema):
    """Only the fields given are changed; `null` clears a value (capacity from the area,
    the rulebook's hours)."""

    reason: str = Field(min_length=1, max_length=500)  # published with the change
    designated: StrictBool | None = None
    capacity_override: int | None = Field(default=None, ge=1, le=1_000_000)
    crowd_density: float | None = Field(default=None, ge=0.1, le=6)
    opens_at: dt.time | None = None
    closes_at: dt.time | None = None
    geometry: dict | None = None
    zones: dict[str, dict] | None = None  # {zone slug: {"geometry": …, "capacity_override": …}}

    def changes(self) -> dict:
        given = {f: getattr(self, f) for f in VENUE_FIELDS if f in self.model_fields_set}
        for never_null in ("designated", "crowd_density", "geometry"):
            if never_null in given and given[never_null] is None:
                raise ValueError(f"{never_null} cannot be null")
        return given


class CalendarDayIn(Schema):
    date: Day
    kind: Literal["holiday", "working_day"]
    name: str = Field(min_length=1, max_length=200)


class CalendarDayOut(Schema):
    jurisdiction: str
    date: dt.date
    kind: str
    name: str
    declared_at: LocalTime | None
    deadlines_moved: list[str]


class NotCounted(Schema):
    date: dt.date
    why: str = Field(description="weekend, holiday, or the weekday the rule skips (mon … sun)")
    holiday: str | None = None


class DeadlineOut(Schema):
    kind: Literal[
        "notice_min", "notice_max", "decision_after_filing", "decision_before_start", "consultation"
    ]
    agency: str = Field(default="", description="for a consultation: the agency asked")
    rule: str = Field(description="where the rulebook states it, e.g. types.rally.notice.min")
    rulebook: str
    amount: float
    unit: Literal["working_days", "clear_days", "calendar_days", "hours"]
    skip: list[str]
    cut_off: str | None
    article: str | None
    anchor: Literal["start", "filing"]
    anchor_at: dt.datetime
    at: dt.datetime = Field(description="the limit; with end_of_day, the midnight that ends the last day")
    end_of_day: bool
    kept: bool | None = Field(description="whether the filing kept a notice period; null for a decision's")
    days: list[NotCounted] = Field(description="the days not counted, filing and assembly days included")
    counted_days: int
