"""The organizer's pages: file a notice with the pre-check, my notices, one notice and its
actions (withdraw, alternative, offer, appeal), letters. Short views over the services."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from agora.accounts.access import organizer_required
from agora.scheduling.models import Booking, MoveRequest, Offer

from . import consultations, review, services
from .confirm import confirm_page, confirmed
from .forms import AppealForm, NoticeForm, WithdrawForm
from .letters import letter_for
from .models import Decision, Notice
from .receipts import NotFiled, receipt_for, receipt_json
from .workflow import ACTIONS


def add_service_errors(form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: on its field where the form has one."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def dashboard(request):
    """Where signing in lands: the page for the user's role."""
    if not request.user.is_authenticated:
        return redirect("account_login")
    if hasattr(request.user, "officer"):
        return redirect("office:queue")
    if hasattr(request.user, "organizer"):
        return redirect("my_notices")
    if request.user.is_superuser:
        return redirect("admin:index")
    return redirect("home")


@organizer_required
def my_notices(request):
    pending = {"notice": OuterRef("pk"), "state": "pending"}
    notices = (
        Notice.objects.for_organizer(request.user)
        .select_related("venue", "jurisdiction")
        # what waits for the organizer's own answer, flagged where they look first
        .annotate(
            asked_to_move=Exists(MoveRequest.objects.filter(**pending)),
            offer_waiting=Exists(Offer.objects.filter(**pending)),
            alternative_waiting=Exists(Booking.objects.for_open_alternatives().filter(notice=OuterRef("pk"))),
        )
        .order_by("-created_at")
    )
    return render(request, "notices/my_notices.html", {"notices": notices})


# rules whose breach a change of day mends, not of place or hour: options on the same day
# would break them too
DAY_RULES = {"late_notice", "early_notice", "in_the_past"}
HOUR = dt.timedelta(hours=1)


def _precheck(form, organizer):
    """The pre-check of a valid form's notice, not saved, as one clear verdict: lawful and
    free; lawful but taken (with the free options); or unlawful (with the rules). Options name
    the place and zones, differ by place or hour (not by a quarter), and can be taken with a
    click (`use`: the form is filled with the option)."""
    fields = form.notice_fields()
    others = fields.pop("acceptable_venues")
    notice = Notice(organizer=organizer, jurisdiction=fields["venue"].jurisdiction, **fields)
    report = review.precheck_report(notice, others, limit=12)
    codes = {v.code for v in report["violations"]}
    options, seen = [], set()
    if not codes & DAY_RULES:  # the same day is unlawful: no option on it is either
        for option in report["alternatives"]:
            place = option.place
            # another place or zones, or at least an hour from an option already shown there
            near = [
                s
                for v, z, s in seen
                if (v, z) == (place.venue, place.zones) and abs(s - place.starts_at) < HOUR
            ]
            if near:
                continue
            seen.add((place.venue, place.zones, place.starts_at))
            options.append({"label": review.place_label(place, notice.jurisdiction), "place": place})
            if len(options) == 3:
                break
    earliest = next((v.params.get("earliest") for v in report["violations"] if v.code == "late_notice"), None)
    verdict = "unlawful" if report["violations"] else ("free" if report["free"] else "taken")
    return {
        **report,
        "verdict": verdict,
        "options": options,
        "earliest": earliest,
        "rulebook": notice.jurisdiction.rulebook,  # names the types in the violations
        "tz": notice.jurisdiction.tz,
    }


def _take_option(request, form, check) -> NoticeForm:
    """The form as it was, with the chosen option's place, day and hours (or the earliest
    lawful day) put in: the organizer checks it again and files."""
    data = request.POST.copy()
    choice = request.POST.get("use", "")
    if choice == "earliest" and check["earliest"]:
        data["date"] = check["earliest"]
    elif choice.isdigit() and int(choice) < len(check["options"]):
        place = check["options"][int(choice)]["place"]
        tz = form.cleaned_data["venue"].jurisdiction.tz
        data["venue"] = str(place.venue)
        data["date"] = place.starts_at.astimezone(tz).date().isoformat()
        data["start"] = place.starts_at.astimezone(tz).strftime("%H:%M")
        data["end"] = place.ends_at.astimezone(tz).strftime("%H:%M")
    return NoticeForm(data)


@organizer_required
def new_notice(request):
    form = NoticeForm(request.POST or None, initial={"language": request.organizer.language})
    check = None
    if request.method == "POST" and form.is_valid():
        if "submit" in request.POST:
            try:
                notice = services.file_notice(request.user, **form.notice_fields())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Notice %(ref)s filed.") % {"ref": notice.reference})
                return redirect("notice", pk=notice.pk)
        else:
            check = _precheck(form, request.organizer)
            if "use" in request.POST:
                form = _take_option(request, form, check)
                check = _precheck(form, request.organizer) if form.is_valid() else None
    template = "notices/_precheck.html" if request.headers.get("HX-Request") else "notices/new_notice.html"
    context = {"form": form, "check": check, "rules": review.filing_rules(timezone.now())}
    return render(request, template, context)


