import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agora.rules.calendar import WorkingCalendar
from agora.rules.checks import Interval, NoticeFacts, VenueFacts, check_notice
from agora.rules.rulebook import load_rulebook_texts
from tests.conftest import ALMATY, at

BOOKS = load_rulebook_texts(
    {
        p.name: p.read_text()
        for p in (Path(__file__).resolve().parents[2] / "agora/rules/rulebooks").glob("*.yaml")
    }
)
KZ, FAIR = BOOKS["kz-2020"][0], BOOKS["fair"][0]
CAL = WorkingCalendar("KZ")
SQUARE = VenueFacts(designated=True, capacity=5000)


def facts(**overrides):
    base = dict(
        assembly_type="rally",
        filed_at=at(2, 10),
        starts_at=at(19, 10),
        ends_at=at(19, 12),
        expected_participants=300,
        venue=SQUARE,
    )
    return NoticeFacts(**{**base, **overrides})


def codes(found):
    return [v.code for v in found]


def test_a_lawful_notice_has_no_violations():
    assert check_notice(facts(), KZ, CAL) == []
    assert check_notice(facts(), FAIR, CAL) == []


def test_too_little_notice_names_the_earliest_lawful_date():
    # filed Monday 14 March for Saturday 19 March: only 4 working days between
    [violation] = check_notice(facts(filed_at=at(14, 9)), KZ, CAL)
    assert violation.code == "late_notice" and violation.ground == "late_notice"
    assert violation.params["earliest"] == "2022-03-25"  # Nauryz 21-23 March intervenes
    assert "25 March 2022" in violation.message and "at least 5 working days" in violation.message


def test_too_much_notice():
    assert codes(check_notice(facts(filed_at=at(1, 9, month=2)), KZ, CAL)) == ["early_notice"]


def test_outside_hours_and_over_midnight():
    assert codes(check_notice(facts(starts_at=at(19, 8), ends_at=at(19, 10)), KZ, CAL)) == ["outside_hours"]
    assert codes(check_notice(facts(starts_at=at(19, 19), ends_at=at(19, 21)), KZ, CAL)) == ["outside_hours"]
    assert check_notice(facts(starts_at=at(19, 9), ends_at=at(19, 20)), KZ, CAL) == []


def test_fair_caps_the_hours_one_organizer_holds_a_venue():
    whole_day = facts(starts_at=at(19, 9), ends_at=at(19, 20))
    assert check_notice(whole_day, KZ, CAL) == []
    [violation] = check_notice(whole_day, FAIR, CAL)
    assert violation.code == "over_daily_cap" and "4 hours" in violation.message
    # earlier bookings of the same organizer that day count too
    assert codes(check_notice(facts(organizer_hours_same_venue_day=3), FAIR, CAL)) == ["over_daily_cap"]


def test_capacity_designation_and_closures():
    small = VenueFacts(
        designated=False, capacity=100, closures=[Interval(at(19, 11), at(19, 15), "Fountain repairs")]
    )
    found = check_notice(facts(venue=small), KZ, CAL)
    assert codes(found) == ["over_capacity", "venue_not_designated", "venue_closed"]
    assert {v.ground for v in found} == {"capacity", "venue_not_designated", "venue_closed"}
    assert "Fountain repairs" in found[2].message


def test_type_limits_from_the_rulebook():
    limited = KZ.model_copy(
        update={
            "types": {
                **KZ.types,
                "rally": KZ.types["rally"].model_copy(update={"max_hours": 1.5, "max_participants": 100}),
            }
        }
    )
    assert codes(check_notice(facts(), limited, CAL)) == ["too_long", "too_many_participants"]


def test_nonsense_is_reported_not_crashed_on():
    assert codes(check_notice(facts(assembly_type="party"), KZ, CAL)) == ["unknown_type"]
    assert codes(check_notice(facts(ends_at=at(19, 9)), KZ, CAL)) == ["end_before_start"]
    assert codes(check_notice(facts(starts_at=at(1, 10), ends_at=at(1, 11)), KZ, CAL)) == ["in_the_past"]


@given(
    filed=st.datetimes(min_value=dt.datetime(2022, 1, 1), max_value=dt.datetime(2026, 12, 31)),
    lead_days=st.integers(min_value=1, max_value=40),
    start_hour=st.integers(min_value=0, max_value=23),
    hours=st.integers(min_value=1, max_value=12),
    people=st.integers(min_value=1, max_value=10_000),
)
def test_each_violation_matches_its_rule(filed, lead_days, start_hour, hours, people):
    filed = filed.replace(tzinfo=ALMATY)
    day = filed.date() + dt.timedelta(days=lead_days)
    start = dt.datetime.combine(day, dt.time(start_hour), ALMATY)
    notice = facts(
        filed_at=filed,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=hours),
        expected_participants=people,
    )
    found = set(codes(check_notice(notice, FAIR, CAL)))
    given_days = CAL.working_days_between(filed.date(), day)
    assert ("late_notice" in found) == (given_days < 5)
    assert ("early_notice" in found) == (given_days > 10)
    assert ("outside_hours" in found) == (start_hour < 9 or start_hour + hours > 20)
    assert ("over_daily_cap" in found) == (hours > 4)
    assert ("over_capacity" in found) == (people > 5000)


SAMPLE = {  # the parameters each check gives its violation
    "unknown_type": {"type": "parade", "known": "march, rally"},
    "end_before_start": {},
    "in_the_past": {},
    "late_notice": {"type": "rally", "min": 5, "given": 0, "earliest": "2026-12-10"},
    "early_notice": {"type": "picket", "max": 10, "given": 12},
    # the same two for a period in another unit (the message names it)
    "late_notice@unit": {
        "type": "march",
        "min": 6,
        "given": 2,
        "earliest": "2026-12-10",
        "unit": "clear_days",
    },  # noqa: E501
    "early_notice@unit": {"type": "rally", "max": 15, "given": 21, "unit": "calendar_days"},
    "outside_hours": {"start": "09:00", "end": "20:00"},
    "too_long": {"type": "rally", "max": 2.0, "hours": 3.5},
    "over_daily_cap": {"cap": 4.0, "total": 16.5, "left": 4.0},
    "too_many_participants": {"type": "march", "max": 5000, "expected": 12000},
    "over_capacity": {"capacity": 74893, "expected": 100000},
    "venue_not_designated": {"type": "rally"},
    "venue_closed": {
        "start": "2026-12-17T02:00:00+00:00",
        "end": "2026-12-17T07:00:00+00:00",
        "reason": "Works",
    },
}


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_every_violation_reads_in_every_language(lang):
    """Each check's message, with the parameters it gives, renders whole in each language:
    none empty, no placeholder left, numbers with the language's separators."""
    from django.utils import translation

    from agora.rules.checks import MESSAGES, describe

    assert set(SAMPLE) == set(MESSAGES)
    with translation.override(lang):
        for code, params in SAMPLE.items():
            text = describe(code.split("@")[0], params, tz="Asia/Almaty")
            assert text and "%(" not in text and "%s" not in text, (lang, code, text)
        capacity = describe("over_capacity", SAMPLE["over_capacity"])
        assert ("74,893" if lang == "en" else "74\xa0893") in capacity, capacity
        closed = describe("venue_closed", SAMPLE["venue_closed"], tz="Asia/Almaty")
        assert "07:00" in closed and "12:00" in closed  # the place's local time
