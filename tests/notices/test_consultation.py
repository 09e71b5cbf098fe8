"""Consultation (PRODUCT.md §9): filing asks every agency its rulebook requires, in parallel,
each by a deadline inside the authority's; agencies answer or fall silent; the officer decides
once all are settled, or says why not. Through the services, with the log verified."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from hypothesis import example, given, settings
from hypothesis import strategies as st

from agora.accounts.models import AgencyStaff
from agora.audit.models import AuditEvent
from agora.audit.services import verify_chain
from agora.notices import consultations, services
from agora.notices.models import Consultation
from agora.rules.calendar import WorkingCalendar
from agora.rules.deadlines import Counter
from agora.rules.models import Agency
from agora.rules.rulebook import Calendar, Period, RulebookError, load_rulebook_texts, period_within
from tests.conftest import ALMATY, NOW, file, file_rally, future

State = Consultation.State


@pytest.fixture
def agencies(almaty):
    made = {}
    for code, en in (
        ("police", "Police"),
        ("traffic", "Traffic police"),
        ("emergency", "Emergency services"),
    ):
        agency = Agency.objects.create(jurisdiction=almaty, code=code, name={"en": en, "ru": en, "kk": en})
        user = get_user_model().objects.create_user(f"{code}-staff", f"{code}@example.org", "pw-for-tests-1")
        AgencyStaff.objects.create(user=user, agency=agency)
        made[code] = user
    return made


def march(user, square, **extra):
    return file(user, square, future(days=21, hour=11), future(days=21, hour=13), kind="march", **extra)


def of(notice):
    return {c.agency.code: c for c in notice.consultations.select_related("agency")}


def test_filing_a_march_asks_every_agency_at_once_within_the_authoritys_deadline(agencies, square, aigerim):
    notice = march(aigerim, square)
    asked = of(notice)
    assert set(asked) == {"police", "traffic", "emergency"}
    assert all(c.state == State.PENDING and c.requested_at == notice.filed_at for c in asked.values())
    assert all(c.due_at < notice.decision_due_at for c in asked.values())
    assert asked["emergency"].due_at < asked["police"].due_at  # 3 working days against 4
    assert {c.silence for c in asked.values()} == {"consent", "nothing"}
    filed = AuditEvent.objects.get(event="notice.filed", object_id=str(notice.pk))
    assert {c["agency"] for c in filed.data["consultations"]} == set(asked)
    assert {f"consultation:{c.pk}" for c in asked.values()} <= set(filed.data["state"])
    # a small rally needs nobody's sign-off; a big one needs the police's
    assert not file_rally(aigerim, square, 10).consultations.exists()
    big = file_rally(aigerim, square, 15, participants=1500)
    assert set(of(big)) == {"police"}


def test_the_officer_waits_for_every_answer_or_says_why_not(agencies, square, aigerim, dana):
    notice = march(aigerim, square)
    with pytest.raises(ValidationError) as refused:
        services.decide(notice, dana, "accepted")
    message = " ".join(refused.value.message_dict["consultation_note"])
    assert "Police" in message and "Traffic police" in message and "Emergency services" in message
    notice.refresh_from_db()
    assert notice.status == "submitted" and not notice.decisions.exists()
    decision = services.decide(notice, dana, "accepted", consultation_note="The route was agreed on site.")
    assert decision.consultation_note == "The route was agreed on site."
    event = AuditEvent.objects.get(event="decision.made", object_id=str(notice.pk))
    assert f"decision:{decision.pk}" in event.data["state"]


def test_agencies_answer_in_parallel_and_then_the_officer_decides(agencies, square, aigerim, dana):
    notice = march(aigerim, square)
    asked = of(notice)
    consultations.answer(asked["police"], agencies["police"], "consent")
    consultations.answer(
        asked["traffic"],
        agencies["traffic"],
        "consent_with_conditions",
        conditions=["route_as_agreed", "traffic_marshals"],
        conditions_text="Close Satpayev Street from 10:30.",
    )
    consultations.answer(
        asked["emergency"], agencies["emergency"], "objection", reasons="No access for ambulances."
    )
    states = {code: c.state for code, c in of(notice).items()}
    assert states == {
        "police": State.CONSENTED,
        "traffic": State.CONSENTED_WITH_CONDITIONS,
        "emergency": State.OBJECTED,
    }
    answered = AuditEvent.objects.filter(event="consultation.answered").order_by("seq")
    assert [e.data["agency"] for e in answered] == ["police", "traffic", "emergency"]
    assert answered[1].data["conditions"] == ["route_as_agreed", "traffic_marshals"]
    decision = services.decide(notice, dana, "accepted_with_conditions", conditions="Keep to the route.")
    assert decision.consultation_note == ""
    verdict = verify_chain()
    assert verdict.ok, verdict


def test_the_log_replays_every_consultation_against_the_table(agencies, square, aigerim):
    notice = march(aigerim, square)
    consultations.answer(of(notice)["police"], agencies["police"], "consent")
    assert verify_chain().ok
    Consultation.objects.filter(notice=notice, agency__code="police").update(state=State.OBJECTED)
    verdict = verify_chain()
    assert not verdict.ok and "consultation" in verdict.problem and "state" in verdict.problem


@pytest.mark.parametrize(
    ("who", "outcome", "extra", "field", "words"),
    [
        ("traffic", "approve", {}, "outcome", "Choose one of"),
        ("traffic", "consent_with_conditions", {"conditions": ["no_tanks"]}, "conditions", "no_tanks"),
        ("traffic", "consent_with_conditions", {}, "conditions", "at least one condition"),
        ("traffic", "consent", {"conditions": ["medical_post"]}, "conditions", "consent with conditions"),
        ("traffic", "objection", {}, "reasons", "needs its reasons"),
        ("traffic", "objection", {"reasons": "x" * 4001}, "reasons", "At most 4000"),
    ],
)
def test_a_bad_answer_says_what_is_wrong_and_saves_nothing(
    agencies, square, aigerim, who, outcome, extra, field, words
):
    notice = march(aigerim, square)
    with pytest.raises(ValidationError) as bad:
        consultations.answer(of(notice)["traffic"], agencies[who], outcome, **extra)
    assert words in " ".join(bad.value.message_dict[field])
    assert of(notice)["traffic"].state == State.PENDING
    assert not AuditEvent.objects.filter(event="consultation.answered").exists()


def test_only_the_agency_asked_answers_once_in_time_while_the_notice_waits(agencies, square, aigerim, dana):
    notice = march(aigerim, square)
    asked = of(notice)
    for stranger in (agencies["police"], dana, aigerim):  # another agency, the officer, the organizer
        with pytest.raises(PermissionDenied):
            consultations.answer(asked["traffic"], stranger, "consent")
    consultations.answer(asked["traffic"], agencies["traffic"], "consent")
    with pytest.raises(ValidationError, match="already answered"):
        consultations.answer(asked["traffic"], agencies["traffic"], "objection", reasons="Changed my mind.")
    late = asked["emergency"].due_at + dt.timedelta(minutes=1)
    with time_machine.travel(late), pytest.raises(ValidationError, match="deadline for this answer passed"):
        consultations.answer(asked["emergency"], agencies["emergency"], "consent")
    services.withdraw(notice, aigerim)
    with pytest.raises(ValidationError, match="no longer waits"):
        consultations.answer(asked["police"], agencies["police"], "consent")


def test_the_deadline_job_applies_each_agencys_silence(agencies, square, aigerim, dana):
    notice = march(aigerim, square)
    asked = of(notice)
    consultations.answer(asked["emergency"], agencies["emergency"], "consent")
    latest = max(c.due_at for c in asked.values())
    with time_machine.travel(latest + dt.timedelta(minutes=1)):
        call_command("run-deadlines", stdout=io.StringIO())
    states = {code: c.state for code, c in of(notice).items()}
    # traffic's silence is consent; the police's means nothing; emergency had answered
    assert states == {
        "police": State.TIMED_OUT,
        "traffic": State.DEEMED_CONSENTED,
        "emergency": State.CONSENTED,
    }
    timed_out = AuditEvent.objects.filter(event="consultation.timed_out")
    assert {e.data["agency"] for e in timed_out} == {"police", "traffic"} and all(
        e.actor == "system" for e in timed_out
    )
    notice.refresh_from_db()
    assert notice.status == "submitted"  # the authority's own deadline is later
    with time_machine.travel(latest + dt.timedelta(minutes=2)):
        decision = services.decide(notice, dana, "accepted")  # nothing outstanding: no note needed
    assert decision.consultation_note == ""


def test_a_rulebook_whose_consultation_outlasts_the_authoritys_deadline_is_refused():
    texts = {
        p.name: p.read_text()
        for p in (Path(services.__file__).parents[1] / "rules" / "rulebooks").glob("*.yaml")
        if p.name in ("kz-2020.yaml", "fair.yaml")
    }
    # the march's decision is due in 7 working days: a police deadline of 7 cannot fit inside it
    texts["kz-2020.yaml"] = texts["kz-2020.yaml"].replace(
        "      types: [march, demonstration]\n      deadline: {amount: 4, unit: working_days}",
        "      types: [march, demonstration]\n      deadline: {amount: 7, unit: working_days}",
        1,
    )
    with pytest.raises(RulebookError, match=r"consultation\.rules\.0\.deadline: 7 working_days \(police\)"):
        load_rulebook_texts(texts)
    texts["kz-2020.yaml"] = texts["kz-2020.yaml"].replace(
        "types: [march, demonstration]", "types: [parade]", 1
    )
    with pytest.raises(RulebookError, match=r"consultation\.rules\.0\.types: unknown type 'parade'"):
        load_rulebook_texts(texts)


UNITS = ["working_days", "clear_days", "calendar_days", "hours"]


@st.composite
def periods(draw):
    unit = draw(st.sampled_from(UNITS))
    amount = draw(st.integers(0, 12)) * (1 if unit != "hours" else draw(st.sampled_from([1, 6, 24])))
    skip = draw(st.sampled_from([[], ["sun"], ["holidays"]])) if unit != "working_days" else []
    return Period(amount=amount, unit=unit, skip=skip)


@settings(max_examples=300, deadline=None)
@given(
    inner=periods(),
    outer=periods(),
    filed=st.datetimes(dt.datetime(2026, 1, 1), dt.datetime(2027, 12, 31)),
)
# found by this property: an hour that skips holidays, filed at New Year, ends after the
# clear day it was said to fit in (1 and 2 January are holidays)
@example(
    inner=Period(amount=1, unit="hours", skip=["holidays"]),
    outer=Period(amount=1, unit="clear_days"),
    filed=dt.datetime(2026, 1, 1),
)
def test_a_deadline_said_to_fit_ends_before_the_other_whatever_the_day(inner, outer, filed):
    if not period_within(inner, outer):
        return
    counter = Counter(WorkingCalendar.from_rulebook_calendar(Calendar(country="KZ"), [], []), ALMATY)
    moment = filed.replace(tzinfo=ALMATY)
    assert counter.after(inner, moment).at <= counter.after(outer, moment).at


def test_the_statistics_show_consultation_times_per_agency(agencies, square, aigerim):
    from agora.register import stats

    notice = march(aigerim, square)
    asked = of(notice)
    with time_machine.travel(notice.filed_at + dt.timedelta(hours=6)):
        consultations.answer(asked["police"], agencies["police"], "consent")
    with time_machine.travel(max(c.due_at for c in asked.values()) + dt.timedelta(minutes=1)):
        consultations.time_out_due()
    found = stats.figures()
    by_agency = {Agency.objects.get(pk=row[0]).code: row[1:] for row in found["consultations"]}
    assert by_agency["police"] == [1, 1, 6.0, 0]
    assert by_agency["traffic"] == [1, 0, None, 1] and by_agency["emergency"] == [1, 0, None, 1]
    titles = {s["title"]: s for s in stats.sections(found)}
    shares = {
        r["label"]: r["value"]
        for r in titles["Consultation: share left unanswered by the deadline, by agency"]["rows"]
    }
    assert shares == {"Police": 0.0, "Traffic police": 100.0, "Emergency services": 100.0}
    medians = titles["Consultation: median hours to an agency's answer"]["rows"]
    assert [(r["label"], r["value"]) for r in medians] == [("Police", 6.0)]


def test_a_march_filed_too_late_for_any_answer_gives_the_agencies_no_time_not_a_broken_row(
    agencies, square, aigerim
):
    # filed after the time it names (the form says so, but filing is the organizer's right):
    # the authority's own deadline, the start, has passed at filing
    start = NOW - dt.timedelta(hours=2)
    notice = file(aigerim, square, start, start + dt.timedelta(hours=2), kind="march", people=600, at=NOW)
    asked = of(notice)
    assert asked and all(c.due_at == c.requested_at == notice.filed_at for c in asked.values())


def test_each_agency_is_reminded_once_a_day_before_its_answer_is_due(agencies, square, aigerim, mailoutbox):
    from agora.notices.notify import remind_agencies

    notice = march(aigerim, square)
    asked = of(notice)
    consultations.answer(asked["police"], agencies["police"], "consent")
    emergency = asked["emergency"]  # due first (3 working days), silence is consent
    day_before = emergency.due_at - dt.timedelta(hours=20)
    assert remind_agencies(at=day_before) == 1
    [email] = mailoutbox
    assert email.to == ["emergency@example.org"] and notice.reference in email.subject
    # in the authority's first language (Kazakh), with what silence means and where to answer
    assert "Agora:" in email.subject and f"/agency/consultations/{emergency.pk}/" in email.body
    assert "Without your answer" not in email.body  # translated
    assert remind_agencies(at=day_before + dt.timedelta(hours=1)) == 0  # once
    # the answered police are never reminded; traffic, due later, is reminded in its own day
    assert remind_agencies(at=asked["traffic"].due_at - dt.timedelta(hours=2)) == 1
    assert [m.to for m in mailoutbox[1:]] == [["traffic@example.org"]]
