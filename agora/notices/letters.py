"""Decision letters, fit to be official documents: HTML rendered by WeasyPrint into a PDF in
the notice's language (kk, ru or en). The authority's name and address; the organizer's own
name or their organization's (the letter goes to them alone); the type, place and zones in
the letter's language; times with their zone; each legal ground quoted with its article;
the alternative; the deciding officer's name and position as signatory; the appeal route and
its deadline; the reference and a QR code to the decision's public page."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from agora import i18n
from agora.i18n import pick
from agora.scheduling.place import Place
from agora.venues.models import Venue

from . import words
from .models import Decision, Letter
from .workflow import APPEALABLE, GOING_AHEAD, Status


def verification_url(decision: Decision) -> str:
    return settings.AGORA_PUBLIC_URL + reverse("decision_public", args=[decision.reference])


def _qr_svg(url: str) -> str:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def _place(venue: Venue, zone_ids, lang: str) -> str:
    """The place as the letter names it: the venue and, where only part of it, the zones."""
    zones = [pick(z.name, lang) for z in venue.zones.filter(pk__in=list(zone_ids)).order_by("slug")]
    whole = len(zones) >= venue.zones.count()
    return pick(venue.name, lang) + ("" if whole or not zones else f" ({', '.join(zones)})")


def _addressee(organizer) -> str:
    """The letter goes to the organizer alone: their own name, or their organization's."""
    return organizer.organization_name or organizer.full_name


def _signatory(decision: Decision, lang: str) -> dict | None:
    officer = getattr(decision.officer, "officer", None) if decision.officer else None
    if officer is None:
        return None
    name = decision.officer.get_full_name() or decision.officer.get_username()
    return {"name": name, "position": pick(officer.position, lang)}


def _context(decision: Decision, lang: str) -> dict:
    notice, rules, rulebook = decision.notice, decision.rulebook.rules, decision.rulebook
    jurisdiction = notice.jurisdiction
    tz = jurisdiction.tz
    booked = list(notice.bookings.firm().values_list("zone_id", flat=True))
    requested = [notice.zone_id] if notice.zone_id else booked
    alternative = None
    if decision.alternative:
        place = Place.of(decision.alternative)
        alternative = {
            "place": _place(Venue.objects.get(pk=place.venue), place.zones, lang),
            "time": i18n.span(place.starts_at, place.ends_at, tz, zone=True),
        }
    appeal = None
    if rules.appeal is not None:
        by = decision.decided_at + dt.timedelta(days=rules.appeal.within_days)
        appeal = {
            "to": rules.appeal.to.get(lang) or rules.appeal.to["en"],
            "by": i18n.day(by, tz),
            # in Agora, a decision that does not let the assembly go ahead; beyond it, any
            "in_agora": decision.outcome in APPEALABLE,
        }
    url = verification_url(decision)
    return {
        "decision": decision,
        "notice": notice,
        "authority": pick(jurisdiction.name, lang),
        "authority_address": pick(jurisdiction.address, lang),
        "addressee": _addressee(notice.organizer),
        "type": words.assembly_type(notice.assembly_type, rulebook, lang),
        "place": _place(notice.venue, requested, lang),
        "requested": i18n.span(notice.starts_at, notice.ends_at, tz, zone=True),
        "filed": i18n.when(notice.filed_at, tz, zone=True),
        "decided": i18n.when(decision.decided_at, tz, zone=True),
        "participants": i18n.number(notice.expected_participants),
        "outcome": words.status(decision.outcome),
        "law": (rules.law or {}).get(lang) or (rules.law or {}).get("en", ""),
        # each ground quoted in the letter's language, with its article where the law has one
        "grounds": [words.ground(code, rulebook, lang) for code in decision.grounds],
        "reasoning": words.reasoning(decision),
        "alternative": alternative,
        "appeal": appeal,
        "overturned": decision.outcome == Status.OVERTURNED,
        "upheld": decision.outcome == Status.UPHELD,
        "goes_ahead": decision.outcome in GOING_AHEAD,
        "signatory": _signatory(decision, lang),
        "verify_url": url,
        "qr": _qr_svg(url),
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
