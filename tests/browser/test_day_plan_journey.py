"""PRODUCT.md §6's seed case walked through the officer's pages under `fair`, in Kazakh, in
a real browser: from the queue to the day plan of the day, where the plan caps A and
accommodates B beside the paper process refusing B; then the confirmation that lists both
decisions, and the decisions recorded."""

import pytest
from django.utils import translation

from agora.notices import words
from agora.notices.workflow import Status
from tests.browser.conftest import CHROMIUM
from tests.browser.test_consultation_journey import signed_in
from tests.conftest import TOTP_SECRET, file, future

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (apt-get install chromium)"),
    pytest.mark.django_db(transaction=True),
]


def test_the_officer_resolves_the_seed_day_on_the_day_plan(
    browser, live_server, square, aigerim, bolat, dana
):
    a = file(
        bolat, square, future(days=14, hour=9), future(days=14, hour=20), people=50_000, purpose="Support"
    )
    b = file(aigerim, square, future(days=14, hour=14), future(days=14, hour=18), people=50_000)
    page = signed_in(browser, live_server.url, dana.username, TOTP_SECRET, lang="kk")
    page.goto(f"{live_server.url}/office/")
    page.click(f"tr:has-text('{a.reference}') a[href^='/office/plan/']")
    assert page.locator("h1").inner_text().startswith("Күн жоспары")
    summary = page.locator("dl.plan-summary").inner_text()
    assert "2" in summary.split("Жоспар сыйғызады")[1].split("\n")[1]  # the plan: both
    assert "1" in summary.split("Қазіргі қағаз тәртібі")[1]  # the paper process: A alone
    paper_b = page.locator(f"table.cards tr:has-text('{b.reference}') td").nth(4).inner_text()
    with translation.override("kk"):
        assert paper_b == words.status("refused")  # refused by the paper process
    page.click("form[method=post] button.primary")
    assert page.locator("fieldset.plan-decision").count() == 2
    page.fill(f"#conditions-{a.pk}", "Алаңды 13:00-де босатыңыз.")
    page.click("section.confirm button.primary")
    assert "2 шешім жазылды." in page.locator("ul.messages").inner_text()
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.status, b.status) == (Status.ACCEPTED_WITH_CONDITIONS, Status.ACCEPTED)
    assert a.decisions.get().conditions == "Алаңды 13:00-де босатыңыз."
    page.context.close()
