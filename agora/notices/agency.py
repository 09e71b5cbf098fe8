"""The pages of a consulted agency's staff: their queue by deadline and the answer form. They
see what the task needs (type, place, time, route, participants, stewards, equipment,
purpose) and nothing of the organizer."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from agora.accounts.access import agency_required

from . import consultations
from .confirm import changing, confirm_page, confirmed
from .forms import ConsultationAnswerForm
from .models import Consultation
from .views import add_service_errors
from .workflow import PENDING


def _mine(request):
    return Consultation.objects.for_staff(request.user).select_related(
        "agency", "notice__venue", "notice__jurisdiction", "notice__rulebook"
    )


@agency_required
def queue(request):
    waiting = _mine(request).outstanding().filter(notice__status__in=PENDING).order_by("due_at", "pk")
    answered = _mine(request).exclude(state=Consultation.State.PENDING).order_by("-answered_at", "-pk")[:20]
    return render(
        request,
        "agency/queue.html",
        {"waiting": waiting, "answered": answered, "agency": request.agency, "now": timezone.now()},
    )


@agency_required
def answer(request, pk):
    consultation = get_object_or_404(_mine(request), pk=pk)
    notice = consultation.notice
    form = ConsultationAnswerForm(request.POST or None, rulebook=notice.rulebook)
    open_ = not consultation.answered and notice.status in PENDING
    if request.method == "POST" and open_ and not changing(request) and form.is_valid():
        d = form.cleaned_data
        try:
            if not confirmed(request):
                consultations.answer(consultation, request.user, **d, dry=True)
                lines = [dict(form.fields["outcome"].choices)[d["outcome"]]]
                if d["conditions"]:
                    lines.append(
                        _("Conditions: %(text)s")
                        % {
                            "text": "; ".join(
                                notice.rulebook.rules.condition_text(c, request.LANGUAGE_CODE)
                                for c in d["conditions"]
                            )
                        }
                    )
                if d["conditions_text"]:
                    lines.append(_("Other conditions: %(text)s") % {"text": d["conditions_text"]})
                if d["reasons"]:
                    lines.append(_("Reasons: %(text)s") % {"text": d["reasons"]})
                lines.append(
                    _(
                        "The deciding officer sees the answer at once; "
                        "it is public once the notice is decided."
                    )
                )
                return confirm_page(
                    request,
                    title=_("Answer the consultation on %(ref)s") % {"ref": notice.reference},
                    lines=lines,
                    button=_("Send the answer"),
                    change=_("Change the answer"),
                    cancel=request.path,
                    warning=_("An answer cannot be changed once sent."),
                )
            consultations.answer(consultation, request.user, **d)
            messages.success(request, _("Answer on %(ref)s sent.") % {"ref": notice.reference})
            return redirect("agency:queue")
        except ValidationError as error:
            add_service_errors(form, error)
    return render(
        request,
        "agency/answer.html",
        {"consultation": consultation, "notice": notice, "form": form, "open": open_},
    )