def _organizer_notice(request, pk) -> Notice:
    return get_object_or_404(
        Notice.objects.for_organizer(request.user).select_related("venue", "jurisdiction", "rulebook"), pk=pk
    )


@organizer_required
def notice_detail(request, pk):
    notice = _organizer_notice(request, pk)
    decisions = list(notice.decisions.select_related("officer"))
    for decision in decisions:
        decision.alternative_label = review.place_label(decision.alternative, notice.jurisdiction)
    pending = list(notice.offers.filter(state="pending"))
    for offer in pending:
        offer.label = review.place_label(offer_place(offer), notice.jurisdiction)
    open_alternative = services.open_alternative(notice)
    alternative = open_alternative.alternative if open_alternative else None
    asked_to_move = list(notice.move_requests.filter(state=MoveRequest.State.PENDING))
    for move in asked_to_move:
        move.label = review.place_label(services.move_place(move), notice.jurisdiction)
    context = {
        "notice": notice,
        "asked_to_move": asked_to_move,
        "also_accepts": review.also_accepts(notice) if asked_to_move else "",
        "decisions": decisions,
        "bookings": notice.bookings.firm().select_related("zone").order_by("starts_at", "zone"),
        "pending_offers": pending,
        "withdraw_form": WithdrawForm() if ACTIONS["withdraw"].allows(notice.status) else None,
        "can_file": ACTIONS["file"].allows(notice.status),
        "appeal_form": AppealForm() if ACTIONS["appeal"].allows(notice.status) else None,
        "offered_alternative": review.place_label(alternative, notice.jurisdiction) if alternative else "",
        "alternative_held": open_alternative is not None and services.alternative_held(open_alternative),
        "where": review.where(notice),
        # while it waits: whom the authority consults and by when; once decided, their answers
        "consulting": consultations.asked(notice),
        "consulted": consultations.public(notice),
    }
    return render(request, "notices/notice_detail.html", context)


def offer_place(offer: Offer) -> dict:
    holds = list(offer.holds.select_related("zone"))
    return {
        "venue": holds[0].zone.venue_id if holds else offer.notice.venue_id,
        "zones": [h.zone_id for h in holds],
        "starts_at": offer.starts_at,
        "ends_at": offer.ends_at,
    }


def _act(request, pk, action, done: str):
    """Run an organizer action on their notice; the outcome or the errors come back as messages."""
    notice = _organizer_notice(request, pk)
    try:
        action(notice)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, done)
    return redirect("notice", pk=notice.pk)


def _answer(request) -> bool | None:
    """An organizer's answer: True to accept, False to decline, None for anything else (a
    changed or broken form is refused, never read as a decline)."""
    return {"accept": True, "decline": False}.get(request.POST.get("answer", ""))


UNKNOWN_ANSWER = gettext_lazy("Choose one of the two answers on the notice's page: accept or decline.")


def _refuse(request, notice, problem: str):
    messages.error(request, problem)
    return redirect("notice", pk=notice.pk)


def _ask(request, notice, title, lines, button, warning=""):
    return confirm_page(
        request,
        title=f"{title}: {notice.reference or _('draft')}",
        lines=lines,
        button=button,
        cancel=reverse("notice", args=[notice.pk]),
        warning=warning,
    )


@require_POST
@organizer_required
def file_draft(request, pk):
    """File a notice kept as a draft (through the API): it gets its reference and deadline."""
    notice = _organizer_notice(request, pk)
    if not confirmed(request):
        if problem := services.why_not("file", notice, request.user):
            return _refuse(request, notice, problem)
        return _ask(
            request,
            notice,
            _("File this notice"),
            [
                _(
                    "The notice is filed now: it gets its reference, the decision deadline runs from now, "
                    "and it appears in the public register."
                ),
            ],
            _("File this notice"),
        )
    return _act(request, pk, lambda n: services.submit(n, request.user), _("Notice filed."))


@require_POST
@organizer_required
def withdraw(request, pk):
    form = WithdrawForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    notice = _organizer_notice(request, pk)
    if not confirmed(request):
        if problem := services.why_not("withdraw", notice, request.user):
            return _refuse(request, notice, problem)
        return _ask(
            request,
            notice,
            _("Withdraw"),
            [
                _("The notice is withdrawn and the assembly will not take place as notified."),
                _("Any time it holds is released at once and offered to other organizers."),
            ],
            _("Withdraw this notice"),
            _("This cannot be undone."),
        )
    return _act(
        request, pk, lambda n: services.withdraw(n, request.user, reason=reason), _("Notice withdrawn.")
    )


