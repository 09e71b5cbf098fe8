"""The officer's pages: review queue by deadline, decision form with computed
alternatives, appeals, and the day sheet for check-in and check-out."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from agora import i18n
from agora.accounts.access import officer_required
from agora.scheduling import planning

from . import review, services, words
from .confirm import changing, confirm_page, confirmed
from .forms import AppealDecisionForm, DaySheetForm, DecisionForm
from .models import Notice
from .views import add_service_errors
from .workflow import GOING_AHEAD, PENDING, Status

QUEUE_PAGE = 50


@officer_required
def queue(request):
    # paged: an authority with years of backlog still gets its page in a few queries. The
    # page is counted and cut on the bare queue, and only its rows get their facts (counting
    # the annotated queue would compute every waiting notice's conflicts)
    waiting = review.queue(request.officer.jurisdiction)
    page = Paginator(waiting.only("pk"), QUEUE_PAGE).get_page(request.GET.get("page"))
    ids = [n.pk for n in page.object_list]
    facts = (
        Notice.objects.filter(pk__in=ids)
        .with_review_facts(timezone.now(), review.changeover(request.officer.jurisdiction))
        .select_related("venue", "jurisdiction")
    )
    by_id = {n.pk: n for n in facts}
    page.object_list = [by_id[pk] for pk in ids]
    jurisdiction, rounds = request.officer.jurisdiction, {}
    with_rounds = jurisdiction.rulebook.rules.fairness.rounds is not None
    for n in page.object_list:  # where the rulebook allocates in rounds: when the day's closes
        day = n.local_day
        if with_rounds and day not in rounds:
            rounds[day] = planning.round_closes(jurisdiction, day)  # the calendar is kept per process
        n.round_closes = rounds.get(day)
        n.cannot_wait = planning.cannot_wait(n, n.round_closes)
    return render(request, "office/queue.html", {"notices": page.object_list, "page": page})


def _labelled(options, jurisdiction) -> list[dict]:
    return [
        {
            "option": option,
            "label": review.place_label(option.place, jurisdiction)
            + ("" if option.within_acceptable else " " + _("(outside what the organizer listed)")),
        }
        for option in options
    ]


def _decision_lines(notice, data, computed) -> list[str]:
    """What recording this decision will do, in words, for the confirmation step."""
    rules = notice.rulebook.rules
    outcome = words.status(data["outcome"])  # the decision as a noun ("Refused"), not the button
    lines = [_("Decision on %(ref)s: %(outcome)s") % {"ref": notice.reference, "outcome": outcome}]
    if data["grounds"]:
        lines.append(
            _("Legal grounds: %(grounds)s")
            % {
                "grounds": "; ".join(
                    words.ground(g, notice.rulebook) for g in data["grounds"] if g in rules.refusal_grounds
                )
            }
        )
    if data["reasoning"].strip():
        lines.append(_("Reasoning: %(text)s") % {"text": data["reasoning"].strip()})
    if data["conditions"].strip():
        lines.append(_("Conditions: %(text)s") % {"text": data["conditions"].strip()})
    if data.get("consultation_note", "").strip():
        lines.append(
            _("Decided before every agency answered, because: %(text)s")
            % {"text": data["consultation_note"].strip()}
        )
    if data["alternative_place"]:
        lines.append(
            _("Alternative offered: %(place)s")
            % {"place": review.place_label(data["alternative_place"], notice.jurisdiction)}
        )
    if data["outcome"] in ("accepted", "accepted_with_conditions"):
        lines.append(
            _("The place is booked for this assembly: %(place)s.")
            % {"place": review.place_label(services.request_place(notice), notice.jurisdiction)}
        )
    lines.append(
        _("The organizer receives the decision and its letter; the decision is published in the register.")
    )
    return lines


@officer_required
def decide(request, pk):
    notice = get_object_or_404(
        Notice.objects.for_officer(request.user).select_related(
            "venue", "rulebook", "jurisdiction", "organizer"
        ),
        pk=pk,
    )
    advice = planning.advice(notice)
    options = review.computed_alternatives(notice)
    planned = advice["item"] if advice and advice["item"]["outcome"] == "alternative_offered" else None
    if planned:
        # the alternatives come from the plan for everyone waiting that day, its placement first
        options = [planning.Option(planned["placement"], 0, True)] + [
            o for o in options if o.place != planned["placement"]
        ]
    computed = _labelled(options, notice.jurisdiction)
    initial = None
    offer = request.GET.get("offer", "")
    if request.method == "GET" and offer.isdigit() and int(offer) < len(computed):
        initial = review.offer_form(notice, int(offer))  # "Offer this": fill in, do not decide
        if planned and offer == "0":  # the plan's own ground and reasons
            initial.update(grounds=planned["grounds"], reasoning=planned["reason"])
    form = DecisionForm(request.POST or None, notice=notice, computed=computed, initial=initial)
    appeal_form = AppealDecisionForm(request.POST or None) if notice.status == Status.APPEALED else None
    cancel = reverse("office:decide", args=[notice.pk])
    if request.method == "POST" and not changing(request):
        try:
            if appeal_form is not None:
                if appeal_form.is_valid():
                    d = appeal_form.cleaned_data
                    name = "overturn" if d["grant"] else "uphold"
                    if not confirmed(request):
                        services.run(name, notice, request.user, dry=True, reasoning=d["reasoning"])
                        verdict = (
                            _("Grant: the notice goes ahead as filed")
                            if d["grant"]
                            else _("Reject: the decision stands")
                        )
                        return confirm_page(
                            request,
                            title=_("Decide the appeal on %(ref)s") % {"ref": notice.reference},
                            lines=[verdict, _("Reasoning: %(text)s") % {"text": d["reasoning"]}],
                            button=_("Record the appeal decision"),
                            cancel=cancel,
                        )
                    services.resolve_appeal(notice, request.user, **d)
                    messages.success(request, _("Appeal decided."))
                    return redirect("office:queue")
            elif form.is_valid():
                d = form.cleaned_data
                decision = dict(
                    grounds=d["grounds"],
                    reasoning=d["reasoning"].strip(),
                    conditions=d["conditions"].strip(),
                    alternative=d["alternative_place"],
                    consultation_note=d.get("consultation_note", ""),
                )
                if not confirmed(request):
                    services.decide(notice, request.user, d["outcome"], dry=True, **decision)
                    return confirm_page(
                        request,
                        title=_("Record the decision on %(ref)s") % {"ref": notice.reference},
                        lines=_decision_lines(notice, d, computed),
                        button=_("Record the decision"),
                        change=_("Change the decision"),
                        cancel=cancel,
                        warning=_("A decision cannot be changed once recorded, except on appeal."),
                    )
                services.decide(notice, request.user, d["outcome"], **decision)
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
        "consultations": notice.consultations.select_related(
            "agency", "notice__jurisdiction", "notice__rulebook"
        ),
        "pending": notice.status in PENDING,
        "advice": _advice_words(advice, notice),
        "round": _round(notice),
        "day_plan": reverse("office:day_plan", args=[notice.local_day.isoformat()]),
    }
    return render(request, "office/decide.html", context)


def _round(notice) -> dict | None:
    """Where the rulebook allocates in rounds: when this notice's day's round closes, and
    whether the notice can wait for it."""
    closes = (
        planning.round_closes(notice.jurisdiction, notice.local_day) if notice.awaiting_decision else None
    )
    if closes is None:
        return None
    return {
        "closes": closes,
        "open": timezone.now() < closes,
        "cannot_wait": planning.cannot_wait(notice, closes),
    }


def _advice_words(advice: dict | None, notice) -> dict | None:
    if advice is None:
        return None
    item = advice["item"]
    return {
        **advice,
        "outcome": words.status(item["outcome"]),
        "label": review.place_label(item["placement"], notice.jurisdiction) if item["placement"] else "",
        "lost": [n.reference for n in advice["lost"]],
        "as_planned": item["outcome"] == "accepted",
    }


ATTENDANCE = {
    "check_in": ("check_in", gettext_lazy("Check in")),
    "check_out": ("check_out", gettext_lazy("Check out")),
    "held": ("record_held", gettext_lazy("Record as held")),
    "not_held": ("record_not_held", gettext_lazy("Record as not held")),
}


def _attendance(booking, user, now) -> dict:
    """The buttons an officer can press for a booking's notice now, and for an assembly that
    goes ahead, why the next step cannot be taken yet (e.g. "Check-in opens at 13:00")."""
    notice = booking.notice
    why = {key: services.why_not(name, notice, user, at=now) for key, (name, _label) in ATTENDANCE.items()}
    hints = []
    if notice.status in GOING_AHEAD:
        step = "check_in" if booking.checked_in_at is None else "held"
        if why[step]:
            hints.append(why[step])
    buttons = [(key, label) for key, (_name, label) in ATTENDANCE.items() if why[key] is None]
    return {"buttons": buttons, "hints": hints}


@officer_required
def day_sheet(request):
    jurisdiction = request.officer.jurisdiction
    form = DaySheetForm(
        request.GET or None,
        jurisdiction=jurisdiction,
        initial={"date": jurisdiction.local_day(timezone.now())},
    )
    rows = []
    if form.is_valid():
        now, seen = timezone.now(), {}
        for booking in review.day_sheet(form.cleaned_data["venue"], form.cleaned_data["date"]):
            if booking.notice_id not in seen:  # what can be recorded now, and why not
                seen[booking.notice_id] = _attendance(booking, request.user, now)
            rows.append({"booking": booking, **seen[booking.notice_id]})
    context = {"form": form, "rows": rows}
    return render(request, "office/day_sheet.html", context)


@require_POST
@officer_required
def record_attendance(request, pk):
    notice = get_object_or_404(Notice.objects.for_officer(request.user), pk=pk)
    action = request.POST.get("action")
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("office:day_sheet")
    if action not in ATTENDANCE:
        messages.error(request, _("Unknown action."))
        return redirect(target)
    if not confirmed(request):
        problem = services.why_not(ATTENDANCE[action][0], notice, request.user)
        if problem:
            messages.error(request, problem)
            return redirect(target)
        now = timezone.localtime(timezone.now(), notice.jurisdiction.tz)
        return confirm_page(
            request,
            title=f"{ATTENDANCE[action][1]}: {notice.reference}",
            lines=[
                _("%(action)s for %(ref)s at %(time)s.")
                % {
                    "action": ATTENDANCE[action][1],
                    "ref": notice.reference,
                    "time": i18n.when(now, notice.jurisdiction),
                },
                _("The time is recorded and published in the register.")
                if action in ("check_in", "check_out")
                else _("This closes the notice; it cannot be changed afterwards."),
                _("The rest of the booking is released at once and offered to waiting notices.")
                if action == "check_out" and notice.rulebook.rules.fairness.release_on_checkout
                else "",
            ],
            button=str(ATTENDANCE[action][1]),
            cancel=target,
        )
    try:
        if action == "check_in":
            services.check_in(notice, request.user)
        elif action == "check_out":
            made = services.check_out(notice, request.user)
            if made:
                messages.info(
                    request, _("Released time offered to %(n)d waiting notice(s).") % {"n": len(made)}
                )
        else:
            services.record_held(notice, request.user, held=action == "held")
        messages.success(request, _("Recorded."))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    return redirect(target)
