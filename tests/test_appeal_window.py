"""Issue 18: a rulebook states how many days a court needs to rule before the assembly; a
decision later than that is flagged on the public pages and in the API, and the statistics
show the share of such decisions per authority."""

from __future__ import annotations

import datetime as dt

import pytest

from agora.accounts.models import Officer
from agora.demo import make_jurisdiction, make_venue, names
from agora.notices import services
from agora.register import stats
from tests.conftest import _user, file


@pytest.fixture
def moscow(rulebooks):
    return make_jurisdiction("moscow", names("Moscow", "Москва", "Мәскеу"), "MSK", "ru-54fz")


@pytest.fixture
def pushkin(moscow):
    return make_venue(
        moscow,
        "pushkin-square",
        names("Pushkin Square", "Пушкинская площадь", "Пушкин алаңы"),
        55.7656,
        37.6057,
        40,
        60,
    )


@pytest.fixture
def moscow_officer(moscow):
    user = _user("ivan")
    Officer.objects.create(user=user, jurisdiction=moscow)
    return user


def rally(user, venue, days: int):
    start = dt.datetime.combine(dt.date.today() + dt.timedelta(days=days), dt.time(12), venue.jurisdiction.tz)
    return file(user, venue, start, start + dt.timedelta(hours=2), people=100)


def test_a_decision_too_close_to_the_assembly_is_flagged_and_counted(
    client, pushkin, aigerim, moscow_officer
):
    early = rally(aigerim, pushkin, 12)
    in_time = services.decide(early, moscow_officer, "accepted")
    late_notice = rally(aigerim, pushkin, 11)
    too_late = services.decide(
        late_notice, moscow_officer, "accepted", at=late_notice.starts_at - dt.timedelta(days=4)
    )
    assert not in_time.too_late_for_court and too_late.too_late_for_court  # the rulebook: 5 days

    page = client.get(f"/decisions/{too_late.reference}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Too late for a court to rule before the assembly" in page
    page = client.get(f"/decisions/{in_time.reference}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Too late for a court" not in page
    api = client.get(f"/api/v1/decisions/{too_late.reference}").json()
    assert api["too_late_for_court"] is True

    found = stats.figures()
    assert found["late_for_court"] == [[pushkin.jurisdiction_id, 2, 1]]
    section = next(
        s for s in stats.sections(found) if s["title"].startswith("Decisions too late for a court")
    )
    assert [(row["label"], row["value"]) for row in section["rows"]] == [("Moscow", 50.0)]


def test_a_rulebook_that_states_no_court_days_flags_nothing(square, aigerim, dana):
    notice = file(
        aigerim,
        square,
        *(lambda s: (s, s + dt.timedelta(hours=1)))(
            dt.datetime.combine(dt.date.today() + dt.timedelta(days=10), dt.time(12), square.jurisdiction.tz)
        ),
    )
    decision = services.decide(notice, dana, "accepted", at=notice.starts_at - dt.timedelta(hours=2))
    assert not decision.too_late_for_court
    assert stats.figures()["late_for_court"] == []
