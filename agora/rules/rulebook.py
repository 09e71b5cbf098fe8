"""Rulebooks as data: parsing and validating the YAML files in `rulebooks/`.

A rulebook may `extends:` another; the child's values override the parent's key by key
(deep merge), so `fair` only states what it changes. Parsing is pure (no database) so
the rule checks and the scheduler can take a `Rulebook` without touching the ORM.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from enum import StrEnum
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator


class RulebookError(ValueError):
    """A rulebook file is malformed; the message names the bad field."""


class Regime(StrEnum):
    NOTIFICATION = "notification"  # the organizer notifies; the authority may restrict
    APPROVAL = "approval"  # the assembly needs the authority's consent
    OBJECTION = "objection"  # notification, with a power to object by a deadline
    PERMIT = "permit"  # a permit for the place, first come first served


class Silence(StrEnum):
    """What the authority's silence at the decision deadline means."""

    DEEMED_ACCEPTED = "deemed_accepted"
    DEEMED_REFUSED = "deemed_refused"
    DEEMED_NOT_OBJECTED = "deemed_not_objected"  # it goes ahead: no objection was made
    NOTHING = "nothing"  # no legal effect: the notice stays with the officer, overdue


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Span(_Strict):
    min: int = Field(ge=0)
    max: int | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> Span:
        if self.max is not None and self.max < self.min:
            raise ValueError(f"max ({self.max}) is less than min ({self.min})")
        return self


# "24:00", the end of the day, as the latest time of day there is (a period ending at it
# ends at the next midnight)
END_OF_DAY = dt.time.max


def _time_of_day(value: Any, *, end: bool = False) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):  # YAML 1.1 reads 09:00 unquoted as minutes
        value = f"{value // 60:02d}:{value % 60:02d}"
    if isinstance(value, str):
        if end and value.strip() in ("24:00", "24:00:00"):
            return END_OF_DAY
        try:
            return dt.time.fromisoformat(value)
        except ValueError:
            hint = " (or 24:00 for the end of the day)" if end else ""
            raise ValueError(f"expected a time as HH:MM{hint}, got {value!r}") from None
    return value


class Hours(_Strict):
    start: dt.time
    end: dt.time  # END_OF_DAY for 24:00

    @field_validator("start", mode="before")
    @classmethod
    def _parse_start(cls, value: Any) -> Any:
        return _time_of_day(value)

    @field_validator("end", mode="before")
    @classmethod
    def _parse_end(cls, value: Any) -> Any:
        return _time_of_day(value, end=True)

    @property
    def until_midnight(self) -> bool:
        return self.end == END_OF_DAY

    def end_text(self) -> str:
        return "24:00" if self.until_midnight else f"{self.end:%H:%M}"

    @model_validator(mode="after")
    def _ordered(self) -> Hours:
        if self.end <= self.start:
            raise ValueError(f"end {self.end:%H:%M} is not after start {self.start:%H:%M}")
        return self


class Calendar(_Strict):
    country: str = Field(min_length=2, max_length=3)
    # a region with holidays of its own (the `holidays` package's code: "BE" for Berlin, "ENG")
    subdivision: str | None = None
    weekend: list[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]] = ["sat", "sun"]
    extra_holidays: list[dt.date] = []
    extra_working_days: list[dt.date] = []

    @model_validator(mode="after")
    def _known(self) -> Calendar:
        import holidays

        try:
            holidays.country_holidays(self.country, subdiv=self.subdivision)
        except NotImplementedError:
            if self.subdivision is not None and holidays.list_supported_countries().get(self.country):
                known = ", ".join(holidays.list_supported_countries()[self.country])
                raise ValueError(
                    f"subdivision: {self.country} has no {self.subdivision!r}; known: {known}"
                ) from None
            raise ValueError(f"country: no official holidays are known for {self.country!r}") from None
        return self


