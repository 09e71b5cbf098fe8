"""Issue 18: the rulebooks of Moscow (54-FZ), London (Public Order Act 1986) and Berlin
(VersFG BE) load, and their notice periods and decision deadlines come out right on known
dates, around public holidays."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from agora.rules.calendar import WorkingCalendar
from agora.rules.checks import NoticeFacts, VenueFacts, check_notice
from agora.rules.deadlines import Counter, decision_deadline
from agora.rules.rulebook import load_rulebook_texts

SHIPPED = Path(__file__).resolve().parents[2] / "agora" / "rules" / "rulebooks"
BOOKS = {
    rid: book
    for rid, (book, _, _) in load_rulebook_texts(
        {p.name: p.read_text() for p in SHIPPED.glob("*.yaml")}
    ).items()
}


def local(book, day: str, time: str = "12:00") -> dt.datetime:
    return dt.datetime.combine(
        dt.date.fromisoformat(day), dt.time.fromisoformat(time), ZoneInfo(book.timezone)
    )


def calendar(book) -> WorkingCalendar:
    return WorkingCalendar.from_rulebook_calendar(book.calendar)


def counter(book) -> Counter:
    return Counter(calendar(book), ZoneInfo(book.timezone))


def violations(book, kind, filed, start, people=100) -> dict:
    facts = NoticeFacts(kind, filed, start, start + dt.timedelta(hours=2), people, VenueFacts(True, None))
    return {v.code: v for v in check_notice(facts, book, calendar(book))}


def latest(book, kind, start):
    return counter(book).latest_filing(book.types[kind].notice.min, start)


def test_the_five_rulebooks_load_and_the_new_three_cite_their_articles():
    assert {"kz-2020", "fair", "ru-54fz", "uk-poa-1986", "de-be-versfg"} <= set(BOOKS)
    for rid in ("ru-54fz", "uk-poa-1986", "de-be-versfg"):
        book = BOOKS[rid]
        assert book.law and book.law["en"]
        cited = [p for kind in book.types.values() for p in (kind.notice.min, kind.notice.max) if p]
        assert all(p.article for p in cited), rid
        assert all(g.en for g in book.refusal_grounds.values())


# --- Moscow: calendar days, 15 to 10 before the day -------------------------------------------------


def test_moscow_a_saturday_rally_is_notified_between_15_and_10_days_before_holidays_count():
    book, saturday = BOOKS["ru-54fz"], None
    saturday = local(book, "2026-05-16", "14:00")  # Victory Day (9 May, observed 11 May) lies between
    trace = latest(book, "rally", saturday)
    assert trace.last_day == dt.date(2026, 5, 6) and trace.end_of_day
    assert "late_notice" not in violations(book, "rally", local(book, "2026-05-06", "23:30"), saturday)
    late = violations(book, "rally", local(book, "2026-05-07", "09:00"), saturday)["late_notice"]
    assert late.params["unit"] == "calendar_days" and late.params["given"] == 9
    assert "early_notice" in violations(book, "rally", local(book, "2026-04-30", "18:00"), saturday)
    assert "early_notice" not in violations(book, "rally", local(book, "2026-05-01", "08:00"), saturday)


def test_moscow_the_authority_answers_within_three_days_and_one_person_needs_no_notice():
    book = BOOKS["ru-54fz"]
    filed, start = local(book, "2026-05-05", "10:00"), local(book, "2026-05-16", "14:00")
    due, [trace] = decision_deadline(counter(book), book.types["rally"].decision, filed, start)
    assert due == local(book, "2026-05-09", "00:00") and trace.last_day == dt.date(2026, 5, 8)
    lone = violations(book, "picket", local(book, "2026-05-16", "09:00"), start, people=1)
    assert "late_notice" not in lone
    assert "late_notice" in violations(book, "picket", local(book, "2026-05-15", "09:00"), start, people=3)
    assert "outside_hours" in violations(
        book, "rally", filed, local(book, "2026-05-16", "22:00")
    )  # ends 24:00


# --- London: six clear days for a procession, none for a static assembly -----------------------------


def test_london_six_clear_days_and_bank_holidays_count_like_any_day():
    book = BOOKS["uk-poa-1986"]
    assert latest(book, "procession", local(book, "2026-12-19", "11:00")).last_day == dt.date(2026, 12, 12)
    # Monday 28 December 2026 is a bank holiday (Boxing Day observed); clear days count 25 and 26 too
    monday = local(book, "2026-12-28", "11:00")
    assert "Boxing" in (calendar(book).holiday_name(dt.date(2026, 12, 28)) or "")
    assert latest(book, "procession", monday).last_day == dt.date(2026, 12, 21)
    assert "late_notice" in violations(book, "procession", local(book, "2026-12-22", "08:00"), monday)
    assert violations(book, "assembly", local(book, "2026-12-28", "08:00"), monday) == {}  # s.14: no notice
    due, traces = decision_deadline(counter(book), book.types["procession"].decision, monday, monday)
    assert due == monday and traces == []  # conditions may come up to the start


# --- Berlin: 48 hours, weekends and Berlin's holidays not counted --------------------------------------


@pytest.mark.parametrize(
    ("start", "latest_at", "skipped"),
    [
        # Christmas: Friday 25 and Saturday 26 are holidays, 26 and 27 a weekend
        ("2026-12-28 10:00", "2026-12-23 10:00", {"2026-12-25", "2026-12-26", "2026-12-27"}),
        # 8 March, International Women's Day, is a holiday in Berlin only
        ("2027-03-09 10:00", "2027-03-04 10:00", {"2027-03-06", "2027-03-07", "2027-03-08"}),
        # a plain Thursday: two days back
        ("2026-12-10 18:00", "2026-12-08 18:00", set()),
    ],
)
def test_berlin_48_hours_skip_saturdays_sundays_and_holidays(start, latest_at, skipped):
    book = BOOKS["de-be-versfg"]
    begins = local(book, *start.split())
    trace = latest(book, "assembly", begins)
    assert trace.at == local(book, *latest_at.split())
    assert {d.date.isoformat() for d in trace.days if not d.counted} == skipped
    assert "late_notice" not in violations(book, "assembly", trace.at, begins)
    after = trace.at + dt.timedelta(minutes=1)
    assert violations(book, "assembly", after, begins)["late_notice"].params["unit"] == "hours"


def test_berlin_women_s_day_is_not_a_holiday_in_london():
    assert calendar(BOOKS["de-be-versfg"]).holiday_name(dt.date(2027, 3, 8))
    assert not calendar(BOOKS["uk-poa-1986"]).holiday_name(dt.date(2027, 3, 8))


def place_violations(book, slug, kind, filed, start, hours=2, people=100) -> dict:
    facts = NoticeFacts(
        kind, filed, start, start + dt.timedelta(hours=hours), people, VenueFacts(True, None, slug=slug)
    )
    return {v.code: v for v in check_notice(facts, book, calendar(book))}


def test_moscow_hyde_parks_need_no_notice_up_to_their_norm_and_close_at_22():
    book = BOOKS["ru-54fz"]
    evening = local(book, "2026-05-16", "18:00")
    same_day = local(book, "2026-05-16", "09:00")
    assert place_violations(book, "sokolniki", "rally", same_day, evening, people=1500) == {}
    too_many = place_violations(book, "sokolniki", "rally", same_day, evening, people=1600)
    assert {"late_notice", "over_capacity"} <= set(too_many)
    assert too_many["over_capacity"].params["capacity"] == 1500
    assert place_violations(book, "gorky-park", "rally", same_day, evening, people=2000) == {}
    late = local(book, "2026-05-16", "21:00")
    assert "outside_hours" in place_violations(book, "sokolniki", "picket", same_day, late, people=5)
    # elsewhere in Moscow a rally needs its ten days (and the same hours, Art. 9)
    elsewhere = place_violations(book, "pushkin-square", "rally", same_day, late, people=5)
    assert "outside_hours" in elsewhere and "late_notice" in elsewhere
    # before the places were designated, they were places like any other
    old = local(book, "2012-06-16", "18:00")
    assert "late_notice" in place_violations(
        book, "sokolniki", "rally", local(book, "2012-06-16", "09:00"), old
    )


def test_place_rules_name_their_act_and_their_periods_may_not_overlap():
    book = BOOKS["ru-54fz"]
    assert all(rule.source for rules in book.places.values() for rule in rules)
    from agora.rules.rulebook import RulebookError

    text = (
        (SHIPPED / "ru-54fz.yaml")
        .read_text()
        .replace(
            "  gorky-park:\n    - valid_from: 2013-01-01",
            "  gorky-park:\n    - {valid_from: 2014-01-01, source: x}\n    - valid_from: 2013-01-01",
        )
    )
    with pytest.raises(
        RulebookError, match="places: Value error, gorky-park: the rules from|places: gorky-park"
    ):
        load_rulebook_texts({"ru-54fz.yaml": text})
