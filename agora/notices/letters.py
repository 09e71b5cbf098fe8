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
from agora.audit import proofs
from agora.audit.models import AuditEvent
from agora.audit.services import record
from agora.i18n import pick
from agora.scheduling.place import Place
from agora.venues.models import Venue

from . import signing, words
from .models import Decision, Letter
from .services import rules_of
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
    certificate = None
    if is_certificate(decision):
        type_rules = rules_of(notice)
        certificate = {
            "due": i18n.when(notice.decision_due_at or decision.decided_at, tz, zone=True),
            "period": words.decision_period(type_rules.decision),
            "articles": ", ".join(
                p.article
                for p in (type_rules.decision.after_filing, type_rules.decision.before_start)
                if p and p.article
            ),
            "silence": words.silence(type_rules.silence),
        }
    consulted = [
        (
            pick(c.agency.name, lang),
            [rules.condition_text(code, lang) for code in c.conditions]
            + ([c.conditions_text] if c.conditions_text else []),
        )
        for c in notice.consultations.select_related("agency")
        if c.conditions or c.conditions_text
    ]
    return {
        "consulted": consulted,
        "certificate": certificate,
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


def is_certificate(decision: Decision) -> bool:
    """A decision no officer made, by which the assembly goes ahead: its letter is the
    certificate of silence, the paper the police will ask for on the day."""
    return decision.officer_id is None and decision.outcome == Status.DEEMED_ACCEPTED


def _kind(decision: Decision) -> str:
    return "certificate" if is_certificate(decision) else "letter"


def render_pdf(decision: Decision) -> bytes:
    from weasyprint import HTML

    lang = decision.notice.language
    with translation.override(lang):
        html = render_to_string("letters/letter.html", _context(decision, lang))
        pdf = HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
        what = (
            translation.gettext("Certificate of silence")
            if is_certificate(decision)
            else translation.gettext("Decision")
        )
        return signing.sign(
            pdf, reason=f"{what} {decision.reference}", location=pick(decision.notice.jurisdiction.name, lang)
        )


def letter_for(decision: Decision) -> Letter:
    """The decision's letter, made and signed on first use, logged, and never changed."""
    existing = Letter.objects.filter(decision=decision).first()
    if existing:
        return existing
    pdf = render_pdf(decision)
    sha256 = hashlib.sha256(pdf).hexdigest()
    kind = _kind(decision)
    try:
        with transaction.atomic():
            letter = Letter.objects.create(
                decision=decision, pdf=pdf, sha256=sha256, language=decision.notice.language
            )
            # the log holds the file's hash: whoever has the file can prove it was issued
            record(
                "letter.issued",
                None,
                decision,
                {
                    "reference": decision.reference,
                    "notice": decision.notice.reference,
                    "kind": kind,
                    "sha256": sha256,
                },
            )
            return letter
    except IntegrityError:  # made meanwhile by a concurrent request: that one stands
        return Letter.objects.get(decision=decision)


def letter_proof(decision: Decision) -> dict | None:
    """The letter's issuing event with its inclusion proof and the latest signed checkpoint;
    None while the letter is not issued yet."""
    letter = Letter.objects.filter(decision=decision).only("sha256").first()
    seq = (
        AuditEvent.objects.filter(event="letter.issued", object_type="decision", object_id=str(decision.pk))
        .values_list("seq", flat=True)
        .first()
    )
    if letter is None or seq is None:  # not yet, or a letter made before letters were logged
        return None
    return {**proofs.bundle(seq, _kind(decision)), "reference": decision.reference, "sha256": letter.sha256}
