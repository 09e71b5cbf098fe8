"""A march through three agencies and the officer's decision, in Russian, in a real browser:
each agency's staff member signs in with TOTP, finds the march in their queue and answers (one
with conditions from the rulebook's list); the officer sees every answer beside the notice and
decides; the public decision page shows the agencies' answers."""

import base64
import os

import pytest
from allauth.mfa.totp.internal.auth import TOTP

from agora.accounts.models import AgencyStaff
from agora.demo import current_code
from agora.notices.workflow import Status
from agora.rules.models import Agency
from tests.browser.conftest import CHROMIUM
from tests.conftest import PASSWORD, TOTP_SECRET, _user, file, future

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (apt-get install chromium)"),
    pytest.mark.django_db(transaction=True),
]

AGENCIES = {
    "police": "Департамент полиции",
    "traffic": "Дорожная полиция",
    "emergency": "Департамент по ЧС",
}


def signed_in(browser, url, username, secret, lang="ru"):
    context = browser.new_context()
    context.add_cookies([{"name": "django_language", "value": lang, "url": url}])
    page = context.new_page()
    page.goto(f"{url}/accounts/login/")
    page.fill("#id_login", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.fill("#id_code", current_code(secret))
    page.click("main button[type=submit]")
    return page


def test_a_march_through_three_agencies_and_the_officers_decision(
    browser, live_server, square, aigerim, dana
):
    url = live_server.url
    secrets = {}
    for code, name in AGENCIES.items():
        agency = Agency.objects.create(
            jurisdiction=square.jurisdiction, code=code, name={"ru": name, "en": code}
        )
        user = _user(code)
        AgencyStaff.objects.create(user=user, agency=agency)
        secrets[code] = base64.b32encode(os.urandom(20)).decode()
        TOTP.activate(user, secrets[code])
    march = file(
        aigerim, square, future(days=21, hour=11), future(days=21, hour=13), kind="march", people=900
    )

    answers = {"police": "consent", "traffic": "consent_with_conditions", "emergency": "consent"}
    for code, outcome in answers.items():
        page = signed_in(browser, url, code, secrets[code])
        page.goto(f"{url}/agency/")
        assert "Согласования" in page.inner_text("h1") and AGENCIES[code] in page.inner_text("h1")
        page.click(f"text={march.reference}")
        assert "900" in page.inner_text("main")
        page.check(f"input[name=outcome][value={outcome}]")
        if outcome == "consent_with_conditions":
            page.check("input[name=conditions][value=traffic_marshals]")
            page.fill("#id_conditions_text", "Проспект Абая перекрыт с 10:30.")
        page.click("main button.primary")
        assert "Пожалуйста, проверьте перед подтверждением" in page.inner_text("main")
        page.click("main button.primary")
        assert "отправлен" in page.inner_text("main")
        page.context.close()

    officer = signed_in(browser, url, "dana", TOTP_SECRET)
    officer.goto(f"{url}/office/notices/{march.pk}/")
    panel = officer.inner_text("main")
    assert (
        "Согласование" in panel
        and "Согласовано с условиями" in panel
        and "Регулировщики на каждом перекрёстке" in panel
    )
    officer.check("input[name=outcome][value=accepted_with_conditions]")
    officer.fill("#id_conditions", "Соблюдать условия согласующих ведомств.")
    officer.click("main form button.primary")
    officer.click("main button.primary")
    march.refresh_from_db()
    assert march.status == Status.ACCEPTED_WITH_CONDITIONS
    decision = march.decisions.get()

    public = browser.new_context().new_page()
    public.context.add_cookies([{"name": "django_language", "value": "ru", "url": url}])
    public.goto(f"{url}/decisions/{decision.reference}/")
    shown = public.inner_text("main")
    assert "Дорожная полиция" in shown and "Проспект Абая перекрыт с 10:30." in shown
    assert "traffic@example.org" not in shown
