from django import forms
from django.db.models import Count, Prefetch
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
    return render(request, "venues/home.html", {"jurisdictions": jurisdictions})


class AvailabilityForm(forms.Form):
    date = DayField(label=_("Date"))


def availability(request, pk):
    """Free and busy time per zone of a venue on a day: public, names no organizer."""
    venue = get_object_or_404(Venue.objects.select_related("jurisdiction__rulebook"), pk=pk)
    form = AvailabilityForm(request.GET or {"date": venue.jurisdiction.local_day(timezone.now())})
    rows = planning.availability(venue, form.cleaned_data["date"]) if form.is_valid() else []
    return render(request, "venues/availability.html", {"venue": venue, "form": form, "rows": rows})
