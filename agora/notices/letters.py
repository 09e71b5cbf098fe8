"""Decision letters: HTML rendered by WeasyPrint into a PDF in the notice's language, with
the reference, the legal grounds quoted from the rulebook, the alternative, appeal
instructions, and a QR code to the decision's public verification page."""

from __future__ import annotations

import base64
import hashlib
import io

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from agora.i18n import pick
from agora.scheduling.place import Place
from agora.venues.models import Venue

from .models import Decision, Letter


def verification_url(decision: Decision) -> str:
    return settings.AGORA_PUBLIC_URL + reverse("decision_public", args=[decision.reference])


def _qr_svg(url: str) -> str:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def _context(decision: Decision, lang: str) -> dict:
    notice, rules = decision.notice, decision.rulebook.rules
    tz = notice.jurisdiction.tz
    alternative = None
    if decision.alternative:
        place = Place.of(decision.alternative)
        alternative = {
            "venue": pick(Venue.objects.get(pk=place.venue).name, lang),
            "starts_at": place.starts_at.astimezone(tz),
            "ends_at": place.ends_at.astimezone(tz),
        }
    url = verification_url(decision)
    return {
        "decision": decision,
        "notice": notice,
        "authority": pick(notice.jurisdiction.name, lang),
        "venue": pick(notice.venue.name, lang),
        "starts_at": notice.starts_at.astimezone(tz),
        "ends_at": notice.ends_at.astimezone(tz),
        "decided_at": decision.decided_at.astimezone(tz),
        # quoted in the letter's language where the rulebook has it, else in English
        "grounds": [
            (code, rules.refusal_grounds[code].article, rules.refusal_grounds[code].text(lang))
            for code in decision.grounds
            if code in rules.refusal_grounds
        ],
        "alternative": alternative,
        "verify_url": url,
        "qr": _qr_svg(url),
        "organizer": notice.organizer.public_name,
        "lang": lang,
    }


def render_pdf(decision: Decision) -> bytes:
    from weasyprint import HTML

    lang = decision.notice.language
    with translation.override(lang):
        html = render_to_string("letters/letter.html", _context(decision, lang))
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def letter_for(decision: Decision) -> Letter:
    """The decision's letter, made on first use and never changed afterwards."""
    existing = Letter.objects.filter(decision=decision).first()
    if existing:
        return existing
    pdf = render_pdf(decision)
    try:
        with transaction.atomic():
            return Letter.objects.create(
                decision=decision,
                pdf=pdf,
                sha256=hashlib.sha256(pdf).hexdigest(),
                language=decision.notice.language,
            )
    except IntegrityError:  # made meanwhile by a concurrent request: that one stands
        return Letter.objects.get(decision=decision)
