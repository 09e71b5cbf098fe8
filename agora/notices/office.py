"""The officer's pages: review queue by deadline, decision form with computed
alternatives, appeals, and the day sheet for check-in and check-out."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agora.accounts.access import officer_required
from agora.i18n import pick
from agora.venues.models import Venue

from . import review, services
from .forms import AppealDecisionForm, DaySheetForm, DecisionForm
from .models import Notice
from .views import add_service_errors
from .workflow import Status


@officer_required
def queue(request):
    now = timezone.now()
    notices = list(review.queue(request.officer.jurisdiction).select_related("venue"))
    for notice in notices:
        notice.time_left = review.time_left(notice, now)
        notice.overdue = notice.time_left is not None and notice.time_left.total_seconds() < 0
        notice.conflict_count = review.conflicts(notice).count()
    return render(request, "office/queue.html", {"notices": notices})


def _labelled(options, tz) -> list[dict]:
    venues = {v.pk: v for v in Venue.objects.filter(pk__in={o["venue"] for o in options})}
    for option in options:
        option["label"] = (
            f"{pick(venues[option['venue']].name)}, {option['starts_at'].astimezone(tz):%Y-%m-%d %H:%M}"
            f"–{option['ends_at'].astimezone(tz):%H:%M}"
            + ("" if option["within_acceptable"] else " " + _("(outside what the organizer listed)"))
        )
    return options


@officer_required
def decide(request, pk):
    notice = get_object_or_404(
        Notice.objects.select_related("venue", "rulebook", "jurisdiction", "organizer"),
        pk=pk,
        jurisdiction=request.officer.jurisdiction,
    )
    tz = ZoneInfo(notice.jurisdiction.timezone)
    computed = _labelled(review.computed_alternatives(notice), tz)
    form = DecisionForm(request.POST or None, notice=notice, computed=computed)
    appeal_form = AppealDecisionForm(request.POST or None) if notice.status == Status.APPEALED else None
    if request.method == "POST":
        try:
            if appeal_form is not None:
                if appeal_form.is_valid():
                    services.resolve_appeal(notice, request.user, **appeal_form.cleaned_data)
                    messages.success(request, _("Appeal decided."))
                    return redirect("office:queue")
            elif form.is_valid():
                d = form.cleaned_data
                services.decide(
                    notice,
                    request.user,
                    d["outcome"],
                    grounds=d["grounds"],
                    reasoning=d["reasoning"].strip(),
                    conditions=d["conditions"].strip(),
                    alternative=d["alternative_place"],
                )
                messages.success(request, _("Decision on %(ref)s recorded.") % {"ref": notice.reference})
                return redirect("office:queue")
        except ValidationError as error:
            add_service_errors(appeal_form or form, error)
    context = {
        "notice": notice,
        "form": form,
        "appeal_form": appeal_form,
        "conflicts": review.conflicts(notice).select_related("venue"),
        "computed": computed,
        "decisions": notice.decisions.all(),
    }
    return render(request, "office/decide.html", context)


@officer_required
def day_sheet(request):
    jurisdiction = request.officer.jurisdiction
    tz = ZoneInfo(jurisdiction.timezone)
    form = DaySheetForm(
        request.GET or None, jurisdiction=jurisdiction, initial={"date": timezone.now().astimezone(tz).date()}
    )
    bookings = []
    if form.is_valid():
        bookings = review.day_sheet(form.cleaned_data["venue"], form.cleaned_data["date"])
    return render(request, "office/day_sheet.html", {"form": form, "bookings": bookings})


@require_POST
@officer_required
def record_attendance(request, pk):
    notice = get_object_or_404(Notice, pk=pk, jurisdiction=request.officer.jurisdiction)
    action = request.POST.get("action")
    try:
        if action == "check_in":
            services.check_in(notice, request.user)
        elif action == "check_out":
            made = services.check_out(notice, request.user)
            if made:
                messages.info(
                    request, _("Released time offered to %(n)d waiting notice(s).") % {"n": len(made)}
                )
        elif action in ("held", "not_held"):
            services.record_held(notice, request.user, held=action == "held")
        else:
            messages.error(request, _("Unknown action."))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "office:day_sheet"
    return redirect(target)
