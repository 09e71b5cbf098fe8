"""Issue 13's variant of the seed in a real browser: B's peace rally is accepted for the
afternoon; the administrator then declares a "state event" closure of the square for that
afternoon on the office's Closures page. The venue page and the register show the closure
with its declaration time and the flag; B's organizer is told (in Russian) and offered an
alternative; the audit log holds every step."""

import pytest
from django.utils import timezone

from agora import i18n
from agora.audit.models import AuditEvent
from agora.demo import current_code
from agora.notices import services
from agora.notices.models import Notice
from agora.notices.workflow import Status
from agora.rules.calendar import WorkingCalendar
from agora.venues.models import Closure
from tests.browser.conftest import CHROMIUM
from tests.conftest import ALMATY, PASSWORD, TOTP_SECRET, file

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (apt-get install chromium)"),
    pytest.mark.django_db(transaction=True),
]


def test_a_state_event_over_an_accepted_peace_rally_is_public_and_repaired(
    browser, live_server, mailoutbox, square, gandhi, dana, bolat
):
    url = live_server.url
    dana.officer.administers = True
    dana.officer.save()
    today = timezone.now().astimezone(ALMATY).date()
    day = WorkingCalendar("KZ").earliest_event_date(today, 5)
    at = lambda hour: timezone.datetime.combine(day, timezone.datetime.min.time().replace(hour=hour), ALMATY)  # noqa: E731
    peace = file(bolat, square, at(14), at(18), people=500, purpose="Peace rally")
    services.decide(peace, dana, "accepted", reasoning="Meets the requirements.")
    mailoutbox.clear()

    admin = browser.new_context().new_page()
    admin.goto(f"{url}/accounts/login/")
    admin.fill("#id_login", "dana")
    admin.fill("#id_password", PASSWORD)
    admin.click("main button[type=submit]")
    admin.fill("#id_code", current_code(TOTP_SECRET))
    admin.click("main button[type=submit]")
    admin.goto(f"{url}/office/closures/")
    admin.select_option("#id_venue", str(square.pk))
    admin.select_option("#id_ground", "state_event")
    admin.fill("#id_reason", "Official ceremony on the square.")
    admin.fill("#id_start_date", day.isoformat())
    admin.fill("#id_start_time", "13:00")
    admin.fill("#id_end_date", day.isoformat())
    admin.fill("#id_end_time", "19:00")
    admin.click("text=Declare the closure")
    confirm = admin.inner_text("main")
    assert "Please check before you confirm" in confirm and peace.reference in confirm
    admin.click("main button.primary")
    assert "Closure declared." in admin.inner_text("main")
    closure = Closure.objects.get()
    declared = i18n.when(closure.declared_at, ALMATY)  # the page language is English here

    # the public sees the act, when it was declared, by which office, and the flag
    public = browser.new_context().new_page()
    for page in (f"/places/{square.pk}/", "/register/"):
        public.goto(url + page)
        table = public.locator("table.closures").first
        assert "Official ceremony on the square." in table.inner_text() and declared in table.inner_text()
        assert public.locator("table.closures tr.flagged").count() == 1, page

    # B's organizer is told, in Russian, and the notice is back with an officer
    peace.refresh_from_db()
    assert peace.status == Status.UNDER_REVIEW and peace.displaced_by == closure
    [email] = [m for m in mailoutbox if m.to == [bolat.email]]
    assert "Official ceremony on the square." in email.body and "закрыл" in email.body

    # the officer offers a computed alternative, on the closure's ground
    admin.goto(f"{url}/office/notices/{peace.pk}/")
    admin.click("ul.alternatives a.button >> nth=0")
    admin.check("input[name=outcome][value=alternative_offered]")
    admin.check("input[name=grounds][value=venue_closed]")
    admin.fill("#id_reasoning", "The square is closed for an official ceremony that afternoon.")
    admin.click("text=Record the decision")
    admin.click("main button.primary")
    peace.refresh_from_db()
    assert peace.status == Status.ALTERNATIVE_OFFERED

    # every step is in the audit log, and the public audit page lists them
    kinds = list(AuditEvent.objects.order_by("seq").values_list("event", flat=True))
    for kind in ("closure.declared", "notice.displaced", "booking.released", "notice.alternative_offered"):
        assert kind in kinds
    assert kinds.index("closure.declared") < kinds.index("notice.displaced")
    public.goto(f"{url}/audit/")
    assert "closure.declared" in public.inner_text("main") or "closure" in public.inner_text("main")
    assert Notice.objects.get(pk=peace.pk).displaced_by == closure
