"""Deadlines as the law counts them: pure (no database), each with the trace of how.

A rulebook states a period as an amount and a unit (`rulebook.Period`), and which days it
does not count. The four units, and the day each one counts between a filing on day A
and an assembly on day B:

- `working_days`: working days strictly between A and B (neither A nor B counts;
  weekends and holidays never do). Kazakhstan's law, and Agora's convention since v1.
- `clear_days`: every day strictly between A and B (UK: "six clear days").
- `calendar_days`: every day after A up to and including B: B - A (Russia: "not later
  than ten days before the day of the assembly").
- `hours`: the hours between the filing moment and the start (Berlin: 48 hours).

`skip` leaves out more days (weekdays by name, `holidays` for the official ones): a
period of hours with `skip: [sat, sun, holidays]` counts only hours of working days.

A notice's minimum says when it must be filed at the latest; its maximum when at the
earliest. A decision's deadline runs forward from the filing (`after_filing`), back from
the start (`before_start`), or both, and is never later than the start.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from .calendar import WEEKDAYS, WorkingCalendar
from .rulebook import DecisionPeriod, Period

_UTC = dt.UTC
_MAX_DAYS = 3660  # no period of the law runs ten years; a calendar without any counted day stops here


@dataclass(frozen=True)
class Day:
    """One day of a trace: counted or not, and why."""

    date: dt.date
    counted: bool
    why: str  # "counted", "filing day", "assembly day", "weekend", "holiday", or a skipped weekday
    holiday: str | None = None  # the holiday's name, where that is why

    def as_dict(self) -> dict:
        return {
            "date": self.date.isoformat(),
            "counted": self.counted,
            "why": self.why,
            "holiday": self.holiday,
        }


@dataclass(frozen=True)
class Trace:
    """How one deadline was computed: the period, what it was counted from, the days
    looked at, and the result (`at`: the last lawful moment, or the first for an earliest)."""

    rule: str  # where the rulebook states it, e.g. "types.rally.notice.min"
    period: Period
    anchor: str  # "start" or "filing"
    anchor_at: dt.datetime
    at: dt.datetime  # the limit; for `end_of_day`, the midnight that ends the last day
    end_of_day: bool  # the limit is the end of a day (shown as that date alone)
    days: tuple[Day, ...] = field(default_factory=tuple)

    def allows(self, moment: dt.datetime) -> bool:
        """A filing (or a decision) at `moment` is within this latest moment."""
        return moment < self.at if self.end_of_day else moment <= self.at

    @property
    def last_day(self) -> dt.date:
        """The day the limit falls on (for the end of a day, that day, not the next)."""
        local = self.at.astimezone(self.anchor_at.tzinfo)
        return (local - dt.timedelta(microseconds=1)).date() if self.end_of_day else local.date()

    def as_dict(self) -> dict:
        return {
            "rule": self.rule,
            "amount": self.period.amount,
            "unit": self.period.unit,
            "skip": list(self.period.skip),
            "cut_off": self.period.cut_off.strftime("%H:%M") if self.period.cut_off else None,
            "article": self.period.article,
            "anchor": self.anchor,
            "anchor_at": self.anchor_at.isoformat(),
            "at": self.at.isoformat(),
            "end_of_day": self.end_of_day,
            "days": [d.as_dict() for d in self.days if not d.counted],
            "counted_days": sum(d.counted for d in self.days),
        }


class Counter:
    """Counts a rulebook's periods on one jurisdiction's calendar and clock."""

    def __init__(self, calendar: WorkingCalendar, tz: ZoneInfo) -> None:
        self.calendar, self.tz = calendar, tz

    # --- days -----------------------------------------------------------------------------

    def why_not(self, period: Period, day: dt.date) -> tuple[str, str | None] | None:
        """Why `day` does not count for `period` (None if it does)."""
        weekday = WEEKDAYS[day.weekday()]
        if weekday in period.skip:
            return weekday, None
        holiday = self.calendar.holiday_name(day)
        if period.unit == "working_days" and not self.calendar.is_working_day(day):
            return ("holiday", holiday) if holiday else ("weekend", None)
        if "holidays" in period.skip and holiday and not self.calendar.is_working_day(day):
            return "holiday", holiday
        return None

    def _look(self, period: Period, day: dt.date) -> Day:
        reason = self.why_not(period, day)
        return Day(day, True, "counted") if reason is None else Day(day, False, reason[0], reason[1])

    def days_between(self, period: Period, first: dt.date, last: dt.date) -> list[Day]:
        """The days `period` looks at between a filing on `first` and an assembly on `last`."""
        days = [Day(first, False, "filing day")]
        day = first + dt.timedelta(days=1)
        while day < last:
            days.append(self._look(period, day))
            day += dt.timedelta(days=1)
        if last > first:
            if period.unit == "calendar_days":
                days.append(self._look(period, last))
            else:
                days.append(Day(last, False, "assembly day"))
        return days

    def given(self, period: Period, filed: dt.datetime, start: dt.datetime) -> float:
        """How much of `period`'s unit a notice filed at `filed` gives before `start`."""
        if period.unit == "hours":
            return self._hours_between(period, filed, start) / 3600
        first, last = self._local(filed).date(), self._local(start).date()
        return sum(d.counted for d in self.days_between(period, first, last))

    # --- the notice: latest and earliest filing -----------------------------------------------

    def latest_filing(self, period: Period, start: dt.datetime, rule: str = "") -> Trace:
        """The last moment a notice gives at least `period` before `start`."""
        if period.unit == "hours":
            at, days = self._back_hours(period, start)
            return Trace(rule, period, "start", start, at, False, days)
        event = self._local(start).date()
        day, days = event, []
        for _ in range(_MAX_DAYS):
            looked = self.days_between(period, day, event)
            if sum(d.counted for d in looked) >= period.amount:
                days = looked
                break
            day -= dt.timedelta(days=1)
        else:
            raise ValueError(f"{rule}: no {period.amount:g} counted days within {_MAX_DAYS} days")
        at, end_of_day = self._day_limit(period, day)
        return Trace(rule, period, "start", start, at, end_of_day, tuple(days))

    def earliest_filing(self, period: Period, start: dt.datetime, rule: str = "") -> Trace:
        """The first moment a notice gives at most `period` before `start` (a maximum notice)."""
        if period.unit == "hours":
            at, days = self._back_hours(period, start)
            return Trace(rule, period, "start", start, at, False, days)
        event = self._local(start).date()
        day = event
        for _ in range(_MAX_DAYS):
            before = day - dt.timedelta(days=1)
            if sum(d.counted for d in self.days_between(period, before, event)) > period.amount:
                break
            day = before
        days = tuple(self.days_between(period, day, event))
        at = dt.datetime.combine(day, dt.time(), self.tz)
        return Trace(rule, period, "start", start, at, False, days)

    # --- a decision: forward from the filing, back from the start --------------------------------

    def after(self, period: Period, moment: dt.datetime, rule: str = "") -> Trace:
        """The end of `period` counted forward from `moment` (the filing)."""
        if period.unit == "hours":
            at, days = self._forward_hours(period, moment)
            return Trace(rule, period, "filing", moment, at, False, days)
        day, found, days = self._local(moment).date(), 0, []
        days.append(Day(day, False, "filing day"))
        for _ in range(_MAX_DAYS):
            if found >= period.amount:
                break
            day += dt.timedelta(days=1)
            looked = self._look(period, day)
            days.append(looked)
            found += looked.counted
        else:
            raise ValueError(f"{rule}: no {period.amount:g} counted days within {_MAX_DAYS} days")
        at, end_of_day = self._day_limit(period, day)
        return Trace(rule, period, "filing", moment, at, end_of_day, tuple(days))

    def earliest_day(self, period: Period, filed: dt.datetime) -> dt.date:
        """The first day an assembly may be held when notified at `filed` (the minimum)."""
        if period.unit == "hours":
            at, _ = self._forward_hours(period, filed)
            return self._local(at).date()
        first = day = self._local(filed).date()
        for _ in range(_MAX_DAYS):
            if sum(d.counted for d in self.days_between(period, first, day)) >= period.amount:
                return day
            day += dt.timedelta(days=1)
        raise ValueError(f"no {period.amount:g} counted days within {_MAX_DAYS} days")

    def before(self, period: Period, start: dt.datetime, rule: str = "") -> Trace:
        """The last moment that is still `period` before `start` (e.g. an objection)."""
        return self.latest_filing(period, start, rule)

    # --- helpers -----------------------------------------------------------------------------

    def _local(self, moment: dt.datetime) -> dt.datetime:
        return moment.astimezone(self.tz)

    def _midnight(self, day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(), self.tz).astimezone(_UTC)

    def _day_limit(self, period: Period, day: dt.date) -> tuple[dt.datetime, bool]:
        """The last moment of `day` for `period`: its cut-off, or the end of the day."""
        if period.cut_off is not None:
            return dt.datetime.combine(day, period.cut_off, self.tz), False
        return self._midnight(day + dt.timedelta(days=1)).astimezone(self.tz), True

    def _hours_between(self, period: Period, first: dt.datetime, last: dt.datetime) -> float:
        """Seconds between two moments, leaving out the days `period` skips."""
        total, cursor = 0.0, first.astimezone(_UTC)
        end = last.astimezone(_UTC)
        while cursor < end:
            day = cursor.astimezone(self.tz).date()
            next_midnight = self._midnight(day + dt.timedelta(days=1))
            piece_end = min(next_midnight, end)
            if self.why_not(period, day) is None:
                total += (piece_end - cursor).total_seconds()
            cursor = piece_end
        return total

    def _back_hours(self, period: Period, start: dt.datetime) -> tuple[dt.datetime, tuple[Day, ...]]:
        remaining = dt.timedelta(hours=period.amount)
        cursor, days = start.astimezone(_UTC), []
        for _ in range(_MAX_DAYS):
            local = cursor.astimezone(self.tz)
            day = local.date() if local.time() != dt.time() else local.date() - dt.timedelta(days=1)
            midnight = self._midnight(day)
            looked = self._look(period, day)
            days.append(looked)
            if looked.counted:
                if cursor - midnight >= remaining:
                    return (cursor - remaining).astimezone(self.tz), tuple(reversed(days))
                remaining -= cursor - midnight
            cursor = midnight
        raise ValueError(f"no {period.amount:g} counted hours within {_MAX_DAYS} days")

    def _forward_hours(self, period: Period, moment: dt.datetime) -> tuple[dt.datetime, tuple[Day, ...]]:
        remaining = dt.timedelta(hours=period.amount)
        cursor, days = moment.astimezone(_UTC), []
        for _ in range(_MAX_DAYS):
            day = cursor.astimezone(self.tz).date()
            midnight = self._midnight(day + dt.timedelta(days=1))
            looked = self._look(period, day)
            days.append(looked)
            if looked.counted:
                if midnight - cursor >= remaining:
                    return (cursor + remaining).astimezone(self.tz), tuple(days)
                remaining -= midnight - cursor
            cursor = midnight
        raise ValueError(f"no {period.amount:g} counted hours within {_MAX_DAYS} days")


def decision_deadline(
    counter: Counter, decision: DecisionPeriod, filed: dt.datetime, start: dt.datetime, *, rule: str = ""
) -> tuple[dt.datetime, list[Trace]]:
    """When the authority must have decided: the first of its periods to run out, and
    never after the start; with the trace of each period."""
    traces = []
    if decision.after_filing is not None:
        traces.append(counter.after(decision.after_filing, filed, f"{rule}.after_filing"))
    if decision.before_start is not None:
        traces.append(counter.before(decision.before_start, start, f"{rule}.before_start"))
    return min([t.at for t in traces] + [start]), traces
