"""The consulted agencies' API (an agency token): the consultations sent to your agency and
your answers. The same service as the agency's pages."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from ninja import Router

from agora.notices import consultations
from agora.notices.models import Consultation
from agora.notices.workflow import PENDING

from . import schemas as s
from .core import ERRORS, TokenAuth

router = Router(tags=["agency"], auth=TokenAuth("agency"))


def _mine(request):
    return Consultation.objects.for_staff(request.user).select_related("agency", "notice__venue")


@router.get("/agency/consultations", response={200: list[s.ConsultationTask], **ERRORS})
def agency_queue(request):
    """Consultations waiting for your agency's answer, by deadline."""
    rows = _mine(request).outstanding().filter(notice__status__in=PENDING).order_by("due_at", "pk")
    return list(rows[:500])


@router.get("/agency/consultations/{consultation_id}", response={200: s.ConsultationTask, **ERRORS})
def agency_consultation(request, consultation_id: int):
    """One consultation sent to your agency, answered or not."""
    return get_object_or_404(_mine(request), pk=consultation_id)


@router.post("/agency/consultations/{consultation_id}/answer", response={200: s.ConsultationTask, **ERRORS})
def answer_consultation(request, consultation_id: int, payload: s.ConsultationAnswerIn):
    """Consent, consent with conditions (codes from the rulebook's list, and/or text), or
    object with reasons; once, before the deadline, while the notice waits for its decision."""
    consultation = get_object_or_404(_mine(request), pk=consultation_id)
    consultations.answer(
        consultation,
        request.user,
        payload.outcome,
        conditions=payload.conditions,
        conditions_text=payload.conditions_text,
        reasons=payload.reasons,
    )
    return _mine(request).get(pk=consultation_id)
