"""Every domain word in the reader's language: the database keeps codes and parameters, and
this is the one place that turns them into words (pages, letters, e-mails and feeds ask here).

Types and grounds come from the rulebook, which carries them in each language; statuses,
audit events and the log's actors from our catalogs."""

from __future__ import annotations

from django.utils.translation import get_language, gettext, gettext_noop, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from agora import i18n
from agora.audit.events import Event
from agora.rules.checks import describe, period_text

from .workflow import Status

# the types a rulebook names not (older versions): words of our own
TYPES = {
    "picket": pgettext_lazy("assembly type", "Picket"),
    "meeting": pgettext_lazy("assembly type", "Meeting"),
    "rally": pgettext_lazy("assembly type", "Rally"),
    "march": pgettext_lazy("assembly type", "March"),
    "demonstration": pgettext_lazy("assembly type", "Demonstration"),
}
STATUSES = dict(Status.choices)
# what the authority's silence means, where it is not a status of its own
SILENCES = {
    "deemed_not_objected": _("it goes ahead: no objection was made"),
    "nothing": _("nothing: the authority must still decide"),
}


def silence(code: str) -> str:
    return str(SILENCES[code]) if code in SILENCES else status(code)


def period(period) -> str:
    """A period of the law in words: "5 working days", "by 11:00", "weekends not counted"."""
    text = period_text(period.amount, period.unit)
    if period.cut_off is not None:
        text += ", " + gettext("by %(time)s on the last day") % {"time": f"{period.cut_off:%H:%M}"}
    if "holidays" in period.skip or {"sat", "sun"} <= set(period.skip):
        text += ", " + gettext("weekends and holidays not counted")
    return text


def notice_period(notice) -> str:
    """How long before the start a type must be notified (the home page's table)."""
    if notice.min is None:
        return gettext("no notice needed")
    return period(notice.min)


def decision_period(decision) -> str:
    parts = []
    if decision.after_filing is not None:
        parts.append(gettext("%(period)s after filing") % {"period": period(decision.after_filing)})
    if decision.before_start is not None:
        parts.append(gettext("%(period)s before the start") % {"period": period(decision.before_start)})
    return "; ".join(parts) or gettext("by the start")


