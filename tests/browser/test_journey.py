"""The main journey in a real browser: Debian's Chromium driven by Playwright, headless.

Organizer signs up (email verification), files a pre-checked notice; the officer signs in
with TOTP and refuses it with a ground and an alternative; the organizer accepts the
alternative and downloads the letter, whose text holds the reference and the ground.
Skipped where Chromium is not installed (`.ci/run` installs it)."""

import io
import re

import pytest
from django.utils import timezone
from pypdf import PdfReader

from agora.demo import current_code
from agora.notices.models import Notice
from agora.notices.workflow import Status
from agora.rules.calendar import WorkingCalendar
from tests.browser.conftest import CHROMIUM
from tests.conftest import ALMATY, PASSWORD, TOTP_SECRET

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (apt-get install chromium)"),
    pytest.mark.django_db(transaction=True),
]


def test_organizer_files_officer_refuses_with_alternative_organizer_accepts(
    browser, live_server, mailoutbox, square, gandhi, dana, tmp_path
):
    url = live_server.url
    today = timezone.now().astimezone(ALMATY).date()
    day = WorkingCalendar("KZ").earliest_event_date(today, 5).isoformat()  # lawful notice period
    organizer = browser.new_context(accept_downloads=True).new_page()
    organizer.goto(f"{url}/accounts/signup/")
    organizer.fill("#id_email", "asel@example.org")
    organizer.fill("#id_username", "asel")
    organizer.fill("#id_password1", "a-Long-passphrase-42")
    organizer.fill("#id_password2", "a-Long-passphrase-42")
    organizer.select_option("#id_kind", "person")
    organizer.fill("#id_full_name", "Asel Private")
    organizer.select_option("#id_language", "en")
    organizer.click("main button[type=submit]")
    link = re.search(r"http://\S+/accounts/confirm-email/\S+/", mailoutbox[-1].body).group(0)
    organizer.goto(link)
    organizer.click("main button[type=submit]")

    organizer.goto(f"{url}/notices/new/")
    organizer.select_option("#id_assembly_type", "rally")
    organizer.select_option("#id_topic", "rights")
    organizer.select_option("#id_venue", str(square.pk))
    organizer.fill("#id_date", day)
    organizer.fill("#id_start", "08:00")
    organizer.fill("#id_end", "11:00")
    organizer.fill("#id_expected_participants", "250")
    organizer.fill("#id_purpose", "Rally for clean air")
    organizer.click("button[name=check]")
    assert "Assemblies are allowed between 09:00 and 20:00" in organizer.inner_text("#precheck")
    organizer.fill("#id_start", "10:00")
    organizer.click("button[name=check]")
    assert "lawful and the place is free" in organizer.inner_text("#precheck")
    organizer.click("button[name=submit]")
    notice = Notice.objects.get(purpose="Rally for clean air")
    assert notice.reference in organizer.inner_text("main")

    officer = browser.new_context().new_page()
    officer.goto(f"{url}/accounts/login/")
    officer.fill("#id_login", "dana")
    officer.fill("#id_password", PASSWORD)
    officer.click("main button[type=submit]")
    officer.fill("#id_code", current_code(TOTP_SECRET))
    officer.click("main button[type=submit]")
    officer.goto(f"{url}/office/")
    officer.click(f"text={notice.reference}")
    officer.check("input[name=outcome][value=refused]")
    officer.check("input[name=grounds][value=public_order_threat]")
    officer.fill("#id_reasoning", "A marathon passes the square that morning.")
    officer.check("input[name=alternative][value=manual]")
    officer.select_option("#id_alt_venue", str(gandhi.pk))
    officer.fill("#id_alt_date", day)
    officer.fill("#id_alt_start", "15:00")
    officer.fill("#id_alt_end", "18:00")
    officer.click("text=Record the decision")
    assert "Please check before you confirm" in officer.inner_text("main")
    assert "Gandhi Park" in officer.inner_text("main")
    officer.click("main button.primary")
    assert "recorded" in officer.inner_text("main")
    notice.refresh_from_db()
    assert notice.status == Status.REFUSED

    organizer.goto(f"{url}/notices/{notice.pk}/")
    assert "Refused" in organizer.inner_text("main")
    organizer.click("text=Accept the alternative")
    assert "Gandhi Park" in organizer.inner_text("main")  # the confirmation says where
    organizer.click("main button.primary")
    notice.refresh_from_db()
    assert notice.status == Status.ACCEPTED
    assert notice.bookings.get().zone.venue == gandhi
    with organizer.expect_download() as download:
        organizer.click("text=Download the letter (PDF)")
    path = tmp_path / "letter.pdf"
    download.value.save_as(path)
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(path.read_bytes())).pages)
    decision = notice.decisions.get()
    assert decision.reference in text and "14.1.3" in text
