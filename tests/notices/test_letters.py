"""The decision letter as an official document, in each language: read back from the PDF, a
refusal with an alternative names every item an organizer (or a court) needs."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from agora import i18n
from agora.accounts.models import Officer
from agora.i18n import pick
from agora.notices import services
from agora.notices.letters import render_pdf
from agora.rules.models import Jurisdiction
from tests.conftest import ALMATY, file, future

EXPECTED = {
    "en": [
        "4 Republic Square, Almaty 050001",
        "To: {organizer}",
        "Rally",
        "Republic Square (West half)",
        "(UTC+5)",
        "14.1.3: There is a threat to state security",
        "Legal grounds (Law of the Republic of Kazakhstan",
        "Offered instead: Gandhi Park",
        "How to appeal: by",
        "to the superior authority or to the administrative court",
        "Dana Sarsenova",
        "Head of the public order unit",
        "https://agora.example.kz/decisions/",
    ],
    "ru": [
        "г. Алматы, пл. Республики, 4",
        "Кому: {organizer}",
        "Митинг",
        "Площадь Республики (Западная часть)",
        "(UTC+5)",
        "14.1.3: Имеется угроза государственной безопасности",
        "Правовые основания (Закон Республики Казахстан",
        "Взамен предложено: Парк Ганди",
        "Как обжаловать: не позднее",
        "в вышестоящий орган или в административный суд",
        "Dana Sarsenova",
        "Руководитель отдела общественного порядка",
        "https://agora.example.kz/decisions/",
    ],
    "kk": [
        "Алматы қ., Республика алаңы, 4",
        "Кімге: {organizer}",
        "Митинг",
        "Республика алаңы (Батыс бөлігі)",
        "(UTC+5)",
        "14.1.3: Мемлекеттік қауіпсіздікке",
        "Құқықтық негіздер",
        "Орнына ұсынылғаны: Ганди саябағы",
        "Шағымдану мерзімінің соңғы күні",
        "жоғары тұрған органға немесе әкімшілік сотқа",
        "Dana Sarsenova",
        "Қоғамдық тәртіп бөлімінің басшысы",
        "https://agora.example.kz/decisions/",
    ],
}


@pytest.fixture
def refusal(square, gandhi, aigerim, dana, settings):
    settings.AGORA_PUBLIC_URL = "https://agora.example.kz"
    Jurisdiction.objects.filter(pk=square.jurisdiction_id).update(
        address={
            "en": "4 Republic Square, Almaty 050001, Kazakhstan",
            "ru": "Республика Казахстан, 050001, г. Алматы, пл. Республики, 4",
            "kk": "Қазақстан Республикасы, 050001, Алматы қ., Республика алаңы, 4",
        }
    )
    dana.first_name, dana.last_name = "Dana", "Sarsenova"
    dana.save()
    Officer.objects.filter(user=dana).update(
        position={
            "en": "Head of the public order unit",
            "ru": "Руководитель отдела общественного порядка",
            "kk": "Қоғамдық тәртіп бөлімінің басшысы",
        }
    )
    west = square.zones.get(slug="west")
    notice = file(
        aigerim, square, future(hour=10), future(hour=12), zone=west, purpose="For peace in the city"
    )
    return services.decide(
        notice,
        dana,
        "refused",
        grounds=["public_order_threat"],
        reasoning="The road works make the square unsafe that morning.",
        alternative={"venue": gandhi.pk, "starts_at": future(hour=15), "ends_at": future(hour=16)},
    )


def text_of(pdf: bytes) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.mark.parametrize("lang", ["en", "ru", "kk"])
def test_a_refusal_letter_names_everything_in_its_language(refusal, lang):
    notice = refusal.notice
    notice.language = lang
    notice.save(update_fields=["language"])
    refusal.refresh_from_db()
    text = text_of(render_pdf(refusal))
    expected = [item.format(organizer=notice.organizer.full_name) for item in EXPECTED[lang]]
    expected.append(pick(notice.jurisdiction.name, lang))  # the authority, in the letter's language
    missing = [item for item in expected if item not in text]
    assert missing == [], f"{lang} letter lacks {missing}:\n{text}"
    assert refusal.reference in text and notice.reference in text
    # the requested time and the appeal's deadline, in the letter's language and the city's time
    from django.utils import translation

    with translation.override(lang):
        assert i18n.span(notice.starts_at, notice.ends_at, ALMATY) in text
    # no code, no English in a Russian or Kazakh letter (but the names people wrote)
    for code in ("public_order_threat", "rally", "refused", "assumed"):
        assert code not in text
