"""The statistics charts are drawn by a template: every text escaped, numbers that SVG reads
in every language."""

import re

from agora.notices import services
from tests.conftest import file_rally


def test_the_bar_charts_escape_labels_and_keep_svg_numbers_in_every_language(client, square, bolat, dana):
    notice = file_rally(bolat, square, 10)
    services.decide(notice, dana, "accepted", reasoning="<script>alert(1)</script>")
    for lang in ("ru", "kk", "en"):
        page = client.get("/statistics/", HTTP_ACCEPT_LANGUAGE=lang).content.decode()
        assert "<svg" in page and "<script>alert" not in page
        widths = re.findall(r'<rect [^>]*width="([^"]+)"', page)
        assert widths and all(re.fullmatch(r"\d+(\.\d+)?", w) for w in widths), (lang, widths)


def test_refusals_are_counted_by_the_topic_the_organizer_chose(db, client):
    """The statistics' topics come from the rulebook's closed list, in the reader's words, not
    from the first word of a purpose (which made topics of "evening" and of markup)."""
    from django.core.management import call_command

    call_command("load-demo", stdout=__import__("io").StringIO())
    client.cookies["django_language"] = "ru"
    page = client.get("/statistics/").content.decode()
    section = page.split("Доля отказов по темам")[1][:3000]
    assert "Экология" in section and "Транспорт и дороги" in section
    assert "evening" not in section and "&lt;script" not in section
