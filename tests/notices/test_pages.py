"""The organizer's and the officer's pages, through the test client: what users see."""

import datetime as dt
import io
import re

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pypdf import PdfReader

from agora.accounts.models import Organizer
from agora.notices import services
from agora.notices.models import Notice
from agora.notices.workflow import Status
from tests.conftest import ALMATY, file, future, sign_in_with_totp


def notice_form(place, **overrides):
    day = future().date()
    data = {
        "assembly_type": "rally",
        "topic": "rights",
        "venue": place.pk,
        "date": day.isoformat(),
        "start": "14:00",
        "end": "17:00",
        "expected_participants": "300",
        "purpose": "Peace rally",
        "stewards": "5",
        "language": "en",
        "equipment": "",
    }
    return {**data, **overrides}


def filed(user, venue, *, purpose="P", hours=2, people=10, **extra):
    """A rally filed now for two weeks ahead, 14:00 for `hours` hours."""
    return file(
        user, venue, future(), future() + dt.timedelta(hours=hours), people=people, purpose=purpose, **extra
    )


@pytest.fixture
def organizer_client(client, aigerim):
    client.force_login(aigerim)
    return client


def test_sign_up_verifies_the_email_and_creates_an_organizer(client, db):
    response = client.post(
        "/accounts/signup/",
        {
            "email": "new@example.org",
            "username": "newbie",
            "password1": "a-Long-passphrase-42",
            "password2": "a-Long-passphrase-42",
            "kind": "organization",
            "full_name": "Nurlan Ospanov",
            "organization_name": "Almaty Cyclists",
            "phone": "+7 700 000 0000",
            "language": "ru",
        },
    )
    assert response.status_code == 302
    [message] = mail.outbox
    link = re.search(r"http://\S+/accounts/confirm-email/\S+/", message.body).group(0)
    client.post(link.split("testserver")[-1])
    organizer = Organizer.objects.get(user__username="newbie")
    assert organizer.public_name == "Almaty Cyclists" and organizer.language == "ru"
    assert client.get("/notices/").status_code == 200


def test_an_organization_must_name_itself_at_sign_up(client, db):
    response = client.post(
        "/accounts/signup/",
        {
            "email": "x@example.org",
            "username": "x",
            "password1": "a-Long-passphrase-42",
            "password2": "a-Long-passphrase-42",
            "kind": "organization",
            "full_name": "X",
            "language": "en",
        },
    )
    assert response.status_code == 200 and "An organization needs its name." in response.content.decode()


