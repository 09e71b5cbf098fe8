"""Every kind of audit event, by name, with what it means: `record()` takes no other name,
and the public audit page explains each. Older logs may hold names no longer written
(marked so): they stay explained, because the log is never rewritten."""

from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class Event(StrEnum):
    NOTICE_DRAFT = "notice.draft"
    NOTICE_FILED = "notice.filed"
    NOTICE_SUBMITTED = "notice.submitted"  # older logs: filing wrote it beside notice.filed
    NOTICE_UNDER_REVIEW = "notice.under_review"
    NOTICE_ACCEPTED = "notice.accepted"
    NOTICE_ACCEPTED_WITH_CONDITIONS = "notice.accepted_with_conditions"
    NOTICE_ALTERNATIVE_OFFERED = "notice.alternative_offered"
    NOTICE_REFUSED = "notice.refused"
    NOTICE_DEEMED_ACCEPTED = "notice.deemed_accepted"
    NOTICE_DEEMED_REFUSED = "notice.deemed_refused"
    NOTICE_DEEMED_ACCEPTED_CONFLICT = "notice.deemed_accepted_conflict"
    NOTICE_WITHDRAWN = "notice.withdrawn"
    NOTICE_HELD = "notice.held"
    NOTICE_NOT_HELD = "notice.not_held"
    NOTICE_APPEALED = "notice.appealed"
    NOTICE_UPHELD = "notice.upheld"
    NOTICE_OVERTURNED = "notice.overturned"
    NOTICE_DISPLACED = "notice.displaced"
    CLOSURE_DECLARED = "closure.declared"
    CLOSURE_LIFTED = "closure.lifted"
    VENUE_ADDED = "venue.added"
    VENUE_CHANGED = "venue.changed"
    CALENDAR_DAY_DECLARED = "calendar.day_declared"
    NOTICE_DEADLINE_MOVED = "notice.deadline_moved"
    RULEBOOK_ASSIGNED = "rulebook.assigned"
    DECISION_MADE = "decision.made"
    ALTERNATIVE_DECLINED = "alternative.declined"
    BOOKING_CREATED = "booking.created"
    BOOKING_RELEASED = "booking.released"
    BOOKING_CHECKED_IN = "booking.checked_in"
    BOOKING_CHECKED_OUT = "booking.checked_out"
    OFFER_MADE = "offer.made"
    OFFER_ACCEPTED = "offer.accepted"
    OFFER_DECLINED = "offer.declined"
    OFFER_EXPIRED = "offer.expired"
    OFFER_CANCELLED = "offer.cancelled"
    MOVE_ASKED = "move.asked"
    MOVE_ACCEPTED = "move.accepted"
    MOVE_DECLINED = "move.declined"
    MOVE_EXPIRED = "move.expired"
    MOVE_CANCELLED = "move.cancelled"
    ORGANIZER_ANONYMIZED = "organizer.anonymized"
    RULEBOOK_LOADED = "rulebook.loaded"
    AUDIT_BASELINE = "audit.baseline"
    API_TOKEN_CREATED = "api_token.created"  # noqa: S105 (an event name, not a secret)
    API_TOKEN_REVOKED = "api_token.revoked"  # noqa: S105
    LETTER_ISSUED = "letter.issued"
    CONSULTATION_ANSWERED = "consultation.answered"
    CONSULTATION_TIMED_OUT = "consultation.timed_out"


