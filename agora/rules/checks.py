"""The rule pre-check: notice facts + rulebook + calendar → violations. Pure, no ORM.

Each violation has a machine `code`, a human `message` saying what is wrong and how to
fix it, and the refusal `ground` of the rulebook it supports (None where the law lists
no ground: the officer may still not refuse for it, only ask for a change).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from .calendar import WorkingCalendar
from .rulebook import Rulebook


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


@dataclass(frozen=True)
class Violation:
    code: str
    message: str
    ground: str | None = None
    params: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message, "ground": self.ground, **self.params}


def _hours(delta: dt.timedelta) -> float:
    return delta.total_seconds() / 3600


def check_notice(facts: NoticeFacts, rulebook: Rulebook, calendar: WorkingCalendar) -> list[Violation]:
    tz = ZoneInfo(rulebook.timezone)
    start, end = facts.starts_at.astimezone(tz), facts.ends_at.astimezone(tz)
    filed = facts.filed_at.astimezone(tz)
    if facts.assembly_type not in rulebook.types:
        known = ", ".join(sorted(rulebook.types))
        return [
            Violation(
                "unknown_type",
                _("“%(type)s” is not an assembly type of this rulebook; choose one of: %(known)s.")
                % {"type": facts.assembly_type, "known": known},
            )
        ]
    if end <= start:
        return [Violation("end_before_start", _("The end must be after the start."))]
    if start <= filed:
        return [Violation("in_the_past", _("The assembly must start after the notice is filed."))]

    rules = rulebook.type_rules(facts.assembly_type)
    found: list[Violation] = []

    given = calendar.working_days_between(filed.date(), start.date())
    span = rules.notice_working_days
    if given < span.min:
        earliest = calendar.earliest_event_date(filed.date(), span.min)
        found.append(
            Violation(
                "late_notice",
                _(
                    "A %(type)s needs at least %(min)d working days' notice; this one gives "
                    "%(given)d. The earliest lawful date is %(earliest)s."
                )
                % {
                    "type": facts.assembly_type,
                    "min": span.min,
                    "given": given,
                    "earliest": earliest.isoformat(),
                },
                "late_notice",
                {"earliest_date": earliest.isoformat(), "given": given, "required": span.min},
            )
        )
    elif span.max is not None and given > span.max:
        found.append(
            Violation(
                "early_notice",
                _(
                    "A %(type)s may be notified at most %(max)d working days ahead; this one "
                    "is %(given)d. File again closer to the date."
                )
                % {"type": facts.assembly_type, "max": span.max, "given": given},
                None,
                {"given": given, "allowed": span.max},
            )
        )

    hours = rulebook.hours_for(facts.assembly_type)
    if start.date() != end.date() or start.time() < hours.start or end.time() > hours.end:
        found.append(
            Violation(
                "outside_hours",
                _("Assemblies are allowed between %(start)s and %(end)s on one day.")
                % {"start": f"{hours.start:%H:%M}", "end": f"{hours.end:%H:%M}"},
                "outside_hours",
                {"allowed_start": f"{hours.start:%H:%M}", "allowed_end": f"{hours.end:%H:%M}"},
            )
        )

    duration = _hours(end - start)
    if rules.max_hours is not None and duration > rules.max_hours:
        found.append(
            Violation(
                "too_long",
                _("A %(type)s may last at most %(max)s hours; this one lasts %(hours).1f.")
                % {"type": facts.assembly_type, "max": f"{rules.max_hours:g}", "hours": duration},
                None,
                {"max_hours": rules.max_hours},
            )
        )
    cap = rulebook.fairness.max_hours_per_organizer_per_venue_day
    if cap is not None and duration + facts.organizer_hours_same_venue_day > cap:
        found.append(
            Violation(
                "over_daily_cap",
                _(
                    "One organizer may hold a venue at most %(cap)s hours a day; with this "
                    "notice it would be %(total).1f. Shorten it to %(left).1f hours or less."
                )
                % {
                    "cap": f"{cap:g}",
                    "total": duration + facts.organizer_hours_same_venue_day,
                    "left": max(0.0, cap - facts.organizer_hours_same_venue_day),
                },
                None,
                {"cap_hours": cap},
            )
        )

    if rules.max_participants is not None and facts.expected_participants > rules.max_participants:
        found.append(
            Violation(
                "too_many_participants",
                _("A %(type)s may have at most %(max)d participants; %(expected)d are expected.")
                % {
                    "type": facts.assembly_type,
                    "max": rules.max_participants,
                    "expected": facts.expected_participants,
                },
                "capacity",
            )
        )
    capacity = facts.venue.capacity
    if capacity is not None and facts.expected_participants > capacity:
        found.append(
            Violation(
                "over_capacity",
                _(
                    "The place holds at most %(capacity)d people safely; %(expected)d are "
                    "expected. Choose a larger place or expect fewer participants."
                )
                % {"capacity": capacity, "expected": facts.expected_participants},
                "capacity",
                {"capacity": capacity},
            )
        )

    if rules.designated_place_required and not facts.venue.designated:
        found.append(
            Violation(
                "venue_not_designated",
                _("A %(type)s must be held at a designated place; choose one from the list.")
                % {"type": facts.assembly_type},
                "venue_not_designated",
            )
        )
    for closure in facts.venue.closures:
        if closure.overlaps(facts.starts_at, facts.ends_at):
            found.append(
                Violation(
                    "venue_closed",
                    _("The place is closed from %(start)s to %(end)s: %(reason)s")
                    % {
                        "start": f"{closure.start.astimezone(tz):%Y-%m-%d %H:%M}",
                        "end": f"{closure.end.astimezone(tz):%Y-%m-%d %H:%M}",
                        "reason": closure.reason,
                    },
                    "venue_closed",
                )
            )
            break
    return found
