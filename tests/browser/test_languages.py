"""The main journeys of the public, an organizer and an officer in Kazakh, Russian and
English, in Debian's Chromium: each page is screenshotted (kept as CI artifacts in
`artifacts/screenshots/`, or AGORA_ARTIFACTS) and checked with axe-core, which must
report no serious or critical accessibility violation."""

import os
import pathlib

import pytest
from axe_playwright_python.sync_playwright import Axe

from agora.demo import current_code
from agora.notices import services
from agora.notices.models import Notice
from tests.browser.conftest import CHROMIUM
from tests.conftest import PASSWORD, TOTP_SECRET, file, future

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (apt-get install chromium)"),
    pytest.mark.django_db(transaction=True),
]
ARTIFACTS = pathlib.Path(os.environ.get("AGORA_ARTIFACTS", "artifacts")) / "screenshots"
NAV = {  # the menu's Register, File a notice, Review queue
    "en": ("Register", "File a notice", "Review queue"),
    "ru": ("Реестр", "Подать уведомление", "Очередь на рассмотрение"),
    "kk": ("Тізілім", "Хабарлама беру", "Қарау кезегі"),
}
AXE = Axe()


@pytest.fixture
def city(square, gandhi, aigerim, bolat, dana):
    accepted = file(bolat, square, future(hour=10), future(hour=12), purpose="Clean air", people=200)
    decision = services.decide(accepted, dana, "accepted")
    pending = file(
        bolat, gandhi, future(hour=15), future(hour=16), kind="picket", purpose="Bus lanes", people=20
    )
    return {"square": square, "decision": decision, "pending": pending}


class Visit:
    """Opens pages in one language, screenshots them, and runs axe-core on each."""

    def __init__(self, page, base: str, lang: str, who: str):
        self.page, self.base, self.lang, self.who = page, base, lang, who
        self.problems: list[str] = []

    def open(self, path: str, name: str):
        self.page.goto(self.base + path)
        self.check(name)

    def check(self, name: str):
        assert self.page.get_attribute("html", "lang") == self.lang, (name, self.lang)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{self.lang}-{self.who}-{name}.png"), full_page=True)
        for violation in AXE.run(self.page).response["violations"]:
            if violation["impact"] in ("serious", "critical"):
                targets = [n["target"] for n in violation["nodes"]][:3]
                self.problems.append(
                    f"{self.lang} {name}: {violation['id']} ({violation['impact']}) {targets}"
                )


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_public_organizer_and_officer_journeys_in_each_language(browser, live_server, city, lang):
    base = live_server.url
    register, file_a_notice, review_queue = NAV[lang]

    public = Visit(browser.new_context(locale=lang).new_page(), base, lang, "public")
    public.open("/", "places")
    public.page.click(f"nav >> text={register}")
    public.check("register")
    public.open(f"/places/{city['square'].pk}/", "venue")
    public.open("/statistics/", "statistics")
    public.open(f"/decisions/{city['decision'].reference}/", "decision")
    public.open("/audit/", "audit")

    organizer = Visit(browser.new_context(locale=lang).new_page(), base, lang, "organizer")
    organizer.open("/accounts/login/", "sign-in")
    organizer.page.fill("#id_login", "aigerim")
    organizer.page.fill("#id_password", PASSWORD)
    organizer.page.click("main button[type=submit]")
    organizer.page.click(f"nav >> text={file_a_notice}")
    organizer.page.select_option("#id_assembly_type", "rally")
    organizer.page.select_option("#id_topic", "rights")
    organizer.page.select_option("#id_venue", str(city["square"].pk))
    organizer.page.fill("#id_date", future().date().isoformat())
    organizer.page.fill("#id_start", "13:00")
    organizer.page.fill("#id_end", "14:00")
    organizer.page.fill("#id_expected_participants", "40")
    organizer.page.fill("#id_purpose", f"Journey {lang}")
    organizer.page.click("button[name=check]")
    organizer.check("file-a-notice")
    organizer.page.click("button[name=submit]")
    notice = Notice.objects.get(purpose=f"Journey {lang}")
    assert notice.reference in organizer.page.inner_text("main")
    organizer.check("notice")

    officer = Visit(browser.new_context(locale=lang).new_page(), base, lang, "officer")
    officer.page.goto(base + "/accounts/login/")
    officer.page.fill("#id_login", "dana")
    officer.page.fill("#id_password", PASSWORD)
    officer.page.click("main button[type=submit]")
    officer.page.fill("#id_code", current_code(TOTP_SECRET))
    officer.check("totp")
    officer.page.click("main button[type=submit]")
    officer.page.click(f"nav >> text={review_queue}")
    officer.check("queue")
    officer.page.click(f"text={notice.reference}")
    officer.check("decide")
    officer.page.check("input[name=outcome][value=accepted]")
    officer.page.click("form button[type=submit].primary")
    officer.check("confirm-decision")
    officer.page.click("main form button[type=submit].primary")
    notice.refresh_from_db()
    assert notice.status == "accepted"
    officer.open("/office/day/", "day-sheet")

    problems = public.problems + organizer.problems + officer.problems
    assert not problems, "\n".join(problems)