def test_filing_with_the_precheck_then_submitting(organizer_client, square):
    page = organizer_client.post("/notices/new/", notice_form(square, start="08:00", end="15:00", check="1"))
    text = page.content.decode()
    # in words: the allowed hours, and the daily cap
    assert page.status_code == 200 and "Assemblies are allowed between 09:00 and 20:00" in text
    assert "One organizer may hold a venue at most 4 hours a day" in text
    assert not Notice.objects.exists()
    # htmx asks for the pre-check alone
    partial = organizer_client.post("/notices/new/", notice_form(square, check="1"), HTTP_HX_REQUEST="true")
    assert (
        "lawful and the place is free" in partial.content.decode() and "<html" not in partial.content.decode()
    )

    response = organizer_client.post("/notices/new/", notice_form(square, submit="1"))
    notice = Notice.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/notices/{notice.pk}/"
    assert notice.status == Status.SUBMITTED and notice.starts_at == future()
    detail = organizer_client.get(response["Location"]).content.decode()
    assert notice.reference in detail and "Submitted" in detail


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"purpose": ""}, "This field is required."),
        ({"venue": ""}, "This field is required."),
        ({"end": "13:00"}, "The end must be after the start"),
        ({"expected_participants": "-5"}, "greater than or equal to 1"),
        ({"expected_participants": "lots"}, "Enter a whole number."),
        ({"date": "2020-01-01"}, "must be in the future"),
        ({"date": "not-a-date"}, "Enter a valid date."),
        ({"purpose": "x" * 10_000}, "at most 2000 characters"),
        ({"window_start": "13:00"}, "Give both ends of the window"),
        ({"window_start": "15:00", "window_end": "18:00"}, "must contain the requested time"),
        ({"assembly_type": "party"}, "Select a valid choice."),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_nothing_is_filed(
    organizer_client, square, overrides, message
):
    response = organizer_client.post("/notices/new/", notice_form(square, submit="1", **overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Notice.objects.exists()


def test_html_in_free_text_is_stored_as_text_and_escaped(organizer_client, square):
    payload = '<script>alert("x")</script><b>bold</b>'
    organizer_client.post("/notices/new/", notice_form(square, submit="1", purpose=payload))
    notice = Notice.objects.get()
    assert notice.purpose == payload
    page = organizer_client.get(f"/notices/{notice.pk}/").content.decode()
    assert payload not in page and "&lt;script&gt;" in page


def test_an_organizer_cannot_open_another_organizers_notice_or_letter(client, square, aigerim, bolat, dana):
    notice = filed(aigerim, square)
    decision = services.decide(notice, dana, "accepted")
    client.force_login(bolat)
    assert client.get(f"/notices/{notice.pk}/").status_code == 404
    assert client.get(f"/letters/{decision.reference}.pdf").status_code == 404
    assert client.post(f"/notices/{notice.pk}/withdraw/").status_code == 404
    notice.refresh_from_db()
    assert notice.status == Status.ACCEPTED


def test_officers_must_sign_in_with_totp(client, dana):
    client.force_login(dana)  # a password-only session
    response = client.get("/office/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/reauthenticate/?next=/office/")


def test_an_officer_without_an_authenticator_is_sent_to_set_one_up(client, almaty):
    from agora.accounts.models import Officer
    from tests.conftest import _user

    user = _user("newofficer")
    Officer.objects.create(user=user, jurisdiction=almaty)
    client.force_login(user)
    response = client.get("/office/")
    assert response.status_code == 302 and "/accounts/2fa/totp/activate/" in response["Location"]


def test_the_whole_decision_journey_with_a_letter(client, square, gandhi, aigerim, bolat, dana):
    notice = filed(aigerim, square, purpose="Peace rally", hours=3, people=300, language="ru")
    sign_in_with_totp(client, dana)
    queue = client.get("/office/").content.decode()
    assert notice.reference in queue
    page = client.get(f"/office/notices/{notice.pk}/").content.decode()
    assert "Conflicting notices" in page and "Free alternatives" not in page  # free as filed
    # a big rally takes the whole square first: now the officer is shown free alternatives
    big = filed(bolat, square, purpose="Big", hours=3, people=50_000)
    services.decide(big, dana, "accepted")
    page = client.get(f"/office/notices/{notice.pk}/").content.decode()
    assert "Free alternatives" in page and big.reference in page
    # a refusal without a ground is refused with a message
    response = client.post(f"/office/notices/{notice.pk}/", {"outcome": "refused", "reasoning": "No."})
    assert "at least one legal ground" in response.content.decode()
    # refuse with a ground and an alternative: first the confirmation, which saves nothing
    refusal = {
        "outcome": "refused",
        "grounds": ["public_order_threat"],
        "reasoning": "Marathon on the route.",
        "alternative": "manual",
        "alt_venue": gandhi.pk,
        "alt_date": future().date().isoformat(),
        "alt_start": "10:00",
        "alt_end": "12:00",
    }
    response = client.post(f"/office/notices/{notice.pk}/", refusal)
    page = response.content.decode()
    assert "Please check before you confirm" in page and "Gandhi Park" in page and "Marathon" in page
    assert not notice.decisions.exists()
    response = client.post(f"/office/notices/{notice.pk}/", {**refusal, "confirm": "1"})
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.status == Status.REFUSED
    decision = notice.decisions.get()
    pdf = client.get(f"/letters/{decision.reference}.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert decision.reference in text and "14.1.3" in text and "Marathon on the route." in text
    assert "Решение по уведомлению" in text and "Отказано" in text  # Russian: the notice's language
    assert "Ганди" in text  # the alternative, named in Russian
    public = client.get(f"/decisions/{decision.reference}/").content.decode()
    assert decision.letter.sha256 in public
    assert "Seitkali" not in public and "900101400123" not in public


def test_an_officer_of_another_city_cannot_open_the_notice(client, square, aigerim, yerlan):
    notice = filed(aigerim, square)
    sign_in_with_totp(client, yerlan)
    assert client.get(f"/office/notices/{notice.pk}/").status_code == 404
    assert client.post(f"/office/notices/{notice.pk}/", {"outcome": "accepted"}).status_code == 404
    assert notice.reference not in client.get("/office/").content.decode()


def test_day_sheet_check_in_and_out(client, square, aigerim, dana):
    start = timezone.now().astimezone(ALMATY).replace(second=0, microsecond=0) - dt.timedelta(minutes=30)
    notice = services.file_notice(
        aigerim,
        assembly_type="picket",
        purpose="P",
        venue=square,
        starts_at=start + dt.timedelta(days=1),
        ends_at=start + dt.timedelta(days=1, hours=2),
        expected_participants=10,
        at=start - dt.timedelta(days=10),
    )
    services.decide(notice, dana, "accepted")
    sign_in_with_totp(client, dana)
    day = notice.starts_at.astimezone(ALMATY).date().isoformat()
    sheet = client.get("/office/day/", {"venue": square.pk, "date": day}).content.decode()
    assert (
        notice.reference in sheet
        and "Check-in opens 60 minutes before the start" in sheet
        and 'value="check_in"' not in sheet
    )
    with time_machine.travel(notice.starts_at - dt.timedelta(minutes=10), tick=False):
        sheet = client.get("/office/day/", {"venue": square.pk, "date": day}).content.decode()
        assert 'value="check_in"' in sheet
        asked = client.post(f"/office/notices/{notice.pk}/attendance/", {"action": "check_in"})
        assert "Please check before you confirm" in asked.content.decode()
        assert notice.bookings.first().checked_in_at is None
        done = client.post(
            f"/office/notices/{notice.pk}/attendance/",
            {"action": "check_in", "next": "https://evil.example/", "confirm": "1"},
        )
    assert done["Location"] == "/office/day/"  # never an outside address
    assert notice.bookings.first().checked_in_at == notice.starts_at - dt.timedelta(minutes=10)


def test_the_precheck_says_when_the_place_is_taken_and_offers_free_times(
    organizer_client, square, bolat, dana
):
    big = filed(bolat, square, purpose="Big", hours=3, people=50_000)
    services.decide(big, dana, "accepted")
    page = organizer_client.post(
        "/notices/new/",
        notice_form(
            square, check="1", expected_participants="50000", window_start="09:00", window_end="20:00"
        ),
    )
    text = page.content.decode()
    # one clear verdict, and options that name their place and can be taken with a click
    assert "lawful, but the place is taken at that time" in text and "No rule is broken" not in text
    assert 'name="use" value="0"' in text and "Republic Square (" in text
    taken = organizer_client.post(
        "/notices/new/",
        notice_form(
            square,
            check="1",
            use="0",
            expected_participants="50000",
            window_start="09:00",
            window_end="20:00",
        ),
    ).content.decode()
    assert "lawful and the place is free at that time" in taken  # the option, put in the form


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"outcome": "refused", "grounds": ["venue_booked"], "alternative": "manual"},
            "Give the place, date",
        ),
        (
            {
                "outcome": "refused",
                "grounds": ["venue_booked"],
                "alternative": "manual",
                "alt_date": "2031-01-01",
                "alt_start": "12:00",
                "alt_end": "11:00",
                "alt_venue": "VENUE",
            },
            "must end after it starts",
        ),
        ({"outcome": "maybe"}, "Select a valid choice"),
        ({"outcome": "refused", "grounds": ["dislike"]}, "Select a valid choice"),
        ({"outcome": "accepted_with_conditions"}, "State the conditions"),
        ({"outcome": "accepted", "reasoning": "x" * 5000}, "at most 4000 characters"),
        ({"outcome": "alternative_offered"}, "Offer the alternative"),
    ],
)
def test_the_decision_form_refuses_bad_input_clearly(client, square, aigerim, dana, data, message):
    notice = filed(aigerim, square)
    sign_in_with_totp(client, dana)
    data = {k: (square.pk if v == "VENUE" else v) for k, v in data.items()}
    response = client.post(f"/office/notices/{notice.pk}/", data)
    assert response.status_code == 200 and message in response.content.decode()
    notice.refresh_from_db()
    assert notice.status == Status.SUBMITTED and not notice.decisions.exists()


