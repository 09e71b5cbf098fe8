"""Issue 18: periods with units, anchors, skipped days and cut-offs, counted by the pure
deadline counter; and a rulebook that uses every such feature loads without code."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from agora.rules.calendar import WorkingCalendar
from agora.rules.checks import NoticeFacts, VenueFacts, check_notice
from agora.rules.deadlines import Counter, decision_deadline
from agora.rules.rulebook import Period, RulebookError, load_rulebook_texts

BERLIN = ZoneInfo("Europe/Berlin")
ALMATY = ZoneInfo("Asia/Almaty")
DE = Counter(WorkingCalendar("DE"), BERLIN)
KZ = Counter(WorkingCalendar("KZ"), ALMATY)


def at(day: str, time: str = "12:00", tz=BERLIN) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time.fromisoformat(time), tz)


# --- the four units, on known dates ------------------------------------------------------------


def test_working_days_are_agoras_convention_neither_end_counts():
    five = Period(amount=5, unit="working_days")
    # Saturday 19 March 2022 in Almaty: Monday to Friday before it are the five
    trace = KZ.latest_filing(five, at("2022-03-19", "10:00", ALMATY))
    assert trace.last_day == dt.date(2022, 3, 13) and trace.end_of_day
    assert trace.allows(at("2022-03-13", "23:59", ALMATY)) and not trace.allows(
        at("2022-03-14", "00:00", ALMATY)
    )
    # a week later Nauryz (21-23 March) and the weekend do not count: back to Tuesday 15th
    trace = KZ.latest_filing(five, at("2022-03-26", "10:00", ALMATY))
    assert trace.last_day == dt.date(2022, 3, 15)
    skipped = {d.date: (d.why, d.holiday) for d in trace.days if not d.counted}
    assert skipped[dt.date(2022, 3, 22)][0] == "holiday" and skipped[dt.date(2022, 3, 22)][1]
    assert skipped[dt.date(2022, 3, 20)] == ("weekend", None)


def test_clear_days_count_neither_the_filing_nor_the_assembly_day():
    six = Period(amount=6, unit="clear_days")
    trace = DE.latest_filing(six, at("2026-12-19"))  # a Saturday
    assert trace.last_day == dt.date(2026, 12, 12)  # 13..18 are the six clear days
    assert DE.given(six, at("2026-12-12", "23:00"), at("2026-12-19")) == 6
    assert DE.given(six, at("2026-12-13", "08:00"), at("2026-12-19")) == 5


def test_calendar_days_count_the_assembly_day_and_may_skip_sundays():
    ten = Period(amount=10, unit="calendar_days")
    assert DE.latest_filing(ten, at("2026-12-20")).last_day == dt.date(2026, 12, 10)
    no_sundays = Period(amount=10, unit="calendar_days", skip=["sun"])
    # 11..20 December holds two Sundays (13 and 20), so two more days are needed
    assert DE.latest_filing(no_sundays, at("2026-12-20")).last_day == dt.date(2026, 12, 8)


def test_hours_skip_weekends_and_holidays_where_the_law_says_so():
    plain = Period(amount=48, unit="hours")
    assert DE.latest_filing(plain, at("2026-12-28", "10:00")).at == at("2026-12-26", "10:00")
    skipping = Period(amount=48, unit="hours", skip=["sat", "sun", "holidays"])
    # Monday 28 Dec 2026, 10:00: Sat 26 (Boxing Day too), Sun 27 and Fri 25 (Christmas) do not
    # count, so 10 hours on Monday, then Thursday 24 (24 h) and 14 h of Wednesday 23
    trace = DE.latest_filing(skipping, at("2026-12-28", "10:00"))
    assert trace.at == at("2026-12-23", "10:00")
    whys = {d.date: (d.why, d.holiday) for d in trace.days if not d.counted}
    assert whys[dt.date(2026, 12, 25)][0] == "holiday" and whys[dt.date(2026, 12, 25)][1]


def test_a_cut_off_time_ends_the_last_day_early():
    by_eleven = Period(amount=7, unit="calendar_days", cut_off="11:00")
    trace = DE.latest_filing(by_eleven, at("2026-12-19"))
    assert trace.at == at("2026-12-12", "11:00") and not trace.end_of_day
    assert trace.allows(at("2026-12-12", "11:00")) and not trace.allows(at("2026-12-12", "11:01"))


def test_a_decision_deadline_runs_forward_and_back_and_the_first_wins():
    from agora.rules.rulebook import DecisionPeriod

    both = DecisionPeriod(
        after_filing=Period(amount=3, unit="calendar_days"), before_start=Period(amount=48, unit="hours")
    )
    due, traces = decision_deadline(DE, both, at("2026-12-01", "09:00"), at("2026-12-10", "10:00"))
    assert due == at("2026-12-05", "00:00")  # the end of the third day after the filing
    soon = at("2026-12-03", "10:00")
    due, _ = decision_deadline(DE, both, at("2026-12-01", "09:00"), soon)
    assert due == at("2026-12-01", "10:00")  # 48 hours before a start two days on


@settings(max_examples=200, deadline=None)
@given(
    amount=st.integers(0, 20),
    unit=st.sampled_from(["working_days", "clear_days", "calendar_days"]),
    skip=st.sets(st.sampled_from(["sat", "sun", "holidays"])),
    event=st.dates(dt.date(2025, 1, 1), dt.date(2028, 12, 31)),
)
def test_the_latest_filing_day_gives_enough_and_the_day_after_does_not(amount, unit, skip, event):
    period = Period(amount=amount, unit=unit, skip=sorted(skip))
    start = at(event.isoformat(), "12:00")
    trace = DE.latest_filing(period, start)
    last = trace.last_day
    assert DE.given(period, at(last.isoformat(), "23:00"), start) >= amount
    if last < event:
        assert DE.given(period, at((last + dt.timedelta(days=1)).isoformat(), "01:00"), start) < amount
    assert DE.earliest_day(period, at(last.isoformat(), "09:00")) <= event


@settings(max_examples=200, deadline=None)
@given(
    hours=st.integers(0, 200),
    skip=st.sets(st.sampled_from(["sat", "sun", "holidays"])),
    start=st.datetimes(dt.datetime(2025, 1, 1), dt.datetime(2028, 12, 31)),
)
def test_hours_back_from_the_start_and_forward_again_agree(hours, skip, start):
    period = Period(amount=hours, unit="hours", skip=sorted(skip))
    start = start.replace(tzinfo=BERLIN)
    latest = DE.latest_filing(period, start).at
    assert latest <= start
    assert abs(DE.given(period, latest, start) - hours) < 1e-6


def test_kazakhstan_working_days_match_the_calendar_it_always_used():
    calendar = WorkingCalendar("KZ")
    for offset in range(0, 400, 3):
        event = dt.date(2026, 1, 1) + dt.timedelta(days=offset)
        period = Period(amount=5, unit="working_days")
        assert KZ.latest_filing(period, at(event.isoformat(), "10:00", ALMATY)).last_day == (
            calendar.latest_filing_date(event, 5)
        )


# --- a rulebook as a lawyer writes it ---------------------------------------------------------------

LAWYERS = """
id: anywhere
version: 1
title: {en: "A rulebook using every kind of period"}
timezone: Europe/Berlin
calendar: {country: DE}
hours: {start: "00:00", end: "24:00"}
types:
  procession:
    regime: objection
    notice:
      min: {amount: 6, unit: clear_days, article: "s.11(5)"}
    decision:
      before_start: {amount: 48, unit: hours, skip: [sat, sun, holidays]}
    silence: deemed_not_objected
    designated_place_required: false
  static:
    regime: notification
    notice: {}
    decision: {}
    silence: nothing
    designated_place_required: false
    spontaneous: true
    urgent: true
  meeting:
    regime: notification
    notice:
      min: {amount: 7, unit: calendar_days, cut_off: "11:00"}
      max: {amount: 15, unit: calendar_days}
    decision:
      after_filing: {amount: 3, unit: calendar_days}
    silence: deemed_accepted
    designated_place_required: false
    small_group_exempt_below: 50
    large_group:
      participants: 5000
      regime: approval
      notice: {min: {amount: 10, unit: working_days}}
      decision: {after_filing: {amount: 7, unit: working_days}}
