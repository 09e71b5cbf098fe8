"""Every page of each role on a phone: at 375 px the document is no wider than the screen
(tables scroll inside the page, the menu is one line that scrolls on its own), and axe-core
finds no serious or critical violation. Screenshots of each page at 375 and 1280 px are kept
as CI artifacts (artifacts/screenshots/phone-*, wide-*)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from agora.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, current_code
from agora.notices.models import Decision, Notice
from agora.venues.models import Venue
from tests.browser.conftest import CHROMIUM
from tests.browser.test_languages import ARTIFACTS, AXE

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (apt-get install chromium)"),
    pytest.mark.django_db(transaction=True),
]
PHONE, WIDE = 375, 1280


def pages_of(role: str) -> list[str]:
    square = Venue.objects.get(slug="republic-square")
    decision = Decision.objects.filter(alternative__isnull=False).first()
    mine = Notice.objects.filter(organizer__user__username="aigerim").exclude(status="draft").first()
    pending = Notice.objects.filter(status__in=["submitted", "under_review"]).first()
    if role == "organizer":
        return ["/notices/", "/notices/new/", f"/notices/{mine.pk}/", "/accounts/tokens/", "/accounts/2fa/"]
    if role == "officer":
        return [
            "/office/",
            f"/office/notices/{pending.pk}/",
            "/office/day/",
            "/office/closures/",
            "/office/places/",
            f"/office/places/{square.pk}/",
            "/office/calendar/",
        ]
    return [
        "/",
        "/register/",
        "/statistics/",
        "/audit/",
        f"/places/{square.pk}/",
        f"/places/{square.pk}/?view=day",
        f"/places/{square.pk}/availability/",
        f"/decisions/{decision.reference}/",
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/password/reset/",
        "/no-such-page/",
    ]


def sign_in(page, base: str, role: str) -> None:
    if role == "visitor":
        return
    page.goto(base + "/accounts/login/")
    page.fill("#id_login", "dana" if role == "officer" else "aigerim")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("main button[type=submit]")
    if role == "officer":
        page.fill("#id_code", current_code(DEMO_TOTP_SECRET))
        page.click("main button[type=submit]")


@pytest.mark.parametrize("lang", ["kk", "ru"])
@pytest.mark.parametrize("role", ["visitor", "organizer", "officer"])
def test_every_page_fits_a_phone(browser, live_server, role, lang):
    call_command("load-demo", stdout=io.StringIO())
    problems = []
    context = browser.new_context(locale=lang, viewport={"width": PHONE, "height": 800})
    context.add_cookies([{"name": "django_language", "value": lang, "url": live_server.url}])
    page = context.new_page()
    sign_in(page, live_server.url, role)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for path in pages_of(role):
        name = path.strip("/").replace("/", "_").replace("?", "_").replace("=", "-") or "home"
        page.set_viewport_size({"width": PHONE, "height": 800})
        page.goto(live_server.url + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE:
            problems.append(f"{lang} {role} {path}: {width} px wide at {PHONE} px")
        page.screenshot(path=str(ARTIFACTS / f"phone-{lang}-{role}-{name}.png"), full_page=True)
        if lang == "kk":  # axe once per page: the rules do not change with the language
            for violation in AXE.run(page).response["violations"]:
                if violation["impact"] in ("serious", "critical"):
                    targets = [n["target"] for n in violation["nodes"]][:3]
                    problems.append(
                        f"{lang} {role} {path}: {violation['id']} ({violation['impact']}) {targets}"
                    )
            page.set_viewport_size({"width": WIDE, "height": 900})
            page.screenshot(path=str(ARTIFACTS / f"wide-{lang}-{role}-{name}.png"), full_page=True)
    context.close()
    assert not problems, "\n".join(problems)