def test_an_empty_appeal_is_refused_with_a_message(organizer_client, square, aigerim, dana):
    notice = filed(aigerim, square)
    services.decide(
        notice,
        dana,
        "refused",
        grounds=["public_order_threat"],
        reasoning="Road works on the square.",
        alternative={"venue": square.pk, "starts_at": future(hour=17), "ends_at": future(hour=18)},
    )
    response = organizer_client.post(f"/notices/{notice.pk}/appeal/", {"text": ""}, follow=True)
    assert "This field is required." in response.content.decode()
    notice.refresh_from_db()
    assert notice.status == Status.REFUSED


def test_password_reset_sends_a_link(client, aigerim, mailoutbox):
    response = client.post("/accounts/password/reset/", {"email": aigerim.email})
    assert response.status_code == 302
    [email] = mailoutbox
    assert "/accounts/password/reset/key/" in email.body


def test_the_queue_counts_conflicts_and_flags_overdue_in_a_constant_number_of_queries(
    client, square, aigerim, bolat, dana, django_assert_max_num_queries
):
    sign_in_with_totp(client, dana)
    first = filed(aigerim, square, people=50_000)
    filed(bolat, square, people=50_000)  # the same place and time: one conflict each
    with CaptureQueriesContext(connection) as few:
        page = client.get("/office/").content.decode()
    assert first.reference in page
    assert re.search(rf"{first.reference}</a></th>(?:.|\n)*?<td[^>]*>1</td>\s*</tr>", page)
    for hour in range(9, 15):
        filed(aigerim, square, hours=1, people=10, purpose=f"More {hour}")
    with django_assert_max_num_queries(len(few)):
        client.get("/office/")
    Notice.objects.filter(pk=first.pk).update(decision_due_at=timezone.now() - dt.timedelta(hours=1))
    assert 'class="overdue"' in client.get("/office/").content.decode()


