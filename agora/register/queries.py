"""The public register: filtered, keyset-paginated rows with no personal data.

One query builder serves the page, the CSV and the JSON export, so they always agree.
Pagination is by (filed_at, id) cursor, not OFFSET, so page 10,000 of a million notices
costs what page 1 costs; an index on (filed_at, id) serves it (notices migration 0005).
"""

from __future__ import annotations

import base64
import datetime as dt
import itertools
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from django import forms
from django.db import connection
from django.db.models import Count, DateTimeField, ExpressionWrapper, F, Prefetch, Q, Value
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from agora import i18n
from agora.fields import DayField, plausible_moment
from agora.i18n import pick
from agora.notices import words
from agora.notices.models import Decision, Notice
from agora.notices.workflow import Status
from agora.rules.models import Jurisdiction
from agora.scheduling.models import Booking
from agora.venues.models import Venue

PAGE_SIZE = 50
PUBLIC_STATES = [s for s in Status.values if s != Status.DRAFT]


class RegisterFilter(forms.Form):
    """The register's filters, each a closed list in the reader's words where it can be (a
    type or a ground typed by hand would have to match a code exactly)."""

    venue = forms.ModelChoiceField(
        label=_("Place"), queryset=Venue.objects.all(), required=False, empty_label=_("all places")
    )
    type = forms.ChoiceField(label=_("Type"), required=False)
    outcome = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("all"))] + [(s, Status(s).label) for s in PUBLIC_STATES],
    )
    ground = forms.ChoiceField(label=_("Ground"), required=False)
    date_from = DayField(label=pgettext_lazy("a range of days", "From"), required=False)
    date_to = DayField(label=pgettext_lazy("a range of days", "To"), required=False)
    q = forms.CharField(label=_("Text"), max_length=100, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        books = words.rulebooks_naming()
        types = {c: words.assembly_type(c, b) for c, b in books.items() if c in b.rules.types}
        grounds = {
            c: words.ground(c, b, cited=False) for c, b in books.items() if c in b.rules.refusal_grounds
        }
        self.fields["type"].choices = [("", _("all"))] + sorted(types.items(), key=lambda kv: kv[1])
        self.fields["ground"].choices = [("", _("all"))] + sorted(grounds.items(), key=lambda kv: kv[1])

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            self.add_error("date_to", _("The end of the range is before its start."))
        return data


def filtered(data: dict):
    """Notices past draft matching the (cleaned) filters, newest filed first."""
    rows = Notice.objects.filed()
    if data.get("venue"):
        rows = rows.filter(venue=data["venue"])
    if data.get("type"):
        rows = rows.filter(assembly_type=data["type"])
    if data.get("outcome"):
        rows = rows.filter(status=data["outcome"])
    if data.get("ground"):
        # grounds are a JSON list; match the quoted code in its text (works on SQLite and PostgreSQL)
        rows = rows.filter(decisions__grounds__icontains=f'"{data["ground"]}"').distinct()
    # whole local days as time bounds (not starts_at::date), so an index on starts_at serves them
    if data.get("date_from"):
        rows = rows.filter(starts_at__gte=_midnight(data["date_from"]))
    if data.get("date_to"):
        rows = rows.filter(starts_at__lt=_midnight(data["date_to"] + dt.timedelta(days=1)))
    if data.get("q"):
        rows = _text_search(rows, data["q"])
    if data.get("date_from") or data.get("date_to"):
        # With a date range, walking an index in filing order can scan most of the table before
        # it reaches old assemblies (filing and assembly dates go together, which the planner
        # cannot know). Ordering by an expression makes PostgreSQL take the range from the
        # (venue, type, starts_at) index and sort those few rows instead; same order.
        newest_filed = ExpressionWrapper(F("filed_at") + Value(dt.timedelta(0)), output_field=DateTimeField())
        return rows.order_by(newest_filed.desc(), "-id")
    return rows.order_by("-filed_at", "-id")


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), timezone.get_current_timezone())