Names = dict[Literal["en", "ru", "kk", "de"], str]
Unit = Literal["working_days", "clear_days", "calendar_days", "hours"]
Skip = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun", "holidays"]


class Period(_Strict):
    """A period of the law: an amount of a unit, the days it does not count, and for days
    a cut-off time on the last one ("by 11:00"). `agora.rules.deadlines` counts it."""

    amount: float = Field(ge=0)
    unit: Unit
    skip: list[Skip] = []
    cut_off: dt.time | None = None
    article: str | None = None  # where the law states it
    note: str | None = None  # the author's remark, never shown

    @field_validator("cut_off", mode="before")
    @classmethod
    def _parse_cut_off(cls, value: Any) -> Any:
        return _time_of_day(value)

    @model_validator(mode="after")
    def _consistent(self) -> Period:
        if self.unit != "hours" and self.amount != int(self.amount):
            raise ValueError(f"a number of days is whole; got {self.amount:g} {self.unit}")
        if self.unit == "hours" and self.cut_off is not None:
            raise ValueError("a cut-off time applies to periods of days, not hours")
        return self


class NoticePeriod(_Strict):
    """How long before the start the notice is filed: at least `min` (none: no notice is
    needed), at most `max` (none: no limit)."""

    min: Period | None = None
    max: Period | None = None

    @model_validator(mode="after")
    def _ordered(self) -> NoticePeriod:
        low, high = self.min, self.max
        if low and high and low.unit == high.unit and high.amount < low.amount:
            raise ValueError(f"max ({high.amount:g}) is less than min ({low.amount:g})")
        return self


class DecisionPeriod(_Strict):
    """When the authority decides at the latest: within `after_filing` of the filing, and
    no later than `before_start` before the start; whichever comes first, and never after
    the start (neither: by the start)."""

    after_filing: Period | None = None
    before_start: Period | None = None


class LargeGroup(_Strict):
    """What changes from `participants` on."""

    participants: int = Field(gt=0)
    regime: Regime | None = None
    notice: NoticePeriod | None = None
    decision: DecisionPeriod | None = None


class AssemblyType(_Strict):
    name: Names | None = None  # the type as people call it, in each language
    regime: Regime
    notice: NoticePeriod
    decision: DecisionPeriod
    silence: Silence
    designated_place_required: bool = True
    max_participants: int | None = Field(default=None, gt=0)
    max_hours: float | None = Field(default=None, gt=0)
    hours: Hours | None = None  # overrides the rulebook's hours for this type
    # fewer participants than this need not notify at all (the minimum notice does not apply)
    small_group_exempt_below: int | None = Field(default=None, gt=0)
    # from this many participants on, another regime and notice apply (e.g. approval)
    large_group: LargeGroup | None = None
    spontaneous: bool = False  # may be held without notice; recorded after the fact
    urgent: bool = False  # may be notified "as soon as practicable": short notice is no violation

    def for_participants(self, participants: int) -> AssemblyType:
        """The rules for an assembly of `participants`: a small group needs no notice; a
        large group gets its own regime and periods."""
        rules = self
        large = self.large_group
        if large is not None and participants >= large.participants:
            changes = {"regime": large.regime, "notice": large.notice, "decision": large.decision}
            rules = rules.model_copy(update={k: v for k, v in changes.items() if v is not None})
        if self.small_group_exempt_below is not None and participants < self.small_group_exempt_below:
            rules = rules.model_copy(update={"notice": NoticePeriod(min=None, max=rules.notice.max)})
        return rules

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        """`notice_working_days: {min, max}` and `decision_working_days: N`, the short form
        for periods of working days (the form of rulebooks before periods had units)."""
        if not isinstance(data, Mapping):
            return data
        data = dict(data)
        for short, full in (("notice_working_days", "notice"), ("decision_working_days", "decision")):
            if short in data and full in data:
                raise ValueError(f"give either {short} or {full}, not both")
        if "notice_working_days" in data:
            span = data.pop("notice_working_days")
            if not isinstance(span, Mapping) or not isinstance(span.get("min"), int):
                raise ValueError(
                    f"notice_working_days: expected {{min: N, max: M}} in whole days, got {span!r}"
                )
            if span.get("max") is not None and (
                not isinstance(span["max"], int) or span["max"] < span["min"]
            ):
                raise ValueError(f"notice_working_days: max ({span['max']!r}) is not a number of days >= min")
            data["notice"] = {
                "min": {"amount": span["min"], "unit": "working_days"},
                "max": {"amount": span["max"], "unit": "working_days"}
                if span.get("max") is not None
                else None,
            }
        if "decision_working_days" in data:
            days = data.pop("decision_working_days")
            if not isinstance(days, int) or isinstance(days, bool) or days < 0:
                raise ValueError(f"decision_working_days: expected a whole number of days, got {days!r}")
            data["decision"] = {"after_filing": {"amount": days, "unit": "working_days"}}
        return data