def test_a_late_notice_is_offered_its_earliest_lawful_day_not_options_on_the_same_day(
    organizer_client, square
):
    tomorrow = (timezone.localtime() + dt.timedelta(days=1)).date()
    form = {**notice_form(square, check="1"), "date": tomorrow.isoformat()}
    text = organizer_client.post("/notices/new/", form).content.decode()
    assert "As filed, this notice breaks a rule" in text and 'name="use" value="earliest"' in text
    assert 'name="use" value="0"' not in text  # no option on a day that is unlawful anyway
    moved = organizer_client.post("/notices/new/", {**form, "use": "earliest"}).content.decode()
    assert "lawful and the place is free at that time" in moved


def test_the_filing_form_shows_the_rules_before_anything_is_typed(organizer_client, square):
    page = organizer_client.get("/notices/new/").content.decode()
    assert "The rules, if you file today" in page and "Earliest lawful day" in page
    assert "09:00–20:00" in page and "at most 4 h" in page


def test_a_city_whose_rulebook_lists_no_topics_files_without_one_and_almaty_still_asks(
    organizer_client, square
):
    from agora.demo import make_jurisdiction, make_venue, names

    london = make_jurisdiction("london", names("London", "Лондон", "Лондон"), "LON", "uk-poa-1986")
    trafalgar = make_venue(
        london, "trafalgar-square", names("Trafalgar Square", "Т", "Т"), 51.508, -0.1281, 50, 70
    )
    day = (future() + dt.timedelta(days=7)).date().isoformat()
    form = notice_form(trafalgar, assembly_type="procession", topic="rights", date=day, submit="1")
    said = organizer_client.post("/notices/new/", form).content.decode()
    assert (
        "This city&#x27;s rulebook has no list of topics" in said
        or "This city's rulebook has no list" in said
    )
    response = organizer_client.post("/notices/new/", {**form, "topic": ""})
    assert response.status_code == 302, response.content.decode()[:2000]
    notice = Notice.objects.get()
    assert notice.topic == "" and notice.jurisdiction == london and notice.violations == []
    missing = organizer_client.post("/notices/new/", notice_form(square, topic="", submit="1"))
    assert missing.status_code == 200 and "Choose what the assembly is about." in missing.content.decode()
