"""The organizer's API (an organizer token): file and pre-check notices, follow them, answer
alternatives and offers, appeal, withdraw, download letters. The same services as the pages."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Router
from ninja.responses import Status as Reply

from agora.notices import review, services, words
from agora.notices.letters import letter_for
from agora.notices.models import Decision, Notice
from agora.notices.receipts import NotFiled, receipt_for
from agora.scheduling.models import Booking, MoveRequest, Offer
from agora.venues.models import Venue

from . import schemas as s
from .core import ERRORS, ApiError, TokenAuth

router = Router(tags=["organizer"], auth=TokenAuth("organizer"))


def _own(request, notice_id: int) -> Notice:
    return get_object_or_404(Notice.objects.for_organizer(request.user), pk=notice_id)


def _fresh(notice: Notice) -> Notice:
    """The notice as saved, to answer with after an action."""
    return Notice.objects.prefetch_related("decisions", "bookings", "offers").get(pk=notice.pk)


def _new(notice: Notice) -> Notice:
    """A notice just filed or drafted, as saved: it has no decisions, bookings or offers yet,
    so the answer does not read them back."""
    notice._prefetched_objects_cache = {
        **getattr(notice, "_prefetched_objects_cache", {}),
        "decisions": Decision.objects.none(),
        "bookings": Booking.objects.none(),
        "offers": Offer.objects.none(),
    }
    return notice


def _fields(payload: s.NoticeIn) -> dict:
    data = payload.dict(exclude={"submit", "venue", "zone", "acceptable_venues"})
    venue = get_object_or_404(Venue.objects.select_related("jurisdiction__rulebook"), pk=payload.venue)
    zone = venue.zones.filter(pk=payload.zone).first() if payload.zone else None
    if payload.zone and zone is None:
        raise ApiError(
            422, "invalid", "The zone must belong to the venue.", {"zone": ["not a zone of the venue"]}
        )
    others = list(Venue.objects.filter(pk__in=payload.acceptable_venues))
    if len(others) != len(set(payload.acceptable_venues)):
        raise ApiError(
            422, "invalid", "Unknown venue in acceptable_venues.", {"acceptable_venues": ["unknown id"]}
        )
    return {**data, "venue": venue, "zone": zone, "acceptable_venues": others}


@router.post("/notices", response={201: s.OwnNoticeOut, **ERRORS})
def create_notice(request, payload: s.NoticeIn):
    """File a notice (or keep it as a draft with `submit: false`). Rule violations do not stop filing."""
    fields = _fields(payload)
    notice = (services.file_notice if payload.submit else services.create_draft)(request.user, **fields)
    return Reply(201, _new(notice))


@router.post("/notices/precheck", response={200: s.PrecheckOut, **ERRORS})
def precheck(request, payload: s.NoticeIn):
    """The rule pre-check of a notice, and free alternatives, without filing anything."""
    fields = _fields(payload)
    others = fields.pop("acceptable_venues")
    notice = Notice(organizer=request.user.organizer, jurisdiction=fields["venue"].jurisdiction, **fields)
    report = review.precheck_report(notice, others, limit=5)
    return {
        "violations": [{**v.as_dict(), "message": words.violation(v)} for v in report["violations"]],
        "free_as_filed": report["free"],
        "alternatives": [s.Option.of(o) for o in report["alternatives"]],
    }


@router.get("/notices", response={200: s.NoticePage, **ERRORS})
def my_notices(request, cursor: int | None = None, limit: int = 50):
    """Your notices, newest first; pass `next_cursor` back as `cursor` for the next page."""
    limit = max(1, min(limit, 100))
    rows = (
        Notice.objects.for_organizer(request.user)
        .order_by("-pk")
        .prefetch_related("decisions", "bookings", "offers")
    )
    if cursor is not None:
        rows = rows.filter(pk__lt=cursor)
    items = list(rows[: limit + 1])
    more = len(items) > limit
    return {"items": items[:limit], "next_cursor": str(items[limit - 1].pk) if more else None}


@router.get("/notices/{notice_id}", response={200: s.OwnNoticeOut, **ERRORS})
def my_notice(request, notice_id: int):
    return _fresh(_own(request, notice_id))


@router.post("/notices/{notice_id}/withdraw", response={200: s.OwnNoticeOut, **ERRORS})
def withdraw(request, notice_id: int, payload: s.ReasonIn):
    return _fresh(services.withdraw(_own(request, notice_id), request.user, reason=payload.reason))


@router.post("/notices/{notice_id}/appeal", response={200: s.OwnNoticeOut, **ERRORS})
def appeal(request, notice_id: int, payload: s.AppealIn):
    return _fresh(services.appeal(_own(request, notice_id), request.user, text=payload.text))


@router.post("/notices/{notice_id}/alternative", response={200: s.OwnNoticeOut, **ERRORS})
def answer_alternative(request, notice_id: int, payload: s.AnswerIn):
    notice = _own(request, notice_id)
    answer = services.accept_alternative if payload.answer == "accept" else services.decline_alternative
    return _fresh(answer(notice, request.user))


@router.post("/moves/{move_id}", response={200: s.OwnNoticeOut, **ERRORS})
def answer_move(request, move_id: int, payload: s.AnswerIn):
    """Agree to the authority's request to move your accepted assembly, or keep your booking."""
    move = get_object_or_404(MoveRequest, pk=move_id, notice__in=Notice.objects.for_organizer(request.user))
    if payload.answer == "accept":
        services.accept_move(move, request.user)
    else:
        services.decline_move(move, request.user)
    return _fresh(move.notice)


