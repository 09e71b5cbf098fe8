import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from agora.rules.calendar import WorkingCalendar

KZ = WorkingCalendar("KZ")
days = st.dates(min_value=dt.date(2021, 1, 1), max_value=dt.date(2027, 12, 31))


def test_weekends_and_kazakh_holidays_are_not_working_days():
    assert KZ.is_working_day(dt.date(2022, 3, 18))  # Friday
    assert not KZ.is_working_day(dt.date(2022, 3, 19))  # Saturday
    assert not KZ.is_working_day(dt.date(2022, 3, 21))  # Nauryz
    assert not KZ.is_working_day(dt.date(2022, 3, 8))  # International Women's Day
    assert KZ.holiday_name(dt.date(2022, 3, 22)) == "Nowruz Holiday"


def test_counting_skips_weekends_and_holidays():
    # Filed Friday 18 March 2022: Nauryz (21-23 March) and the weekend do not count.
    assert KZ.add_working_days(dt.date(2022, 3, 18), 1) == dt.date(2022, 3, 24)
    assert KZ.add_working_days(dt.date(2022, 3, 18), 3) == dt.date(2022, 3, 28)
    # neither the filing day nor the event day counts
    assert KZ.working_days_between(dt.date(2022, 3, 14), dt.date(2022, 3, 19)) == 4


def test_rulebook_extras_override_the_official_calendar():
    saturday = dt.date(2022, 3, 5)  # a Saturday made a working day by decree
    calendar = WorkingCalendar("KZ", extra_working_days=[saturday], extra_holidays=[dt.date(2022, 3, 4)])
    assert calendar.is_working_day(saturday)
    assert not calendar.is_working_day(dt.date(2022, 3, 4))


@given(days, st.integers(min_value=0, max_value=20))
def test_earliest_event_date_is_exactly_the_first_with_enough_notice(filed, minimum):
    earliest = KZ.earliest_event_date(filed, minimum)
    assert KZ.working_days_between(filed, earliest) >= minimum
    assert KZ.working_days_between(filed, earliest - dt.timedelta(days=1)) < minimum or minimum == 0


@given(days, st.integers(min_value=0, max_value=20))
def test_latest_filing_date_gives_enough_notice_and_a_day_later_does_not(event, minimum):
    latest = KZ.latest_filing_date(event, minimum)
    assert KZ.working_days_between(latest, event) >= minimum
    if minimum > 0:
        assert KZ.working_days_between(latest + dt.timedelta(days=1), event) < minimum


@given(days, st.integers(min_value=1, max_value=30))
def test_add_working_days_lands_on_a_working_day_after_n_of_them(start, n):
    end = KZ.add_working_days(start, n)
    assert KZ.is_working_day(end)
    assert KZ.working_days_between(start, end) == n - 1
