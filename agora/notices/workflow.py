"""The notice state machine as data: which transition each role may make. Pure.

PRODUCT.md §3: draft → submitted → (under_review) → accepted | accepted_with_conditions |
alternative_offered | refused | deemed_accepted | deemed_refused, then withdrawn | held |
not_held, and appealed → upheld | overturned. Nothing goes back except through an appeal.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    UNDER_REVIEW = "under_review", _("Under review")
    ACCEPTED = "accepted", _("Accepted")
    ACCEPTED_WITH_CONDITIONS = "accepted_with_conditions", _("Accepted with conditions")
    ALTERNATIVE_OFFERED = "alternative_offered", _("Alternative offered")
    REFUSED = "refused", _("Refused")
    DEEMED_ACCEPTED = "deemed_accepted", _("Deemed accepted (no decision in time)")
    DEEMED_REFUSED = "deemed_refused", _("Deemed refused (no decision in time)")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    HELD = "held", _("Held")
    NOT_HELD = "not_held", _("Not held")
    APPEALED = "appealed", _("Appealed")
    UPHELD = "upheld", _("Appeal rejected: decision upheld")
    OVERTURNED = "overturned", _("Appeal granted: decision overturned")


S = Status
ORGANIZER, OFFICER, SYSTEM = "organizer", "officer", "system"

PENDING = {S.SUBMITTED, S.UNDER_REVIEW}
OFFICER_OUTCOMES = {S.ACCEPTED, S.ACCEPTED_WITH_CONDITIONS, S.ALTERNATIVE_OFFERED, S.REFUSED}
# States in which the notice holds its venue (its bookings count).
GOING_AHEAD = {S.ACCEPTED, S.ACCEPTED_WITH_CONDITIONS, S.DEEMED_ACCEPTED, S.OVERTURNED}
APPEALABLE = {S.REFUSED, S.DEEMED_REFUSED, S.ALTERNATIVE_OFFERED, S.ACCEPTED_WITH_CONDITIONS}
FINAL = {S.WITHDRAWN, S.HELD, S.NOT_HELD, S.UPHELD}

# (from, to) → the role allowed to make that move.
TRANSITIONS: dict[tuple[str, str], str] = {
    (S.DRAFT, S.SUBMITTED): ORGANIZER,
    (S.DRAFT, S.WITHDRAWN): ORGANIZER,
    (S.SUBMITTED, S.UNDER_REVIEW): OFFICER,
    **{(p, S.WITHDRAWN): ORGANIZER for p in PENDING},
    **{(p, o): OFFICER for p in PENDING for o in OFFICER_OUTCOMES},
    **{(p, S.DEEMED_ACCEPTED): SYSTEM for p in PENDING},
    **{(p, S.DEEMED_REFUSED): SYSTEM for p in PENDING},
    # the organizer takes the offered alternative (→ accepted on the new terms) or not
    (S.ALTERNATIVE_OFFERED, S.ACCEPTED): ORGANIZER,
    # a waiting notice takes released time offered to it (scheduling.offers checks the offer)
    (S.REFUSED, S.ACCEPTED): ORGANIZER,
    (S.DEEMED_REFUSED, S.ACCEPTED): ORGANIZER,
    (S.ALTERNATIVE_OFFERED, S.WITHDRAWN): ORGANIZER,
    **{(g, S.WITHDRAWN): ORGANIZER for g in GOING_AHEAD},
    **{(g, S.HELD): OFFICER for g in GOING_AHEAD},
    **{(g, S.NOT_HELD): OFFICER for g in GOING_AHEAD},
    **{(a, S.APPEALED): ORGANIZER for a in APPEALABLE},
    (S.APPEALED, S.UPHELD): OFFICER,
    (S.APPEALED, S.OVERTURNED): OFFICER,
    (S.APPEALED, S.WITHDRAWN): ORGANIZER,
}


def allowed_role(current: str, target: str) -> str | None:
    return TRANSITIONS.get((current, target))


def next_states(current: str, role: str) -> list[str]:
    return [t for (f, t), r in TRANSITIONS.items() if f == current and r == role]
