"""The venue's week at a glance: days and their zones as columns, half hours as rows, each
cell saying who held it and how (booked, really used, booked but unused, released, closed).

`layout` is the pure part: it turns spans on columns into table rows with merged cells, so
it can be tested without a database. `week_grid` asks the database for the spans.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from django.utils import timezone
from django.utils.translation import gettext_lazy

from agora.i18n import pick
from agora.scheduling.models import Booking

from .calendar import zones_in_order

SLOT = dt.timedelta(minutes=30)

# when two spans cover the same slot of one zone, the one shown (lower wins)
PRIORITY = {"closed": 0, "used": 1, "held": 2, "unused": 3, "released": 4}
WORDS = {
    "closed": gettext_lazy("closed by the authority"),
    "used": gettext_lazy("really used"),
    "held": gettext_lazy("booked"),
    "unused": gettext_lazy("booked, not used"),
    "released": gettext_lazy("released"),
}


@dataclass(frozen=True)
class Span:
    column: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    state: str  # a key of PRIORITY
    key: str  # what the span is of (a notice, a closure): one merged cell per key and state
    notice: object = None
    closure: object = None
    displaced: tuple = ()

    @property
    def word(self) -> str:
        return WORDS[self.state]


@dataclass
class Cell:
    span: Span | None
    rows: int = 1
    first: bool = True  # the first slot of the span: where its label goes


@dataclass
class Row:
    at: dt.datetime
    cells: list[Cell | None] = field(default_factory=list)  # None: covered by a cell above


def layout(slots: list[dt.datetime], columns: int, spans: list[Span]) -> list[Row]:
    """Table rows for `slots` (the start of each, SLOT long) × `columns`: per column, runs of
    slots shown by the same span merge into one cell (its rowspan)."""
    shown: list[list[Span | None]] = [[None] * columns for _ in slots]
    for i, at in enumerate(slots):
        end = at + SLOT
        for span in spans:
            if span.starts_at < end and span.ends_at > at:
                current = shown[i][span.column]
                if current is None or PRIORITY[span.state] < PRIORITY[current.state]:
                    shown[i][span.column] = span
    rows = [Row(at) for at in slots]
    for column in range(columns):
        i = 0
        while i < len(slots):
            span = shown[i][column]
            j = i + 1
            while j < len(slots) and _same(shown[j][column], span) and slots[j] - slots[j - 1] == SLOT:
                j += 1
            rows[i].cells.append(Cell(span, rows=j - i))
            for k in range(i + 1, j):
                rows[k].cells.append(None)
            i = j
    return rows


def _same(a: Span | None, b: Span | None) -> bool:
    if a is None or b is None:
        return a is b
    return (a.key, a.state) == (b.key, b.state)


def booking_spans(booking, column: int, now: dt.datetime, displaced=()) -> list[Span]:
    """What one booking did with its time: held (before the event, or during it without a
    check-in yet), really used (check-in to check-out), booked but unused (over, not used),
    released (given back before its end)."""
    key = f"notice:{booking.notice_id}"
    make = lambda start, end, state: Span(  # noqa: E731
        column, start, end, state, key, notice=booking.notice, displaced=tuple(displaced)
    )
    spans = []
    held_end = booking.held_until
    if held_end < booking.ends_at:
        spans.append(make(held_end, booking.ends_at, "released"))
    if held_end <= booking.starts_at:
        return spans
    if booking.checked_in_at:
        used_from = max(booking.starts_at, booking.checked_in_at)
        used_to = min(held_end, booking.checked_out_at or max(now, used_from))
        if booking.starts_at < used_from:
            spans.append(make(booking.starts_at, used_from, "unused"))
        if used_to > used_from:
            spans.append(make(used_from, used_to, "used"))
        if used_to < held_end:
            spans.append(make(used_to, held_end, "held" if now < held_end else "unused"))
        return spans
    unused_to = min(max(now, booking.starts_at), held_end)
    if unused_to > booking.starts_at:
        spans.append(make(booking.starts_at, unused_to, "unused"))
    if unused_to < held_end:
        spans.append(make(unused_to, held_end, "held"))
    return spans


def week_grid(venue, days: list[dt.date], displaced_by_notice: dict | None = None) -> dict:
    """The grid of `days` at `venue`: the column headers and the rows of half hours that
    cover the rulebook's allowed hours and everything booked or closed on those days."""
    jurisdiction = venue.jurisdiction
    tz = jurisdiction.tz
    zones = zones_in_order(venue)
    column_of = {(d, z.pk): i for i, (d, z) in enumerate((d, z) for d in days for z in zones)}
    start, end = jurisdiction.day_bounds(days[0])[0], jurisdiction.day_bounds(days[-1])[1]
    now = timezone.now()
    displaced_by_notice = displaced_by_notice or {}

    spans: list[Span] = []
    bookings = (
        Booking.objects.firm()
        .filter(zone__venue=venue, starts_at__lt=end, ends_at__gt=start)
        .select_related("notice__organizer")
    )
    for booking in bookings:
        for day in days:
            day_start, day_end = jurisdiction.day_bounds(day)
            if booking.starts_at < day_end and booking.ends_at > day_start:
                column = column_of[(day, booking.zone_id)]
                for span in booking_spans(
                    booking, column, now, displaced_by_notice.get(booking.notice_id, ())
                ):
                    spans.append(_clip(span, day_start, day_end))
    for closure in venue.closures.filter(starts_at__lt=end, ends_at__gt=start):
        until = closure.until
        for day in days:
            day_start, day_end = jurisdiction.day_bounds(day)
            if closure.starts_at < min(until, day_end) and until > day_start:
                for zone in zones:
                    if closure.zone_id in (None, zone.pk):
                        spans.append(
                            Span(
                                column_of[(day, zone.pk)],
                                max(closure.starts_at, day_start),
                                min(until, day_end),
                                "closed",
                                f"closure:{closure.pk}",
                                closure=closure,
                            )
                        )
    spans = [s for s in spans if s.ends_at > s.starts_at]

    hours = jurisdiction.rulebook.rules.hours
    first = min([hours.start] + [s.starts_at.astimezone(tz).time() for s in spans])
    last = max([hours.end] + [_local_end(s.ends_at, tz) for s in spans])
    slot_times = _slot_times(first, last)
    slots = [dt.datetime.combine(days[0], t, tz) for t in slot_times]
    # a row is a time of day across all the days: lay each day out on its own slots, then zip
    per_day, rows = [], []
    for day_index, day in enumerate(days):
        day_slots = [dt.datetime.combine(day, t, tz) for t in slot_times]
        columns = range(day_index * len(zones), (day_index + 1) * len(zones))
        local = [replace(s, column=s.column - columns.start) for s in spans if s.column in columns]
        per_day.append(layout(day_slots, len(zones), local))
    for i, at in enumerate(slots):
        row = Row(at)
        for day_rows in per_day:
            row.cells.extend(day_rows[i].cells)
        rows.append(row)
    return {
        "days": days,
        "zones": [pick(z.name) for z in zones],
        "per_day": len(zones),
        "rows": rows,
        "states": [(state, WORDS[state]) for state in PRIORITY if any(s.state == state for s in spans)],
    }


def _clip(span: Span, start: dt.datetime, end: dt.datetime) -> Span:
    return replace(span, starts_at=max(span.starts_at, start), ends_at=min(span.ends_at, end))


def _local_end(moment: dt.datetime, tz) -> dt.time:
    local = moment.astimezone(tz)
    # an end at midnight is the end of the day before: the grid runs to its last slot
    return dt.time(23, 59) if local.time() == dt.time() else local.time()


def _slot_times(first: dt.time, last: dt.time) -> list[dt.time]:
    """Half hours from the one `first` falls in to the one `last` falls in (exclusive end)."""
    minute = first.hour * 60 + first.minute
    minute -= minute % 30
    end = last.hour * 60 + last.minute
    times = []
    while minute < end:
        times.append(dt.time(minute // 60, minute % 60))
        minute += 30
    return times
