"""PRODUCT.md §6, the acceptance scenario `almaty-2022-03-19`, replayed step by step.

Republic Square, Almaty (outline illustrative). Notice A: a rally "in support of the
president", a few hundred people, the whole day, filed early. Notice B: a peace rally,
filed later, for the afternoon. On the day A leaves early. Under `kz-2020` (the status
quo) A holds the square all day and B is refused; under `fair` A is capped at 4 hours and
B is accommodated. Runs against the current database, which must be empty (the
`agora scenario` command gives it a fresh temporary one).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model

from agora.accounts.models import Officer, Organizer
from agora.demo import make_jurisdiction, names, republic_square
from agora.rules.services import load_rulebooks
from agora.scheduling.flags import bookings_on, flags_for
from agora.scheduling.models import Offer
from agora.scheduling.planning import propose_day

from . import services as notices

ALMATY = ZoneInfo("Asia/Almaty")
DAY = dt.date(2022, 3, 19)  # a Saturday


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2022, 3, day, hour, minute, tzinfo=ALMATY)


def local(moment: dt.datetime | None) -> str | None:
    return moment.astimezone(ALMATY).isoformat() if moment else None


def hhmm(moment: dt.datetime | None) -> str | None:
    return moment.astimezone(ALMATY).strftime("%H:%M") if moment else None


def _user(username: str):
    return get_user_model().objects.create_user(username, f"{username}@example.org", None)


def replay(rulebook: str, *, time_limit: float = 10.0) -> dict:
    steps: list[str] = []

    def step(text: str) -> None:
        steps.append(text)

    load_rulebooks()
    almaty = make_jurisdiction(
        "almaty", names("Almaty mayor's office", "Акимат Алматы", "Алматы әкімдігі"), "ALA", rulebook
    )
    square = republic_square(almaty)
    officer = _user("officer")
    Officer.objects.create(user=officer, jurisdiction=almaty)
    a_user, b_user = _user("organizer-a"), _user("organizer-b")
    Organizer.objects.create(
        user=a_user,
        kind="organization",
        full_name="Organizer A",
        organization_name="Committee in support of the President",
    )
    Organizer.objects.create(
        user=b_user, kind="organization", full_name="Organizer B", organization_name="Almaty Peace Initiative"
    )
    step(
        f"Rulebook {almaty.rulebook}; Republic Square has zones "
        + ", ".join(f"{z.slug} ({z.capacity} persons)" for z in square.zones.all())
    )

    a = notices.file_notice(
        a_user,
        at=at(2, 10),
        assembly_type="rally",
        topic="support",
        venue=square,
        purpose="Rally in support of the president",
        starts_at=at(19, 9),
        ends_at=at(19, 20),
        expected_participants=300,
    )
    step(
        f"2 Mar: A ({a.reference}) notifies a rally for 300 people, 19 Mar 09:00-20:00"
        + (f"; pre-check: {', '.join(v['code'] for v in a.violations)}" if a.violations else "")
    )
    b = notices.file_notice(
        b_user,
        at=at(4, 15),
        assembly_type="rally",
        topic="rights",
        venue=square,
        purpose="Peace rally",
        starts_at=at(19, 14),
        ends_at=at(19, 18),
        expected_participants=500,
    )
    step(f"4 Mar: B ({b.reference}) notifies a peace rally for 500 people, 19 Mar 14:00-18:00")

    proposal = propose_day(almaty, DAY, time_limit=time_limit)
    allocation = proposal["allocation"]
    if allocation.method == "fcfs":
        how = "by the status quo rule, first come first served"
    else:
        how = (
            f"with the optimiser (proven bound {allocation.bound}; first come first served {allocation.fcfs})"
        )
    count = f"{allocation.accommodated} of {len(proposal['items'])}"
    step(f"9 Mar: the officer resolves the day {how}: {count} accommodated")
    for notice, decision in notices.apply_day_plan(proposal, officer, at=at(9, 11)):
        label = "A" if notice.pk == a.pk else "B"
        grounds = f" on ground {', '.join(decision.grounds)}" if decision.grounds else ""
        booked = notice.bookings.order_by("starts_at").first()
        where = f", holds {hhmm(booked.starts_at)}-{hhmm(booked.ends_at)}" if booked else ""
        step(f"9 Mar: {label} is {decision.outcome}{grounds}{where}")

    offers: list[Offer] = []
    a.refresh_from_db()
    if a.bookings.exists():
        notices.check_in(a, officer, at=at(19, 9))
        checkout = at(19, 14) if rulebook == "kz-2020" else at(19, 12)
        offers += notices.check_out(a, officer, at=checkout)
        released = a.bookings.filter(released_at__isnull=False).exists()
        step(
            f"19 Mar: A checks in at 09:00 and out at {hhmm(checkout)}; "
            + ("the rest of its booking is released" if released else "nothing is released (status quo)")
            + (f"; offered to {len(offers)} waiting notice(s)" if offers else "; no notice is waiting for it")
            * released
        )
    b.refresh_from_db()
    if b.bookings.exists():
        notices.check_in(b, officer, at=at(19, 14))
        notices.check_out(b, officer, at=at(19, 18))
        step("19 Mar: B checks in at 14:00 and out at 18:00")
    else:
        step("19 Mar: B holds no booking: the square stands empty from 14:00 while B stays refused")
    for notice in (a, b):
        notice.refresh_from_db()
        if notice.bookings.exists():
            notices.record_held(notice, officer, held=True, at=at(19, 21))

    labels = {a.pk: "A", b.pk: "B"}
    flags = flags_for(bookings_on(almaty, at(19, 0), at(20, 0)), now=at(19, 21))
    for flag in flags:
        step(
            f"Flag on {labels[flag.notice.pk]}: {flag.kind} ({flag.detail}); displaced: "
            + (", ".join(labels.get(d.pk, d.reference) for d in flag.displaced) or "none")
        )
    if not flags:
        step("No booking is flagged")
    return {
        "rulebook": rulebook,
        "steps": steps,
        "notices": {labels[n.pk]: _summary(n) for n in (a, b)},
        "offers": [
            {
                "notice": labels.get(o.notice_id, str(o.notice_id)),
                "starts_at": local(o.starts_at),
                "ends_at": local(o.ends_at),
                "state": o.state,
            }
            for o in offers
        ],
        "flags": [
            {
                "notice": labels[f.notice.pk],
                "kind": f.kind,
                "displaced": [labels.get(d.pk, d.reference) for d in f.displaced],
            }
            for f in flags
        ],
        "allocation": allocation.as_dict(),
    }


def _summary(notice) -> dict:
    notice.refresh_from_db()
    decision = notice.decisions.order_by("decided_at", "pk").first()
    bookings = list(notice.bookings.order_by("starts_at"))
    first = bookings[0] if bookings else None
    return {
        "reference": notice.reference,
        "status": notice.status,
        "decision": decision.outcome if decision else None,
        "grounds": decision.grounds if decision else [],
        "zones": sorted(b.zone.slug for b in bookings),
        "booking_start": local(first.starts_at) if first else None,
        "booking_end": local(first.ends_at) if first else None,
        "held_until": local(first.held_until) if first else None,
        "checked_in": local(first.checked_in_at) if first else None,
        "checked_out": local(first.checked_out_at) if first else None,
    }
