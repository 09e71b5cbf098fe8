"""What must hold after every action, whoever acts (PRODUCT.md §10), stated once.

`broken()` checks each invariant against the database and names every breach. The
model-based test (tests/notices/test_model.py) runs it after every step of random action
sequences; `agora check-invariants` runs it on a live database. docs/invariants.md lists
them with the tests that check them.

1. held_time_goes_ahead: no booking holds time (from now on) for a notice that is not
   going ahead; a hold of released time belongs to a waiting notice with a pending offer,
   and the hold of a decision's alternative to a waiting notice whose latest decision it
   is, not yet answered.
2. daily_cap: the time held per organizer and venue-day (whatever the notices' status)
   stays within the rulebook's cap.
3. started_not_undone: no organizer undid an assembly once it had started.
4. places_lawful: every offered or alternative place was in the future when offered,
   within the rulebook's hours, clear of closures, within the cap, and names its venue
   and zones.
5. checkin_window: check-in only from the rulebook's window before the start until the
   end of the booking; check-out (and a release for it) only after check-in; held or not
   held recorded only once the assembly is over.
6. refusals_reasoned: every refusal or alternative names grounds from the rulebook's list
   and gives reasons; every appeal decision gives reasons.
7. no_overlap: no two bookings hold one zone at the same instant.
8. closures_respected: no booking holds time a closure takes, unless its assembly had
   already started when the closure was declared (the authority never silently cancels,
   and never books into its own closure).
9. changes_respected: after the authority's latest change of a venue, no assembly that was
   going ahead there before it still holds time there that the venue no longer takes (no
   longer designated, too small, outside its hours): it was sent back for an offer.
10. log_agrees: the audit log's chain is intact and replays to the tables: every notice,
   booking, offer and decision is as the latest event that changed it says (so a fact that
   decides who gets a place cannot change without the log, and `verify` names what did).
11. papers_logged: every notice deemed accepted by silence has its certificate of silence,
   and every letter or certificate issued is in the log with the SHA-256 of its file (so
   whoever holds it can prove it, issue 19).
12. consulted: every consultation is due no later than its notice's decision, and answered
   (if at all) by its deadline; no officer decided a notice while a consultation the rules
   require was neither answered nor run out, unless the decision says why (PRODUCT.md §9).
13. moved_with_consent: an accepted booking is given up for a move only when its organizer
   agreed to that move, at that moment, and the notice then holds the place and time agreed;
   a request to move still pending belongs to an assembly going ahead (PRODUCT.md §4.3).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import F, Q
from django.utils import timezone

from agora.audit.models import AuditEvent
from agora.audit.services import verify_chain
from agora.scheduling.models import MOVED, Booking, MoveRequest, Offer
from agora.venues.models import Closure, VenueChange, Zone

from .models import Consultation, Decision, Letter, Notice
from .workflow import GOING_AHEAD, OFFICER_OUTCOMES, REASONED_OUTCOMES, WAITING, Status


def broken(now: dt.datetime | None = None) -> list[str]:
    """Every breach of every invariant, as sentences naming the records."""
    now = now or timezone.now()
    return [
        *held_time_goes_ahead(now),
        *daily_cap(),
        *started_not_undone(),
        *places_lawful(),
        *checkin_window(),
        *refusals_reasoned(),
        *no_overlap(),
        *closures_respected(),
        *changes_respected(),
        *log_agrees(),
        *papers_logged(),
        *consulted(),
        *moved_with_consent(),
    ]


def _holding_now(now: dt.datetime):
    return Booking.objects.filter(held_until__gt=F("starts_at")).filter(held_until__gt=now)


def held_time_goes_ahead(now: dt.datetime) -> list[str]:
    found = []
    for b in _holding_now(now).select_related("notice", "offer", "alternative"):
        status = b.notice.status
        if b.alternative is not None and b.alternative.alternative_answer != "accepted":
            open_now = b.alternative.alternative_answer == "" and status in WAITING
            if (
                not open_now
                or b.alternative.notice.decisions.order_by("decided_at", "pk").last() != b.alternative
            ):
                found.append(
                    f"held_time_goes_ahead: booking {b.pk} holds the alternative of {b.alternative}, "
                    f"which is not open ({status}, answer {b.alternative.alternative_answer or 'none'})"
                )
        elif b.offer is None or b.offer.state == Offer.State.ACCEPTED:
            if status not in GOING_AHEAD:
                found.append(
                    f"held_time_goes_ahead: booking {b.pk} holds time for {b.notice}, which is {status}"
                )
        elif b.offer.state == Offer.State.PENDING:
            if status not in WAITING:
                found.append(
                    f"held_time_goes_ahead: offer {b.offer.pk} holds time for {b.notice}, which is {status}"
                )
        else:
            found.append(f"held_time_goes_ahead: booking {b.pk} of a {b.offer.state} offer still holds time")
    return found


def _union_minutes(spans: list[tuple[dt.datetime, dt.datetime]]) -> float:
    total, end = 0.0, None
    for s, e in sorted(spans):
        if end is None or s >= end:
            total += (e - s).total_seconds()
            end = e
        elif e > end:
            total += (e - end).total_seconds()
            end = e
    return total / 60


def daily_cap() -> list[str]:
    spans: dict[tuple, list] = defaultdict(list)
    caps = {}
    held = Booking.objects.filter(held_until__gt=F("starts_at")).select_related(
        "notice__jurisdiction__rulebook", "zone"
    )
    for b in held:
        jurisdiction = b.notice.jurisdiction
        cap = jurisdiction.rulebook.rules.fairness.max_hours_per_organizer_per_venue_day
        if cap is None:
            continue
        day = jurisdiction.local_day(b.starts_at)
        key = (b.notice.organizer_id, b.zone.venue_id, day)
        caps[key] = cap
        spans[key].append((b.notice_id, b.starts_at, b.held_until))
    found = []
    for key, rows in spans.items():
        per_notice: dict[int, list] = defaultdict(list)
        for notice_id, s, e in rows:
            per_notice[notice_id].append((s, e))
        minutes = sum(_union_minutes(v) for v in per_notice.values())
        if minutes > caps[key] * 60 + 1e-6:
            organizer, venue, day = key
            found.append(
                f"daily_cap: organizer {organizer} holds {minutes / 60:g} h at venue {venue} on {day}, "
                f"over the cap of {caps[key]:g} h"
            )
    return found


UNDOING = ("notice.withdrawn", "alternative.declined", "offer.declined")


def started_not_undone() -> list[str]:
    """An organizer's withdrawal or declining, recorded at or after the start of the
    assembly it undid: the time the notice held, or (a withdrawal) the time it asked for."""
    found = []
    events = AuditEvent.objects.filter(
        event__in=UNDOING, actor__startswith="organizer:", object_type="notice"
    )
    starts = dict(
        Notice.objects.filter(
            pk__in=[int(e) for e in events.values_list("object_id", flat=True)]
        ).values_list("pk", "starts_at")
    )
    held_from: dict[int, dt.datetime] = {}
    for notice_id, start in (
        Booking.objects.firm().filter(notice__in=list(starts)).values_list("notice_id", "starts_at")
    ):
        held_from[notice_id] = min(start, held_from.get(notice_id, start))
    for event in events:
        notice_id = int(event.object_id)
        start = held_from.get(notice_id)
        if start is None and event.event == "notice.withdrawn":
            start = starts.get(notice_id)
        if start is not None and event.at >= start:
            found.append(
                f"started_not_undone: {event.event} on notice {notice_id} at {event.at}, after {start}"
            )
    return found


def _place_problems(notice: Notice, venue_id, zones, start, end, offered_at) -> list[str]:
    problems = []
    rules = notice.jurisdiction.rulebook.rules
    tz = notice.jurisdiction.tz
    if not venue_id or not zones:
        problems.append("names no venue and zones")
    elif Zone.objects.filter(pk__in=zones, venue=venue_id).count() != len(set(zones)):
        problems.append("names zones of another venue")
    if start <= offered_at:
        problems.append("was not in the future when offered")
    hours = rules.hours_for(notice.assembly_type)
    local_start, local_end = start.astimezone(tz), end.astimezone(tz)
    if (
        local_start.date() != local_end.date()
        or local_start.time() < hours.start
        or local_end.time() > hours.end
    ):
        problems.append("is outside the rulebook's hours")
    if (
        venue_id
        and Closure.objects.in_force(start, end)
        .filter(venue=venue_id)
        .filter(Q(declared_at__isnull=True) | Q(declared_at__lt=offered_at))  # known when offered
        .exists()
    ):
        problems.append("overlaps a closure")
    cap = rules.fairness.max_hours_per_organizer_per_venue_day
    if cap is not None and (end - start).total_seconds() > cap * 3600:
        problems.append("is longer than the daily cap")
    return problems


def places_lawful() -> list[str]:
    found = []
    for d in Decision.objects.exclude(alternative=None).select_related("notice__jurisdiction__rulebook"):
        alt = d.alternative
        start, end = dt.datetime.fromisoformat(alt["starts_at"]), dt.datetime.fromisoformat(alt["ends_at"])
        for problem in _place_problems(
            d.notice, alt.get("venue"), alt.get("zones"), start, end, d.decided_at
        ):
            found.append(f"places_lawful: the alternative of {d.reference} {problem}")
    for offer in Offer.objects.select_related("notice__jurisdiction__rulebook").prefetch_related(
        "holds__zone"
    ):
        holds = list(offer.holds.all())
        venue = holds[0].zone.venue_id if holds else None
        zones = [h.zone_id for h in holds]
        for problem in _place_problems(
            offer.notice, venue, zones, offer.starts_at, offer.ends_at, offer.offered_at
        ):
            found.append(f"places_lawful: offer {offer.pk} to {offer.notice} {problem}")
    return found


def checkin_window() -> list[str]:
    found = []
    for b in Booking.objects.exclude(checked_in_at=None).select_related("notice__rulebook"):
        before = dt.timedelta(minutes=b.notice.rulebook.rules.fairness.checkin_opens_minutes_before)
        if not (b.starts_at - before <= b.checked_in_at <= b.ends_at):
            found.append(f"checkin_window: booking {b.pk} of {b.notice} checked in at {b.checked_in_at}")
        if b.checked_out_at is not None and b.checked_out_at < b.checked_in_at:
            found.append(f"checkin_window: booking {b.pk} of {b.notice} checked out before it checked in")
    for b in Booking.objects.filter(checked_in_at=None).exclude(checked_out_at=None):
        found.append(f"checkin_window: booking {b.pk} of {b.notice} checked out without checking in")
    for b in Booking.objects.filter(release_reason="checked_out", checked_out_at=None):
        found.append(f"checkin_window: booking {b.pk} of {b.notice} released for a check-out never made")
    recorded = AuditEvent.objects.filter(event__in=["notice.held", "notice.not_held"], object_type="notice")
    for event in recorded:
        notice = Notice.objects.get(pk=int(event.object_id))
        end = max([b.ends_at for b in notice.bookings.firm()], default=notice.ends_at)
        if event.at < end:
            found.append(
                f"checkin_window: {notice} recorded as {event.event[7:]} at {event.at}, before its end {end}"
            )
    return found


def refusals_reasoned() -> list[str]:
    found = []
    reasoned = [*REASONED_OUTCOMES, Status.UPHELD, Status.OVERTURNED]
    for d in Decision.objects.filter(outcome__in=reasoned).select_related("rulebook"):
        if not d.reasoning.strip():
            found.append(f"refusals_reasoned: {d.reference} ({d.outcome}) gives no reasons")
        if d.outcome in REASONED_OUTCOMES:
            listed = d.rulebook.rules.refusal_grounds
            if not d.grounds or any(g not in listed for g in d.grounds):
                found.append(f"refusals_reasoned: {d.reference} ({d.outcome}) has grounds {d.grounds}")
    return found


def no_overlap() -> list[str]:
    found = []
    by_zone = defaultdict(list)
    for b in Booking.objects.filter(held_until__gt=F("starts_at")).order_by("zone", "starts_at"):
        by_zone[b.zone_id].append(b)
    for zone, rows in by_zone.items():
        latest = rows[0]
        for b in rows[1:]:
            if b.starts_at < latest.held_until:
                found.append(f"no_overlap: bookings {latest.pk} and {b.pk} both hold zone {zone}")
            if b.held_until > latest.held_until:
                latest = b
    return found


def closures_respected() -> list[str]:
    found = []
    for closure in Closure.objects.exclude(declared_at=None):
        zones = Q(zone=closure.zone_id) if closure.zone_id else Q(zone__venue=closure.venue_id)
        inside = Booking.objects.filter(
            zones, starts_at__lt=closure.until, held_until__gt=closure.starts_at
        ).filter(held_until__gt=F("starts_at"), starts_at__gt=closure.declared_at)
        for b in inside.select_related("notice"):
            found.append(
                f"closures_respected: booking {b.pk} of {b.notice} holds time closure {closure.pk} takes"
            )
    return found


def changes_respected() -> list[str]:
    from .services import unfit_reason  # the one statement of what a venue takes

    found = []
    changes = VenueChange.objects.order_by("declared_at", "pk").select_related("venue")
    latest = {c.venue_id: c for c in changes}
    for change in latest.values():
        logged = AuditEvent.objects.filter(event="venue.changed", object_id=str(change.pk)).first()
        holding = Booking.objects.firm().filter(
            zone__venue=change.venue_id, starts_at__gt=change.declared_at, held_until__gt=F("starts_at")
        )
        for notice in Notice.objects.going_ahead().filter(pk__in=holding.values("notice")):
            moved = (
                AuditEvent.objects.filter(object_type="notice", object_id=str(notice.pk), data__has_key="to")
                .order_by("-seq")
                .values_list("seq", flat=True)
                .first()
            )
            if logged and moved and moved < logged.seq and unfit_reason(notice, change.venue):
                found.append(
                    f"changes_respected: {notice} still holds {change.venue} after change {change.pk}: "
                    + unfit_reason(notice, change.venue)
                )
    return found


def log_agrees() -> list[str]:
    verdict = verify_chain()
    if verdict.ok:
        return []
    return [f"log_agrees: {problem}" for problem in verdict.problems or [verdict.problem]]


def papers_logged() -> list[str]:
    found = []
    uncertified = Decision.objects.filter(outcome=Status.DEEMED_ACCEPTED, officer=None, letter__isnull=True)
    for reference in uncertified.values_list("reference", flat=True):
        found.append(f"papers_logged: {reference} was deemed accepted but has no certificate of silence")
    logged = {
        (row["object_id"], row["data"].get("sha256"))
        for row in AuditEvent.objects.filter(event="letter.issued").values("object_id", "data")
    }
    for decision_id, reference, sha256 in Letter.objects.values_list(
        "decision_id", "decision__reference", "sha256"
    ):
        if (str(decision_id), sha256) not in logged:
            found.append(f"papers_logged: the letter of {reference} is not in the log with its SHA-256")
    return found


def consulted() -> list[str]:
    found = []
    ran_out = (Consultation.State.DEEMED_CONSENTED, Consultation.State.TIMED_OUT)
    rows = Consultation.objects.select_related("notice", "agency")
    by_notice = defaultdict(list)
    for c in rows:
        by_notice[c.notice_id].append(c)
        # at the latest by the notice's own deadline; at once for a notice due before it was filed
        if c.notice.decision_due_at is not None and c.due_at > max(c.notice.decision_due_at, c.requested_at):
            found.append(f"consulted: {c.notice} asks {c.agency.code} by {c.due_at}, after its own deadline")
        if c.answered_at is not None and c.answered_at > c.due_at:
            found.append(f"consulted: {c.agency.code} answered on {c.notice} after its deadline")

    def settled(c, moment) -> bool:
        if c.answered_at is not None:
            return c.answered_at <= moment
        return c.state in ran_out and c.due_at <= moment

    decisions = Decision.objects.filter(
        notice__in=list(by_notice), officer__isnull=False, outcome__in=sorted(OFFICER_OUTCOMES)
    )
    for d in decisions.select_related("notice"):
        waiting = [c.agency.code for c in by_notice[d.notice_id] if not settled(c, d.decided_at)]
        if waiting and not d.consultation_note.strip():
            found.append(
                f"consulted: {d.reference} was decided while {', '.join(waiting)} had not answered, "
                "with no reason why"
            )
    return found


def moved_with_consent() -> list[str]:
    found = []
    agreed = {
        (m.notice_id, m.answered_at): m for m in MoveRequest.objects.filter(state=MoveRequest.State.ACCEPTED)
    }
    for b in Booking.objects.filter(release_reason=MOVED):
        if (b.notice_id, b.released_at) not in agreed:
            found.append(
                f"moved_with_consent: booking {b.pk} of notice {b.notice_id} was given up for a move "
                "its organizer did not agree to then"
            )
    for (notice_id, at), move in agreed.items():
        taken = Booking.objects.firm().filter(notice_id=notice_id, created_at__gte=at)
        zones = sorted(
            taken.filter(starts_at=move.starts_at, ends_at=move.ends_at).values_list("zone", flat=True)
        )
        if zones != sorted(move.zones):
            found.append(
                f"moved_with_consent: notice {notice_id} agreed to move #{move.pk} but does not hold "
                f"zones {sorted(move.zones)} from {move.starts_at} to {move.ends_at}"
            )
    for move in MoveRequest.objects.filter(state=MoveRequest.State.PENDING).exclude(
        notice__status__in=GOING_AHEAD
    ):
        found.append(
            f"moved_with_consent: request to move #{move.pk} is pending for a notice not going ahead"
        )
    return found
