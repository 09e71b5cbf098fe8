"""Anti-blocking flags (PRODUCT.md §5) and the per-organizer blocking index.

A booking is flagged when it is longer than the rulebook's daily cap (`over_cap`), when it
was used for under half its length (`underused`: check-in to check-out, or not at all),
or when its notice was filed after a competing notice for the same venue and time that
it displaced (`filed_after_competitor`). Each flag names the notices it displaced:
notices for the same venue whose requested time overlaps the booking and that were
refused or moved because the place was booked.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db.models import F, Max, Min
from django.utils import timezone

from agora.notices.models import Decision, Notice
from agora.notices.workflow import REFUSALS, Status

from .models import Booking

UNDERUSED_BELOW = 0.5
# refused or moved (and perhaps withdrawn since): such a notice may have been displaced
DISPLACED_STATES = REFUSALS | {Status.WITHDRAWN}


@dataclass
class Usage:
    """What one notice booked and used of a venue."""

    notice: Notice
    starts_at: dt.datetime
    ends_at: dt.datetime
    checked_in_at: dt.datetime | None
    checked_out_at: dt.datetime | None
    displaced: list[Rival] = field(default_factory=list)
    held_until: dt.datetime | None = None  # the latest its bookings still hold
    zones: list = field(default_factory=list)  # the zones it booked

    @property
    def booked_hours(self) -> float:
        return (self.ends_at - self.starts_at).total_seconds() / 3600

    def used_hours(self, now: dt.datetime) -> float | None:
        return hours_used(self.starts_at, self.ends_at, self.checked_in_at, self.checked_out_at, now)


def hours_used(starts_at, ends_at, checked_in_at, checked_out_at, now: dt.datetime) -> float | None:
    """Hours really used of [starts_at, ends_at); None while it cannot be known yet."""
    if checked_in_at is None:
        return 0.0 if now >= ends_at else None
    until = checked_out_at or (ends_at if now >= ends_at else None)
    if until is None:
        return None
    return max(0.0, (min(until, ends_at) - checked_in_at).total_seconds() / 3600)


@dataclass(frozen=True)
class Flag:
    notice: Notice
    kind: str
    detail: str
    displaced: tuple[Rival, ...]


class Rival(NamedTuple):
    """A notice refused or moved because a place was booked: what the flags and pages show."""

    pk: int
    reference: str | None
    venue_id: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    filed_at: dt.datetime | None


def usages(bookings) -> list[Usage]:
    """One Usage per notice, from its firm bookings (offers still pending do not count), each
    with the notices it displaced: three queries, whatever the number of bookings."""
    by_notice: dict[int, Usage] = {}
    # the rulebook's text is parsed once per process (Rulebook.rules): not read with every row
    firm = (
        bookings.firm()
        .select_related("notice__rulebook", "notice__organizer", "zone")
        .defer("notice__rulebook__data")
    )
    for b in firm:
        usage = by_notice.get(b.notice_id)
        if usage is None:
            usage = by_notice[b.notice_id] = Usage(
                b.notice, b.starts_at, b.ends_at, b.checked_in_at, b.checked_out_at, held_until=b.held_until
            )
        else:
            usage.starts_at, usage.ends_at = min(usage.starts_at, b.starts_at), max(usage.ends_at, b.ends_at)
            usage.held_until = max(usage.held_until, b.held_until)
        usage.zones.append(b.zone)
    found = list(by_notice.values())
    if found:
        rivals = displaced_rivals(
            Notice.objects.filter(
                venue__in={u.notice.venue_id for u in found},
                starts_at__lt=max(u.ends_at for u in found),
                ends_at__gt=min(u.starts_at for u in found),
            )
        )
        spans = [(u.notice.pk, u.notice.venue_id, u.starts_at, u.ends_at) for u in found]
        for usage, displaced in zip(found, overlapping(spans, rivals), strict=True):
            usage.displaced = displaced
    return found


def displaced_rivals(notices) -> list[Rival]:
    """Those of `notices` refused or moved because a place was booked: the last of their
    decisions that refused or moved them cites `venue_booked`, or is a refusal by silence.
    In the order they were filed; two queries."""
    candidates = notices.filter(status__in=DISPLACED_STATES).order_by()
    last: dict[int, bool] = {}
    decisions = (
        Decision.objects.filter(notice__in=candidates.values("pk"), outcome__in=DISPLACED_STATES)
        .order_by("decided_at", "pk")
        .values_list("notice_id", "outcome", "grounds")
    )
    for notice_id, outcome, grounds in decisions.iterator(chunk_size=5000):
        last[notice_id] = "venue_booked" in (grounds or []) or outcome == Status.DEEMED_REFUSED
    rows = candidates.order_by("filed_at", "pk").values_list(
        "pk", "reference", "venue_id", "starts_at", "ends_at", "filed_at"
    )
    return [Rival(*row) for row in rows.iterator(chunk_size=5000) if last.get(row[0])]


def overlapping(spans, rivals: list[Rival]) -> list[list[Rival]]:
    """For each span (notice id, venue id, start, end), the rivals at the same venue whose time
    overlaps it, other than the span's own notice, in the rivals' order. A sweep: rivals
    sorted by start per venue, each span looks only at those that start before it ends and
    after it starts less the longest rival."""
    order = {rival.pk: i for i, rival in enumerate(rivals)}
    by_venue: dict[int, list[Rival]] = defaultdict(list)
    for rival in rivals:
        by_venue[rival.venue_id].append(rival)
    starts: dict[int, list[dt.datetime]] = {}
    longest: dict[int, dt.timedelta] = {}
    for venue, found in by_venue.items():
        found.sort(key=lambda r: r.starts_at)
        starts[venue] = [r.starts_at for r in found]
        longest[venue] = max(r.ends_at - r.starts_at for r in found)
    result = []
    for notice_id, venue, start, end in spans:
        if venue not in by_venue:
            result.append([])
            continue
        found = by_venue[venue]
        lo = bisect_left(starts[venue], start - longest[venue])
        hi = bisect_left(starts[venue], end)
        hits = [r for r in found[lo:hi] if r.ends_at > start and r.pk != notice_id]
        result.append(sorted(hits, key=lambda r: order[r.pk]))
    return result


def flags_for(bookings, *, now: dt.datetime | None = None) -> list[Flag]:
    return flags_of(usages(bookings), now=now)


def flags_of(found_usages: list[Usage], *, now: dt.datetime | None = None) -> list[Flag]:
    """The flags of usages already found (a page that shows both asks the database once)."""
    now = now or timezone.now()
    found = []
    for usage in found_usages:
        notice, displaced = usage.notice, tuple(usage.displaced)
        cap = notice.rulebook.rules.fairness.max_hours_per_organizer_per_venue_day
        if cap is not None and usage.booked_hours > cap:
            found.append(
                Flag(notice, "over_cap", f"booked {usage.booked_hours:g} h, the cap is {cap:g} h", displaced)
            )
        used = usage.used_hours(now)
        if used is not None and used < UNDERUSED_BELOW * usage.booked_hours:
            found.append(
                Flag(notice, "underused", f"used {used:g} h of {usage.booked_hours:g} h booked", displaced)
            )
        earlier = tuple(
            r for r in displaced if r.filed_at and notice.filed_at and r.filed_at < notice.filed_at
        )
        if earlier:
            found.append(
                Flag(notice, "filed_after_competitor", "filed after the notice(s) it displaced", earlier)
            )
    return found


# Notices' bookings compared with their rivals this many at a time (one venue, a span of
# time), so that memory holds a chunk, not years of history. At 1,000,000 notices the
# statistics take 45 s and 74 MiB with it (20,000: 57 s, 40 MiB; all at once: 31 s, 318 MiB).
BLOCKING_CHUNK = 100_000


def blocking_index(bookings, *, now: dt.datetime | None = None) -> list[dict]:
    """Per organizer: hours booked, used and unused, and the notices their bookings displaced.
    Each notice's bookings are summed in the database and streamed in the order of venue and
    time, compared with their rivals a chunk at a time (one venue, BLOCKING_CHUNK notices):
    over years of history (the statistics) in a few queries per chunk and the memory of a
    chunk and of the per-organizer sums."""
    now = now or timezone.now()
    per_notice = (
        bookings.firm()
        .order_by()
        .values("notice_id")
        .annotate(
            venue=F("notice__venue_id"),
            organizer=F("notice__organizer_id"),
            start=Min("starts_at"),
            end=Max("ends_at"),
            checked_in=Min("checked_in_at"),
            checked_out=Max("checked_out_at"),
        )
        .order_by("venue", "start", "notice_id")
        .values_list("notice_id", "venue", "organizer", "start", "end", "checked_in", "checked_out")
    )
    rows: dict[int, dict] = defaultdict(
        lambda: {"booked_hours": 0.0, "used_hours": 0.0, "unused_hours": 0.0, "displaced": set()}
    )

    def tally(chunk: list) -> None:
        venue = chunk[0][1]
        rivals = displaced_rivals(
            Notice.objects.filter(
                venue=venue,
                starts_at__lt=max(row[4] for row in chunk),
                ends_at__gt=min(row[3] for row in chunk),
            )
        )
        displaced = overlapping([(n, v, start, end) for n, v, _o, start, end, _i, _c in chunk], rivals)
        for row_of_notice, theirs in zip(chunk, displaced, strict=True):
            _n, _v, organizer, start, end, checked_in, checked_out = row_of_notice
            booked = (end - start).total_seconds() / 3600
            used = hours_used(start, end, checked_in, checked_out, now)
            row = rows[organizer]
            row["booked_hours"] += booked
            if used is not None:
                row["used_hours"] += used
                row["unused_hours"] += booked - used
            row["displaced"].update(r.pk for r in theirs)

    chunk: list = []
    for found in per_notice.iterator(chunk_size=5000):
        if chunk and (found[1] != chunk[0][1] or len(chunk) >= BLOCKING_CHUNK):
            tally(chunk)
            chunk = []
        chunk.append(found)
    if chunk:
        tally(chunk)
    if not rows:
        return []
    organizers = Notice._meta.get_field("organizer").related_model.objects.in_bulk(list(rows))
    return sorted(
        (
            {**row, "organizer_id": pk, "organizer": organizers[pk], "displaced": len(row["displaced"])}
            for pk, row in rows.items()
        ),
        key=lambda r: (-r["unused_hours"], -r["displaced"], r["organizer_id"]),
    )


def bookings_on(jurisdiction, start: dt.datetime, end: dt.datetime):
    return Booking.objects.filter(notice__jurisdiction=jurisdiction, starts_at__lt=end, ends_at__gt=start)
