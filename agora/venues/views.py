import datetime as dt

from django import forms
from django.db.models import Count, F, Prefetch
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agora.fields import DayField
from agora.rules.models import Jurisdiction
from agora.scheduling import planning

from .models import Venue, Zone


def home(request):
    """The public front page: each jurisdiction with its designated venues."""
    jurisdictions = Jurisdiction.objects.select_related("rulebook").prefetch_related(
        Prefetch(
            "venues",
            queryset=Venue.objects.order_by("slug")
            .annotate(zone_count=Count("zones"))
            .prefetch_related(Prefetch("zones", queryset=Zone.objects.order_by("slug"))),
        )
    )
    jurisdictions = list(jurisdictions)
    for jurisdiction in jurisdictions:
        jurisdiction.deadlines = _deadlines(jurisdiction)
    return render(
        request, "venues/home.html", {"jurisdictions": jurisdictions, "coming": _coming(timezone.now())}
    )


def _deadlines(jurisdiction) -> list[dict]:
    """Each type's periods under the jurisdiction's rulebook, as the home page explains them."""
    from agora.notices import words

    rulebook = jurisdiction.rulebook
    return [
        {
            "type": words.assembly_type(code, rulebook),
            "notice": words.notice_period(kind.notice),
            "decision": words.decision_period(kind.decision),
            "silence": words.silence(kind.silence.value),
        }
        for code, kind in rulebook.rules.types.items()
    ]


def _coming(now, days: int = 14) -> list:
    """The assemblies going ahead from today to two weeks on (notice periods put most a week
    or more ahead), by their bookings: public facts only."""
    from agora.notices.workflow import GOING_AHEAD
    from agora.scheduling.models import Booking

    start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    bookings = (
        Booking.objects.firm()
        .filter(
            starts_at__gte=start, starts_at__lt=start + dt.timedelta(days=days), held_until__gt=F("starts_at")
        )
        .filter(notice__status__in=GOING_AHEAD)
        .select_related("notice__organizer", "notice__rulebook", "zone__venue__jurisdiction")
        .order_by("starts_at", "zone__venue__slug")
    )
    seen, rows = set(), []
    for booking in bookings:
        if booking.notice_id not in seen:
            seen.add(booking.notice_id)
            rows.append(booking)
    return rows[:30]


class AvailabilityForm(forms.Form):
    date = DayField(label=_("Date"))


def availability(request, pk):
    """Free and busy time per zone of a venue on a day: public, names no organizer."""
    venue = get_object_or_404(Venue.objects.select_related("jurisdiction__rulebook"), pk=pk)
    form = AvailabilityForm(request.GET or {"date": venue.jurisdiction.local_day(timezone.now())})
    rows = planning.availability(venue, form.cleaned_data["date"]) if form.is_valid() else []
    return render(request, "venues/availability.html", {"venue": venue, "form": form, "rows": rows})
