import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agora.audit.models import AuditEvent
from agora.notices import services
from agora.notices.models import Decision
from agora.notices.workflow import ACTIONS as TABLE
from agora.notices.workflow import FINAL, Status
from agora.scheduling.models import Booking
from tests.conftest import NOW, at
from tests.conftest import file as file_notice


@pytest.fixture(autouse=True)
def clock():
    """The clock stands at NOW unless a step says when it happens (`at=`)."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def file(square):
    """A rally on Republic Square, 19 March 14:00-17:00, filed at NOW."""

    def file(user, start=None, end=None, **extra):
        return file_notice(user, square, start or at(19, 14), end or at(19, 17), at=NOW, **extra)

    return file


def events_of(notice):
    return list(
        AuditEvent.objects.filter(object_type="notice", object_id=str(notice.pk)).values_list(
            "event", flat=True
        )
    )


def test_filing_stamps_reference_deadline_rulebook_and_violations(file, aigerim, almaty):
    notice = file(aigerim)
    assert notice.status == Status.SUBMITTED
    assert notice.reference == f"ALA-2022-{notice.pk:06d}"
    assert notice.rulebook == almaty.rulebook
    # filed Wednesday 2 March; 3 working days (3, 4, 9 March: 7-8 March are holidays)
    assert notice.decision_due_at == at(10, 0)
    assert notice.violations == []
    assert events_of(notice) == ["notice.filed"]  # one event says it all


def test_a_notice_breaking_a_rule_is_still_filed_with_its_violations(file, aigerim):
    notice = file(aigerim, start=at(19, 8), end=at(19, 15))
    assert notice.status == Status.SUBMITTED
    assert [v["code"] for v in notice.violations] == ["outside_hours", "over_daily_cap"]


def test_accepting_books_the_venue_and_records_the_decision(file, aigerim, dana):
    notice = file(aigerim)
    decision = services.decide(notice, dana, "accepted", reasoning="Fine.", at=NOW)
    notice.refresh_from_db()
    assert notice.status == Status.ACCEPTED
    assert decision.rulebook == notice.rulebook and decision.officer == dana
    assert decision.reference == f"{notice.reference}-D1"
    [booking] = Booking.objects.filter(notice=notice)
    assert (booking.starts_at, booking.held_until) == (at(19, 14), at(19, 17))
    # under `fair` a 300-person rally needs only one half of the square
    assert booking.zone.slug in {"west", "east"}
    assert "booking.created" in events_of(notice)


def test_a_refusal_needs_a_listed_ground_and_under_fair_an_alternative(file, aigerim, dana, square):
    notice = file(aigerim)
    with pytest.raises(ValidationError) as error:
        services.decide(notice, dana, "refused", reasoning="No.")
    assert "at least one legal ground" in str(error.value)
    with pytest.raises(ValidationError) as error:
        services.decide(notice, dana, "refused", grounds=["dislike"], reasoning="No.")
    assert "Not a lawful ground" in str(error.value) and "dislike" in str(error.value)
    with pytest.raises(ValidationError) as error:
        services.decide(notice, dana, "refused", grounds=["public_order_threat"])
    assert "requires an alternative" in str(error.value)
    notice.refresh_from_db()
    assert notice.status == Status.SUBMITTED and not Decision.objects.exists()

    alternative = {"venue": square.pk, "starts_at": at(20, 14), "ends_at": at(20, 17)}
    decision = services.decide(
        notice,
        dana,
        "refused",
        grounds=["public_order_threat"],
        reasoning="Marathon on the day.",
        alternative=alternative,
    )
    assert decision.alternative["starts_at"] == at(20, 14).isoformat()


def test_under_kz2020_a_plain_refusal_is_allowed_and_holds_the_whole_venue(square_kz, officer_kz, aigerim):
    square, officer = square_kz, officer_kz
    first = file_notice(aigerim, square, at(19, 9), at(19, 20), at=NOW, purpose="A", people=300)
    services.decide(first, officer, "accepted")
    assert set(Booking.objects.filter(notice=first).values_list("zone__slug", flat=True)) == {"west", "east"}
    second = file_notice(aigerim, square, at(19, 14), at(19, 17), at=NOW, purpose="B", people=300)
    services.decide(second, officer, "refused", grounds=["venue_booked"], reasoning="Booked.")
    second.refresh_from_db()
    assert second.status == Status.REFUSED


def test_only_an_officer_of_the_jurisdiction_may_decide(file, aigerim, bolat, yerlan):
    notice = file(aigerim)
    with pytest.raises(PermissionDenied, match="outside your jurisdiction"):
        services.decide(notice, yerlan, "accepted")
    with pytest.raises(PermissionDenied, match="Only an officer"):
        services.decide(notice, bolat, "accepted")


def test_only_the_organizer_may_withdraw_or_appeal(file, aigerim, bolat, dana):
    notice = file(aigerim)
    with pytest.raises(PermissionDenied, match="not your notice"):
        services.withdraw(notice, bolat)
    with pytest.raises(PermissionDenied):
        services.withdraw(notice, dana)


def test_decisions_are_final_except_through_appeal(file, aigerim, dana, square):
    notice = file(aigerim)
    services.decide(notice, dana, "accepted")
    with pytest.raises(ValidationError, match="no longer waiting for a decision: it is accepted"):
        services.decide(
            notice,
            dana,
            "refused",
            grounds=["venue_booked"],
            alternative={"venue": square.pk, "starts_at": at(20, 9), "ends_at": at(20, 10)},
        )
    with pytest.raises(ValidationError, match="cannot be done to a notice that is accepted: appeal"):
        services.appeal(notice, aigerim, text="why")


def test_an_assembly_that_has_started_cannot_be_withdrawn(file, aigerim, dana):
    notice = file(aigerim)
    services.decide(notice, dana, "accepted")
    with pytest.raises(ValidationError, match="already started"):
        services.withdraw(notice, aigerim, at=at(19, 15))


def test_withdrawing_releases_the_booking_at_once(file, aigerim, dana):
    notice = file(aigerim)
    services.decide(notice, dana, "accepted")
    services.withdraw(notice, aigerim, reason="Postponed", at=at(10, 9))
    [booking] = Booking.objects.filter(notice=notice)
    assert booking.held_until == booking.starts_at and booking.ends_at == at(19, 17)
    # the time is free again for someone else
    other = file(aigerim, purpose="Another")
    services.decide(other, dana, "accepted")


def test_appeal_path_overturned_books_the_request(file, aigerim, dana, square):
    notice = file(aigerim)
    services.decide(
        notice,
        dana,
        "refused",
        grounds=["public_order_threat"],
        reasoning="Works.",
        alternative={"venue": square.pk, "starts_at": at(20, 14), "ends_at": at(20, 17)},
    )
    with pytest.raises(ValidationError, match="Say why"):
        services.appeal(notice, aigerim, text="  ")
    services.appeal(notice, aigerim, text="There are no works.")
    decision = services.resolve_appeal(notice, dana, grant=True, reasoning="Confirmed: no works.")
    notice.refresh_from_db()
    assert notice.status == Status.OVERTURNED and decision.outcome == Status.OVERTURNED
    assert Booking.objects.filter(notice=notice, starts_at=at(19, 14)).exists()


def test_accepting_an_alternative_books_the_offered_time(file, aigerim, dana, gandhi):
    notice = file(aigerim, people=100)
    services.decide(
        notice,
        dana,
        "alternative_offered",
        grounds=["public_order_threat"],
        reasoning="Road works on the square.",
        alternative={"venue": gandhi.pk, "starts_at": at(19, 10), "ends_at": at(19, 12)},
    )
    services.accept_alternative(notice, aigerim)
    [booking] = Booking.objects.filter(notice=notice)
    assert booking.zone.venue == gandhi and booking.starts_at == at(19, 10)


def test_silence_at_the_deadline_follows_the_rulebook(file, aigerim, square):
    rally = file(aigerim)
    with pytest.raises(ValidationError, match="has not passed"):
        services.apply_silence(rally, at=NOW)
    decision = services.apply_silence(rally, at=rally.decision_due_at)
    assert decision.outcome == Status.DEEMED_ACCEPTED and decision.officer is None
    assert Booking.objects.filter(notice=rally).exists()

    march = file(aigerim, kind="march", start=at(25, 10, month=3), end=at(25, 12, month=3))
    services.apply_silence(march, at=march.decision_due_at)
    march.refresh_from_db()
    assert march.status == Status.DEEMED_REFUSED


def test_overlapping_accept_is_refused_with_a_clear_message(file, aigerim, bolat, dana, square):
    first = file(aigerim, people=50_000)  # needs both halves
    services.decide(first, dana, "accepted")
    second = file(bolat, start=at(19, 16), end=at(19, 18), people=300)
    with pytest.raises(ValidationError, match="already booked at that time by notice " + first.reference):
        services.decide(second, dana, "accepted")
    second.refresh_from_db()
    assert second.status == Status.SUBMITTED and not second.decisions.exists()


def test_the_action_table_never_returns_to_draft_and_finals_are_final():
    assert all(a.target != Status.DRAFT for a in TABLE.values())
    assert all(not (a.sources & FINAL) for a in TABLE.values())


def test_every_guard_of_the_table_is_implemented_and_every_action_has_a_role():
    for action in TABLE.values():
        assert action.role in services.ROLES, action
        assert all(guard in services.GUARDS for guard in action.guards), action


ACTIONS = [
    "review",
    "accept",
    "refuse",
    "offer",
    "take_offer",
    "withdraw",
    "appeal",
    "grant",
    "reject",
    "silence",
    "held",
]


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=40, deadline=None)
@given(seq=st.lists(st.sampled_from(ACTIONS), max_size=8))
def test_any_sequence_of_actions_keeps_a_valid_audited_history(square, aigerim, dana, seq):
    """Random actions: each either makes an allowed move (and is audited) or is refused
    and changes nothing."""
    Booking.objects.all().delete()
    notice = file_notice(aigerim, square, at(19, 14), at(19, 17), at=NOW, purpose="P", people=100)
    alt = {"venue": square.pk, "starts_at": at(20, 14), "ends_at": at(20, 17)}
    do = {
        "review": lambda: services.start_review(notice, dana),
        "accept": lambda: services.decide(notice, dana, "accepted"),
        "refuse": lambda: services.decide(notice, dana, "refused", grounds=["venue_booked"], alternative=alt),
        "offer": lambda: services.decide(notice, dana, "alternative_offered", alternative=alt),
        "take_offer": lambda: services.accept_alternative(notice, aigerim),
        "withdraw": lambda: services.withdraw(notice, aigerim, at=NOW),
        "appeal": lambda: services.appeal(notice, aigerim, text="Unfair."),
        "grant": lambda: services.resolve_appeal(notice, dana, grant=True, reasoning="Yes."),
        "reject": lambda: services.resolve_appeal(notice, dana, grant=False, reasoning="No."),
        "silence": lambda: services.apply_silence(notice, at=at(18, 0)),
        "held": lambda: services.record_held(notice, dana, held=True),
    }
    for action in seq:
        before = notice.__class__.objects.get(pk=notice.pk).status
        audited = AuditEvent.objects.count()
        try:
            do[action]()
        except ValidationError:
            assert notice.__class__.objects.get(pk=notice.pk).status == before
            assert AuditEvent.objects.count() == audited
            continue
        after = notice.__class__.objects.get(pk=notice.pk).status
        assert any(before in a.sources and a.target in (after, None) for a in TABLE.values()), (before, after)
        assert AuditEvent.objects.filter(event=f"notice.{after}", object_id=str(notice.pk)).exists()
    held_now = Booking.objects.filter(notice=notice, held_until__gt=F("starts_at")).exists()
    status = notice.__class__.objects.get(pk=notice.pk).status
    if status in (Status.WITHDRAWN, Status.REFUSED, Status.SUBMITTED, Status.UNDER_REVIEW):
        assert not held_now


def test_the_organizers_own_words_stay_off_the_public_audit_log(file, aigerim, dana, square):
    notice = file(aigerim)
    services.decide(
        notice,
        dana,
        "refused",
        grounds=["public_order_threat"],
        reasoning="Road works on the square.",
        alternative={"venue": square.pk, "starts_at": at(20, 14), "ends_at": at(20, 17)},
    )
    services.appeal(notice, aigerim, text="Call me on +7 701 555 0101, Aigerim Seitkali")
    notice.refresh_from_db()
    assert notice.appeal_text.startswith("Call me")
    logged = AuditEvent.objects.get(event="notice.appealed").data
    assert "+7 701" not in str(logged) and logged["reason"].startswith("hmac-sha256:")
    # keyed by the notice's secret: hashing a guess of the words confirms nothing
    import hashlib
    import hmac

    text = "Call me on +7 701 555 0101, Aigerim Seitkali"
    assert hashlib.sha256(text.encode()).hexdigest() not in logged["reason"]
    key = notice.secret.encode()
    assert logged["reason"] == "hmac-sha256:" + hmac.new(key, text.encode(), hashlib.sha256).hexdigest()