E = Event
MEANING = {
    E.NOTICE_DRAFT: _("An organizer kept a notice as a draft (not filed, not public)."),
    E.NOTICE_FILED: _(
        "A notice was filed: its reference, the rulebook version, the rules it breaks and the "
        "decision deadline."
    ),
    E.NOTICE_SUBMITTED: _("A notice was submitted (older logs; now part of “notice filed”)."),
    E.NOTICE_UNDER_REVIEW: _("An officer started reviewing a notice."),
    E.NOTICE_ACCEPTED: _(
        "A notice was accepted (by an officer, or by taking an alternative or released time)."
    ),
    E.NOTICE_ACCEPTED_WITH_CONDITIONS: _("A notice was accepted with conditions."),
    E.NOTICE_ALTERNATIVE_OFFERED: _("Another place or time was offered instead, with its legal grounds."),
    E.NOTICE_REFUSED: _("A notice was refused, with its legal grounds."),
    E.NOTICE_DEEMED_ACCEPTED: _("No decision by the deadline: the rulebook deems the notice accepted."),
    E.NOTICE_DEEMED_REFUSED: _("No decision by the deadline: the rulebook deems the notice refused."),
    E.NOTICE_DEEMED_ACCEPTED_CONFLICT: _(
        "A notice deemed accepted could not be booked (the place was taken or the daily cap reached)."
    ),
    E.NOTICE_WITHDRAWN: _("The organizer withdrew a notice (its reason is kept as a fingerprint only)."),
    E.NOTICE_HELD: _("An officer recorded that the assembly took place."),
    E.NOTICE_NOT_HELD: _("An officer recorded that the assembly did not take place."),
    E.NOTICE_APPEALED: _("The organizer appealed a decision (the text is kept as a fingerprint only)."),
    E.NOTICE_UPHELD: _("An appeal was rejected: the decision stands."),
    E.NOTICE_OVERTURNED: _("An appeal was granted: the notice goes ahead as filed."),
    E.NOTICE_DISPLACED: _(
        "The authority closed or changed the place under an accepted assembly: the notice went "
        "back to an officer to offer another place or time."
    ),
    E.CLOSURE_DECLARED: _(
        "The authority declared a closure of a place: its legal ground, reasons and period."
    ),
    E.CLOSURE_LIFTED: _("The authority lifted a closure early: the place is open again from then."),
    E.VENUE_ADDED: _("A place was set up: its designation, capacity and zones."),
    E.VENUE_CHANGED: _(
        "The authority changed a place (designation, capacity, hours, outline or zones): old and "
        "new values, and its reasons."
    ),
    E.CALENDAR_DAY_DECLARED: _("The authority declared a day a holiday or a working day."),
    E.NOTICE_DEADLINE_MOVED: _(
        "A decision deadline moved later because of a declared calendar day (deadlines never move earlier)."
    ),
    E.RULEBOOK_ASSIGNED: _(
        "The authority assigned a rulebook version to a jurisdiction for notices filed from then on."
    ),
    E.DECISION_MADE: _(
        "A decision was sealed: the fingerprint of its full text, which the log's check compares with the "
        "decision as published."
    ),
    E.ALTERNATIVE_DECLINED: _("The organizer declined the alternative offered with a decision."),
    E.BOOKING_CREATED: _("A place (its zones) was booked for a notice from one time to another."),
    E.BOOKING_RELEASED: _("Booked time was given back (withdrawal, check-out, no-show or an offer closing)."),
    E.BOOKING_CHECKED_IN: _("An officer recorded the assembly's arrival."),
    E.BOOKING_CHECKED_OUT: _("An officer recorded the assembly's departure."),
    E.OFFER_MADE: _("Released time was offered to a waiting notice, held for it until a deadline."),
    E.OFFER_ACCEPTED: _("The organizer took the released time offered."),
    E.OFFER_DECLINED: _("The organizer declined the released time offered; it passes on."),
    E.OFFER_EXPIRED: _("An offer of released time was not answered in time; it passes on."),
    E.OFFER_CANCELLED: _(
        "An offer lapsed because its notice moved on (accepted elsewhere, withdrawn, appealed)."
    ),
    E.MOVE_ASKED: _(
        "An officer asked the organizer of an accepted assembly whether it may move to another "
        "place or time it accepts, so that more assemblies fit that day; nothing moves unless they agree."
    ),
    E.MOVE_ACCEPTED: _("The organizer agreed to move: the assembly holds the new place and time instead."),
    E.MOVE_DECLINED: _("The organizer kept their booking as it was."),
    E.MOVE_EXPIRED: _("A request to move was not answered in time: the booking stays as it was."),
    E.MOVE_CANCELLED: _("A request to move lapsed because its assembly no longer goes ahead."),
    E.ORGANIZER_ANONYMIZED: _(
        "An organizer's personal data were erased (their retention period over, or they closed "
        "their account); their notices stay in the register under the same public name."
    ),
    E.LETTER_ISSUED: _(
        "A signed decision letter or certificate of silence was issued: its decision and the "
        "SHA-256 of the PDF, so whoever holds the file can prove it is the one issued."
    ),
    E.CONSULTATION_ANSWERED: _(
        "An agency answered a consultation: it consents, consents with conditions, or objects with reasons."
    ),
    E.CONSULTATION_TIMED_OUT: _(
        "An agency did not answer a consultation by its deadline: what its silence means applies."
    ),
    E.AUDIT_BASELINE: _(
        "The state of a record the log did not keep yet (made before it kept states), recorded "
        "as it was then: from then on the log's check holds the record to it."
    ),
    E.RULEBOOK_LOADED: _("A rulebook version was loaded (its SHA-256 names the exact text)."),
    E.API_TOKEN_CREATED: _("A user made an API token (only its role is recorded)."),
    E.API_TOKEN_REVOKED: _("A user revoked an API token."),
}
