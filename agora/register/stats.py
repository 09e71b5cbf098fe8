"""Public statistics (PRODUCT.md §5) with charts a person reads at a glance: server-side
SVG bars, each chart followed by its numbers as a table for screen readers."""

from __future__ import annotations

from collections import Counter

from django.db.models import Count, F, Min
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _

from agora.notices.models import Decision, Notice
from agora.notices.workflow import REFUSED_OUTCOMES, Status
from agora.scheduling.flags import blocking_index
from agora.scheduling.models import Booking

from .queries import PUBLIC_STATES

ROW, LABEL_W, BAR_W = 22, 220, 300


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
                "text_y": y + 15,
                "bar_y": y + 3,
                "width": width,
                "value_x": LABEL_W + width + 4,
            }
        )
    chart = {
        "width": LABEL_W + BAR_W + 80,
        "height": ROW * len(rows) + 4,
        "label_x": LABEL_W - 6,
        "bar_x": LABEL_W,
        "bar_h": ROW - 6,
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
    topics = Counter()
    refused = Counter()
    for purpose, status in public.values_list("purpose", "status"):
        topic = _topic(purpose)
        topics[topic] += 1
        refused[topic] += status in REFUSED_OUTCOMES
    index = blocking_index(Booking.objects.all())
    return [
        _bars(_("Notices by type"), by("assembly_type")),
        _bars(_("Notices by outcome"), [(str(Status(s).label), n) for s, n in by("status")]),
        _bars(_("Refusal grounds cited"), grounds.most_common()),
        _bars(
            _("Notices by place"),
            [(v, n) for v, n in public.values_list("venue__slug").annotate(n=Count("id")).order_by("-n")],
        ),
        _bars(_("Notices by month of the assembly"), [(m.strftime("%Y-%m"), n) for m, n in months if m]),
        _bars(
            _("Refusal rate by topic (first word of the purpose)"),
            [(t, round(100 * refused[t] / topics[t], 1)) for t, _n in topics.most_common(12)],
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
            "h",
        ),
        _bars(
            _("Blocking index: notices displaced, by organizer"),
            [(row["organizer"].public_name, row["displaced"]) for row in index[:12] if row["displaced"]],
        ),
    ]


def _topic(purpose: str) -> str:
    """A crude topic: the purpose's first significant word (a taxonomy is future work)."""
    words = [w.strip(".,;:!?«»\"'").lower() for w in purpose.split()]
    skip = {"rally", "picket", "meeting", "march", "for", "in", "of", "the", "a", "to", "on", "against"}
    return next((w for w in words if w and w not in skip), "—")
