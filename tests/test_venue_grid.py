"""The venue's week grid: days and zones as columns, half hours as rows, each cell saying
who held the place and how (booked, really used, booked but unused, released, closed)."""

from __future__ import annotations

import datetime as dt
import re

import time_machine
from hypothesis import given, settings
from hypothesis import strategies as st

from agora.notices import authority, services
from agora.register.grid import PRIORITY, SLOT, Span, booking_spans, layout
from tests.conftest import ALMATY, file, future

BASE = dt.datetime(2026, 12, 14, 8, 0, tzinfo=ALMATY)


def at(hours: float) -> dt.datetime:
    return BASE + dt.timedelta(hours=hours)


def test_spans_merge_into_one_cell_per_run_and_the_stronger_state_wins():
    slots = [at(h / 2) for h in range(8)]  # 08:00 … 11:30
    held = Span(0, at(0.5), at(2.5), "held", "notice:1")
    closed = Span(0, at(2), at(3), "closed", "closure:1")
    other = Span(1, at(1), at(1.25), "used", "notice:2")  # a quarter hour still marks its slot
    rows = layout(slots, 2, [held, closed, other])
    first_column = [(i, c.span and c.span.state, c.rows) for i, r in enumerate(rows) if (c := r.cells[0])]
    assert first_column == [(0, None, 1), (1, "held", 3), (4, "closed", 2), (6, None, 2)]
    second = [(i, c.span and c.span.state, c.rows) for i, r in enumerate(rows) if (c := r.cells[1])]
    assert second == [(0, None, 2), (2, "used", 1), (3, None, 5)]


spans = st.builds(
    lambda column, start, length, state, key: Span(
        column, at(start / 4), at(start / 4 + length / 4), state, f"k{key}"
    ),
    st.integers(0, 2),
    st.integers(0, 40),
    st.integers(1, 16),
    st.sampled_from(list(PRIORITY)),
    st.integers(0, 3),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(spans, max_size=8))
def test_every_slot_of_every_column_shows_the_strongest_span_over_it_exactly_once(given_spans):
    slots = [at(h / 2) for h in range(24)]
    rows = layout(slots, 3, given_spans)
    for column in range(3):
        shown = []
        for row in rows:
            assert len(row.cells) == 3
            if row.cells[column] is not None:
                shown += [row.cells[column].span] * row.cells[column].rows
        assert len(shown) == len(slots)  # the rowspans tile the column
        for slot, span in zip(slots, shown, strict=True):
            over = [
                s
                for s in given_spans
                if s.column == column and s.starts_at < slot + SLOT and s.ends_at > slot
            ]
            if not over:
                assert span is None
            else:
                assert span is not None and PRIORITY[span.state] == min(PRIORITY[s.state] for s in over)


class FakeBooking:
    notice = None
    notice_id = 1

    def __init__(self, **kw):
        self.__dict__.update(kw)


def states(spans):
    return [(s.state, s.starts_at.strftime("%H:%M"), s.ends_at.strftime("%H:%M")) for s in spans]


def test_a_booking_reads_as_what_was_done_with_its_time():
    booked = dict(starts_at=at(2), ends_at=at(4))
    # before it begins: booked
    assert states(booking_spans(FakeBooking(**booked, held_until=at(4), checked_in_at=None), 0, at(0))) == [
        ("held", "10:00", "12:00")
    ]
    # came a quarter hour late, left at 11:00 (the rest released by the check-out)
    came = FakeBooking(**booked, held_until=at(3), checked_in_at=at(2.25), checked_out_at=at(3))
    assert sorted(states(booking_spans(came, 0, at(5)))) == [
        ("released", "11:00", "12:00"),
        ("unused", "10:00", "10:15"),
        ("used", "10:15", "11:00"),
    ]
    # nobody came: booked but unused up to the no-show release at 10:30, released after
    absent = FakeBooking(**booked, held_until=at(2.5), checked_in_at=None)
    assert sorted(states(booking_spans(absent, 0, at(5)))) == [
        ("released", "10:30", "12:00"),
        ("unused", "10:00", "10:30"),
    ]
    # under way with a check-in: used up to now, still booked after
    under_way = FakeBooking(**booked, held_until=at(4), checked_in_at=at(2), checked_out_at=None)
    assert states(booking_spans(under_way, 0, at(3))) == [
        ("used", "10:00", "11:00"),
        ("held", "11:00", "12:00"),
    ]


