"""Statistics of the authority's closures, per authority and per place: how many, the hours
they closed, the notices they displaced, and how often one was declared over a place and
time someone had already filed a notice for."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agora.notices import authority, services
from agora.register import stats
from agora.venues.models import Closure
from tests.conftest import ALMATY, file

DAY = dt.date(2026, 12, 10)  # nine days after the pinned today


def on(hour: float, days: int = 0) -> dt.datetime:
    start = dt.datetime.combine(DAY + dt.timedelta(days=days), dt.time(), ALMATY)
    return start + dt.timedelta(hours=hour)


def close(admin, venue, start, end, **extra):
    return authority.declare_closure(
        admin, venue, ground="state_event", reason="Official ceremony.", starts_at=start, ends_at=end, **extra
    )


@pytest.fixture
def closures(square, gandhi, astana, admin, aigerim, bolat):
    west, east = square.zones.get(slug="west"), square.zones.get(slug="east")
    # 1. the whole square, 13:00-19:00, over an accepted rally filed before: displaces it (6 h)
    peace = file(bolat, square, on(14), on(18), people=500)
    services.decide(peace, admin, "accepted", reasoning="Fine.")
    close(admin, square, on(13), on(19))
    # 2. Gandhi Park, nothing filed there; lifted an hour into its three (1 h)
    park = close(admin, gandhi, on(9, 1), on(12, 1))
    with time_machine.travel(on(10, 1), tick=False):
        authority.lift_closure(admin, park, reason="Done early.")
    # 3. the west half, 9:00-11:00: a notice for the east half only, and one for the whole
    #    square filed after the closure was declared, do not count (2 h)
    file(aigerim, square, on(9, 2), on(10, 2), people=20, zone=east)
    declared = close(admin, square, on(9, 2), on(11, 2), zone=west)
    file(aigerim, square, on(9, 2), on(10, 2), people=20, at=declared.declared_at + dt.timedelta(minutes=1))
    # 4. the west half, 9:00-10:30, over a pending notice for "any zone" filed before: counts,
    #    though nothing was displaced (1.5 h)
    file(aigerim, square, on(10, 3), on(11, 3), people=20)
    close(admin, square, on(9, 3), on(10.5, 3), zone=west)
    # not an act of the authority: entered around the service, never counted
    Closure.objects.create(
        venue=square, kind="other", reason="Old entry", starts_at=on(8, 5), ends_at=on(9, 5)
    )
    return {"peace": peace}


def table(sections, title):
    [section] = [s for s in sections if s["title"] == title]
    return {row["label"]: row["values"] for row in section["rows"]}


NO_CHANGES = {"place_changes": 0, "displaced_by_changes": 0}


def test_closures_per_authority_and_per_place(closures):
    sections = stats.sections()
    assert table(sections, "Closures by the authority") == {
        "Almaty": {
            "closures": 4,
            "hours_closed": 10.5,
            "notices_displaced": 1,
            "declared_over_filed": 50.0,
            **NO_CHANGES,
        },
        "Astana": {
            "closures": 0,
            "hours_closed": 0,
            "notices_displaced": 0,
            "declared_over_filed": None,
            **NO_CHANGES,
        },
    }
    assert table(sections, "Closures by place") == {
        "Republic Square (Almaty)": {
            "closures": 3,
            "hours_closed": 9.5,
            "notices_displaced": 1,
            "declared_over_filed": 66.7,
            **NO_CHANGES,
        },
        "Gandhi Park (Almaty)": {
            "closures": 1,
            "hours_closed": 1.0,
            "notices_displaced": 0,
            "declared_over_filed": 0.0,
            **NO_CHANGES,
        },
    }


def test_a_closure_lifted_before_it_began_closed_nothing(square, admin):
    closure = close(admin, square, on(13), on(19))
    authority.lift_closure(admin, closure, reason="Cancelled.")
    row = table(stats.closure_sections(), "Closures by place")["Republic Square"]
    assert row["closures"] == 1 and row["hours_closed"] == 0


def test_the_closure_tables_cost_the_same_queries_for_any_number_of_closures(square, gandhi, admin, bolat):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            stats.closure_sections()
        return len(queries)

    close(admin, square, on(13), on(19))
    few = count()
    for days in range(1, 6):
        peace = file(bolat, gandhi, on(10, days), on(11, days), people=50)
        services.decide(peace, admin, "accepted", reasoning="Fine.")
        close(admin, gandhi, on(9, days), on(12, days))
        close(admin, square, on(9, days), on(12, days), zone=square.zones.first())
    # figures: closures, place changes, authorities; in words: authorities, venues
    assert count() == few == 5


def test_the_page_shows_the_tables_in_words(client, closures):
    page = client.get("/statistics/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for words in (
        "Closures by the authority",
        "Closures by place",
        "Hours closed",
        "Notices displaced",
        "Declared where a notice was already filed",
        "Republic Square (Almaty)",
        "<td>66.7%</td>",
        "<td>10.5</td>",
    ):
        assert words in page, words
    tables = page[page.index("<h2>Closures by the authority") :]
    for code in ("declared_over_filed", "hours_closed", "state_event", "republic-square", "almaty"):
        assert code not in tables, code
    russian = client.get("/statistics/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Площадь Республики (Алматы)" in russian


def test_the_api_gives_the_tables_with_their_columns(client, closures):
    sections = client.get("/api/v1/statistics").json()
    [by_place] = [s for s in sections if s["title"] == "Closures by place"]
    assert [c["key"] for c in by_place["columns"]] == [
        "closures",
        "hours_closed",
        "notices_displaced",
        "declared_over_filed",
        "place_changes",
        "displaced_by_changes",
    ]
    assert by_place["columns"][3]["unit"] == "%"
    square = next(r for r in by_place["rows"] if r["label"] == "Republic Square (Almaty)")
    assert square["value"] == 3 and square["values"]["declared_over_filed"] == 66.7
    # the bar charts keep their shape
    bars = [s for s in sections if not s["columns"]]
    assert bars and all(r["values"] == {} for s in bars for r in s["rows"])


def test_place_changes_and_what_they_displaced_are_counted(square, admin, bolat):
    from agora.notices import services
    from tests.conftest import file

    big = file(bolat, square, on(14, 5), on(16, 5), people=900)
    services.decide(big, admin, "accepted", reasoning="Fine.")
    authority.change_venue(admin, square, reason="Fenced.", changes={"capacity_override": 100})
    row = table(stats.closure_sections(), "Closures by place")["Republic Square"]
    assert row["place_changes"] == 1 and row["displaced_by_changes"] == 1 and row["closures"] == 0