class RefusalGround(_Strict):
    article: str | None = None  # where the law lists it (e.g. "14.1.3"); none for a ground it does not
    en: str
    ru: str | None = None
    kk: str | None = None
    de: str | None = None
    # the rulebook author's own remark (a value assumed, a source to check): for whoever
    # maintains the file, never shown to a user
    note: str | None = None

    def text(self, lang: str) -> str:
        return getattr(self, lang, None) or self.en

    def cited(self, lang: str) -> str:
        """The ground as a user reads it: its article, where the law names one, and its text."""
        return f"{self.article}: {self.text(lang)}" if self.article else self.text(lang)


class ClosureGround(RefusalGround):
    """A lawful basis for the authority to close a place; `emergency` ones need no notice."""

    emergency: bool = False


class Closures(_Strict):
    """When and why the authority may close a designated place."""

    # declared at least this many hours before it starts, except on an emergency ground
    notice_hours: float = Field(default=0, ge=0)
    grounds: dict[str, ClosureGround] = {}


class Rounds(_Strict):
    """Application rounds, where the law allows them (as booking services with rounds do,
    e.g. Helsinki's Varaamo): the notices for a day are collected until `cutoff` before the
    day begins, then allocated together on the day plan. A notice whose own decision deadline
    comes first cannot wait for its round: the queue says so and the reminder warns."""

    cutoff: Period  # counted back from the first moment of the assembly's day
    note: str | None = None  # the author's remark, never shown


class Fairness(_Strict):
    max_hours_per_organizer_per_venue_day: float | None = Field(default=None, gt=0)
    checkin_grace_minutes: int | None = Field(default=None, ge=0)
    # check-in opens this long before the start (and closes at the end of the booking)
    checkin_opens_minutes_before: int = Field(default=60, ge=0, le=24 * 60)
    share_venue_between_assemblies: bool = False
    changeover_minutes: int = Field(default=0, ge=0)
    release_on_checkout: bool = False
    # how long a waiting notice has to answer an offer of released time; 0: the rulebook
    # makes no offers (released time is simply free)
    offer_hold_hours: float = Field(default=12, ge=0)
    refusal_requires_alternative: bool = False
    first_come_first_served: Literal["exclusive", "tie_break_only"] = "exclusive"
    rounds: Rounds | None = None

    @model_validator(mode="after")
    def _rounds_allocate_together(self) -> Fairness:
        if self.rounds is not None and self.first_come_first_served == "exclusive":
            raise ValueError(
                "rounds allocate a day's notices together, which first_come_first_served: "
                "exclusive forbids; set it to tie_break_only or remove rounds"
            )
        return self


class Appeal(_Strict):
    """Where and how long an organizer may appeal a decision (the letter says it)."""

    within_days: int = Field(ge=1)  # calendar days from the decision
    to: Names  # the body that hears it, in each language
    # days a court needs to rule before the assembly: a decision later than that leaves the
    # organizer no remedy in time, and is flagged publicly (none: not stated)
    court_days: int | None = Field(default=None, ge=1)
    note: str | None = None  # the author's remark, never shown