@router.post("/offers/{offer_id}", response={200: s.OwnNoticeOut, **ERRORS})
def answer_offer(request, offer_id: int, payload: s.AnswerIn):
    offer = get_object_or_404(Offer, pk=offer_id, notice__in=Notice.objects.for_organizer(request.user))
    if payload.answer == "accept":
        services.accept_offer(offer, request.user)
    else:
        services.decline_offer(offer, request.user)
    return _fresh(offer.notice)


PDF = {
    "description": "The letter",
    "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
}


@router.get("/letters/{reference}", response=ERRORS, openapi_extra={"responses": {200: PDF}})
def letter(request, reference: str):
    """The PDF letter of a decision on one of your notices."""
    decision = get_object_or_404(
        Decision.objects.filter(notice__in=Notice.objects.with_letters_for(request.user)), reference=reference
    )
    return HttpResponse(bytes(letter_for(decision).pdf), content_type="application/pdf")


RECEIPT_PDF = {
    "description": "The filing receipt, signed, with its JSON attached",
    "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
}


def _receipt(request, notice_id: int):
    notice = _own(request, notice_id)
    if notice.filed_at is None:
        raise ApiError(409, "not_filed", "A draft has no receipt: file the notice first.")
    try:
        return receipt_for(notice)
    except NotFiled:
        raise ApiError(
            409, "not_filed", "This notice's filing is not in the audit log, so it has no receipt."
        ) from None


@router.get("/notices/{notice_id}/receipt", response={200: s.ReceiptOut, **ERRORS})
def receipt(request, notice_id: int):
    """The filing receipt: the reference, the filing time to the second in the city's zone,
    the fingerprint of what was filed, its event in the audit log, the inclusion proof and the
    signed checkpoint. Check it offline with `agora_verify.py receipt`."""
    return _receipt(request, notice_id).bundle


@router.get(
    "/notices/{notice_id}/receipt.pdf", response=ERRORS, openapi_extra={"responses": {200: RECEIPT_PDF}}
)
def receipt_pdf(request, notice_id: int):
    """The same receipt as a PDF in the notice's language, signed by the authority."""
    return HttpResponse(bytes(_receipt(request, notice_id).pdf), content_type="application/pdf")
