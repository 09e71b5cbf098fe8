"""The rule pre-check: notice facts + rulebook + calendar → violations. Pure, no ORM.

Each violation has a machine `code`, a human `message` saying what is wrong and how to
fix it, and the refusal `ground` of the rulebook it supports (None where the law lists
no ground: the officer may still not refuse for it, only ask for a change).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from zoneinfo import ZoneInfo

from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext_lazy as _

from agora import i18n

from .calendar import WorkingCalendar
from .deadlines import Counter
from .rulebook import Period, Rulebook


@dataclass(frozen=True)
class Interval:
    start: dt.datetime
    end: dt.datetime
    reason: str = ""

    def overlaps(self, start: dt.datetime, end: dt.datetime) -> bool:
        return self.start < end and start < self.end


@dataclass(frozen=True)
class VenueFacts:
    designated: bool
    capacity: int | None
    closures: Sequence[Interval] = ()
    slug: str = ""  # the venue's, for the rulebook's rules of particular places


@dataclass(frozen=True)
class NoticeFacts:
    assembly_type: str
    filed_at: dt.datetime
    starts_at: dt.datetime
    ends_at: dt.datetime
    expected_participants: int
    venue: VenueFacts
    # hours this organizer already holds at the same venue that day (other notices)
    organizer_hours_same_venue_day: float = 0.0
    urgent: bool = False  # notified as soon as practicable (where the type allows it)


# What each violation says, with its parameters filled in when it is shown: the notice keeps
# the code and the parameters, so each reader gets the words of their own language.
MESSAGES = {
    "unknown_type": _("“%(type)s” is not an assembly type of this rulebook; choose one of: %(known)s."),
    "end_before_start": _("The end must be after the start."),
    "in_the_past": _("The assembly must start after the notice is filed."),
    "late_notice": _(
        "A %(type)s needs at least %(min)s working days' notice; this one gives %(given)s. The "
        "earliest lawful date is %(earliest)s."
    ),
    "early_notice": _(
        "A %(type)s may be notified at most %(max)s working days ahead; this one is %(given)s. File "
        "again closer to the date."
    ),
    # the same two, for a period in another unit than working days (its amount in words)
    "late_notice@unit": _(
        "A %(type)s needs at least %(min)s of notice; this one gives %(given)s. The earliest lawful "
        "date is %(earliest)s."
    ),
    "early_notice@unit": _(
        "A %(type)s may be notified at most %(max)s ahead; this one is %(given)s ahead. File again "
        "closer to the date."
    ),
    "outside_hours": _("Assemblies are allowed between %(start)s and %(end)s on one day."),
    "too_long": _("A %(type)s may last at most %(max)s hours; this one lasts %(hours)s hours."),
    "over_daily_cap": _(
        "One organizer may hold a venue at most %(cap)s hours a day; with this notice it would be "
        "%(total)s hours. Shorten it to %(left)s hours or less."
    ),
    "too_many_participants": _(
        "A %(type)s may have at most %(max)s participants; %(expected)s are expected."
    ),
    "over_capacity": _(
        "The place holds at most %(capacity)s people safely; %(expected)s are expected. Choose a "
        "larger place or expect fewer participants."
    ),
    "venue_not_designated": _("A %(type)s must be held at a designated place; choose one from the list."),
    "venue_closed": _("The place is closed from %(start)s to %(end)s: %(reason)s"),
}
# a period's amount in its unit, e.g. "6 clear days"
UNITS = {
    "working_days": lambda n: ngettext("%(n)s working day", "%(n)s working days", n),
    "clear_days": lambda n: ngettext("%(n)s clear day", "%(n)s clear days", n),
    "calendar_days": lambda n: ngettext("%(n)s day", "%(n)s days", n),
    "hours": lambda n: ngettext("%(n)s hour", "%(n)s hours", n),
}


def period_text(amount: float, unit: str) -> str:
    """An amount of a unit in the active language, e.g. "6 clear days"."""
    count = int(amount) if amount == int(amount) else 2  # a fraction takes the plural
    return UNITS[unit](count) % {"n": i18n.number(amount)}


# parameters that are moments or dates (ISO text), shown in the reader's format; every
# number is shown with the language's separators (so the messages take each as text, %(x)s)
_MOMENTS = {"start", "end"}
_DATES = {"earliest"}


def describe(code: str, params: dict, *, type_name=None, tz=None) -> str:
    """The violation in the active language. `type_name(code)` names the assembly type."""
    shown = dict(params)
    unit = params.get("unit")
    for name, value in params.items():
        if unit in UNITS and name in ("min", "max", "given"):
            shown[name] = period_text(value, unit)
            continue
        if name == "type":
            named = (type_name(value) if type_name is not None else None) or value
            # inside an English sentence a type is a common noun ("A rally needs…")
            shown[name] = named.lower() if (get_language() or "en").startswith("en") else named
        elif name in _MOMENTS and isinstance(value, str) and "T" in value:
            shown[name] = i18n.when(dt.datetime.fromisoformat(value), tz)
        elif name in _DATES and isinstance(value, str):
            shown[name] = i18n.day(dt.date.fromisoformat(value))
        elif isinstance(value, int | float) and not isinstance(value, bool):
            shown[name] = i18n.number(round(value, 1) if isinstance(value, float) else value)
    try:
        return str(MESSAGES[f"{code}@unit" if unit in UNITS else code]) % shown
    except (KeyError, TypeError, ValueError):
        return ""


@dataclass(frozen=True)
class Violation:
    code: str
    ground: str | None = None
    params: dict = field(default_factory=dict)

    @property
    def message(self) -> str:
        """In the active language (the type by its code: `describe` names it)."""
        return describe(self.code, self.params)

    def as_dict(self) -> dict:
        """As a notice keeps it: the code, the ground, the parameters; and the message in
        English, for readers of the API and of older records."""
        from django.utils import translation

        with translation.override("en"):
            message = self.message
        return {"code": self.code, "message": message, "ground": self.ground, "params": dict(self.params)}


def _hours(delta: dt.timedelta) -> float:
    return delta.total_seconds() / 3600


def _amount(value: float) -> int | float:
    return int(value) if value == int(value) else round(value, 1)


def _with_unit(params: dict, period: Period) -> dict:
    """Periods of working days keep the parameters notices have always kept; others name their unit."""
    return params if period.unit == "working_days" else {**params, "unit": period.unit}


def check_notice(facts: NoticeFacts, rulebook: Rulebook, calendar: WorkingCalendar) -> list[Violation]:
    tz = ZoneInfo(rulebook.timezone)
    start, end = facts.starts_at.astimezone(tz), facts.ends_at.astimezone(tz)
    filed = facts.filed_at.astimezone(tz)
    if facts.assembly_type not in rulebook.types:
        known = ", ".join(sorted(rulebook.types))
        return [Violation("unknown_type", params={"type": facts.assembly_type, "known": known})]
    if end <= start:
        return [Violation("end_before_start")]
    if start <= filed:
        return [Violation("in_the_past")]

    found: list[Violation] = []

    place = rulebook.place_rule(facts.venue.slug, start.date())
    rules = rulebook.rules_for(
        facts.assembly_type, facts.expected_participants, facts.venue.slug, start.date()
    )
    counter = Counter(calendar, tz)
    low, high = rules.notice.min, rules.notice.max
    if facts.urgent and rules.urgent:  # "as soon as practicable": the minimum does not apply
        low = None
    if low is not None and not counter.latest_filing(low, start).allows(filed):
        given = counter.given(low, filed, start)
        params = {"type": facts.assembly_type, "min": _amount(low.amount), "given": _amount(given)}
        params["earliest"] = counter.earliest_day(low, filed).isoformat()
        found.append(Violation("late_notice", "late_notice", _with_unit(params, low)))
    elif high is not None and filed < counter.earliest_filing(high, start).at:
        params = {"type": facts.assembly_type, "max": _amount(high.amount)}
        params["given"] = _amount(counter.given(high, filed, start))
        found.append(Violation("early_notice", None, _with_unit(params, high)))

    hours = place.hours if place is not None and place.hours else rulebook.hours_for(facts.assembly_type)
    midnight = dt.datetime.combine(start.date() + dt.timedelta(days=1), dt.time(), tz)
    ends_in_hours = (end.date() == start.date() and end.time() <= hours.end) or (
        hours.until_midnight and end == midnight
    )
    if start.time() < hours.start or not ends_in_hours:
        found.append(
            Violation(
                "outside_hours",
                "outside_hours",
                {"start": f"{hours.start:%H:%M}", "end": hours.end_text()},
            )
        )

    duration = _hours(end - start)
    if rules.max_hours is not None and duration > rules.max_hours:
        found.append(
            Violation(
                "too_long",
                None,
                {"type": facts.assembly_type, "max": rules.max_hours, "hours": round(duration, 1)},
            )
        )
    cap = rulebook.fairness.max_hours_per_organizer_per_venue_day
    if cap is not None and duration + facts.organizer_hours_same_venue_day > cap:
        found.append(
            Violation(
                "over_daily_cap",
                None,
                {
                    "cap": cap,
                    "total": round(duration + facts.organizer_hours_same_venue_day, 1),
                    "left": round(max(0.0, cap - facts.organizer_hours_same_venue_day), 1),
                },
            )
        )

    if rules.max_participants is not None and facts.expected_participants > rules.max_participants:
        found.append(
            Violation(
                "too_many_participants",
                "capacity",
                {
                    "type": facts.assembly_type,
                    "max": rules.max_participants,
                    "expected": facts.expected_participants,
                },
            )
        )
    capacity = min((c for c in (facts.venue.capacity, place and place.capacity) if c), default=None)
    if capacity is not None and facts.expected_participants > capacity:
        found.append(
            Violation(
                "over_capacity", "capacity", {"capacity": capacity, "expected": facts.expected_participants}
            )
        )

    if rules.designated_place_required and not facts.venue.designated:
        found.append(Violation("venue_not_designated", "venue_not_designated", {"type": facts.assembly_type}))
    for closure in facts.venue.closures:
        if closure.overlaps(facts.starts_at, facts.ends_at):
            found.append(
                Violation(
                    "venue_closed",
                    "venue_closed",
                    {
                        "start": closure.start.isoformat(),
                        "end": closure.end.isoformat(),
                        "reason": closure.reason,
                    },
                )
            )
            break
    # a violation cites a ground only where this rulebook lists it
    return [v if v.ground in rulebook.refusal_grounds else replace(v, ground=None) for v in found]