@require_POST
@organizer_required
def answer_alternative(request, pk):
    notice = _organizer_notice(request, pk)
    if (accept := _answer(request)) is None:
        return _refuse(request, notice, str(UNKNOWN_ANSWER))
    if not confirmed(request):
        name = "accept_alternative" if accept else "decline_alternative"
        if problem := services.why_not(name, notice, request.user):
            return _refuse(request, notice, problem)
        alternative = services.offered_alternative(notice)
        where = review.place_label(alternative, notice.jurisdiction) if alternative else ""
        if accept:
            lines = [
                _("You accept the alternative: %(place)s.") % {"place": where},
                _("Your assembly goes ahead there and then, and the place is booked for it."),
            ]
        else:
            lines = [
                _("You decline the alternative: %(place)s.") % {"place": where},
                _("The decision stands as it is; you may still appeal it."),
            ]
        title = _("Accept the alternative") if accept else _("Decline the alternative")
        return _ask(request, notice, title, lines, title)
    if accept:
        return _act(
            request,
            pk,
            lambda n: services.accept_alternative(n, request.user),
            _("Alternative accepted: your assembly goes ahead there."),
        )
    return _act(
        request, pk, lambda n: services.decline_alternative(n, request.user), _("Alternative declined.")
    )


@require_POST
@organizer_required
def appeal(request, pk):
    form = AppealForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect("notice", pk=pk)
    return _act(
        request,
        pk,
        lambda n: services.appeal(n, request.user, text=form.cleaned_data["text"]),
        _("Appeal sent."),
    )


@require_POST
@organizer_required
def answer_offer(request, pk):
    offer = get_object_or_404(Offer, pk=pk, notice__in=Notice.objects.for_organizer(request.user))
    if (accept := _answer(request)) is None:
        return _refuse(request, offer.notice, str(UNKNOWN_ANSWER))
    if not confirmed(request):
        name = "accept_released_time" if accept else "decline_released_time"
        if problem := services.why_not(name, offer.notice, request.user, offer=offer):
            return _refuse(request, offer.notice, problem)
        where = review.place_label(offer_place(offer), offer.notice.jurisdiction)
        title = _("Accept the released time") if accept else _("Decline the released time")
        lines = (
            [_("You accept %(place)s.") % {"place": where}, _("Your assembly goes ahead then and there.")]
            if accept
            else [
                _("You decline %(place)s.") % {"place": where},
                _("The time is offered to the next waiting organizer."),
            ]
        )
        return _ask(request, offer.notice, title, lines, title)

    def answer(_notice):
        if accept:
            services.accept_offer(offer, request.user)
        else:
            services.decline_offer(offer, request.user)

    done = (
        _("Released time accepted: your assembly goes ahead then.")
        if accept
        else _("Released time declined.")
    )
    return _act(request, offer.notice_id, answer, done)


@require_POST
@organizer_required
def answer_move(request, pk):
    """The organizer agrees to move their accepted assembly as the authority asks, or keeps
    their booking (PRODUCT.md §4.3: never moved without their consent)."""
    move = get_object_or_404(MoveRequest, pk=pk, notice__in=Notice.objects.for_organizer(request.user))
    notice = move.notice
    if (accept := _answer(request)) is None:
        return _refuse(request, notice, str(UNKNOWN_ANSWER))
    if not confirmed(request):
        name = "accept_move" if accept else "decline_move"
        if problem := services.why_not(name, notice, request.user, move=move):
            return _refuse(request, notice, problem)
        where = review.place_label(services.move_place(move), notice.jurisdiction)
        title = _("Agree to move") if accept else _("Keep my booking")
        lines = (
            [
                _("Your assembly moves from %(now)s to %(place)s.")
                % {"now": review.where(notice)["held"], "place": where},
                _("The place and time it holds now are given up and may be offered to others."),
            ]
            if accept
            else [_("Your assembly stays where and when it is booked.")]
        )
        return _ask(request, notice, title, lines, title)

    def answer(_notice):
        if accept:
            services.accept_move(move, request.user)
        else:
            services.decline_move(move, request.user)

    done = (
        _("Moved: your assembly holds the new place and time.")
        if accept
        else _("Your booking stays as it was.")
    )
    return _act(request, notice.pk, answer, done)


@login_required
def letter(request, reference):
    """A decision's PDF letter: for the notice's organizer, officers of its jurisdiction and
    administrators; anyone else gets 404 (the public page shows the letter's hash)."""
    decision = get_object_or_404(
        Decision.objects.filter(notice__in=Notice.objects.with_letters_for(request.user)), reference=reference
    )
    pdf = letter_for(decision)
    return HttpResponse(
        bytes(pdf.pdf),
        content_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{decision.reference}.pdf"'},
    )


@login_required
def receipt(request, reference, fmt):
    """A notice's filing receipt (PDF or JSON), for whoever may see its letters."""
    if fmt not in ("pdf", "json"):
        raise Http404
    notice = get_object_or_404(
        Notice.objects.with_letters_for(request.user).filter(filed_at__isnull=False), reference=reference
    )
    try:
        made = receipt_for(notice)
    except NotFiled:
        raise Http404 from None
    if fmt == "json":
        body, kind = receipt_json(made.bundle).encode(), "application/json"
    else:
        body, kind = bytes(made.pdf), "application/pdf"
    name = f"{notice.reference}-receipt.{fmt}"
    return HttpResponse(
        body, content_type=kind, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )
