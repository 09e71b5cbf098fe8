"""Open-data feeds: an iCalendar feed per venue (RFC 5545), an Atom feed of decisions and
one of the audit log's daily digests."""

from __future__ import annotations

import datetime as dt
import json

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.core.cache import cache
from django.db.models import Max
from django.db.models.functions import TruncDate
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from agora import i18n
from agora.audit.models import AuditEvent
from agora.audit.services import timestamp
from agora.i18n import pick
from agora.notices import words
from agora.notices.models import Decision
from agora.scheduling.models import Booking
from agora.venues.models import Venue

FEED_DAYS_BACK, FEED_DAYS_AHEAD = 90, 365
FEED_SECONDS = 600


def venue_ical(request, pk):
    venue = get_object_or_404(Venue, pk=pk)
    now = timezone.now()
    calendar = Calendar()
    calendar.add("prodid", "-//Agora//venue calendar//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"Agora: {pick(venue.name)}")
    bookings = (
        Booking.objects.filter(
            zone__venue=venue,
            starts_at__gte=now - dt.timedelta(days=FEED_DAYS_BACK),
            starts_at__lte=now + dt.timedelta(days=FEED_DAYS_AHEAD),
        )
        .firm()
        .select_related("notice__organizer", "notice__rulebook", "zone")
        .order_by("starts_at")
    )
    tz = venue.jurisdiction.tz
    for booking in bookings:
        notice = booking.notice
        event = Event()
        event.add("uid", f"booking-{booking.pk}@agora")
        event.add("dtstamp", now)
        event.add("dtstart", booking.starts_at)
        kind = words.assembly_type(notice.assembly_type, notice.rulebook)
        event.add("summary", f"{kind}: {notice.organizer.public_name} ({pick(booking.zone.name)})")
        description = f"{notice.reference}: {notice.purpose}"
        if booking.held_until <= booking.starts_at:  # all of it given back: the place is free
            event.add("dtend", booking.ends_at)
            event.add("status", "CANCELLED")
            description += "\n" + _("Released: the place is free at this time.")
        elif booking.is_released:  # what it still holds; the rest is free
            event.add("dtend", booking.held_until)
            event.add("status", "CONFIRMED")
            description += "\n" + _("Booked until %(end)s; released from %(at)s.") % {
                "end": i18n.clock(booking.ends_at, tz),
                "at": i18n.clock(booking.held_until, tz),
            }
        else:
            event.add("dtend", booking.ends_at)
            event.add("status", "CONFIRMED")
        event.add("description", description)
        event.add("url", settings.AGORA_PUBLIC_URL + reverse("venue_page", args=[venue.pk]))
        # a release changes the event: subscribed calendars take the newer version
        event.add("sequence", 1 if booking.released_at else 0)
        event.add("last-modified", booking.released_at or booking.created_at)
        calendar.add_component(event)
    for closure in venue.closures.filter(ends_at__gte=now - dt.timedelta(days=FEED_DAYS_BACK)):
        event = Event()
        event.add("uid", f"closure-{closure.pk}@agora")
        event.add("dtstamp", now)
        event.add("dtstart", closure.starts_at)
        event.add("dtend", closure.until)
        event.add("summary", _("Closed: %(reason)s") % {"reason": closure.reason})
        if closure.declared_at:
            declared = _("Declared %(at)s by %(office)s") % {
                "at": i18n.when(closure.declared_at, tz, zone=True),
                "office": pick(venue.jurisdiction.name),
            }
            ground = words.ground(closure.ground, venue.jurisdiction.rulebook) if closure.ground else "—"
            event.add("description", f"{declared}; {ground}")
        calendar.add_component(event)
    return HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")


class TextAtomFeed(Atom1Feed):
    """Atom whose summaries are `type="text"`: organizers' names and officers' reasons are
    plain text, so a feed reader shows them as written and renders no markup from them
    (Django's default, `type="html"`, has readers decode and render them as HTML)."""

    def add_item_elements(self, handler, item):
        summary = item["description"]
        super().add_item_elements(handler, {**item, "description": None})
        if summary is not None:
            handler.addQuickElement("summary", summary, {"type": "text"})


class DecisionsFeed(Feed):
    """In the reader's language (the request's), the place's local time with its zone."""

    feed_type = TextAtomFeed
    title = gettext_lazy("Agora: decisions on notices of public assemblies")
    subtitle = gettext_lazy("Every decision, as it is made: outcome, legal grounds, reasons.")

    def __call__(self, request, *args, **kwargs):
        # decisions are only ever added (sealed, and the log defends them), so the feed of a
        # language changes only when a new decision comes: kept until then (or a while)
        newest = Decision.objects.aggregate(newest=Max("pk"))["newest"]
        key = f"decisions-feed:{get_language()}:{newest}"
        kept = cache.get(key)
        if kept is None:
            response = super().__call__(request, *args, **kwargs)
            cache.set(key, (response.content, response["Content-Type"]), FEED_SECONDS)
            return response
        content, content_type = kept
        return HttpResponse(content, content_type=content_type)

    def link(self):
        return reverse("register")

    def items(self):
        return Decision.objects.select_related(
            "notice__venue", "notice__organizer", "notice__jurisdiction", "rulebook"
        ).order_by("-decided_at", "-pk")[:200]

    def item_title(self, item):
        return f"{item.reference}: {item.get_outcome_display()}"

    def item_description(self, item):
        notice = item.notice
        grounds = "; ".join(words.ground(g, item.rulebook) for g in item.grounds) or "—"
        return _("%(type)s at %(place)s by %(organizer)s, %(time)s. Grounds: %(grounds)s. %(reasons)s") % {
            "type": words.assembly_type(notice.assembly_type, item.rulebook),
            "place": pick(notice.venue.name),
            "organizer": notice.organizer.public_name,
            "time": i18n.span(notice.starts_at, notice.ends_at, notice.jurisdiction, zone=True),
            "grounds": grounds,
            "reasons": words.reasoning(item),
        }

    def item_link(self, item):
        return reverse("decision_public", args=[item.reference])

    def item_pubdate(self, item):
        return item.decided_at

    def item_updateddate(self, item):
        return item.decided_at


DIGEST_DAYS = 90


class DigestsFeed(Feed):
    """The log's digest at the end of each day (its length and head hash), as a feed: whoever
    subscribes keeps a copy of every day's digest without doing anything, and a log whose tail
    was removed or rewritten no longer begins with a digest kept from after it
    (`agora audit verify --from-digest`)."""

    feed_type = TextAtomFeed
    title = gettext_lazy("Agora: the audit log's daily digests")
    subtitle = gettext_lazy("Keep them: each one proves what the log held at the end of that day.")

    def link(self):
        return reverse("audit")

    def items(self):
        # the last event of each day (UTC, as the log's timestamps), newest first, one query
        # for the days and one for their hashes
        days = (
            AuditEvent.objects.filter(at__gte=timezone.now() - dt.timedelta(days=DIGEST_DAYS))
            .annotate(day=TruncDate("at", tzinfo=dt.UTC))
            .values("day")
            .annotate(last=Max("seq"))
            .order_by("-day")
        )
        last = {row["last"]: row["day"] for row in days}
        events = AuditEvent.objects.filter(seq__in=list(last)).only("seq", "hash", "at").order_by("-seq")
        return [(last[e.seq], e) for e in events]

    def item_title(self, item):
        day, event = item
        return _("Audit log digest, %(day)s (UTC): %(count)s events") % {
            "day": i18n.day(day),
            "count": i18n.number(event.seq),
        }

    def item_description(self, item):
        day, event = item
        return json.dumps({"count": event.seq, "head_hash": event.hash, "last_event_at": timestamp(event.at)})

    def item_link(self, item):
        return reverse("audit") + f"#digest-{item[0]:%Y-%m-%d}"

    def item_guid(self, item):
        return f"agora-audit-digest-{item[0]:%Y-%m-%d}"

    def item_pubdate(self, item):
        return item[1].at

    def item_updateddate(self, item):
        return item[1].at


class CheckpointsFeed(Feed):
    """The log's signed checkpoints, newest first: a feed reader keeps each one, and any two
    kept can later be shown consistent (/api/v1/audit/consistency) or not."""

    feed_type = TextAtomFeed
    title = gettext_lazy("Agora: the audit log's signed checkpoints")
    subtitle = gettext_lazy("Keep them: each one is signed by the authority and fixes what the log held.")

    def link(self):
        return reverse("audit")

    def items(self):
        from agora.audit import checkpoints
        from agora.audit.models import Checkpoint

        checkpoints.latest()
        return Checkpoint.objects.order_by("-size")[:100]

    def item_title(self, item):
        return _("Checkpoint: %(count)s events") % {"count": i18n.number(item.size)}

    def item_description(self, item):
        return item.note

    def item_link(self, item):
        return reverse("audit_checkpoint") + f"?size={item.size}"

    def item_guid(self, item):
        return settings.AGORA_PUBLIC_URL + reverse("audit_checkpoint") + f"?size={item.size}"

    item_guid_is_permalink = True

    def item_pubdate(self, item):
        return item.signed_at
