"""Public statistics (PRODUCT.md §5) with charts a person reads at a glance: server-side
SVG bars, each chart followed by its numbers as a table for screen readers."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

from django.db.models import Count, DurationField, Exists, ExpressionWrapper, F, Min, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from agora import i18n
from agora.i18n import pick
from agora.notices import words
from agora.notices.models import Consultation, Decision, Notice
from agora.notices.workflow import REFUSED_OUTCOMES, Status
from agora.rules.models import Agency, Jurisdiction, Rulebook
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


def figures(now: dt.datetime | None = None) -> dict:
    """Every figure of the statistics, in no language (codes, ids, numbers), so one
    computation serves every reader: the summary the job queue keeps (`summary.py`)."""
    now = now or timezone.now()
    public = Notice.objects.filter(status__in=PUBLIC_STATES).order_by()
    by = lambda field: [  # noqa: E731
        [code, n] for code, n in public.values_list(field).annotate(n=Count("id")).order_by("-n", field)
    ]
    grounds: Counter = Counter()
    for row in Decision.objects.order_by().values_list("grounds", flat=True).iterator(chunk_size=10000):
        grounds.update(row or [])
    months = (
        public.annotate(month=TruncMonth("starts_at"))
        .values_list("month")
        .annotate(n=Count("id"))
        .order_by("month")
    )
    first = public.annotate(first=Min("decisions__decided_at")).exclude(first=None)
    waited = first.annotate(
        waited=ExpressionWrapper(F("first") - F("filed_at"), output_field=DurationField())
    )
    hours = sorted(
        w.total_seconds() / 3600 for w in waited.values_list("waited", flat=True).iterator(chunk_size=10000)
    )
    late = first.filter(first__gt=F("decision_due_at")).count()
    topics = (
        public.values_list("topic")
        .annotate(n=Count("id"), refused=Count("id", filter=Q(status__in=REFUSED_OUTCOMES)))
        .order_by("-n", "topic")
    )
    index = blocking_index(Booking.objects.all(), now=now)
    late_for_court = _late_for_court()
    return {
        "computed_at": now.isoformat(),
        "by_type": by("assembly_type"),
        "by_status": by("status"),
        "grounds": [[g, n] for g, n in grounds.most_common()],
        "by_place": by("venue"),
        "by_month": [[m.date().isoformat(), n] for m, n in months if m],
        "refusal_rate_by_topic": [[t, round(100 * r / n, 1)] for t, n, r in topics[:12]],
        "median_hours_to_decision": round(hours[len(hours) // 2], 1) if hours else 0,
        "decided_late_percent": round(100 * late / len(hours), 1) if hours else 0,
        "unused_hours_by_organizer": [[r["organizer_id"], round(r["unused_hours"], 1)] for r in index[:12]],
        "displaced_by_organizer": [[r["organizer_id"], r["displaced"]] for r in index[:12] if r["displaced"]],
        "closures": closure_figures(),
        "late_for_court": late_for_court,
        "consultations": _consultation_times(),
    }


def _consultation_times() -> list[list]:
    """[agency, consultations, answered, median hours to the answer, run out unanswered], per
    agency, over every consultation whose deadline has passed or that was answered."""
    rows: dict[int, dict] = defaultdict(lambda: {"n": 0, "hours": [], "ran_out": 0})
    settled = Consultation.objects.exclude(state=Consultation.State.PENDING).order_by()
    for agency, asked, answered in settled.values_list("agency", "requested_at", "answered_at").iterator(
        chunk_size=10000
    ):
        row = rows[agency]
        row["n"] += 1
        if answered is not None:
            row["hours"].append((answered - asked).total_seconds() / 3600)
        else:
            row["ran_out"] += 1
    found = []
    for agency in sorted(rows):
        row, hours = rows[agency], sorted(rows[agency]["hours"])
        median = round(hours[len(hours) // 2], 1) if hours else None
        found.append([agency, row["n"], len(hours), median, row["ran_out"]])
    return found


def _late_for_court() -> list[list[int]]:
    """[jurisdiction, decisions under a rulebook that states the days a court needs, those
    made later than that before the assembly], one query per such rulebook."""
    totals: Counter = Counter()
    late: Counter = Counter()
    for book in Rulebook.objects.order_by("pk"):
        appeal = book.rules.appeal
        if appeal is None or not appeal.court_days:
            continue
        cut = F("notice__starts_at") - dt.timedelta(days=appeal.court_days)
        rows = (
            Decision.objects.filter(rulebook=book)
            .order_by()
            .values_list("notice__jurisdiction")
            .annotate(n=Count("id"), late=Count("id", filter=Q(decided_at__gt=cut)))
        )
        for jurisdiction, n, too_late in rows:
            totals[jurisdiction] += n
            late[jurisdiction] += too_late
    return [[j, totals[j], late[j]] for j in sorted(totals)]


def sections(found: dict | None = None) -> list[dict]:
    """The statistics in the reader's language, from `figures()` (computed now when not given)."""
    found = found if found is not None else figures()
    books = words.rulebooks_naming()
    places = Venue.objects.only("name").in_bulk([v for v, _n in found["by_place"]])
    authorities = Jurisdiction.objects.only("name").in_bulk(
        [row[0] for row in found.get("late_for_court", [])]
    )
    organizer_ids = [o for o, _ in found["unused_hours_by_organizer"] + found["displaced_by_organizer"]]
    organizers = Notice._meta.get_field("organizer").related_model.objects.in_bulk(organizer_ids)

    def organizer(pk):
        return organizers[pk].public_name if pk in organizers else _("an organizer no longer registered")

    return [
        _bars(_("Notices by type"), [(words.assembly_type(t, books.get(t)), n) for t, n in found["by_type"]]),
        _bars(_("Notices by outcome"), [(str(Status(s).label), n) for s, n in found["by_status"]]),
        _bars(
            _("Refusal grounds cited"),
            [(words.ground(g, books[g], cited=False) if g in books else g, n) for g, n in found["grounds"]],
        ),
        _bars(
            _("Notices by place"), [(pick(places[v].name), n) for v, n in found["by_place"] if v in places]
        ),
        _bars(
            _("Notices by month of the assembly"),
            [(i18n.month(dt.date.fromisoformat(m)), n) for m, n in found["by_month"]],
        ),
        _bars(
            _("Refusal rate by topic"),
            [
                (words.topic(t, books.get(t)) if t else _("topic not given"), rate)
                for t, rate in found["refusal_rate_by_topic"]
            ],
            "%",
        ),
        _bars(
            _("Time to decision"),
            [
                (_("median hours"), found["median_hours_to_decision"]),
                (_("decided after the legal deadline, %"), found["decided_late_percent"]),
            ],
        ),
        _bars(
            _("Blocking index: booked hours not used, by organizer"),
            [(organizer(o), hours) for o, hours in found["unused_hours_by_organizer"]],
            " " + _("h"),
        ),
        _bars(
            _("Blocking index: notices displaced, by organizer"),
            [(organizer(o), n) for o, n in found["displaced_by_organizer"]],
        ),
        _bars(
            _("Decisions too late for a court to rule before the assembly, by authority"),
            [
                (pick(authorities[j].name), round(100 * n_late / n, 1))
                for j, n, n_late in found.get("late_for_court", [])
                if j in authorities and n
            ],
            "%",
        ),
        *_consultation_sections(found.get("consultations", [])),
        *closure_sections(found["closures"]),
    ]


