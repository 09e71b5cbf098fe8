"""The authority's pages: closures, venue changes, the calendar and the rulebook. Every
officer sees them; an administrator of the jurisdiction acts on them, each act confirmed
first, then made by `notices.authority` (validated, audited, public)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from agora import i18n
from agora.accounts.access import officer_required
from agora.i18n import pick
from agora.register.queries import closures_shown, describe_changes, venue_changes_shown
from agora.rules.models import CalendarDay
from agora.venues.models import Closure, Venue

from . import authority
from .confirm import changing, confirm_page, confirmed
from .forms import CalendarDayForm, ClosureForm, LiftForm, RulebookForm, VenueChangeForm
from .views import add_service_errors


def _administrator(request) -> bool:
    if request.method == "POST" and not request.officer.administers:
        raise PermissionDenied(_("Only an administrator of this jurisdiction may do this."))
    return request.officer.administers


@officer_required
def closures(request):
    """The authority's closures of its places: every officer sees them; an administrator of
    the jurisdiction declares and lifts them (each step confirmed, audited and public)."""
    jurisdiction = request.officer.jurisdiction
    may_act = _administrator(request)
    form = ClosureForm(
        request.POST if request.POST.get("act") == "declare" else None, jurisdiction=jurisdiction
    )
    here = reverse("office:closures")
    try:
        if request.POST.get("act") == "lift":
            return _lift(request, jurisdiction, here)
        if request.POST.get("act") == "declare" and not changing(request) and form.is_valid():
            d = form.cleaned_data
            closure = dict(
                ground=d["ground"],
                reason=d["reason"],
                starts_at=d["starts_at"],
                ends_at=d["ends_at"],
                zone=d["zone"],
            )
            if not confirmed(request):
                authority.declare_closure(request.user, d["venue"], dry=True, **closure)
                hit = authority.would_displace(d["venue"], d["zone"], d["starts_at"], d["ends_at"])
                return confirm_page(
                    request,
                    title=_("Declare a closure"),
                    lines=_closure_lines(form, jurisdiction, hit),
                    button=_("Declare the closure"),
                    change=_("Change the closure"),
                    cancel=here,
                    warning=_("A closure cannot be withdrawn, only lifted early; both are in the audit log."),
                )
            authority.declare_closure(request.user, d["venue"], **closure)
            messages.success(request, _("Closure declared."))
            return redirect(here)
    except ValidationError as error:
        add_service_errors(form, error)
    rows = closures_shown(
        Closure.objects.filter(
            venue__jurisdiction=jurisdiction, ends_at__gte=timezone.now() - dt.timedelta(days=30)
        ).order_by("starts_at")
    )
    context = {"form": form if may_act else None, "rows": rows, "lift_form": LiftForm() if may_act else None}
    return render(request, "office/closures.html", context)


def _closure_lines(form, jurisdiction, hit) -> list[str]:
    """What declaring this closure will do, in words, for the confirmation step."""
    d = form.cleaned_data
    place = pick(d["venue"].name) + (f" ({pick(d['zone'].name)})" if d["zone"] else "")
    local = [i18n.when(d[k], jurisdiction) for k in ("starts_at", "ends_at")]
    ground = dict(form.fields["ground"].choices)[d["ground"]]
    displaced = (
        _(
            "It displaces %(n)d accepted assembly(ies): %(refs)s. Each goes back to the review queue, "
            "its organizer is told, and an officer offers another place or time."
        )
        % {"n": len(hit), "refs": ", ".join(n.reference for n in hit)}
        if hit
        else _("It displaces no accepted assembly.")
    )
    return [
        _("%(place)s is closed from %(start)s to %(end)s.")
        % {"place": place, "start": local[0], "end": local[1]},
        _("Ground: %(ground)s.") % {"ground": ground.rstrip(".")},
        _("Reasons: %(reason)s") % {"reason": d["reason"]},
        _("It is published at once, with this moment as its declaration time and your office."),
        displaced,
    ]


def _lift(request, jurisdiction, here):
    closure = get_object_or_404(Closure, pk=request.POST.get("closure"), venue__jurisdiction=jurisdiction)
    form = LiftForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect(here)
    if not confirmed(request):
        return confirm_page(
            request,
            title=_("Lift a closure"),
            lines=[
                _(
                    "%(place)s opens again now; the closure's record stays public, with when it was "
                    "lifted and why."
                )
                % {"place": pick(closure.venue.name)},
                _("Reasons: %(reason)s") % {"reason": form.cleaned_data["reason"]},
            ],
            button=_("Lift the closure"),
            cancel=here,
        )
    authority.lift_closure(request.user, closure, reason=form.cleaned_data["reason"])
    messages.success(request, _("Closure lifted."))
    return redirect(here)


# --- the calendar and the rulebook ---------------------------------------------------------


@officer_required
def calendar(request):
    """Declared holidays and working days, and the rulebook version in force."""
    jurisdiction = request.officer.jurisdiction
    may_act = _administrator(request)
    act = request.POST.get("act")
    day_form = CalendarDayForm(request.POST if act == "day" else None)
    rulebook_form = RulebookForm(request.POST if act == "rulebook" else None, jurisdiction=jurisdiction)
    here = reverse("office:calendar")
    try:
        if act == "day" and not changing(request) and day_form.is_valid():
            d = day_form.cleaned_data
            day = dict(day=d["day"], kind=d["kind"], name=d["name"])
            if not confirmed(request):
                authority.declare_calendar_day(request.user, jurisdiction, dry=True, **day)
                kind = dict(CalendarDay.Kind.choices)[d["kind"]]
                return confirm_page(
                    request,
                    title=_("Declare a day"),
                    lines=[
                        _("%(day)s becomes a %(kind)s: %(name)s.")
                        % {"day": i18n.day(d["day"]), "kind": kind, "name": d["name"]},
                        _(
                            "Decision deadlines of notices waiting for a decision are counted again; "
                            "a deadline only ever moves later, and each move is in the audit log."
                        ),
                        _("Deadlines of notices filed from now on count it, and it is published at once."),
                    ],
                    button=_("Declare the day"),
                    change=_("Change the day"),
                    cancel=here,
                    warning=_("A declared day cannot be withdrawn."),
                )
            authority.declare_calendar_day(request.user, jurisdiction, **day)
            messages.success(request, _("Day declared."))
            return redirect(here)
        if act == "rulebook" and not changing(request) and rulebook_form.is_valid():
            rulebook = rulebook_form.cleaned_data["rulebook"]
            if not confirmed(request):
                return confirm_page(
                    request,
                    title=_("Assign a rulebook"),
                    lines=[
                        _("Notices filed from now on are checked and decided under %(rulebook)s.")
                        % {"rulebook": f"{pick(rulebook.title) or rulebook.code} v{rulebook.version}"},
                        _("Notices filed before keep the version they were filed under."),
                    ],
                    button=_("Assign the rulebook"),
                    change=_("Choose another"),
                    cancel=here,
                )
            authority.assign_rulebook(request.user, jurisdiction, rulebook)
            messages.success(request, _("Rulebook assigned."))
            return redirect(here)
    except ValidationError as error:
        add_service_errors(day_form if act == "day" else rulebook_form, error)
    context = {
        "jurisdiction": jurisdiction,
        "days": jurisdiction.calendar_days.filter(date__gte=timezone.now().date() - dt.timedelta(days=365)),
        "day_form": day_form if may_act else None,
        "rulebook_form": rulebook_form if may_act else None,
    }
    return render(request, "office/calendar.html", context)


# --- venues ----------------------------------------------------------------------------------


@officer_required
def venues(request):
    jurisdiction = request.officer.jurisdiction
    rows = Venue.objects.filter(jurisdiction=jurisdiction).prefetch_related("zones")
    return render(request, "office/venues.html", {"venues": rows, "may_act": request.officer.administers})


@officer_required
def venue(request, pk):
    """A place's designation, capacity, hours and outline, changed on a map; the change is
    confirmed with the accepted assemblies it would displace, then made and published."""
    place = get_object_or_404(Venue, pk=pk, jurisdiction=request.officer.jurisdiction)
    may_act = _administrator(request)
    form = VenueChangeForm(request.POST if request.method == "POST" else None, venue=place)
    here = reverse("office:venue", args=[place.pk])
    try:
        if request.method == "POST" and not changing(request) and form.is_valid():
            changes, zones = form.changes()
            reason = form.cleaned_data["reason"]
            if not confirmed(request):
                preview = authority.change_venue(
                    request.user, place, reason=reason, changes=changes, zones=zones, dry=True
                )
                return confirm_page(
                    request,
                    title=_("Change a place"),
                    lines=_venue_lines(preview),
                    button=_("Make the change"),
                    change=_("Change it again"),
                    cancel=here,
                    warning=_("The change is published with its reasons and is in the audit log."),
                )
            authority.change_venue(request.user, place, reason=reason, changes=changes, zones=zones)
            messages.success(request, _("Place changed."))
            return redirect(here)
    except ValidationError as error:
        add_service_errors(form, error)
    context = {
        "venue": place,
        "form": form if may_act else None,
        "changes": venue_changes_shown(place.changes.all()[:50]),
        "draw_words": {
            "polygon": _("Draw a new outline"),
            "edit": _("Move the corners"),
            "save": _("Keep"),
            "cancel": _("Cancel"),
            "finish": _("Finish"),
            "undo": _("Undo the last point"),
            "drag": _("Drag the corners to reshape the outline."),
            "undo_all": _("Cancel undoes every change."),
            "start": _("Click to place the first corner."),
            "cont": _("Click to place the next corner."),
            "end": _("Click the first corner to close the outline."),
        },
        "zones": [{"slug": z.slug, "name": pick(z.name), "geometry": z.geometry} for z in place.zones.all()],
        "tile_url": settings.AGORA_TILE_URL,
    }
    return render(request, "office/venue.html", context)


def _venue_lines(preview) -> list[str]:
    """What the change will do, in words, for the confirmation step."""
    lines = describe_changes(preview.venue, preview.changes)
    lines.append(_("Reasons: %(reason)s") % {"reason": preview.reason})
    hit = preview.displaces
    if hit:
        lines.append(
            _(
                "It displaces %(n)d accepted assembly(ies): %(refs)s. Each goes back to the review "
                "queue, its organizer is told, and an officer offers another place or time."
            )
            % {"n": len(hit), "refs": ", ".join(n.reference for n in hit)}
        )
    else:
        lines.append(_("It displaces no accepted assembly."))
    return lines
