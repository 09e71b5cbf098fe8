"""Where a notice is, as people read it: the place and time it holds now (its firm bookings)
beside what it asked for, and any place and time in words. Below the services, so that
e-mails (notify) can say it too."""

from __future__ import annotations

from django.utils.translation import gettext as _

from agora import i18n
from agora.i18n import pick
from agora.scheduling.models import MoveRequest
from agora.scheduling.place import Place
from agora.venues.models import Venue, Zone


def held_place(notice) -> Place | None:
    """Where and when the notice holds its place now: its firm bookings (an accepted
    alternative or released time may put it elsewhere than it asked), or None. A caller that
    prefetches `bookings` prefetches the firm ones (as the register does)."""
    cache = getattr(notice, "_prefetched_objects_cache", {})
    rows = (
        list(cache["bookings"])
        if "bookings" in cache
        else list(notice.bookings.firm().select_related("zone"))
    )
    if not rows:
        return None
    return Place(
        rows[0].zone.venue_id,
        tuple(sorted(b.zone_id for b in rows)),
        min(b.starts_at for b in rows),
        max(b.ends_at for b in rows),
    )


def asked_place(notice) -> Place:
    return Place(
        notice.venue_id, (notice.zone_id,) if notice.zone_id else (), notice.starts_at, notice.ends_at
    )


def where(notice) -> dict:
    """What a page, a letter or a register row says of the place: where the notice holds it,
    and what it asked for when that differs (the organizer must not go to the wrong square)."""
    held, asked = held_place(notice), asked_place(notice)
    differs = held is not None and (
        held.venue != asked.venue
        or (held.starts_at, held.ends_at) != (asked.starts_at, asked.ends_at)
        or (asked.zones and set(asked.zones) != set(held.zones))
    )
    moved = (
        notice.move_requests.filter(state=MoveRequest.State.ACCEPTED).order_by("-answered_at").first()
        if held
        else None
    )
    return {
        "held": place_label(held, notice.jurisdiction) if held else "",
        "asked": place_label(asked, notice.jurisdiction),
        "differs": bool(differs),
        # the record says who moved it, and that its organizer agreed (PRODUCT.md §4.3)
        "moved": _("moved here at the authority's request, with the organizer's consent, on %(when)s")
        % {"when": i18n.when(moved.answered_at, notice.jurisdiction, zone=True)}
        if moved
        else "",
    }


def also_accepts(notice) -> str:
    """What else its organizer said the assembly accepts, in words ("": nothing else):
    the other places they listed, and a window of time."""
    parts = [", ".join(pick(v.name) for v in notice.acceptable_venues.all())]
    if notice.window_start and notice.window_end:
        window = i18n.span(notice.window_start, notice.window_end, notice.jurisdiction.tz)
        parts.append(_("any time within %(window)s") % {"window": window})
    return "; ".join(p for p in parts if p)


def place_label(data: dict | Place | None, jurisdiction) -> str:
    """A place and time as people read it: "Republic Square (West half), 10 December 2026, 17:00–18:00"."""
    if not data:
        return ""
    place = data if isinstance(data, Place) else Place.of(data)
    tz = jurisdiction.tz
    venue = Venue.objects.filter(pk=place.venue).first()
    zones = [pick(z.name) for z in Zone.objects.filter(pk__in=place.zones).order_by("slug")]
    where = pick(venue.name) if venue else "?"
    if zones and venue and len(zones) < venue.zones.count():
        where += f" ({', '.join(zones)})"
    return _("%(place)s, %(time)s") % {"place": where, "time": i18n.span(place.starts_at, place.ends_at, tz)}
