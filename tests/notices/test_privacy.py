"""Personal data with a lifecycle (issue 22): erased once the retention period after an
organizer's last assembly is over, or when they close their account; downloadable as JSON;
the public register and the audit log keep working (they never held any)."""

from __future__ import annotations

import datetime as dt
import io
import json
import re

import time_machine
from django.core.management import call_command
from django.test import Client

from agora.accounts.models import Organizer
from agora.audit.models import AuditEvent
from agora.audit.services import verify_chain
from agora.notices import invariants, privacy, services
from tests.conftest import PASSWORD, file_rally, future, refuse_with_alternative

NAME, PHONE, ID = "Aigerim Seitkali", "+7 701 000 0001", "900101400123"


def test_personal_data_outlive_nothing_the_retention_period_and_the_register_keeps_the_notices(
    client, square, gandhi, aigerim, bolat, dana, settings
):
    settings.AGORA_RETENTION_DAYS = 30
    mine = file_rally(aigerim, square, 10)
    refuse_with_alternative(mine, dana, gandhi, 16)
    services.appeal(mine, aigerim, text=f"I am {NAME}, call me on {PHONE}.")
    services.resolve_appeal(mine, dana, grant=False, reasoning="The refusal was lawful.")
    theirs = file_rally(bolat, square, 12)
    public_name = aigerim.organizer.public_name

    # the day after the assembly's day: too soon
    with time_machine.travel(mine.ends_at + dt.timedelta(days=1)):
        assert list(privacy.due()) == []
    # past the retention period; bolat's notice still waits for a decision: his data stay
    with time_machine.travel(future(days=14 + 31, hour=12)):
        out = io.StringIO()
        call_command("erase-expired", stdout=out)
        assert "erased 1 organizers' personal data (retention 30 days)" in out.getvalue()
        call_command("erase-expired", stdout=io.StringIO())  # twice is once
    organizer = Organizer.objects.get(pk=aigerim.organizer.pk)
    assert (organizer.full_name, organizer.phone, organizer.national_id) == ("", "", "")
    assert organizer.anonymized_at is not None and organizer.public_name == public_name
    user = organizer.user
    assert not user.is_active and user.email == "" and not user.has_usable_password()
    assert not Client().login(username="aigerim", password=PASSWORD)
    mine.refresh_from_db()
    assert mine.appeal_text == "" and mine.status == "upheld"  # the words gone, the record kept
    assert Organizer.objects.get(pk=bolat.organizer.pk).full_name != ""
    [event] = AuditEvent.objects.filter(event="organizer.anonymized")
    assert event.data["why"] == "retention" and NAME not in json.dumps(event.data)

    # the register still shows the notice, under the same public name, and nothing personal
    page = client.get("/register/").content.decode()
    assert mine.reference in page and theirs.reference in page and public_name in page
    assert NAME not in page and PHONE not in page
    assert verify_chain().ok and invariants.broken() == []


def test_an_organizer_downloads_everything_held_about_them_and_nothing_of_others(
    client, square, aigerim, bolat
):
    mine = file_rally(aigerim, square, 10)
    file_rally(bolat, square, 12)
    client.force_login(aigerim)
    response = client.get("/account/data.json")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["organizer"]["full_name"] == NAME and data["organizer"]["national_id"] == ID
    assert [n["reference"] for n in data["notices"]] == [mine.reference]
    assert data["account"]["username"] == "aigerim"
    page = client.get("/account/").content.decode()
    assert "Download everything held about me" in page and "•••• 0123" in page and ID not in page
    assert Client().get("/account/data.json").status_code == 302  # signed in only


def test_closing_the_account_waits_for_what_is_ongoing_then_erases_and_signs_out(client, square, aigerim):
    mine = file_rally(aigerim, square, 10)
    client.force_login(aigerim)
    page = client.get("/account/").content.decode()
    assert "Not while a notice of yours is still waiting" in page
    assert "The day they are erased is set once your notices are over." in page
    refused = client.post("/account/close/", {"confirm": "1"}, follow=True).content.decode()
    assert f"{mine.reference} is not over yet" in refused
    assert Organizer.objects.get(pk=aigerim.organizer.pk).anonymized_at is None

    services.withdraw(mine, aigerim, reason=f"{NAME} is ill.")
    # three years after its assembly's day (the last thing that happened), as things stand
    page = client.get("/account/").content.decode()
    assert re.search(r"As things stand, they are erased after \d{1,2} December 2029; signing in", page)
    asked = client.post("/account/close/").content.decode()
    assert (
        "This cannot be undone." in asked
        and Organizer.objects.get(pk=aigerim.organizer.pk).anonymized_at is None
    )
    done = client.post("/account/close/", {"confirm": "1"}, follow=True).content.decode()
    assert "Your account is closed and your personal data are erased." in done
    organizer = Organizer.objects.get(pk=aigerim.organizer.pk)
    assert organizer.full_name == "" and organizer.anonymized_at is not None
    mine.refresh_from_db()
    assert mine.withdraw_reason == "" and mine.status == "withdrawn"
    assert client.get("/notices/").status_code == 302  # signed out
    assert not Client().login(username="aigerim", password=PASSWORD)
    assert AuditEvent.objects.get(event="organizer.anonymized").data["why"] == "closed"
    assert verify_chain().ok and invariants.broken() == []


def test_an_officers_account_is_never_erased_by_the_job(square, dana, settings):
    settings.AGORA_RETENTION_DAYS = 1
    with time_machine.travel(future(days=400)):
        assert all(not hasattr(o.user, "officer") for o in privacy.due())
