"""The sample city, the home page and the admin: what `make demo` shows."""

import pytest
from django.core.management import call_command

from agora.accounts.models import Organizer
from agora.audit.services import verify_chain
from agora.notices.models import Notice
from agora.notices.workflow import Status
from agora.scheduling.models import Booking


@pytest.fixture
def demo(db):
    call_command("load-demo")


def test_the_demo_has_a_notice_in_every_state_and_a_valid_chain(demo):
    assert set(Notice.objects.values_list("status", flat=True)) == set(Status.values)
    assert verify_chain().ok
    assert Booking.objects.exists()


def test_loading_the_demo_twice_changes_nothing(demo, capsys):
    before = Notice.objects.count()
    call_command("load-demo")
    assert "already loaded" in capsys.readouterr().out
    assert Notice.objects.count() == before


def test_the_home_page_lists_the_venues_in_the_chosen_language(demo, client):
    page = client.get("/").content.decode()
    assert "Republic Square" in page and "Gandhi Park" in page and "West half" in page
    client.post("/i18n/setlang/", {"language": "ru"})
    page = client.get("/").content.decode()
    assert "Площадь Республики" in page


def test_the_register_names_organizations_but_no_private_person(demo, client):
    private = Organizer.objects.get(user__username="aigerim")
    secrets = [private.full_name, private.phone, private.national_id, private.user.email]
    assert private.kind == "person" and all(secrets)  # there is something to leak
    page = client.get("/register/").content.decode()
    assert "Green Almaty Society" in page and f"private organizer no. {private.pk}" in page
    for secret in secrets:
        assert secret not in page


def test_an_administrator_manages_everything_in_the_admin(demo, client):
    assert client.get("/admin/").status_code == 302  # login first
    client.login(username="admin", password="agora-demo-2026")
    for page in [
        "",
        "rules/jurisdiction/",
        "rules/rulebook/",
        "venues/venue/",
        "venues/closure/",
        "accounts/organizer/",
        "accounts/officer/",
        "notices/notice/",
        "notices/decision/",
        "scheduling/booking/",
        "audit/auditevent/",
    ]:
        assert client.get(f"/admin/{page}").status_code == 200, page
    notice = Notice.objects.exclude(reference=None).first()
    assert client.get(f"/admin/notices/notice/{notice.pk}/change/").status_code == 200


def test_the_audit_log_is_read_only_even_for_the_administrator(demo, client):
    client.login(username="admin", password="agora-demo-2026")
    assert client.post("/admin/audit/auditevent/1/delete/", {"post": "yes"}).status_code == 403
    assert verify_chain().ok


def test_a_non_staff_user_cannot_enter_the_admin(demo, client):
    client.login(username="aigerim", password="agora-demo-2026")
    assert client.get("/admin/notices/notice/").status_code == 302


@pytest.mark.parametrize(
    ("lang", "text"),
    [("kk", "Арнайы орындар"), ("ru", "Специализированные места"), ("en", "Designated places")],
)
def test_pages_speak_kazakh_russian_and_english(demo, client, lang, text):
    client.post("/i18n/setlang/", {"language": lang})
    assert text in client.get("/").content.decode()


def test_the_stylesheet_and_htmx_are_served(client, db):
    for path in ("/static/agora/agora.css", "/static/agora/htmx.min.js"):
        response = client.get(path)
        assert response.status_code == 200, path


def test_the_home_page_explains_the_process_and_shows_what_is_coming(demo, client):
    page = client.get("/").content.decode()
    assert "Check and file." in page and "The authority decides in time." in page
    assert 'href="/notices/new/"' in page  # for everyone: a visitor is asked to sign in first
    assert ">Deadlines<" in page and "Notify at least" in page
    assert ">5 working days</td>" in page and ">3 working days after filing</td>" in page  # periods in words
    coming = page.split("Assemblies today and in the next two weeks")[1].split("Designated places")[0]
    assert "/register/ALA-" in coming  # an accepted assembly of the demo, linked to its page
