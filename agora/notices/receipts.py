"""Filing receipts: what an organizer holds from the moment they file, to settle "who filed
first" without trusting the server later. The JSON receipt is the filing's event in the
public log, its inclusion proof and the signed checkpoint it leads to (agora.audit.proofs),
with the reference, the filing time to the second in the city's zone and the fingerprint of
what was filed; the PDF says the same in the notice's language, carries the JSON inside, and
is signed by the authority. Both are made on first request after the filing and kept."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import translation

from agora import i18n
from agora.audit import checkpoints, proofs
from agora.audit.models import AuditEvent
from agora.audit.offline import canonical
from agora.i18n import pick

from . import signing, words
from .models import Notice, Receipt

FORMAT = "agora filing receipt v1"


class NotFiled(ValueError):
    """The notice has no filing in the log (a draft, or filed before the log kept filings)."""


def filing_event(notice: Notice) -> int:
    seq = (
        AuditEvent.objects.filter(event="notice.filed", object_type="notice", object_id=str(notice.pk))
        .order_by("seq")
        .values_list("seq", flat=True)
        .first()
    )
    if seq is None:
        raise NotFiled(f"{notice.reference} has no filing in the audit log")
    return seq


def make_bundle(notice: Notice) -> dict:
    bundle = proofs.bundle(filing_event(notice), "receipt")
    tz = notice.jurisdiction.tz
    return {
        "format": FORMAT,
        "reference": notice.reference,
        "filed_at": i18n.local(notice.filed_at, tz).isoformat(timespec="seconds"),
        "time_zone": str(tz),
        "fingerprint": hashlib.sha256(canonical(bundle["event"]["data"])).hexdigest(),
        "index": bundle["event"]["seq"] - 1,
        **bundle,
        "verify": (
            "python3 agora_verify.py receipt THIS_FILE.json --key KEY "
            f"(the tool and KEY: {settings.AGORA_PUBLIC_URL}/audit/)"
        ),
    }


def render_pdf(notice: Notice, bundle: dict) -> bytes:
    from weasyprint import HTML, Attachment

    lang = notice.language
    tz = notice.jurisdiction.tz
    with translation.override(lang):
        context = {
            "lang": lang,
            "notice": notice,
            "bundle": bundle,
            "authority": pick(notice.jurisdiction.name, lang),
            "type": words.assembly_type(notice.assembly_type, notice.rulebook, lang),
            "place": pick(notice.venue.name, lang),
            "requested": i18n.span(notice.starts_at, notice.ends_at, tz, zone=True),
            "filed": i18n.to_the_second(notice.filed_at, tz),
            "checkpoint_at": i18n.to_the_second(checkpoints.latest().signed_at, tz),
            "audit_url": settings.AGORA_PUBLIC_URL + "/audit/",
            "key": checkpoints.verifier(),
        }
        html = render_to_string("letters/receipt.html", context)
        attachment = Attachment(
            string=receipt_json(bundle), base_url=None, name=f"{notice.reference}-receipt.json"
        )
        pdf = HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(attachments=[attachment])
        reason = translation.gettext("Filing receipt") + f" {notice.reference}"
    return signing.sign(pdf, reason=reason, location=pick(notice.jurisdiction.name, lang))


def receipt_json(bundle: dict) -> str:
    import json

    return json.dumps(bundle, ensure_ascii=False, indent=2, sort_keys=False) + "\n"


def receipt_for(notice: Notice) -> Receipt:
    """The notice's receipt, made on first use (after the filing committed) and kept."""
    existing = Receipt.objects.filter(notice=notice).first()
    if existing:
        return existing
    bundle = make_bundle(notice)
    pdf = render_pdf(notice, bundle)
    try:
        with transaction.atomic():
            return Receipt.objects.create(
                notice=notice, bundle=bundle, pdf=pdf, sha256=hashlib.sha256(pdf).hexdigest()
            )
    except IntegrityError:  # made meanwhile by a concurrent request: that one stands
        return Receipt.objects.get(notice=notice)