def _text_search(rows, text: str):
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchVector

        # served by the GIN index of migration notices/0005 on to_tsvector('simple', purpose)
        return rows.annotate(search=SearchVector("purpose", config="simple")).filter(
            Q(search=SearchQuery(text, config="simple", search_type="websearch")) | Q(reference=text.strip())
        )
    return rows.filter(Q(purpose__icontains=text) | Q(reference=text.strip()))


@dataclass(frozen=True)
class Cursor:
    filed_at: dt.datetime
    id: int

    def encode(self) -> str:
        return base64.urlsafe_b64encode(f"{self.filed_at.isoformat()}|{self.id}".encode()).decode()

    @classmethod
    def decode(cls, text: str | None) -> Cursor | None:
        if not text:
            return None
        try:
            filed, pk = base64.urlsafe_b64decode(text.encode()).decode().split("|")
            moment, pk = dt.datetime.fromisoformat(filed), int(pk)
        except (ValueError, UnicodeDecodeError):
            return None
        if plausible_moment(moment) or not 1 <= pk <= 2**62:
            return None  # not a cursor this page gave: start from the top
        return cls(moment, pk)


def page(rows, after: Cursor | None, size: int = PAGE_SIZE):
    """One page after the cursor, and the cursor of the next page (None on the last)."""
    if after is not None:
        rows = rows.filter(Q(filed_at__lt=after.filed_at) | Q(filed_at=after.filed_at, id__lt=after.id))
    # ids first (an index can answer this alone), then the rows with their details
    ids = list(rows.values_list("id", flat=True)[: size + 1])
    by_id = {n.id: n for n in with_details(Notice.objects.filter(id__in=ids))}
    items = [by_id[i] for i in ids]
    more = len(items) > size
    items = items[:size]
    return items, (Cursor(items[-1].filed_at, items[-1].id) if more and items else None)


def with_details(rows):
    return rows.select_related("venue", "organizer", "jurisdiction", "rulebook").prefetch_related(
        Prefetch(
            "decisions", queryset=Decision.objects.select_related("rulebook").order_by("decided_at", "pk")
        ),
        Prefetch(
            "bookings",
            queryset=Booking.objects.firm().select_related("zone__venue").order_by("starts_at"),
        ),
    )


EXPORT_BATCH = 2000


class _Notice(NamedTuple):
    """What an export reads of a notice (the names of Notice's fields, so `_row` reads both)."""

    id: int
    reference: str
    assembly_type: str
    topic: str
    purpose: str
    organizer_id: int
    venue_id: int
    jurisdiction_id: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    filed_at: dt.datetime
    status: str
    decision_due_at: dt.datetime | None


class _Decision(NamedTuple):
    notice_id: int
    outcome: str
    reference: str
    grounds: list
    reasoning: str
    decided_at: dt.datetime


def export_rows(rows, batch: int | None = None):
    """Every notice `rows` selects, as `public_row`s, streamed from one query (a server-side
    cursor on PostgreSQL), newest filed first as the register; each batch of notices with
    its decisions and bookings in one query each, read as tuples (no model instances), so
    memory holds one batch whatever the number of rows and each row costs little more than
    writing it."""
    batch = batch or EXPORT_BATCH
    venues = {pk: name.get("en") for pk, name in Venue.objects.values_list("pk", "name")}
    zones = {j.pk: j.tz for j in Jurisdiction.objects.all()}
    organizers: dict[int, str] = {}
    organizer_model = Notice._meta.get_field("organizer").related_model
    stream = rows.order_by("-filed_at", "-id").values_list(*_Notice._fields).iterator(chunk_size=batch)
    while True:
        notices = [_Notice(*row) for row in itertools.islice(stream, batch)]
        if not notices:
            return
        ids = [n.id for n in notices]
        missing = {n.organizer_id for n in notices} - organizers.keys()
        if missing:
            organizers.update(
                {pk: o.public_name for pk, o in organizer_model.objects.in_bulk(missing).items()}
            )
        decisions: dict[int, list] = {i: [] for i in ids}
        found = Decision.objects.filter(notice_id__in=ids).order_by("decided_at", "pk")
        for row in found.values_list(*_Decision._fields):
            decisions[row[0]].append(_Decision(*row))
        booked: dict[int, tuple] = {}
        firm = Booking.objects.firm().filter(notice_id__in=ids).order_by("-starts_at", "-pk")
        for notice_id, start, end in firm.values_list("notice_id", "starts_at", "ends_at"):
            booked[notice_id] = (start, end)  # the first booking wins: read newest first
        for n in notices:
            yield _row(
                n,
                organizers[n.organizer_id],
                venues[n.venue_id],
                zones[n.jurisdiction_id],
                decisions[n.id],
                booked.get(n.id),
            )


