"""The authority's closures (issue 13): declared on a listed ground, ahead of time, never
backdated, audited and public; an accepted assembly is never silently cancelled: it goes back
to an officer, the organizer is told in their language and offered another place or time."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F

from agora import i18n
from agora.audit.models import AuditEvent
from agora.audit.services import verify_chain
from agora.notices import authority, services
from agora.notices.models import Notice
from agora.notices.workflow import Status
from agora.scheduling.models import Booking
from agora.venues.models import Closure
from tests.conftest import ALMATY, TODAY, file

DAY = dt.date(2026, 12, 10)  # a Thursday, nine days after TODAY


def on(hour: int, minute: int = 0, day: dt.date = DAY) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), ALMATY)


def close(admin, venue, start=None, end=None, *, ground="state_event", **extra):
    start, end = start or on(13), end or on(19)
    return authority.declare_closure(
        admin, venue, ground=ground, reason="Official ceremony.", starts_at=start, ends_at=end, **extra
    )


def events(kind: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(event=kind))


def test_only_an_administrator_of_the_jurisdiction_declares_a_closure(square, dana, aigerim, yerlan):
    for who in (dana, aigerim, yerlan):  # an officer who does not administer, an organizer, another city
        with pytest.raises(PermissionDenied):
            close(who, square)
    assert not Closure.objects.exists() and not events("closure.declared")


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"ground": "dislike"}, "ground", "Choose a closure ground"),
        ({"reason": " "}, "reason", "Give the reasons"),
        ({"start": TODAY - dt.timedelta(hours=1)}, "starts_at", "cannot be backdated"),
        (
            {"start": TODAY + dt.timedelta(hours=5), "end": TODAY + dt.timedelta(hours=8)},
            "starts_at",
            "72 hours",
        ),
        ({"end": on(12)}, "ends_at", "end after it starts"),
    ],
)
def test_a_closure_needs_a_listed_ground_reasons_and_notice_ahead(square, admin, change, field, message):
    args = {"start": on(13), "end": on(19), "ground": "state_event", "reason": "Official ceremony."} | change
    with pytest.raises(ValidationError) as error:
        authority.declare_closure(
            admin,
            square,
            ground=args["ground"],
            reason=args["reason"],
            starts_at=args["start"],
            ends_at=args["end"],
        )
    assert message in " ".join(error.value.message_dict[field])
    assert not Closure.objects.exists()


def test_an_emergency_needs_no_notice_but_cannot_be_backdated(square, admin):
    soon = TODAY + dt.timedelta(minutes=30)
    closure = close(admin, square, soon, soon + dt.timedelta(hours=3), ground="emergency")
    assert closure.declared_at is not None and closure.declared_by == admin


def test_a_closure_over_an_accepted_rally_sends_it_back_for_an_offer_never_cancels_it(
    client, square, gandhi, admin, bolat, aigerim, django_capture_on_commit_callbacks
):
    """The seed's variant: B's peace rally is accepted for the afternoon, then the authority
    declares a 'state event' on the square that afternoon."""
    peace = file(bolat, square, on(14), on(18), people=500, purpose="Peace rally")
    services.decide(peace, admin, "accepted", reasoning="Fine.")
    elsewhere = file(aigerim, gandhi, on(14), on(16), people=20)  # another place: untouched
    services.decide(elsewhere, admin, "accepted", reasoning="Fine.")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):  # the emails go once it is saved
        closure = close(admin, square)

    peace.refresh_from_db()
    assert peace.status == Status.UNDER_REVIEW and peace.displaced_by == closure
    assert not Booking.objects.filter(notice=peace, held_until__gt=F("starts_at")).exists()  # released
    assert peace.decision_due_at <= peace.starts_at
    elsewhere.refresh_from_db()
    assert elsewhere.status == Status.ACCEPTED
    # the organizer is told, in their language (Bolat: Russian), why and what comes next
    [email] = mail.outbox
    assert email.to == [bolat.email] and "Official ceremony." in email.body and "закрыл" in email.body
    # every step is in the audit log, and verify holds
    declared = events("closure.declared")[0]
    assert declared.data["displaces"] == [peace.reference] and declared.actor == f"officer:{admin.officer.pk}"
    assert [e.data["closure"] for e in events("notice.displaced")] == [closure.pk]
    assert verify_chain().ok

    # the officer sees it in the queue, with alternatives, and the ground that fits: closed
    from tests.conftest import sign_in_with_totp

    sign_in_with_totp(client, admin)
    assert peace.reference in client.get("/office/").content.decode()
    with pytest.raises(ValidationError, match="The place is closed"):
        services.decide(peace, admin, "accepted", reasoning="Fine.")
    page = client.get(f"/office/notices/{peace.pk}/?offer=0").content.decode()
    assert (
        'value="venue_closed" checked' in page.replace("\n", " ")
        or 'name="grounds" value="venue_closed"' in page
    )
    # the officer offers another place; the organizer takes it
    from agora.notices import review

    [option, *_] = review.computed_alternatives(peace)
    services.decide(
        peace,
        admin,
        "alternative_offered",
        grounds=["venue_closed"],
        reasoning="Closed.",
        alternative=option.place,
    )
    services.accept_alternative(peace, bolat)
    peace.refresh_from_db()
    assert (
        peace.status == Status.ACCEPTED
        and peace.bookings.firm().filter(held_until__gt=F("starts_at")).exists()
    )


def test_lifting_a_closure_opens_the_place_again(square, admin, aigerim):
    closure = close(admin, square)
    notice = file(aigerim, square, on(15), on(16), people=20)
    with pytest.raises(ValidationError, match="closed"):
        services.decide(notice, admin, "accepted", reasoning="Fine.")
    authority.lift_closure(admin, closure, reason="The ceremony was cancelled.")
    services.decide(notice, admin, "accepted", reasoning="Fine.")
    assert [e.data["reason"] for e in events("closure.lifted")] == ["The ceremony was cancelled."]
    with pytest.raises(ValidationError, match="over already"):
        authority.lift_closure(admin, closure, reason="Again.")


def test_no_closure_exists_without_its_audit_event(square, admin):
    close(admin, square)
    assert verify_chain().ok
    Closure.objects.create(  # made around the service
        venue=square,
        kind="other",
        reason="Quietly",
        starts_at=on(9, day=DAY + dt.timedelta(days=1)),
        ends_at=on(10, day=DAY + dt.timedelta(days=1)),
    )
    verdict = verify_chain()
    assert not verdict.ok and "not declared through the authority's service" in verdict.problem


def test_the_admin_site_only_shows_closures(client, square, admin):
    from django.contrib.auth import get_user_model

    root = get_user_model().objects.create_superuser("root", "root@example.org", "pw-for-tests-1")
    client.force_login(root)
    assert client.get("/admin/venues/closure/add/").status_code == 403
    close(admin, square)
    closure = Closure.objects.get()
    assert client.post(f"/admin/venues/closure/{closure.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Closure.objects.filter(pk=closure.pk).exists()


def test_a_notice_under_review_for_a_closure_is_never_deemed_into_the_closed_place(square, admin, bolat):
    peace = file(bolat, square, on(14), on(18), people=500)
    services.decide(peace, admin, "accepted", reasoning="Fine.")
    close(admin, square)
    peace.refresh_from_db()
    services.apply_silence(peace, at=peace.decision_due_at)
    peace.refresh_from_db()
    assert peace.status == Status.DEEMED_ACCEPTED
    assert not Booking.objects.filter(notice=peace, held_until__gt=F("starts_at")).exists()
    assert events("notice.deemed_accepted_conflict")
    assert Notice.objects.get(pk=peace.pk).displaced_by is not None


def test_the_closures_page_declares_with_a_confirmation_and_shows_the_act_publicly(
    client, square, admin, bolat, gandhi
):
    from tests.conftest import sign_in_with_totp

    peace = file(bolat, square, on(14), on(18), people=500, purpose="Peace rally")
    services.decide(peace, admin, "accepted", reasoning="Fine.")
    sign_in_with_totp(client, admin)
    declare = {
        "act": "declare",
        "venue": square.pk,
        "ground": "state_event",
        "reason": "Official ceremony.",
        "start_date": DAY.isoformat(),
        "start_time": "13:00",
        "end_date": DAY.isoformat(),
        "end_time": "19:00",
    }
    asked = client.post("/office/closures/", declare).content.decode()
    assert "Please check before you confirm" in asked and peace.reference in asked
    assert not Closure.objects.exists()
    back = client.post("/office/closures/", {**declare, "confirm": "1", "change": "1"}).content.decode()
    assert "Official ceremony." in back and not Closure.objects.exists()  # back to the form, as typed
    done = client.post("/office/closures/", {**declare, "confirm": "1"}, follow=True).content.decode()
    assert "Closure declared." in done
    closure = Closure.objects.get()
    assert closure.declared_by == admin
    # public: the venue page and the register show it, with its declaration time and office
    client.logout()
    for url in (f"/places/{square.pk}/", "/register/"):
        page = client.get(url).content.decode()
        assert "Official ceremony." in page and "Closures declared by the authority" in page, url
        assert i18n.when(closure.declared_at, ALMATY) in page  # in the reader's words and the city's time
        assert 'class="flagged"' in page  # it displaced an accepted assembly
    assert "closure.declared" in client.get("/audit/").content.decode()


def test_an_officer_who_does_not_administer_sees_closures_but_cannot_declare(client, square, dana):
    from tests.conftest import sign_in_with_totp

    sign_in_with_totp(client, dana)
    page = client.get("/office/closures/").content.decode()
    assert "Only an administrator of the jurisdiction" in page and 'name="act" value="declare"' not in page
    assert client.post("/office/closures/", {"act": "declare", "confirm": "1"}).status_code == 403
