"""The consultation in the pages: an agency's staff answer from their queue (with TOTP, and a
confirmation), the officer sees every agency's state beside the notice and is held until all
are settled or says why, and once decided the public pages and the letter show the answers."""

from __future__ import annotations

import io

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from pypdf import PdfReader

from agora.accounts.models import AgencyStaff
from agora.notices.papers import issue_letters
from agora.rules.models import Agency
from tests.conftest import TOTP_SECRET, _user, file, future, sign_in_with_totp

NAMES = {"police": "Police", "traffic": "Traffic police", "emergency": "Emergency services"}


@pytest.fixture
def staff(almaty):
    made = {}
    for code, name in NAMES.items():
        agency = Agency.objects.create(
            jurisdiction=almaty, code=code, name={"en": name, "ru": name, "kk": name}
        )
        user = _user(code)
        AgencyStaff.objects.create(user=user, agency=agency)
        TOTP.activate(user, TOTP_SECRET)
        made[code] = user
    return made


@pytest.fixture
def march(square, aigerim, staff):
    return file(aigerim, square, future(days=21, hour=11), future(days=21, hour=13), kind="march", people=600)


def answer(client, consultation, data):
    url = f"/agency/consultations/{consultation.pk}/"
    asked = client.post(url, data)
    assert "Please check before you confirm" in asked.content.decode(), asked.content.decode()[:3000]
    consultation.refresh_from_db()
    assert consultation.state == "pending"  # the confirmation saves nothing
    return client.post(url, {**data, "confirm": "1"})


def test_agencies_answer_and_the_officer_decides_in_the_pages(client, march, staff, dana, aigerim):
    asked = {c.agency.code: c for c in march.consultations.select_related("agency")}
    client.force_login(aigerim)  # the organizer sees whom the authority consults, and by when
    own = client.get(f"/notices/{march.pk}/").content.decode()
    assert "Before deciding, the authority asks these agencies" in own and "Emergency services" in own
    client.logout()
    for code, data in {
        "police": {"outcome": "consent"},
        "traffic": {
            "outcome": "consent_with_conditions",
            "conditions": ["traffic_marshals"],
            "conditions_text": "Abay Avenue closed.",
        },
    }.items():
        client.logout()
        sign_in_with_totp(client, staff[code])
        queue = client.get("/agency/").content.decode()
        assert march.reference in queue and "Aigerim" not in queue
        page = client.get(f"/agency/consultations/{asked[code].pk}/").content.decode()
        assert "Your answer" in page and "600" in page
        assert "Traffic marshals at every crossing" in page  # the rulebook's closed list, in words
        done = answer(client, asked[code], data)
        assert done.status_code == 302 and done["Location"] == "/agency/"
    # another agency's consultation is not found; a bad answer says what is wrong
    assert client.get(f"/agency/consultations/{asked['police'].pk}/").status_code == 404
    client.logout()
    sign_in_with_totp(client, staff["emergency"])
    bad = client.post(f"/agency/consultations/{asked['emergency'].pk}/", {"outcome": "objection"})
    assert "An objection needs its reasons." in bad.content.decode()

    client.logout()
    sign_in_with_totp(client, dana)
    page = client.get(f"/office/notices/{march.pk}/").content.decode()
    assert "Consultation" in page and "Consents with conditions" in page and "Waiting for the answer" in page
    assert "Abay Avenue closed." in page
    held = client.post(f"/office/notices/{march.pk}/", {"outcome": "accepted"})
    assert "Still waiting for: Emergency services" in held.content.decode()
    decision = {"outcome": "accepted", "consultation_note": "The route was walked with emergency services."}
    client.post(f"/office/notices/{march.pk}/", decision)
    done = client.post(f"/office/notices/{march.pk}/", {**decision, "confirm": "1"})
    assert done.status_code == 302
    made = march.decisions.get()
    assert made.consultation_note == "The route was walked with emergency services."

    client.logout()
    public = client.get(f"/decisions/{made.reference}/").content.decode()
    assert "Traffic marshals at every crossing" in public and "Abay Avenue closed." in public
    assert "The route was walked with emergency services." in public
    assert "traffic@example.org" not in public and ">traffic<" not in public  # no staff names
    register = client.get(f"/register/{march.reference}/").content.decode()
    assert "Consents with conditions" in register

    issue_letters(march.pk)
    client.force_login(aigerim)
    own = client.get(f"/notices/{march.pk}/").content.decode()
    assert "Consents with conditions" in own and "Abay Avenue closed." in own
    pdf = client.get(f"/letters/{made.reference}.pdf")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    # in the notice's language (Kazakh): the agency's condition from the rulebook's list, and its own words
    assert "Traffic police: Әр қиылыста реттеушілер" in text and "Traffic police: Abay Avenue closed." in text
    # and the officer's reason not to wait
    assert "The route was walked with emergency services." in " ".join(text.split())


def test_the_agency_pages_are_for_agency_staff_with_a_second_factor(client, march, staff, dana, aigerim):
    for user in (aigerim, dana):
        client.force_login(user)
        assert client.get("/agency/").status_code == 403
    client.logout()
    assert client.get("/agency/")["Location"].startswith("/accounts/login/")
    client.force_login(staff["police"])  # a password alone: the authenticator code is asked for
    assert "/reauthenticate/" in client.get("/agency/")["Location"]
    assert "/reauthenticate/" in client.get("/accounts/tokens/")["Location"]


def test_agency_staff_find_their_queue_in_the_menu_and_make_an_agency_token(client, march, staff):
    sign_in_with_totp(client, staff["traffic"])
    home = client.get("/").content.decode()
    assert 'href="/agency/"' in home and 'href="/accounts/tokens/"' in home
    made = client.post("/accounts/tokens/", {"name": "dispatch desk"})
    assert made.status_code == 200 and "dispatch desk" in made.content.decode()
    assert staff["traffic"].api_tokens.get().role == "agency"
