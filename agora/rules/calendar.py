"""Working days of a jurisdiction: weekends, official holidays, and the rulebook's extras.

Pure (no database). Counting convention, used everywhere in Agora and stated in letters:
"N working days before the assembly" counts the working days strictly between the day
of filing and the day of the assembly: neither of those two days counts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import cached_property

import holidays

from .rulebook import Calendar

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# Guards the loops below against a calendar with no working days at all.
_MAX_SCAN_DAYS = 3660


class WorkingCalendar:
    def __init__(
        self,
        country: str,
        weekend: Iterable[str] = ("sat", "sun"),
        extra_holidays: Iterable[dt.date] = (),
        extra_working_days: Iterable[dt.date] = (),
        subdivision: str | None = None,
    ) -> None:
        self.country, self.subdivision = country, subdivision
        self.weekend = frozenset(WEEKDAYS.index(day) for day in weekend)
        self.extra_holidays = frozenset(extra_holidays)
        self.extra_working_days = frozenset(extra_working_days)

    @classmethod
    def from_rulebook_calendar(
        cls,
        calendar: Calendar,
        extra_holidays: Iterable[dt.date] = (),
        extra_working_days: Iterable[dt.date] = (),
    ) -> WorkingCalendar:
        """The rulebook's calendar plus the days the authority declared."""
        return cls(
            calendar.country,
            calendar.weekend,
            [*calendar.extra_holidays, *extra_holidays],
            [*calendar.extra_working_days, *extra_working_days],
            calendar.subdivision,
        )

    @cached_property
    def _official(self) -> holidays.HolidayBase:
        # Years are filled in lazily by the holidays package as dates are looked up.
        return holidays.country_holidays(self.country, subdiv=self.subdivision)

    def holiday_name_in(self, day: dt.date, lang: str) -> str | None:
        """The official holiday's name in `lang`, where the `holidays` package has it in that
        language (None otherwise, and for a day the authority declared)."""
        if day in self.extra_working_days or day in self.extra_holidays:
            return None
        supported = self._official.supported_languages or ()
        code = next((c for c in (lang, f"{lang}_US", f"{lang}_GB") if c in supported), None)
        if code is None:
            return None
        named = self.__dict__.setdefault("_named", {})
        if code not in named:
            named[code] = holidays.country_holidays(self.country, subdiv=self.subdivision, language=code)
        return named[code].get(day)

    def holiday_name(self, day: dt.date) -> str | None:
        if day in self.extra_working_days:
            return None
        if day in self.extra_holidays:
            return "holiday"
        return self._official.get(day)

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.extra_working_days:
            return True
        if day.weekday() in self.weekend or day in self.extra_holidays:
            return False
        return day not in self._official

    def working_days_between(self, first: dt.date, last: dt.date) -> int:
        """Working days strictly after `first` and strictly before `last` (0 if none)."""
        count, day = 0, first + dt.timedelta(days=1)
        while day < last:
            count += self.is_working_day(day)
            day += dt.timedelta(days=1)
        return count

    def add_working_days(self, start: dt.date, n: int) -> dt.date:
        """The n-th working day after `start` (n >= 1); `start` itself for n == 0."""
        if n < 0:
            raise ValueError("n must be >= 0")
        day, found = start, 0
        for _ in range(_MAX_SCAN_DAYS):
            if found == n:
                return day
            day += dt.timedelta(days=1)
            found += self.is_working_day(day)
        raise ValueError(f"no {n} working days within {_MAX_SCAN_DAYS} days of {start}")

    def earliest_event_date(self, filed: dt.date, min_working_days: int) -> dt.date:
        """First date on which an assembly filed on `filed` has at least the minimum notice."""
        # The event day must have `min` working days strictly between: the day after the
        # min-th working day is the first such date.
        return self.add_working_days(filed, min_working_days) + dt.timedelta(days=1)

    def latest_filing_date(self, event: dt.date, min_working_days: int) -> dt.date:
        """Last date a notice may be filed for an assembly on `event`."""
        day, found = event, 0
        for _ in range(_MAX_SCAN_DAYS):
            day -= dt.timedelta(days=1)
            if found == min_working_days:
                return day
            found += self.is_working_day(day)
        raise ValueError(f"no {min_working_days} working days within {_MAX_SCAN_DAYS} days")