EVENTS = {
    Event.NOTICE_DRAFT: _("draft kept"),
    Event.NOTICE_FILED: _("notice filed"),
    Event.NOTICE_SUBMITTED: _("notice submitted"),
    Event.NOTICE_UNDER_REVIEW: _("review started"),
    Event.NOTICE_ACCEPTED: _("notice accepted"),
    Event.NOTICE_ACCEPTED_WITH_CONDITIONS: _("notice accepted with conditions"),
    Event.NOTICE_ALTERNATIVE_OFFERED: _("another place or time offered"),
    Event.NOTICE_REFUSED: _("notice refused"),
    Event.NOTICE_DEEMED_ACCEPTED: _("notice deemed accepted"),
    Event.NOTICE_DEEMED_REFUSED: _("notice deemed refused"),
    Event.NOTICE_DEEMED_ACCEPTED_CONFLICT: _("deemed accepted, place not free"),
    Event.NOTICE_WITHDRAWN: _("notice withdrawn"),
    Event.NOTICE_HELD: _("assembly held"),
    Event.NOTICE_NOT_HELD: _("assembly not held"),
    Event.NOTICE_APPEALED: _("decision appealed"),
    Event.NOTICE_UPHELD: _("appeal rejected"),
    Event.NOTICE_OVERTURNED: _("appeal granted"),
    Event.NOTICE_DISPLACED: _("displaced by the authority"),
    Event.CLOSURE_DECLARED: _("closure declared"),
    Event.CLOSURE_LIFTED: _("closure lifted"),
    Event.VENUE_ADDED: _("place set up"),
    Event.VENUE_CHANGED: _("place changed"),
    Event.CALENDAR_DAY_DECLARED: _("calendar day declared"),
    Event.NOTICE_DEADLINE_MOVED: _("deadline moved"),
    Event.RULEBOOK_ASSIGNED: _("rulebook assigned"),
    Event.DECISION_MADE: _("decision sealed"),
    Event.ALTERNATIVE_DECLINED: _("alternative declined"),
    Event.BOOKING_CREATED: _("place booked"),
    Event.BOOKING_RELEASED: _("booked time released"),
    Event.BOOKING_CHECKED_IN: _("arrival recorded"),
    Event.BOOKING_CHECKED_OUT: _("departure recorded"),
    Event.OFFER_MADE: _("released time offered"),
    Event.OFFER_ACCEPTED: _("offer accepted"),
    Event.OFFER_DECLINED: _("offer declined"),
    Event.OFFER_EXPIRED: _("offer expired"),
    Event.OFFER_CANCELLED: _("offer lapsed"),
    Event.MOVE_ASKED: _("organizer asked to move"),
    Event.MOVE_ACCEPTED: _("move agreed"),
    Event.MOVE_DECLINED: _("move declined"),
    Event.MOVE_EXPIRED: _("move request expired"),
    Event.MOVE_CANCELLED: _("move request lapsed"),
    Event.ORGANIZER_ANONYMIZED: _("personal data erased"),
    Event.RULEBOOK_LOADED: _("rulebook loaded"),
    Event.AUDIT_BASELINE: _("state recorded (baseline)"),
    Event.LETTER_ISSUED: _("letter issued"),
    Event.CONSULTATION_ANSWERED: _("agency answered"),
    Event.CONSULTATION_TIMED_OUT: _("agency's deadline passed"),
    Event.API_TOKEN_CREATED: _("API token made"),
    Event.API_TOKEN_REVOKED: _("API token revoked"),
}
# a rule violation in a word or two (the queue's column); `violation` gives the whole sentence
VIOLATIONS = {
    "unknown_type": _("unknown type"),
    "end_before_start": _("ends before it starts"),
    "in_the_past": _("in the past"),
    "late_notice": _("late notice"),
    "early_notice": _("too early"),
    "outside_hours": _("outside the hours"),
    "too_long": _("too long"),
    "over_daily_cap": _("over the daily cap"),
    "too_many_participants": _("too many participants"),
    "over_capacity": _("over the place's capacity"),
    "venue_not_designated": _("not a designated place"),
    "venue_closed": _("place closed"),
}
# anti-blocking flags (scheduling.flags), as the public reads them
FLAGS = {
    "over_cap": _("held longer than the daily cap"),
    "underused": _("used for under half of the time booked"),
    "filed_after_competitor": _("filed after the notice it displaced"),
}
# who acted, as the log names them (a role and a number, never a name)
ACTORS = {
    "organizer": _("organizer no. %(n)s"),
    "officer": _("officer no. %(n)s"),
    "admin": _("administrator no. %(n)s"),
    "agency": _("agency staff no. %(n)s"),
    "user": _("user no. %(n)s"),
}
# what an event is about, as the log names it
OBJECTS = {
    "notice": _("notice no. %(n)s"),
    "decision": _("decision no. %(n)s"),
    "booking": _("booking no. %(n)s"),
    "offer": _("offer no. %(n)s"),
    "venue": _("place no. %(n)s"),
    "venuechange": _("place change no. %(n)s"),
    "closure": _("closure no. %(n)s"),
    "calendarday": _("calendar day no. %(n)s"),
    "rulebook": _("rulebook no. %(n)s"),
    "jurisdiction": _("authority no. %(n)s"),
    "apitoken": _("API token no. %(n)s"),
}


# what the system writes as the reasons of its own decisions: sealed in English, shown in
# the reader's language
SILENCE = gettext_noop("No decision was made by the legal deadline.")
RELEASED_TIME = gettext_noop("Released time offered and accepted: %(time)s.")


def reasoning(decision) -> str:
    """A decision's reasons: an officer's as written; the system's in the reader's language."""
    if decision.officer_id is not None or not decision.reasoning:
        return decision.reasoning
    if decision.reasoning == SILENCE:
        return gettext(SILENCE)
    if decision.reasoning.startswith(RELEASED_TIME.split("%")[0]):
        offer = decision.notice.offers.filter(state="accepted", answered_at=decision.decided_at).first()
        if offer is not None:
            time = i18n.span(offer.starts_at, offer.ends_at, decision.notice.jurisdiction, zone=True)
            return gettext(RELEASED_TIME) % {"time": time}
    return decision.reasoning


def rulebook(row) -> str:
    """A rulebook version as people read it: its title in the language, and its version."""
    if row is None:
        return ""
    return gettext("%(title)s, version %(version)s") % {
        "title": row.rules.label(_lang(None)),
        "version": row.version,
    }


def _lang(lang: str | None) -> str:
    return (lang or get_language() or "en")[:2]


def _rules(rulebook):
    """A rulebook version (a row) or its parsed rules, as callers hold either."""
    return getattr(rulebook, "rules", rulebook)


def status(code: str | None) -> str:
    return str(STATUSES.get(code, code or ""))


def assembly_type(code: str, rulebook=None, lang: str | None = None) -> str:
    """The type as people call it: the rulebook's name, else ours, else the code."""
    if rulebook is not None:
        named = _rules(rulebook).type_name(code, _lang(lang))
        if named:
            return named
    return str(TYPES.get(code, code))


def rulebooks_naming() -> dict:
    """For words across rulebooks (the statistics): each type and ground code → the newest
    rulebook version in force that names it."""
    from agora.rules.models import Rulebook

    found: dict = {}
    for row in Rulebook.objects.filter(jurisdictions__isnull=False).distinct().order_by("-version"):
        rules = row.rules
        for code in [*rules.types, *rules.refusal_grounds, *rules.closures.grounds, *rules.topics]:
            found.setdefault(code, row)
    return found


def topic(code: str, rulebook=None, lang: str | None = None) -> str:
    """What an assembly is about, from the rulebook's list ("—" where none was given)."""
    if not code:
        return "—"
    if rulebook is not None:
        named = _rules(rulebook).topic_name(code, _lang(lang))
        if named:
            return named
    return code


def ground(code: str, rulebook, lang: str | None = None, *, cited: bool = True) -> str:
    """A legal ground in the reader's language, with its article where the law names one.

    A version that lacks the language borrows the text of the latest version of the same
    rulebook whose English text is the same (a translation added later changes no ground)."""
    rules, lang = _rules(rulebook), _lang(lang)
    found = rules.refusal_grounds.get(code) or rules.closures.grounds.get(code)
    if found is None:
        return code
    if not getattr(found, lang, None) and hasattr(rulebook, "code"):
        newer = _later_text(rulebook, code, found.en, lang)
        if newer is not None:
            found = newer
    return found.cited(lang) if cited else found.text(lang)


def _later_text(row, code: str, english: str, lang: str):
    from agora.rules.models import Rulebook

    for later in Rulebook.objects.filter(code=row.code, version__gt=row.version).order_by("-version"):
        rules = later.rules
        other = rules.refusal_grounds.get(code) or rules.closures.grounds.get(code)
        if other is not None and other.en == english and getattr(other, lang, None):
            return other
    return None


def violation(found, rulebook=None, tz=None) -> str:
    """A rule violation (a check's Violation, or the dict a notice keeps) in the reader's
    language; a record kept before violations had parameters shows its stored message."""
    if isinstance(found, dict):
        code, params = found.get("code", ""), found.get("params")
        if params is None:
            return found.get("message", code)
    else:
        code, params = found.code, found.params
    text = describe(code, params, type_name=lambda t: assembly_type(t, rulebook), tz=tz)
    return text or (found.get("message", code) if isinstance(found, dict) else code)


def violation_name(found) -> str:
    code = found.get("code", "") if isinstance(found, dict) else found.code
    return str(VIOLATIONS.get(code, code))


def flag(code: str) -> str:
    return str(FLAGS.get(code, code))


def event(code: str) -> str:
    try:
        return str(EVENTS[Event(code)])
    except (KeyError, ValueError):
        return code


def actor(label: str) -> str:
    role, _sep, number = (label or "").partition(":")
    if label == "system":
        return gettext("the system")
    if role in ACTORS and number:
        return str(ACTORS[role]) % {"n": number}
    return label


def audit_object(kind: str, pk: str) -> str:
    if not kind:
        return "—"
    if kind in OBJECTS:
        return str(OBJECTS[kind]) % {"n": pk}
    return f"{kind} {pk}"


def people(count) -> str:
    return i18n.number(count)


# --- how a deadline was counted (a notice's public page) ------------------------------------

TRACE_TITLES = {
    "notice_min": _("Notice, at least"),
    "notice_max": _("Notice, at most"),
    "decision_after_filing": _("Decision, after filing"),
    "decision_before_start": _("Decision, before the start"),
    "consultation": _("Consultation: %(agency)s"),
}
TRACE_RESULTS = {
    "notice_min": _("Last lawful filing: %(when)s"),
    "notice_max": _("Earliest lawful filing: %(when)s"),
    "decision_after_filing": _("Due by %(when)s"),
    "decision_before_start": _("Due by %(when)s"),
    "consultation": _("Answer due by %(when)s"),
}
# what counts, by unit, for a period counted back from the start (a notice) or forward
# from the filing (a decision)
COUNTED_BACK = {
    "working_days": _(
        "Counted: the working days strictly between the filing day and the day of the assembly."
    ),
    "clear_days": _("Counted: the whole days strictly between the filing day and the day of the assembly."),
    "calendar_days": _(
        "Counted: the days after the filing day, up to and including the day of the assembly."
    ),
    "hours": _("Counted: the hours back from the start."),
}
COUNTED_FORWARD = {
    "working_days": _("Counted: the working days after the filing day; the last one ends the period."),
    "clear_days": _("Counted: the whole days after the filing day; the last one ends the period."),
    "calendar_days": _("Counted: the days after the filing day; the last one ends the period."),
    "hours": _("Counted: the hours from the filing."),
}
NOT_COUNTED = {
    "weekend": pgettext_lazy("a day not counted", "weekend"),
    "holiday": pgettext_lazy("a day not counted", "holiday"),
}


def _not_counted(day, calendar) -> str:
    """ "Sat 12 December (weekend)", "Mon 23 March (holiday: Наурыз мейрамы)"."""
    shown = i18n.day(day.date, weekday=True)
    if day.why == "holiday":
        name = calendar.holiday_name_in(day.date, _lang(None)) if calendar is not None else None
        why = f"{NOT_COUNTED['holiday']}: {name}" if name else str(NOT_COUNTED["holiday"])
    elif day.why in ("weekend", "sat", "sun"):  # the calendar's weekend, or one the rule skips
        why = str(NOT_COUNTED["weekend"])
    else:
        why = gettext("not counted by the rule")
    return f"{shown} ({why})"


def trace(counted, book, tz, calendar=None) -> dict:
    """One deadline of a notice, as its public page explains it."""
    t = counted.trace
    period_ = t.period
    counts = COUNTED_FORWARD if t.anchor == "filing" else COUNTED_BACK
    source = gettext("Rulebook: %(rulebook)s") % {"rulebook": rulebook(book)}
    if period_.article:  # "article 7.1"; a citation of its own ("§ 12(1)", "s.11(5)") as it is
        cited = period_.article[0].isdigit()
        source += ", " + (
            gettext("article %(article)s") % {"article": period_.article} if cited else period_.article
        )
    verdict = (
        gettext("urgent: notified as soon as practicable, as the law allows") if counted.urgent else None
    )
    if counted.kept is not None:
        late = counted.kind == "notice_min"
        if counted.kept:
            verdict = gettext("filed in time")
        else:
            verdict = gettext("filed late") if late else gettext("filed too early")
    skipped = [d for d in t.days if not d.counted and d.why not in ("filing day", "assembly day")]
    return {
        "title": TRACE_TITLES[counted.kind] % {"agency": counted.agency}
        if counted.kind == "consultation"
        else TRACE_TITLES[counted.kind],
        "period": period(period_),
        "source": source,
        # a limit at midnight that ends a day reads "5 December, 24:00"; a first moment, as it is
        "result": TRACE_RESULTS[counted.kind]
        % {"when": i18n.deadline(t.at, tz) if t.end_of_day else i18n.when(t.at, tz, zone=True)},
        "kept": counted.kept,
        "verdict": verdict,
        "counts": counts[period_.unit],
        "skipped": [_not_counted(d, calendar) for d in skipped],
    }


def place_rules(venue, today) -> list[dict]:
    """The rules the jurisdiction's rulebook sets for this place, in force now or later."""
    rules = venue.jurisdiction.rulebook.rules.places.get(venue.slug, ())
    shown = []
    for rule in sorted(rules, key=lambda r: r.valid_from):
        if rule.valid_until is not None and rule.valid_until < today:
            continue
        facts = []
        if rule.capacity:
            facts.append(gettext("At most %(n)s people.") % {"n": i18n.number(rule.capacity)})
        if rule.notice_exempt_up_to:
            facts.append(
                gettext("Up to %(n)s participants need no notice.")
                % {"n": i18n.number(rule.notice_exempt_up_to)}
            )
        if rule.hours:
            facts.append(
                gettext("From %(start)s to %(end)s.")
                % {"start": f"{rule.hours.start:%H:%M}", "end": rule.hours.end_text()}
            )
        if rule.buffer_m is not None:
            facts.append(gettext("A buffer of %(m)s m around it.") % {"m": i18n.number(rule.buffer_m)})
        if rule.valid_until is None:
            dates = gettext("From %(day)s") % {"day": i18n.day(rule.valid_from)}
        else:
            dates = gettext("From %(first)s to %(last)s") % {
                "first": i18n.day(rule.valid_from),
                "last": i18n.day(rule.valid_until),
            }
        source = rule.source if isinstance(rule.source, str) else i18n.pick(rule.source)
        shown.append({"dates": dates, "now": rule.in_force(today), "facts": facts, "source": source})
    return shown


def booking_use(booking, now=None) -> str:
    """How a booking's time was used, as a reader of the register asks it."""
    from django.utils import timezone

    now = now or timezone.now()
    tz = booking.notice.jurisdiction.tz
    if booking.checked_in_at:
        used = gettext("checked in at %(time)s") % {"time": i18n.when(booking.checked_in_at, tz)}
        if booking.is_released:
            used += "; " + gettext("released from %(time)s") % {"time": i18n.when(booking.held_until, tz)}
        return used
    if booking.is_released:
        return gettext("released from %(time)s, unused") % {"time": i18n.when(booking.held_until, tz)}
    if booking.ends_at <= now:
        return gettext("booked, never used (no check-in)")
    return gettext("booked, not used yet")


DEADLINE_NOTES = {
    "no_notice_type": _("No notice is needed for this type of assembly."),
    "no_notice_small": _("No notice is needed for fewer than %(n)s participants."),
    "no_notice_place": _("No notice is needed here for up to %(n)s participants: the place's own rule."),
    "decision_by_start": _("The law sets no decision deadline: any restriction comes by the start."),
    "capped_at_start": _("A decision is never due after the start: this one is due by the start, %(when)s."),
}


def deadline_note(code: str, params: dict, tz) -> str:
    shown = {k: i18n.when(v, tz, zone=True) if k == "when" else i18n.number(v) for k, v in params.items()}
    return str(DEADLINE_NOTES[code]) % shown
