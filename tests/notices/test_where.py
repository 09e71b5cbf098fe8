"""Where and when, always (issue 16): after the organizer takes an alternative at another
square, every page, register row and e-mail says where the assembly now holds its place, with
what was asked beside it; the organizer cannot be sent to the wrong square."""

from __future__ import annotations

from django.core import mail
from django.test import override_settings

from agora.notices import services
from tests.conftest import file, future, refuse_with_alternative


@override_settings(HUEY={"immediate": True, "huey_class": "huey.MemoryHuey", "name": "test"})
def test_an_accepted_alternative_elsewhere_is_where_every_page_says(
    client, square, gandhi, aigerim, dana, django_capture_on_commit_callbacks
):
    notice = file(aigerim, square, future(hour=10), future(hour=12), people=40, purpose="For clean air")
    refuse_with_alternative(notice, dana, gandhi, hour=16)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.accept_alternative(notice, aigerim)
    client.force_login(aigerim)
    client.cookies["django_language"] = "en"
    page = client.get(f"/notices/{notice.pk}/").content.decode()
    held = page.split("Held place and time")[1][:400]
    assert "Gandhi Park" in held and "asked for: Republic Square" in held
    register = client.get("/register/").content.decode()
    row = register[register.index(notice.reference) :][:1500]
    assert "Gandhi Park" in row and "asked for: Republic Square" in row
    # the e-mail, in the organizer's own language (Aigerim reads Kazakh)
    [message] = [m for m in mail.outbox if notice.reference in m.subject]
    assert "Сіздің орныңыз: Ганди саябағы" in message.body
    assert "Сіз сұрағаныңыз: Республика алаңы" in message.body
