"""Issue 18: every filed notice shows, publicly, how each of its deadlines was counted: the
rulebook and version, the period, what counts, the days left out and why, the result, and
whether the filing kept it; in each language, and moved when a holiday is declared."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from agora.notices import authority
from tests.conftest import ALMATY, file


def on(day: int, hour: int) -> dt.datetime:
    return dt.datetime(2026, 12, day, hour, tzinfo=ALMATY)


def page(client, notice, lang: str) -> str:
    client.cookies["django_language"] = lang
    answer = client.get(f"/register/{notice.reference}/", HTTP_ACCEPT_LANGUAGE=lang)
    assert answer.status_code == 200
    return answer.content.decode()


def section(html: str, title: str) -> str:
    return html.split(f"<h3>{title}")[1].split("</section>")[0]


def test_the_notice_page_shows_how_each_deadline_was_counted_with_holidays_by_name(client, square, aigerim):
    # Friday 18 December, filed on Tuesday 1 December: Independence Day (16th) and the
    # weekend of 12-13 December do not count
    notice = file(aigerim, square, on(18, 11), on(18, 13))
    html = page(client, notice, "en")
    assert "How the deadlines were counted" in html
    least = section(html, "Notice, at least")
    assert "5 working days" in least and "filed in time" in least
    assert "Last lawful filing: 9 December 2026, 24:00" in least
    assert "Wednesday, 16 December 2026 (holiday: Independence Day)" in least
    assert "(weekend)" in least and "Counted: the working days strictly between" in least
    assert "Rulebook: " in least and ", version 6" in least
    decision = section(html, "Decision, after filing")
    assert "Due by 4 December 2026, 24:00" in decision and "No day was left out." in decision

    kazakh = page(client, notice, "kk")
    assert "Тәуелсіздік күні" in kazakh  # the holiday's own name in Kazakh
    russian = page(client, notice, "ru")
    assert "праздник" in russian and "5 рабочих дней" in russian


def test_a_late_notice_says_so_and_a_declared_holiday_moves_the_decision_deadline(
    client, square, aigerim, admin
):
    late = file(aigerim, square, on(7, 11), on(7, 13))  # Monday 7 December: two working days
    assert "filed late" in section(page(client, late, "en"), "Notice, at least")

    notice = file(aigerim, square, on(18, 11), on(18, 13))
    authority.declare_calendar_day(
        admin, square.jurisdiction, day=dt.date(2026, 12, 3), kind="holiday", name="Flood"
    )
    decision = section(page(client, notice, "en"), "Decision, after filing")
    assert "Due by 7 December 2026, 24:00" in decision  # 2, 4 and 7 December count; 3rd and the weekend not
    assert "Thursday, 3 December 2026 (holiday)" in decision


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_the_trace_has_no_untranslated_words(client, square, aigerim, lang):
    notice = file(aigerim, square, on(18, 11), on(18, 13))
    html = page(client, notice, lang)
    if lang != "en":
        for english in ("Notice, at least", "Counted:", "weekend", "Last lawful filing", "Rulebook:"):
            assert english not in html, (lang, english)


def test_the_api_gives_the_same_trace_as_data(client, square, aigerim):
    notice = file(aigerim, square, on(18, 11), on(18, 13))
    answer = client.get(f"/api/v1/register/{notice.reference}/deadlines")
    assert answer.status_code == 200, answer.content
    least = next(row for row in answer.json() if row["kind"] == "notice_min")
    assert least["unit"] == "working_days" and least["amount"] == 5 and least["kept"] is True
    assert least["rule"] == "types.rally.notice.min" and least["end_of_day"]
    assert least["at"].startswith("2026-12-10T00:00:00+05:00")
    holiday = next(d for d in least["days"] if d["why"] == "holiday")
    assert holiday["date"] == "2026-12-16" and holiday["holiday"]
    assert client.get("/api/v1/register/ALA-0000-NOPE/deadlines").status_code == 404


def test_an_urgent_notice_where_the_law_allows_it_needs_no_minimum_and_elsewhere_is_refused(
    client, aigerim, square
):
    from agora.accounts.tokens import create_token
    from agora.demo import make_jurisdiction, make_venue, names

    berlin = make_jurisdiction("berlin", names("Berlin", "Берлин", "Берлин"), "BER", "de-be-versfg")
    alex = make_venue(berlin, "alexanderplatz", names("Alexanderplatz", "А", "А"), 52.5219, 13.4132, 60, 80)
    token = create_token(aigerim, "t")[1]
    start = dt.datetime(2026, 12, 1, 18, tzinfo=berlin.tz)  # today, three hours on
    body = {
        "assembly_type": "assembly",
        "purpose": "Against the eviction this morning",
        "venue": alex.pk,
        "starts_at": start.isoformat(),
        "ends_at": (start + dt.timedelta(hours=2)).isoformat(),
        "expected_participants": 60,
        "urgent": True,
    }
    post = lambda data: client.post(  # noqa: E731
        "/api/v1/notices", json.dumps(data), "application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    answer = post(body)
    assert answer.status_code == 201, answer.content
    assert answer.json()["urgent"] is True and answer.json()["violations"] == []
    reference = answer.json()["reference"]
    least = section(page(client, type("N", (), {"reference": reference}), "en"), "Notice, at least")
    assert "urgent: notified as soon as practicable, as the law allows" in least
    late = post({**body, "urgent": False}).json()
    assert [v["code"] for v in late["violations"]] == ["late_notice"]
    # Almaty's rulebook has no urgent notices
    almaty = {
        **body,
        "venue": square.pk,
        "assembly_type": "rally",
        "starts_at": on(2, 11).isoformat(),
        "ends_at": on(2, 12).isoformat(),
    }
    refused = post(almaty)
    assert refused.status_code == 400
    assert "does not let a rally be notified at short notice" in refused.content.decode()


def test_each_agency_consulted_has_its_deadline_counted_publicly(client, square, aigerim):
    from agora.rules.models import Agency

    for code, name in (
        ("police", "Police"),
        ("traffic", "Traffic police"),
        ("emergency", "Emergency services"),
    ):
        Agency.objects.create(
            jurisdiction=square.jurisdiction, code=code, name={"en": name, "ru": name, "kk": name}
        )
    march = file(aigerim, square, on(18, 11), on(18, 13), kind="march", people=600)
    html = page(client, march, "en")
    emergency = section(html, "Consultation: Emergency services")
    assert "3 working days" in emergency and "Answer due by" in emergency
    police = section(html, "Consultation: Police")
    assert "4 working days" in police
    due = {c.agency.code: c.due_at for c in march.consultations.select_related("agency")}
    data = json.loads(client.get(f"/api/v1/register/{march.reference}/deadlines").content)
    counted = {d["agency"]: dt.datetime.fromisoformat(d["at"]) for d in data if d["kind"] == "consultation"}
    assert counted == {
        "Police": due["police"],
        "Traffic police": due["traffic"],
        "Emergency services": due["emergency"],
    }