def public_row(notice: Notice, decisions: list | None = None, bookings: list | None = None) -> dict:
    """One notice as the public sees it: no names of private persons, no contacts, no IDs.
    Its decisions (oldest first) and firm bookings are read from the notice unless given."""
    decisions = list(notice.decisions.all()) if decisions is None else decisions
    bookings = list(notice.bookings.all()) if bookings is None else bookings
    booked = (bookings[0].starts_at, bookings[0].ends_at) if bookings else None
    return _row(
        notice,
        notice.organizer.public_name,
        notice.venue.name.get("en"),
        notice.jurisdiction.tz,
        decisions,
        booked,
    )


def hours_between(start: dt.datetime, end: dt.datetime) -> float:
    """Hours from `start` to `end` to one decimal, a half rounded up: from the exact
    microseconds, as PostgreSQL's numeric rounding gives them (the CSV export's COPY)."""
    microseconds = (end - start) // dt.timedelta(microseconds=1)
    hours = Decimal(microseconds) / Decimal(3_600_000_000)
    return float(hours.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _row(notice, organizer: str, venue: str, tz, decisions: list, booked: tuple | None) -> dict:
    """The one shape of a public row, from a Notice or an export's tuple of the same names."""
    first = decisions[0] if decisions else None
    last = decisions[-1] if decisions else None

    def iso(moment):  # ISO 8601 in the place's local time, with its offset
        return moment.astimezone(tz).isoformat() if moment else None

    return {
        "reference": notice.reference,
        "type": notice.assembly_type,
        "topic": notice.topic,
        "purpose": notice.purpose,
        "organizer": organizer,
        "venue": venue,
        "venue_id": notice.venue_id,
        "requested_start": iso(notice.starts_at),
        "requested_end": iso(notice.ends_at),
        "booked_start": iso(booked[0]) if booked else None,
        "booked_end": iso(booked[1]) if booked else None,
        "filed_at": iso(notice.filed_at),
        "status": notice.status,
        "decision": last.outcome if last else None,
        "decision_reference": last.reference if last else None,
        "grounds": list(dict.fromkeys(g for d in decisions for g in d.grounds)),  # every ground cited
        "reasoning": last.reasoning if last else "",
        "decided_at": iso(first.decided_at) if first else None,
        "hours_to_decision": hours_between(notice.filed_at, first.decided_at)
        if first and notice.filed_at
        else None,
        "decided_after_deadline": (
            notice.decision_due_at is not None and first.decided_at > notice.decision_due_at
        )
        if first
        else None,
    }


def shown_row(notice: Notice) -> dict:
    """One notice as the register page shows it: the public facts in the reader's words and
    the place's local time (the exports keep codes and ISO 8601: `public_row`)."""
    decisions = list(notice.decisions.all())
    first, last = (decisions[0], decisions[-1]) if decisions else (None, None)
    bookings = list(notice.bookings.all())
    held_venue = bookings[0].zone.venue if bookings else None
    tz = notice.jurisdiction.tz
    hours = (first.decided_at - notice.filed_at).total_seconds() / 3600 if first and notice.filed_at else None
    return {
        "notice": notice,
        "reference": notice.reference,
        "decision_reference": last.reference if last else None,
        "type": words.assembly_type(notice.assembly_type, notice.rulebook),
        "topic": words.topic(notice.topic, notice.rulebook),
        "purpose": notice.purpose,
        "organizer": notice.organizer.public_name,
        # where it holds the place now (an accepted alternative may be elsewhere), and the ask
        "venue": pick(held_venue.name) if held_venue else pick(notice.venue.name),
        "venue_id": held_venue.pk if held_venue else notice.venue_id,
        "asked_venue": pick(notice.venue.name) if held_venue and held_venue.pk != notice.venue_id else "",
        "requested": i18n.span(notice.starts_at, notice.ends_at, tz, zone=True),
        "booked": i18n.span(bookings[0].starts_at, bookings[0].ends_at, tz) if bookings else "",
        "filed": i18n.when(notice.filed_at, tz),
        "status": words.status(notice.status),
        "grounds": list(
            dict.fromkeys(words.ground(g, d.rulebook, cited=False) for d in decisions for g in d.grounds)
        ),
        "reasoning": words.reasoning(last) if last else "",
        "hours_to_decision": i18n.number(round(hours, 1)) if hours is not None else "",
        "decided_after_deadline": first.after_deadline if first else None,
        "day": i18n.local(notice.starts_at, tz).date().isoformat(),  # the venue's day, for a link
    }


CSV_FIELDS = [
    "reference",
    "type",
    "topic",
    "purpose",
    "organizer",
    "venue",
    "venue_id",
    "requested_start",
    "requested_end",
    "booked_start",
    "booked_end",
    "filed_at",
    "status",
    "decision",
    "decision_reference",
    "grounds",
    "reasoning",
    "decided_at",
    "hours_to_decision",
    "decided_after_deadline",
]


def closures_shown(closures) -> list[dict]:
    """The authority's closures as the public sees them: the legal ground in the reader's
    language, when and by which office each was declared, and how many accepted assemblies
    it displaced (the authority's own blocking flag)."""
    rows = []
    lang = get_language() or "en"
    for c in closures.select_related("venue__jurisdiction__rulebook", "zone").annotate(
        displaced_count=Count("displaced")
    ):
        ground = c.venue.jurisdiction.rulebook.rules.closures.grounds.get(c.ground)
        rows.append(
            {
                "closure": c,
                "ground": ground.text(lang) if ground else "",
                "emergency": bool(ground and ground.emergency),
                "office": c.venue.jurisdiction,
                "displaced": c.displaced_count,
            }
        )
    return rows


CHANGED_FIELDS = {
    "designated": _("Designated for assemblies"),
    "capacity": _("Capacity"),
    "capacity_override": _("Capacity set by hand"),
    "crowd_density": _("Safe persons per square metre"),
    "opens_at": _("Opens"),
    "closes_at": _("Closes"),
    "geometry": _("Outline"),
    "capacity_override_zone": _("Capacity of zone %(zone)s"),
    "geometry_zone": _("Outline of zone %(zone)s"),
}


def describe_changes(venue, changes: dict) -> list[str]:
    """A venue change (`{"field": [old, new]}`) in words: “Capacity: 4000 → 1500”."""
    zones = {z.slug: z for z in venue.zones.all()}
    lines = []
    for key, (old, new) in changes.items():
        if key == "capacity_override" and "capacity" in changes:
            continue  # the capacity line says it, in people
        if key.startswith("zone:"):
            slug, name = key[5:].split(".", 1)
            zone = zones.get(slug)
            label = CHANGED_FIELDS[f"{name}_zone"] % {"zone": pick(zone.name) if zone else slug}
        else:
            label, name = CHANGED_FIELDS.get(key, key), key
        if name == "geometry":
            lines.append(_("%(what)s: redrawn on the map") % {"what": label})
        else:
            lines.append(f"{label}: {_shown(old)} → {_shown(new)}")
    return lines


def _shown(value) -> str:
    if value is None:
        return str(_("not set (from the area or the rulebook)"))
    if value is True or value is False:
        return str(_("yes") if value else _("no"))
    return str(value)


def venue_changes_shown(changes) -> list[dict]:
    """The authority's changes of a place as the public sees them: what changed in words,
    the reasons, when and by which office, and how many accepted assemblies it displaced."""
    rows = []
    for change in (
        changes.select_related("venue__jurisdiction")
        .prefetch_related("venue__zones")
        .annotate(displaced_count=Count("displaced"))
    ):
        rows.append(
            {
                "change": change,
                "lines": describe_changes(change.venue, change.changes),
                "office": change.venue.jurisdiction,
                "displaced": change.displaced_count,
            }
        )
    return rows
