from django.db.models import Count, Prefetch
from django.shortcuts import render

from agora.rules.models import Jurisdiction

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