def cells(page: str) -> list[tuple[str, str]]:
    """(class, text) of every cell of the grid that says something."""
    grid = page.split('<table tabindex="0" class="grid')[1].split("</table>")[0]
    found = []
    for cls, body in re.findall(r'<td[^>]*class="([a-z]+)[^"]*">(.*?)</td>', grid, re.S):
        text = " ".join(re.sub(r"<[^>]+>", " ", body).split())
        if text:
            found.append((cls, text))
    return found


def test_the_week_page_draws_each_zone_booked_used_released_and_closed(
    client, square, bolat, aigerim, dana, admin
):
    west, east = square.zones.get(slug="west"), square.zones.get(slug="east")
    day = future(days=14, hour=0)
    morning = file(bolat, square, day.replace(hour=10), day.replace(hour=12), people=50, zone=west)
    services.decide(morning, dana, "accepted", reasoning="Fine.")
    evening = file(aigerim, square, day.replace(hour=15), day.replace(hour=17), people=50, zone=east)
    services.decide(evening, dana, "accepted", reasoning="Fine.")
    authority.declare_closure(
        admin,
        square,
        ground="state_event",
        reason="Official ceremony.",
        starts_at=(day + dt.timedelta(days=1)).replace(hour=9),
        ends_at=(day + dt.timedelta(days=1)).replace(hour=11),
    )
    with time_machine.travel(day.replace(hour=10, minute=30), tick=False):
        services.check_in(morning, dana)
    with time_machine.travel(day.replace(hour=11), tick=False):
        services.check_out(morning, dana)
    with time_machine.travel(day.replace(hour=20), tick=False):
        page = client.get(f"/places/{square.pk}/?date={day.date()}").content.decode()
    assert "West half" in page and "East half" in page and "Week of" in page
    shown = cells(page)
    assert ("unused", f"booked, not used {morning.reference} 10:00–10:30") in shown
    assert ("used", f"really used {morning.reference} 10:30–11:00") in shown
    assert ("released", f"released {morning.reference} 11:00–12:00") in shown
    assert ("unused", f"booked, not used {evening.reference} 15:00–17:00") in shown
    # the closure of the whole square closes both halves, the next day
    assert [c for c in shown if c[0] == "closed"] == [("closed", "closed by the authority 09:00–11:00")] * 2
    # the map names the zones; the legend says what each colour means
    assert (
        'id="venue-zones"' in page and "West half" in page.split('id="venue-zones"')[1].split("</script>")[0]
    )
    assert 'class="key closed"' in page


def test_the_grid_reads_in_the_readers_language(client, square, bolat, dana):
    notice = file(bolat, square, future(hour=10), future(hour=11), people=50)
    services.decide(notice, dana, "accepted", reasoning="Fine.")
    client.cookies["django_language"] = "kk"
    page = client.get(f"/places/{square.pk}/?date={future().date()}&view=day").content.decode()
    assert "Батыс бөлігі" in page and "Шығыс бөлігі" in page
    # not told which half, the notice is given one
    assert cells(page) == [("held", f"брондалған {notice.reference} 10:00–11:00")]
    week = client.get(f"/places/{square.pk}/?date={future().date()}").content.decode()
    assert "аптасы" in week and "келесі апта" in week


def test_a_date_that_cannot_be_shown_gets_a_page_with_the_way_back(client, square):
    client.cookies["django_language"] = "ru"
    for day in ("2026-13-45", "1900-01-01"):
        answer = client.get(f"/places/{square.pk}/?date={day}")
        page = answer.content.decode()
        assert answer.status_code == 400 and 'class="error-summary"' in page, day
        assert "Площадь Республики" in page and 'name="date"' in page and 'min="2000-01-01"' in page


def test_the_form_keeps_the_day_asked_for_when_the_week_starts_before_it(client, square):
    wednesday = "2026-12-16"
    page = client.get(f"/places/{square.pk}/?date={wednesday}").content.decode()
    assert f'name="date" value="{wednesday}"' in page  # so "the day" shows Wednesday, not Monday
    assert "Week of 14 December 2026" in page


def test_exports_refuse_a_bad_filter_alike_in_the_readers_words(client, db):
    client.cookies["django_language"] = "ru"
    for url in ("/register.csv", "/register.json", "/register.jsonl"):
        answer = client.get(url + "?date_from=2026-12-10&date_to=2026-12-01")
        error = answer.json()["error"]
        assert answer.status_code == 400 and error["code"] == "invalid_filter", url
        assert error["message"] == "Исправьте фильтры." and "date_to" in error["fields"], url
        assert "\\u04" not in answer.content.decode()  # Cyrillic as text, not escapes