def _consultation_sections(rows: list[list]) -> list[dict]:
    agencies = Agency.objects.only("name").in_bulk([row[0] for row in rows])
    named = [
        (pick(agencies[a].name), n, answered, median, ran_out)
        for a, n, answered, median, ran_out in rows
        if a in agencies
    ]
    if not named:
        return []
    return [
        _bars(
            _("Consultation: median hours to an agency's answer"),
            [(name, median) for name, _n, _a, median, _r in named if median is not None],
            " " + _("h"),
        ),
        _bars(
            _("Consultation: share left unanswered by the deadline, by agency"),
            [(name, round(100 * ran_out / n, 1)) for name, n, _a, _m, ran_out in named],
            "%",
        ),
    ]


def closure_figures() -> dict:
    """The authority's closures, per authority and per place: how many it declared, the hours
    they closed, the notices they displaced, and the share declared over a place and time a
    notice had already been filed for; and its changes of places with the notices they
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
    authorities = Jurisdiction.objects.order_by("slug").values_list("pk", flat=True)
    return {
        "authorities": [
            [pk, _closure_values(by_authority[pk], changes_by_authority[pk])] for pk in authorities
        ],
        "places": [[pk, _closure_values(rows, changes_by_venue[pk])] for pk, rows in by_venue.items()],
    }


# the closure tables' columns and their units, in the order the page shows them
CLOSURE_COLUMNS = [
    ("closures", ""),
    ("hours_closed", ""),
    ("notices_displaced", ""),
    ("declared_over_filed", "%"),
    ("place_changes", ""),
    ("displaced_by_changes", ""),
]


def closure_sections(found: dict | None = None) -> list[dict]:
    """The closure figures as two tables in the reader's language."""
    found = found if found is not None else closure_figures()
    titles = {
        "closures": _("Closures declared"),
        "hours_closed": _("Hours closed"),
        "notices_displaced": _("Notices displaced"),
        "declared_over_filed": _("Declared where a notice was already filed"),
        "place_changes": _("Place changes"),
        "displaced_by_changes": _("Notices displaced by place changes"),
    }
    columns = [{"key": key, "title": titles[key], "unit": unit} for key, unit in CLOSURE_COLUMNS]
    authorities = Jurisdiction.objects.in_bulk()
    venues = Venue.objects.only("name", "jurisdiction").in_bulk([pk for pk, _v in found["places"]])
    several = len(authorities) > 1

    def row(label, values):
        return {
            "label": label,
            "value": values["closures"],
            "values": values,
            "cells": [(values[c["key"]], c["unit"]) for c in columns],  # the page's, in order
        }

    authority_rows = [
        row(pick(authorities[pk].name), v) for pk, v in found["authorities"] if pk in authorities
    ]
    venue_rows = sorted(
        (
            row(
                pick(venues[pk].name)
                + (f" ({pick(authorities[venues[pk].jurisdiction_id].name)})" if several else ""),
                values,
            )
            for pk, values in found["places"]
            if pk in venues and venues[pk].jurisdiction_id in authorities
        ),
        key=lambda r: (-r["value"], r["label"]),
    )
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


def _closure_values(closures: list, changes: list) -> dict:
    closed = sum((max(c.until - c.starts_at, dt.timedelta(0)) for c in closures), dt.timedelta(0))
    over = sum(1 for c in closures if (c.over_zone if c.zone_id else c.over_any))
    return {
        "closures": len(closures),
        "hours_closed": round(closed.total_seconds() / 3600, 1),
        "notices_displaced": sum(c.displaced_count for c in closures),
        "declared_over_filed": round(100 * over / len(closures), 1) if closures else None,
        "place_changes": len(changes),
        "displaced_by_changes": sum(c.displaced_count for c in changes),
    }
