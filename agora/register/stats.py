"""Public statistics (PRODUCT.md §5) with charts a person reads at a glance: server-side
SVG bars, each chart followed by its numbers as a table for screen readers."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

from django.db.models import Count, Exists, F, Min, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, TruncMonth
from django.utils.translation import gettext as _

from agora import i18n
from agora.i18n import pick
from agora.notices import words
from agora.notices.models import Decision, Notice
from agora.notices.workflow import REFUSED_OUTCOMES, Status
from agora.rules.models import Jurisdiction
from agora.scheduling.flags import blocking_index
from agora.scheduling.models import Booking
from agora.venues.models import Closure, Venue, VenueChange

from .queries import PUBLIC_STATES

# each row: its label on a line of its own (whole, in any language), the bar below it
ROW, LABEL_H, BAR_W = 40, 16, 320


def _bars(title: str, counts: list[tuple[str, float]], unit: str = "") -> dict:
    """A section of the statistics: its rows, and the geometry of its bar chart (drawn by
    the template register/_bars.svg, which escapes every text)."""
    top = max((v for _, v in counts), default=0) or 1
    rows = []
    for i, (label, value) in enumerate(counts):
        y = i * ROW + 2
        width = round(BAR_W * value / top, 1)
        rows.append(
            {
                "label": str(label),
                "value": value,
                "label_y": y + LABEL_H - 3,
                "text_y": y + LABEL_H + 15,
                "bar_y": y + LABEL_H + 3,
                "width": width,
                "value_x": width + 6,
            }
        )
    chart = {
        "width": BAR_W + 90,
        "height": ROW * len(rows) + 4,
        "label_x": 0,
        "bar_x": 0,
        "bar_h": ROW - LABEL_H - 8,
    }
    return {"title": title, "unit": unit, "rows": rows, "chart": chart}


def sections() -> list[dict]:
    public = Notice.objects.filter(status__in=PUBLIC_STATES)
    by = lambda field: list(public.values_list(field).annotate(n=Count("id")).order_by("-n", field))  # noqa: E731
    grounds = Counter(g for row in Decision.objects.values_list("grounds", flat=True) for g in row)
    months = list(
        public.annotate(month=TruncMonth("starts_at"))
        .values_list("month")
        .annotate(n=Count("id"))
        .order_by("month")
    )
    first = public.annotate(first=Min("decisions__decided_at")).exclude(first=None)
    hours = [(n.first - n.filed_at).total_seconds() / 3600 for n in first.only("filed_at")]
    late = first.filter(first__gt=F("decision_due_at")).count()
    topics, refused = Counter(), Counter()
    for topic, status in public.values_list("topic", "status"):
        topics[topic] += 1
        refused[topic] += status in REFUSED_OUTCOMES
    index = blocking_index(Booking.objects.all())
    books = words.rulebooks_naming()
    by_place = list(public.values_list("venue").annotate(n=Count("id")).order_by("-n", "venue"))
    places = Venue.objects.only("name").in_bulk([v for v, _n in by_place])
    return [
        _bars(
            _("Notices by type"), [(words.assembly_type(t, books.get(t)), n) for t, n in by("assembly_type")]
        ),
        _bars(_("Notices by outcome"), [(str(Status(s).label), n) for s, n in by("status")]),
        _bars(
            _("Refusal grounds cited"),
            [
                (words.ground(g, books[g], cited=False) if g in books else g, n)
                for g, n in grounds.most_common()
            ],
        ),
        _bars(
            _("Notices by place"),
            [(pick(places[v].name), n) for v, n in by_place if v in places],
        ),
        _bars(_("Notices by month of the assembly"), [(i18n.month(m), n) for m, n in months if m]),
        _bars(
            _("Refusal rate by topic"),
            [
                (words.topic(t, books.get(t)) if t else _("topic not given"), round(100 * refused[t] / n, 1))
                for t, n in topics.most_common(12)
            ],
            "%",
        ),
        _bars(
            _("Time to decision"),
            [
                (_("median hours"), round(sorted(hours)[len(hours) // 2], 1) if hours else 0),
                (_("decided after the legal deadline, %"), round(100 * late / len(hours), 1) if hours else 0),
            ],
        ),
        _bars(
            _("Blocking index: booked hours not used, by organizer"),
            [(row["organizer"].public_name, round(row["unused_hours"], 1)) for row in index[:12]],
            " " + _("h"),
        ),
        _bars(
            _("Blocking index: notices displaced, by organizer"),
            [(row["organizer"].public_name, row["displaced"]) for row in index[:12] if row["displaced"]],
        ),
        *closure_sections(),
    ]


def closure_sections() -> list[dict]:
    """The authority's closures, per authority and per place, as tables: how many it declared,
    the hours they closed, the notices they displaced, and the share declared over a place and
    time a notice had already been filed for; and its changes of places with the notices they
    displaced. Four queries, whatever the number of closures and changes."""
    filed_before = Notice.objects.filter(
        venue=OuterRef("venue"),
        filed_at__lt=OuterRef("declared_at"),
        starts_at__lt=OuterRef("ends_at"),
        ends_at__gt=OuterRef("starts_at"),
    )
    displaced = (
        Notice.objects.filter(displaced_by=OuterRef("pk"))
        .order_by()
        .values("displaced_by")
        .annotate(n=Count("pk"))
        .values("n")
    )
    closures = (
        Closure.objects.filter(declared_at__isnull=False)
        .only("venue", "zone", "starts_at", "ends_at", "lifted_at")
        .annotate(
            authority=F("venue__jurisdiction"),
            displaced_count=Coalesce(Subquery(displaced), 0),
            # a closure of the whole place meets every notice there; one of a zone, those for
            # that zone or for the place as a whole ("any zone that fits")
            over_any=Exists(filed_before),
            over_zone=Exists(filed_before.filter(Q(zone=OuterRef("zone")) | Q(zone__isnull=True))),
        )
        .order_by()
    )
    changes = (
        VenueChange.objects.annotate(authority=F("venue__jurisdiction"), displaced_count=Count("displaced"))
        .only("venue")
        .order_by()
    )
    columns = [
        {"key": "closures", "title": _("Closures declared"), "unit": ""},
        {"key": "hours_closed", "title": _("Hours closed"), "unit": ""},
        {"key": "notices_displaced", "title": _("Notices displaced"), "unit": ""},
        {"key": "declared_over_filed", "title": _("Declared where a notice was already filed"), "unit": "%"},
        {"key": "place_changes", "title": _("Place changes"), "unit": ""},
        {"key": "displaced_by_changes", "title": _("Notices displaced by place changes"), "unit": ""},
    ]
    by_authority: dict[int, list] = defaultdict(list)
    by_venue: dict[int, list] = defaultdict(list)
    changes_by_authority: dict[int, list] = defaultdict(list)
    changes_by_venue: dict[int, list] = defaultdict(list)
    for c in closures:
        by_authority[c.authority].append(c)
        by_venue[c.venue_id].append(c)
    for change in changes:
        changes_by_authority[change.authority].append(change)
        changes_by_venue[change.venue_id].append(change)
        by_venue.setdefault(change.venue_id, [])
    venues = Venue.objects.only("name", "jurisdiction").in_bulk(list(by_venue))
    authorities = {j.pk: j for j in Jurisdiction.objects.order_by("slug")}
    several = len(authorities) > 1
    authority_rows = [
        _closure_row(pick(j.name), by_authority[pk], changes_by_authority[pk])
        for pk, j in authorities.items()
    ]
    venue_rows = sorted(
        (
            _closure_row(
                pick(venues[pk].name)
                + (f" ({pick(authorities[venues[pk].jurisdiction_id].name)})" if several else ""),
                rows,
                changes_by_venue[pk],
            )
            for pk, rows in by_venue.items()
        ),
        key=lambda r: (-r["value"], r["label"]),
    )
    for row in authority_rows + venue_rows:  # the page's cells, in the columns' order
        row["cells"] = [(row["values"][c["key"]], c["unit"]) for c in columns]
    return [
        {
            "title": _("Closures by the authority"),
            "row_title": _("Authority"),
            "unit": "",
            "columns": columns,
            "rows": authority_rows,
        },
        {
            "title": _("Closures by place"),
            "row_title": _("Place"),
            "unit": "",
            "columns": columns,
            "rows": venue_rows,
        },
    ]


def _closure_row(label: str, closures: list, changes: list) -> dict:
    closed = sum((max(c.until - c.starts_at, dt.timedelta(0)) for c in closures), dt.timedelta(0))
    over = sum(1 for c in closures if (c.over_zone if c.zone_id else c.over_any))
    values = {
        "closures": len(closures),
        "hours_closed": round(closed.total_seconds() / 3600, 1),
        "notices_displaced": sum(c.displaced_count for c in closures),
        "declared_over_filed": round(100 * over / len(closures), 1) if closures else None,
        "place_changes": len(changes),
        "displaced_by_changes": sum(c.displaced_count for c in changes),
    }
    return {"label": label, "value": values["closures"], "values": values}
