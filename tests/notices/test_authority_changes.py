"""The authority's changes of places, calendars and rulebooks (issue 13): made through
services that validate and audit old → new, public with their reasons; a change that leaves
an accepted assembly without room sends it back for an offer; a declared day moves decision
deadlines forward only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from agora.audit.models import AuditEvent
from agora.audit.services import verify_chain
from agora.notices import authority, services
from agora.notices.models import Notice
from agora.notices.workflow import Status
from agora.rules.models import CalendarDay, Rulebook
from agora.venues.models import Venue, VenueChange
from tests.conftest import ALMATY, TODAY, file, sign_in_with_totp

DAY = dt.date(2026, 12, 10)  # a Thursday, nine days after TODAY


def on(hour: int, day: dt.date = DAY) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), ALMATY)


def events(kind: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(event=kind).order_by("seq"))


# --- venue changes ---------------------------------------------------------------------------


def test_a_capacity_cut_sends_the_assemblies_that_no_longer_fit_back_for_an_offer(
    square, admin, bolat, aigerim, django_capture_on_commit_callbacks
):
    big = file(bolat, square, on(14), on(16), people=900)
    small = file(aigerim, square, on(10), on(12), people=100)
    for n in (big, small):
        services.decide(n, admin, "accepted", reasoning="Fine.")
    before = square.capacity
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        change = authority.change_venue(
            admin, square, reason="Half the square is fenced for repairs.", changes={"capacity_override": 500}
        )
    big.refresh_from_db(), small.refresh_from_db()
    assert big.status == Status.UNDER_REVIEW and big.displaced_by_change == change
    assert small.status == Status.ACCEPTED  # still fits
    assert change.changes == {"capacity_override": [None, 500], "capacity": [before, 500]} and before != 500
    assert Venue.objects.get(pk=square.pk).capacity == 500
    [logged] = events("venue.changed")
    assert logged.data["displaces"] == [big.reference] and logged.data["changes"]["capacity_override"] == [
        None,
        500,
    ]
    [email] = mail.outbox
    assert email.to == [bolat.email] and "Half the square is fenced for repairs." in email.body
    assert verify_chain().ok


def test_hours_and_designation_changes_displace_what_falls_outside(square, admin, bolat, aigerim):
    late = file(bolat, square, on(17), on(19), people=50)
    early = file(aigerim, square, on(10), on(12), people=50)
    for n in (late, early):
        services.decide(n, admin, "accepted", reasoning="Fine.")
    import datetime

    authority.change_venue(
        admin,
        square,
        reason="Lighting works.",
        changes={"opens_at": datetime.time(9), "closes_at": datetime.time(18)},
    )
    assert Notice.objects.get(pk=late.pk).status == Status.UNDER_REVIEW
    assert Notice.objects.get(pk=early.pk).status == Status.ACCEPTED
    authority.change_venue(
        admin, square, reason="No longer a designated place.", changes={"designated": False}
    )
    assert Notice.objects.get(pk=early.pk).status == Status.UNDER_REVIEW
    assert [c.changes for c in VenueChange.objects.order_by("pk")] == [
        {"opens_at": [None, "09:00"], "closes_at": [None, "18:00"]},
        {"designated": [True, False]},
    ]


@pytest.mark.parametrize(
    ("changes", "reason", "field", "message"),
    [
        ({"capacity_override": 500}, " ", "reason", "Give the reasons"),
        ({"designated": True}, "Nothing", "__all__", "Nothing is changed"),
        ({"crowd_density": 0.0}, "Density", "crowd_density", "greater than or equal to 0.1"),
        ({"geometry": {"type": "Point", "coordinates": [76.9, 43.2]}}, "Outline", "geometry", "Polygon"),
        (
            {"opens_at": dt.time(18), "closes_at": dt.time(9)},
            "Hours",
            "__all__",
            "Opening time must be before",
        ),
    ],
)
def test_a_venue_change_is_checked_and_nothing_is_saved_when_it_is_wrong(
    square, admin, changes, reason, field, message
):
    with pytest.raises(ValidationError) as error:
        authority.change_venue(admin, square, reason=reason, changes=changes)
    assert message in " ".join(error.value.message_dict[field])
    assert not VenueChange.objects.exists() and not events("venue.changed")
    assert Venue.objects.get(pk=square.pk).designated


def test_only_an_administrator_changes_a_place(square, dana, aigerim, yerlan):
    for who in (dana, aigerim, yerlan):
        with pytest.raises(PermissionDenied):
            authority.change_venue(who, square, reason="x", changes={"capacity_override": 10})
    assert Venue.objects.get(pk=square.pk).capacity_override is None


def test_the_place_page_changes_the_outline_on_a_map_with_a_confirmation(client, square, admin, bolat):
    peace = file(bolat, square, on(14), on(16), people=900)
    services.decide(peace, admin, "accepted", reasoning="Fine.")
    sign_in_with_totp(client, admin)
    page = client.get(f"/office/places/{square.pk}/").content.decode()
    assert 'id="venue-editor"' in page and "leaflet.draw.js" in page and 'name="geometry"' in page
    # a much smaller outline (about 16 m × 17 m): the 900 no longer fit
    lon, lat = 76.9458, 43.2383
    small = {
        "type": "Polygon",
        "coordinates": [
            [[lon, lat], [lon + 0.0002, lat], [lon + 0.0002, lat + 0.00015], [lon, lat + 0.00015], [lon, lat]]
        ],
    }
    import json

    form = {
        "designated": "on",
        "crowd_density": "2",
        "geometry": json.dumps(small),
        "zones": json.dumps({}),
        "reason": "Only the north lawn stays open.",
    }
    asked = client.post(f"/office/places/{square.pk}/", form).content.decode()
    assert "Please check before you confirm" in asked and "Outline: redrawn on the map" in asked
    assert peace.reference in asked and not VenueChange.objects.exists()
    done = client.post(f"/office/places/{square.pk}/", {**form, "confirm": "1"}, follow=True).content.decode()
    assert "Place changed." in done
    assert Venue.objects.get(pk=square.pk).geometry == small
    assert Notice.objects.get(pk=peace.pk).status == Status.UNDER_REVIEW
    # public: the place's page shows what changed, why, when and that it displaced an assembly
    client.logout()
    public = client.get(f"/places/{square.pk}/").content.decode()
    assert (
        "Only the north lawn stays open." in public and "Changes the authority made to this place" in public
    )
    assert 'class="flagged"' in public


def test_the_place_page_refuses_a_bad_outline_with_words(client, square, admin):
    sign_in_with_totp(client, admin)
    form = {"designated": "on", "crowd_density": "2", "geometry": "not json", "reason": "x"}
    page = client.post(f"/office/places/{square.pk}/", form).content.decode()
    assert "Enter a valid JSON" in page and not VenueChange.objects.exists()


# --- the calendar -----------------------------------------------------------------------------


def test_a_declared_holiday_moves_decision_deadlines_forward_and_says_so(square, admin, bolat):
    notice = file(bolat, square, on(14, DAY + dt.timedelta(days=14)), on(16, DAY + dt.timedelta(days=14)))
    due = notice.decision_due_at
    last_day = (due - dt.timedelta(minutes=1)).astimezone(ALMATY).date()  # due at its end
    authority.declare_calendar_day(
        admin, square.jurisdiction, day=last_day, kind="holiday", name="Bridge day"
    )
    notice.refresh_from_db()
    assert notice.decision_due_at > due
    [moved] = events("notice.deadline_moved")
    assert (
        moved.data["because"] == last_day.isoformat() and dt.datetime.fromisoformat(moved.data["from"]) == due
    )
    assert events("calendar.day_declared")[0].data["kind"] == "holiday"


def test_a_declared_working_day_never_shortens_a_deadline(square, admin, bolat):
    import time_machine

    with time_machine.travel(on(10, dt.date(2026, 12, 3)), tick=False):  # a Thursday
        notice = file(bolat, square, on(14, DAY + dt.timedelta(days=14)), on(16, DAY + dt.timedelta(days=14)))
    due = notice.decision_due_at
    saturday = dt.date(2026, 12, 5)
    assert dt.date(2026, 12, 3) < saturday < due.date()  # inside the authority's window
    authority.declare_calendar_day(
        admin, square.jurisdiction, day=saturday, kind="working_day", name="Make-up day"
    )
    notice.refresh_from_db()
    assert notice.decision_due_at == due and not events("notice.deadline_moved")
    # but it counts for notices filed from now on
    assert square.jurisdiction.calendar().is_working_day(saturday)


@pytest.mark.parametrize(
    ("day", "kind", "name", "field", "message"),
    [
        (TODAY.date(), "holiday", "x", "day", "after today"),
        (dt.date(2026, 12, 5), "holiday", "x", "day", "not a working day already"),
        (dt.date(2026, 12, 7), "working_day", "x", "day", "working day already"),
        (dt.date(2026, 12, 7), "holiday", " ", "name", "Name the day"),
        (dt.date(2026, 12, 7), "feast", "x", "kind", "holiday or a working day"),
    ],
)
def test_a_calendar_day_is_checked(square, admin, day, kind, name, field, message):
    with pytest.raises(ValidationError) as error:
        authority.declare_calendar_day(admin, square.jurisdiction, day=day, kind=kind, name=name)
    assert message in " ".join(error.value.message_dict[field])
    assert not CalendarDay.objects.exists()


def test_the_calendar_page_declares_a_day_after_confirming(client, square, admin, dana):
    sign_in_with_totp(client, admin)
    form = {"act": "day", "day": "2026-12-07", "kind": "holiday", "name": "Bridge day"}
    asked = client.post("/office/calendar/", form).content.decode()
    assert "Please check before you confirm" in asked and not CalendarDay.objects.exists()
    done = client.post("/office/calendar/", {**form, "confirm": "1"}, follow=True).content.decode()
    assert "Day declared." in done and "Bridge day" in done
    assert CalendarDay.objects.get().declared_by == admin


# --- rulebooks ----------------------------------------------------------------------------------


def test_assigning_a_rulebook_is_audited_and_keeps_filed_notices_on_theirs(square, admin, bolat):
    notice = file(bolat, square, on(14), on(16))
    old = square.jurisdiction.rulebook
    other = Rulebook.objects.exclude(pk=old.pk).filter(data__timezone=old.rules.timezone).first()
    authority.assign_rulebook(admin, square.jurisdiction, other)
    [logged] = events("rulebook.assigned")
    assert logged.data["to"] == f"{other.code} v{other.version}"
    notice.refresh_from_db()
    assert notice.rulebook == old
    with pytest.raises(ValidationError, match="already"):
        authority.assign_rulebook(admin, square.jurisdiction, other)


# --- nothing without its audit event --------------------------------------------------------------


def test_no_venue_change_or_calendar_day_exists_without_its_audit_event(square, admin):
    assert verify_chain().ok
    VenueChange.objects.create(
        venue=square,
        changes={"designated": [True, False]},
        reason="Quietly",
        declared_at=TODAY,
        declared_by=admin,
    )
    verdict = verify_chain()
    assert not verdict.ok and "venue change" in verdict.problem
    VenueChange.objects.all().delete()
    CalendarDay.objects.create(jurisdiction=square.jurisdiction, date=dt.date(2026, 12, 7), name="Quietly")
    verdict = verify_chain()
    assert not verdict.ok and "calendar day" in verdict.problem


def test_the_admin_site_sets_a_place_up_but_never_changes_one(client, square):
    from django.contrib.auth import get_user_model

    root = get_user_model().objects.create_superuser("root", "root@example.org", "pw-for-tests-1")
    client.force_login(root)
    page = client.get(f"/admin/venues/venue/{square.pk}/change/")
    assert page.status_code == 200 and 'name="capacity_override"' not in page.content.decode()
    response = client.post(f"/admin/venues/venue/{square.pk}/change/", {"capacity_override": "1"})
    assert response.status_code == 403 and Venue.objects.get(pk=square.pk).capacity_override is None


def test_each_process_keeps_a_calendar_that_follows_declared_days_and_their_rollback(square, admin):
    """The calendar is kept per process under the jurisdiction's calendar version, which
    comes with the row: a new read sees a declared day, and a declaration rolled back
    leaves nothing behind in the kept calendars."""
    from django.db import transaction

    from agora.rules.models import Jurisdiction

    def fresh():
        return Jurisdiction.objects.get(pk=square.jurisdiction_id).calendar()

    assert fresh().is_working_day(DAY)
    with pytest.raises(RuntimeError), transaction.atomic():
        authority.declare_calendar_day(admin, square.jurisdiction, day=DAY, kind="holiday", name="Undone")
        assert not fresh().is_working_day(DAY)
        raise RuntimeError("roll it back")
    assert fresh().is_working_day(DAY)
    authority.declare_calendar_day(admin, square.jurisdiction, day=DAY, kind="holiday", name="Kept")
    assert not fresh().is_working_day(DAY)
    assert not square.jurisdiction.calendar().is_working_day(DAY)  # the instance it was declared with