refusal_grounds:
  public_order: {en: "A present danger to public order."}
fairness:
  offer_hold_hours: 0
places:
  the-square:
    - {valid_from: 2020-01-01, valid_until: 2024-06-30, capacity: 1000, buffer_m: 150,
       source: "Decision 1 of 2020"}
    - {valid_from: 2024-07-01, capacity: 500, buffer_m: 400, notice_exempt_up_to: 20,
       hours: {start: "08:00", end: "22:00"},
       source: {en: "Decision 7 of 2024", ru: "Решение 7 от 2024 года"}}
appeal:
  within_days: 14
  court_days: 2
  to: {en: "to the administrative court"}
"""


def test_a_rulebook_with_every_kind_of_period_loads_without_code():
    rulebook = load_rulebook_texts({"anywhere.yaml": LAWYERS})["anywhere"][0]
    assert rulebook.hours.until_midnight and rulebook.hours.end_text() == "24:00"
    assert rulebook.decision_outcomes[0] == "accepted"  # the default list
    assert rulebook.fairness.offer_hold_hours == 0
    meeting = rulebook.types["meeting"]
    assert meeting.for_participants(10).notice.min is None  # a small group needs no notice
    large = meeting.for_participants(6000)
    assert large.regime == "approval" and large.notice.min.unit == "working_days"
    assert rulebook.types["static"].notice.min is None and rulebook.types["static"].spontaneous
    # a place's rules change over time: the 2024 decision moved the cap and the buffer
    old, new = (
        rulebook.place_rule("the-square", dt.date(2023, 5, 1)),
        rulebook.place_rule("the-square", dt.date(2025, 5, 1)),
    )
    assert (old.capacity, old.buffer_m, new.capacity, new.buffer_m) == (1000, 150, 500, 400)
    assert rulebook.place_rule("the-square", dt.date(2019, 5, 1)) is None
    assert rulebook.rules_for("meeting", 15, "the-square", dt.date(2025, 5, 1)).notice.min is None
    assert rulebook.appeal.court_days == 2


def facts(kind: str, filed: dt.datetime, start: dt.datetime, people: int = 100) -> NoticeFacts:
    return NoticeFacts(kind, filed, start, start + dt.timedelta(hours=2), people, VenueFacts(True, None))


def test_the_checks_count_each_types_own_unit():
    rulebook = load_rulebook_texts({"anywhere.yaml": LAWYERS})["anywhere"][0]
    calendar = WorkingCalendar("DE")
    saturday = at("2026-12-19", "14:00")

    def codes(kind, filed, people=100):
        return {v.code: v for v in check_notice(facts(kind, filed, saturday, people), rulebook, calendar)}

    assert "late_notice" not in codes("procession", at("2026-12-12", "20:00"))
    late = codes("procession", at("2026-12-13", "08:00"))["late_notice"]
    assert late.params == {
        "type": "procession",
        "min": 6,
        "given": 5,
        "earliest": "2026-12-20",
        "unit": "clear_days",
    }
    assert "6 clear days" in late.message
    assert "late_notice" not in codes("meeting", at("2026-12-12", "10:59"))
    assert "late_notice" in codes("meeting", at("2026-12-12", "11:01"))
    assert "late_notice" not in codes("meeting", at("2026-12-18", "11:01"), people=20)  # small group
    assert "early_notice" in codes("meeting", at("2026-12-01", "09:00"))
    assert codes("static", at("2026-12-19", "13:00")) == {}  # no notice needed at all
    night = NoticeFacts(
        "static",
        at("2026-12-18"),
        at("2026-12-19", "22:00"),
        at("2026-12-20", "00:00"),
        5,
        VenueFacts(True, None),
    )
    assert check_notice(night, rulebook, calendar) == []  # ends at 24:00, within the hours


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ("amount: 6, unit: clear_days, article", "amount: 6.5, unit: clear_days, article"),
        ("amount: 48, unit: hours, skip", "amount: 48, unit: hours, cut_off: '10:00', skip"),
        ("unit: clear_days", "unit: fortnights"),
        ('end: "24:00"', 'end: "25:00"'),
    ],
)
def test_a_bad_period_is_refused_naming_the_field(change, named):
    with pytest.raises(RulebookError) as error:
        load_rulebook_texts({"anywhere.yaml": LAWYERS.replace(change, named, 1)})
    message = str(error.value)
    assert message.startswith("anywhere.yaml: ") and ("types.procession" in message or "hours.end" in message)


def test_both_short_and_long_forms_of_one_period_are_refused():
    text = LAWYERS.replace(
        "    regime: objection\n", "    regime: objection\n    notice_working_days: {min: 5}\n"
    )
    with pytest.raises(RulebookError, match="types.procession: give either"):
        load_rulebook_texts({"anywhere.yaml": text})


def test_yaml_of_the_example_is_plain_data():
    assert yaml.safe_load(LAWYERS)["types"]["meeting"]["large_group"]["participants"] == 5000