class PlaceRule(_Strict):
    """What the law sets for one designated place, from `valid_from` to `valid_until` (its
    last day; none: until further notice), with the act that sets it."""

    valid_from: dt.date
    valid_until: dt.date | None = None
    capacity: int | None = Field(default=None, gt=0)  # persons at most
    hours: Hours | None = None  # instead of the rulebook's and the type's
    # assemblies of up to this many participants need no notice here (Moscow's "Hyde Parks")
    notice_exempt_up_to: int | None = Field(default=None, gt=0)
    buffer_m: int | None = Field(default=None, ge=0)  # the distance the law keeps around it
    source: Names | str  # the act, as a reader may look it up (in each language, or one)
    note: str | None = None  # the author's remark, never shown

    @model_validator(mode="after")
    def _ordered(self) -> PlaceRule:
        if self.valid_until is not None and self.valid_until < self.valid_from:
            raise ValueError(f"valid_until {self.valid_until} is before valid_from {self.valid_from}")
        return self

    def in_force(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)


def period_within(inner: Period, outer: Period) -> bool:
    """Whether `inner`, counted from the same moment, surely ends before `outer` does, whatever
    the calendar: a day of any kind is at least 24 hours, a working day or a clear day at least a
    calendar day. Where that cannot be known (working days inside calendar days, or hours that
    skip holidays, which stretch over them) it does not."""
    days = ("working_days", "clear_days", "calendar_days")
    if inner.unit == outer.unit and inner.skip == outer.skip:
        return inner.amount < outer.amount
    if inner.unit == "hours" and not inner.skip:
        return outer.unit in days and inner.amount < 24 * outer.amount
    if inner.unit == "calendar_days" and not inner.skip:
        return outer.unit in days and inner.amount < outer.amount
    return False


SilenceOfAgency = Literal["consent", "nothing"]


class ConsultationRule(_Strict):
    """Which notices need one agency's sign-off, by when (counted from the filing), and what
    the agency's silence at its deadline means: consent, or nothing (the officer decides
    without its answer)."""

    agency: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")  # the agency's code in the jurisdiction
    types: list[str] = []  # none: every type
    participants_from: int | None = Field(default=None, gt=0)
    places: list[str] = []  # venue slugs (none: any place)
    deadline: Period
    silence: SilenceOfAgency = "nothing"
    article: str | None = None  # where the law requires the consultation
    note: str | None = None  # the author's remark, never shown

    def applies(self, assembly_type: str, participants: int, venue_slug: str) -> bool:
        return (
            (not self.types or assembly_type in self.types)
            and (self.participants_from is None or participants >= self.participants_from)
            and (not self.places or venue_slug in self.places)
        )


class Consultation(_Strict):
    """Other agencies' sign-off (police, traffic, emergency services): the conditions they may
    set, from a closed list, and which notices need whose answer."""

    conditions: dict[str, Names] = {}
    rules: list[ConsultationRule] = []


DecisionOutcome = Literal["accepted", "accepted_with_conditions", "alternative_offered", "refused"]


