from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from ninja import Schema
from pydantic import AfterValidator, BeforeValidator, Field, StrictBool, StrictInt, model_validator

from agora.fields import FIRST_YEAR, LAST_YEAR

MAX_PARTICIPANTS = 1_000_000
EXAMPLE_TIME = "2026-12-07T14:00:00+05:00"


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
    if value.tzinfo is None:
        raise ValueError(f"give the time with its UTC offset, e.g. {EXAMPLE_TIME}")
    return _in_range(value)


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


class DecisionOut(Schema):
    reference: str
    notice: str
    outcome: str
    grounds: list[str]
    reasoning: str
    conditions: str
    alternative: dict | None
    decided_at: dt.datetime
    after_deadline: bool
    rulebook: str
    letter_sha256: str | None


class StatRow(Schema):
    label: str
    value: float


class StatSection(Schema):
    title: str
    unit: str
    rows: list[StatRow]


class DigestOut(Schema):
    count: int
    head_hash: str
    last_event_at: str | None
    generated_at: str


class NoticeIn(Schema):
    assembly_type: str = Field(min_length=1, max_length=40, pattern=r"^[a-z_]+$")
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
    code: str
    message: str
    ground: str | None


class Option(Schema):
    venue: int
    zones: list[int]
    starts_at: dt.datetime
    ends_at: dt.datetime
    within_acceptable: bool


class PrecheckOut(Schema):
    violations: list[Violation]
    free_as_filed: bool
    alternatives: list[Option]


class BookingOut(Schema):
    zone: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    held_until: dt.datetime


class OfferOut(Schema):
    id: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    expires_at: dt.datetime
    state: str


class NoticeOut(Schema):
    id: int
    reference: str | None
    status: str
    assembly_type: str
    purpose: str
    venue: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    expected_participants: int
    filed_at: dt.datetime | None
    decision_due_at: dt.datetime | None
    violations: list[dict]
    decisions: list[str]
    bookings: list[BookingOut]
    offers: list[OfferOut]


class ReviewOut(NoticeOut):
    """A notice as an officer reviews it."""

    organizer: str
    appeal_text: str
    conflicts: list[str]
    alternatives: list[Option]


class DaySheetRow(Schema):
    notice: str | None
    notice_id: int
    status: str
    zone: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    held_until: dt.datetime
    checked_in_at: dt.datetime | None
    checked_out_at: dt.datetime | None


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


class AppealDecisionIn(Schema):
    grant: StrictBool
    reasoning: str = Field(min_length=1, max_length=4000)


class AttendanceIn(Schema):
    action: Literal["check_in", "check_out", "held", "not_held"]


class AllocationIn(Schema):
    date: Day
    confirm: StrictBool = False
    time_limit: float = Field(default=10.0, gt=0, le=60, strict=True)


class ProposalItem(Schema):
    notice: str | None
    outcome: str
    grounds: list[str]
    reason: str
    placement: Option | None


class AllocationOut(Schema):
    date: dt.date
    accommodated: int
    bound: int
    fcfs: int
    method: str
    applied: bool
    items: list[ProposalItem]
