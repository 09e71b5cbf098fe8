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