class Rulebook(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    version: int = Field(ge=1)
    extends: str | None = None
    title: Names
    # the law the rulebook follows, as a reader may look it up (named in letters)
    law: Names | None = None
    timezone: str
    calendar: Calendar
    hours: Hours
    types: dict[str, AssemblyType] = Field(min_length=1)
    refusal_grounds: dict[str, RefusalGround] = Field(min_length=1)
    decision_outcomes: list[DecisionOutcome] = Field(
        default=["accepted", "accepted_with_conditions", "alternative_offered", "refused"], min_length=1
    )
    fairness: Fairness
    closures: Closures = Closures()
    appeal: Appeal | None = None
    # grounds that name another event at the same place: a decision on one holds only where
    # the two cannot be held together (the scheduler checks; ECtHR, Lashmankin v. Russia)
    competing_event_grounds: list[str] = ["venue_booked"]
    # rules of particular places (by the venue's slug in the jurisdiction), each for its dates
    places: dict[str, list[PlaceRule]] = {}
    # what assemblies are about: the closed list an organizer picks from when filing (the
    # statistics count refusals by it), each named in every language
    topics: dict[str, Names] = {}
    consultation: Consultation = Consultation()

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value

    @field_validator("places")
    @classmethod
    def _one_rule_a_day(cls, places: dict[str, list[PlaceRule]]) -> dict[str, list[PlaceRule]]:
        for slug, rules in places.items():
            ordered = sorted(rules, key=lambda r: r.valid_from)
            for earlier, later in zip(ordered, ordered[1:], strict=False):
                if earlier.valid_until is None or earlier.valid_until >= later.valid_from:
                    raise ValueError(
                        f"{slug}: the rules from {earlier.valid_from} and {later.valid_from} overlap"
                    )
        return places

    @model_validator(mode="after")
    def _consultations_in_time(self) -> Rulebook:
        """Every consultation a type needs ends before the authority's own deadline for it, so
        the officer has the answers (or the silence) before deciding. A type whose deadline
        counts back from the start has no deadline from filing to fit inside."""
        for n, rule in enumerate(self.consultation.rules):
            unknown = [t for t in rule.types if t not in self.types]
            if unknown:
                raise ValueError(f"consultation.rules.{n}.types: unknown type {unknown[0]!r}")
            for name, kind in self.types.items():
                if rule.types and name not in rule.types:
                    continue
                periods = [kind.decision]
                if kind.large_group is not None and kind.large_group.decision is not None:
                    periods.append(kind.large_group.decision)  # the rule reaches large groups too
                for decision in periods:
                    outer = decision.after_filing
                    if outer is None or not period_within(rule.deadline, outer):
                        limit = f"{outer.amount:g} {outer.unit}" if outer else "no period from the filing"
                        raise ValueError(
                            f"consultation.rules.{n}.deadline: {rule.deadline.amount:g} {rule.deadline.unit} "
                            f"({rule.agency}) does not end before the authority's own deadline for "
                            f"{name} ({limit}); shorten it"
                        )
        return self

    def consultations_for(
        self, assembly_type: str, participants: int, venue_slug: str
    ) -> list[ConsultationRule]:
        """The agencies a notice needs, each once (its first rule that applies)."""
        found: dict[str, ConsultationRule] = {}
        for rule in self.consultation.rules:
            if rule.agency not in found and rule.applies(assembly_type, participants, venue_slug):
                found[rule.agency] = rule
        return list(found.values())

    def condition_text(self, code: str, lang: str = "en") -> str:
        names = self.consultation.conditions.get(code)
        return (names.get(lang) or names.get("en") or code) if names else code

    def place_rule(self, venue_slug: str, day: dt.date) -> PlaceRule | None:
        """The rule of a place in force on `day`, if the rulebook has one."""
        return next((r for r in self.places.get(venue_slug, ()) if r.in_force(day)), None)

    def rules_for(
        self, assembly_type: str, participants: int, venue_slug: str = "", day: dt.date | None = None
    ):
        """The type's rules for an assembly of `participants` at a place on `day`: a group
        the place lets meet without notice needs none."""
        rules = self.type_rules(assembly_type).for_participants(participants)
        place = self.place_rule(venue_slug, day) if day is not None else None
        if place is not None and place.notice_exempt_up_to and participants <= place.notice_exempt_up_to:
            rules = rules.model_copy(update={"notice": NoticePeriod(min=None, max=rules.notice.max)})
        return rules

    def type_rules(self, assembly_type: str) -> AssemblyType:
        try:
            return self.types[assembly_type]
        except KeyError:
            known = ", ".join(sorted(self.types))
            raise KeyError(f"unknown assembly type {assembly_type!r}; known: {known}") from None

    def hours_for(self, assembly_type: str) -> Hours:
        return self.type_rules(assembly_type).hours or self.hours

    def label(self, lang: str = "en") -> str:
        return self.title.get(lang) or self.title["en"]

    def topic_name(self, topic: str, lang: str = "en") -> str | None:
        names = self.topics.get(topic)
        return (names.get(lang) or names.get("en")) if names else None

    def type_name(self, assembly_type: str, lang: str = "en") -> str | None:
        """The type as people call it in `lang` (None where the rulebook names it not)."""
        kind = self.types.get(assembly_type)
        names = kind.name if kind is not None else None
        return (names.get(lang) or names.get("en")) if names else None


def _deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _describe(error: ValidationError, source: str) -> str:
    lines = []
    for item in error.errors():
        where = ".".join(str(part) for part in item["loc"]) or "(top level)"
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            message = "unknown field (check its spelling)"
        named = re.match(r"^([a-z_]+): (.+)$", message, re.S)
        if named and item["loc"]:  # a check of the whole mapping that names its field
            where, message = f"{where}.{named[1]}", named[2]
        lines.append(f"{where}: {message}")
    return f"{source}: " + "; ".join(lines)


def parse_rulebook(
    data: Any, *, parents: Mapping[str, Mapping[str, Any]] | None = None, source: str = "rulebook"
) -> tuple[Rulebook, dict[str, Any]]:
    """Validate raw rulebook data; return the rulebook and its resolved (merged) data.

    `parents` maps rulebook ids to their raw data, for `extends:`.
    """
    if not isinstance(data, Mapping):
        raise RulebookError(f"{source}: expected a mapping of fields, got {type(data).__name__}")
    resolved = dict(data)
    seen = {resolved.get("id")}
    while parent_id := resolved.get("extends"):
        parent = (parents or {}).get(parent_id)
        if parent is None:
            raise RulebookError(f"{source}: extends: unknown rulebook {parent_id!r}")
        if parent_id in seen:
            raise RulebookError(f"{source}: extends: cycle through {parent_id!r}")
        seen.add(parent_id)
        child = {k: v for k, v in resolved.items() if k != "extends"}
        resolved = _deep_merge(parent, child)
        # the parent's own `extends` (if any) continues the chain; `id`/`version` stay the child's
        resolved["extends"] = parent.get("extends")
        resolved["id"], resolved["version"] = data.get("id"), data.get("version")
    resolved["extends"] = data.get("extends")
    try:
        rulebook = Rulebook.model_validate(resolved)
    except ValidationError as error:
        raise RulebookError(_describe(error, source)) from None
    return rulebook, rulebook.model_dump(mode="json")


def load_rulebook_texts(texts: Mapping[str, str]) -> dict[str, tuple[Rulebook, dict[str, Any], str]]:
    """Parse several YAML texts (file name → text) that may extend one another.

    Returns rulebook id → (rulebook, resolved data, file name)."""
    raw: dict[str, Any] = {}
    names: dict[str, str] = {}
    for name, text in texts.items():
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as error:
            raise RulebookError(f"{name}: not valid YAML: {error}") from None
        if not isinstance(data, Mapping) or "id" not in data:
            raise RulebookError(f"{name}: id: field required")
        if data["id"] in raw:
            raise RulebookError(f"{name}: id: {data['id']!r} is also the id of {names[data['id']]}")
        raw[data["id"]], names[data["id"]] = data, name
    return {
        rid: (*parse_rulebook(data, parents=raw, source=names[rid]), names[rid]) for rid, data in raw.items()
    }


def rulebook_from_data(data: Mapping[str, Any]) -> Rulebook:
    """Rebuild a rulebook from the resolved data stored in the database."""
    return Rulebook.model_validate(data)
