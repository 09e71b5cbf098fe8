"""The notice's life as data: its states, the groups of states every other module asks
about, and the table of actions (who may do what, from which states, to which state, under
which guards). Pure: no database. `agora.notices.services.run` is the one function that
runs an action; docs/invariants.md says what every action must keep true.

PRODUCT.md §3: draft → submitted → (under_review) → accepted | accepted_with_conditions |
alternative_offered | refused | deemed_accepted | deemed_refused, then withdrawn | held |
not_held, and appealed → upheld | overturned. Nothing goes back except through an appeal.
"""

from __future__ import annotations

from dataclasses import dataclass

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
AUTHORITY = "authority"  # an administrator of the jurisdiction, acting for the authority

# --- the groups of states, each defined here once -------------------------------------------

PENDING = frozenset({S.SUBMITTED, S.UNDER_REVIEW})
# What the officer's queue shows: waiting for a decision or an appeal decision.
IN_QUEUE = PENDING | {S.APPEALED}
# The assembly goes ahead: only these notices hold time on a venue.
GOING_AHEAD = frozenset({S.ACCEPTED, S.ACCEPTED_WITH_CONDITIONS, S.DEEMED_ACCEPTED, S.OVERTURNED})
# Not going ahead but still wanting the place: released time may be offered to them.
WAITING = frozenset({S.REFUSED, S.DEEMED_REFUSED, S.ALTERNATIVE_OFFERED})
# Refused or moved: a notice in one of these may have been displaced by another's booking.
REFUSALS = WAITING | {S.UPHELD}
# What the statistics count as a refusal of the notice as filed.
REFUSED_OUTCOMES = frozenset({S.REFUSED, S.DEEMED_REFUSED})
# Officer outcomes that need grounds from the rulebook's list and reasons.
REASONED_OUTCOMES = frozenset({S.REFUSED, S.ALTERNATIVE_OFFERED})
OFFICER_OUTCOMES = frozenset({S.ACCEPTED, S.ACCEPTED_WITH_CONDITIONS, S.ALTERNATIVE_OFFERED, S.REFUSED})
# An appeal puts the notice in no state that goes ahead, so only decisions that do not let
# it go ahead can be appealed (an acceptance with conditions would lose its booking).
APPEALABLE = WAITING
# Where a decision may offer an alternative place and time the organizer may take.
ALTERNATIVE_OPEN = frozenset({S.ALTERNATIVE_OFFERED, S.REFUSED})
FINAL = frozenset({S.WITHDRAWN, S.HELD, S.NOT_HELD, S.UPHELD})


# --- the actions -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    """One thing a user (or the system) does to a notice.

    `target` None: the status stays (the action changes bookings, offers or answers).
    `guards` name checks in `services.GUARDS`, run in order on the locked notice; the first
    that fails stops the action with a message saying what is wrong. Effects that follow
    from the target state (holding or releasing time) are not listed: `services.run`
    attaches them to the target, once, whatever the action."""

    name: str
    sources: frozenset[str]
    target: str | None
    role: str
    guards: tuple[str, ...] = ()
    label: str = ""
    unavailable: str = ""  # why it cannot be done, where the generic message would not say

    def allows(self, status: str) -> bool:
        return status in self.sources


def _action(name, sources, target, role, guards=(), label="", unavailable=""):
    return Action(name, frozenset(sources), target, role, tuple(guards), label, unavailable)


DECIDED = _("This notice is no longer waiting for a decision: it is %(status)s (see its decisions).")
NO_ALTERNATIVE = _("No alternative is offered to this notice, or it has already been answered.")
NO_OFFER = _("No released time is offered to this notice now.")
NO_MOVE = _("Nobody has asked to move this assembly, or the request has already been answered.")
NOT_GOING_AHEAD = _("The notice is %(status)s: only an assembly that goes ahead can do this.")


_DECIDE = ("outcome_in_rulebook", "consulted")
_ACCEPT = (*_DECIDE, "no_grounds", "no_alternative", "placement_within_request", "within_cap", "place_free")

ACTIONS: dict[str, Action] = {
    a.name: a
    for a in [
        _action("file", {S.DRAFT}, S.SUBMITTED, ORGANIZER, (), _("File")),
        _action(
            "withdraw",
            # not from a refusal: that would rewrite the authority's decision in the register;
            # not a draft: nobody else has seen it (and a withdrawn notice has a reference)
            {*PENDING, *GOING_AHEAD, S.ALTERNATIVE_OFFERED, S.APPEALED},
            S.WITHDRAWN,
            ORGANIZER,
            ("not_started",),
            _("Withdraw"),
        ),
        _action("start_review", {S.SUBMITTED}, S.UNDER_REVIEW, OFFICER, (), _("Start the review")),
        _action("accept", PENDING, S.ACCEPTED, OFFICER, (*_ACCEPT, "no_conditions"), _("Accept"), DECIDED),
        _action(
            "accept_with_conditions",
            PENDING,
            S.ACCEPTED_WITH_CONDITIONS,
            OFFICER,
            (*_ACCEPT, "conditions_stated"),
            _("Accept with conditions"),
            DECIDED,
        ),
        _action(
            "offer_alternative",
            PENDING,
            S.ALTERNATIVE_OFFERED,
            OFFICER,
            (
                *_DECIDE,
                "grounds_listed",
                "both_fit",
                "reasons_given",
                "alternative_given",
                "alternative_lawful",
            ),
            _("Offer an alternative"),
            DECIDED,
        ),
        _action(
            "refuse",
            PENDING,
            S.REFUSED,
            OFFICER,
            (
                *_DECIDE,
                "grounds_listed",
                "both_fit",
                "reasons_given",
                "alternative_if_required",
                "alternative_lawful",
            ),
            _("Refuse"),
            DECIDED,
        ),
        _action(
            "accept_alternative",
            ALTERNATIVE_OPEN,
            S.ACCEPTED,
            ORGANIZER,
            ("alternative_open", "alternative_ahead", "within_cap", "place_free"),
            _("Accept the alternative"),
            NO_ALTERNATIVE,
        ),
        _action(
            "decline_alternative",
            ALTERNATIVE_OPEN,
            None,
            ORGANIZER,
            ("alternative_open",),
            _("Decline the alternative"),
            NO_ALTERNATIVE,
        ),
        _action(
            "accept_released_time",
            WAITING,
            S.ACCEPTED,
            ORGANIZER,
            ("offer_pending",),
            _("Accept the released time"),
            NO_OFFER,
        ),
        _action(
            "decline_released_time",
            WAITING,
            None,
            ORGANIZER,
            ("offer_pending",),
            _("Decline the released time"),
            NO_OFFER,
        ),
        _action("expire_offer", WAITING, None, SYSTEM, ("offer_due",), _("Offer expired"), NO_OFFER),
        # PRODUCT.md §4.3: an accepted booking moves only with its organizer's consent. An
        # officer asks (the day plan fits more with it moved); the organizer agrees or not.
        _action(
            "ask_to_move",
            GOING_AHEAD,
            None,
            OFFICER,
            ("not_started", "not_asked_before", "move_within_request", "within_cap"),
            _("Ask the organizer to move"),
            NOT_GOING_AHEAD,
        ),
        _action(
            "accept_move",
            GOING_AHEAD,
            None,
            ORGANIZER,
            ("move_pending", "not_started", "within_cap", "move_still_free"),
            _("Agree to move"),
            NO_MOVE,
        ),
        _action(
            "decline_move", GOING_AHEAD, None, ORGANIZER, ("move_pending",), _("Keep my booking"), NO_MOVE
        ),
        _action("expire_move", GOING_AHEAD, None, SYSTEM, ("move_due",), _("Move request expired"), NO_MOVE),
        # the notices a move was asked for have all been decided: nothing is left to gain
        _action(
            "withdraw_move",
            GOING_AHEAD,
            None,
            SYSTEM,
            ("move_pending", "nothing_waits"),
            _("Move request withdrawn"),
            NO_MOVE,
        ),
        _action("check_in", GOING_AHEAD, None, OFFICER, ("checkin_window",), _("Check in"), NOT_GOING_AHEAD),
        _action("check_out", GOING_AHEAD, None, OFFICER, ("checked_in",), _("Check out"), NOT_GOING_AHEAD),
        _action("no_show", GOING_AHEAD, None, SYSTEM, ("grace_passed",), _("No-show"), NOT_GOING_AHEAD),
        _action(
            "record_held", GOING_AHEAD, S.HELD, OFFICER, ("ended",), _("Record as held"), NOT_GOING_AHEAD
        ),
        _action(
            "record_not_held",
            GOING_AHEAD,
            S.NOT_HELD,
            OFFICER,
            ("ended",),
            _("Record as not held"),
            NOT_GOING_AHEAD,
        ),
        _action("appeal", APPEALABLE, S.APPEALED, ORGANIZER, ("appeal_stated",), _("Appeal")),
        _action("uphold", {S.APPEALED}, S.UPHELD, OFFICER, ("reasons_given",), _("Reject the appeal")),
        _action(
            "overturn",
            {S.APPEALED},
            S.OVERTURNED,
            OFFICER,
            ("reasons_given", "not_started", "within_cap", "place_free"),
            _("Grant the appeal"),
        ),
        # The authority closed or changed the place under an accepted assembly: never a silent
        # cancellation, the notice goes back to an officer, who offers another place or time.
        _action(
            "displace",
            GOING_AHEAD,
            S.UNDER_REVIEW,
            AUTHORITY,
            ("not_started", "authority_takes_place"),
            _("Displaced by the authority"),
            NOT_GOING_AHEAD,
        ),
        _action(
            "silence_accepts", PENDING, S.DEEMED_ACCEPTED, SYSTEM, ("deadline_passed",), _("Deemed accepted")
        ),
        _action(
            "silence_refuses", PENDING, S.DEEMED_REFUSED, SYSTEM, ("deadline_passed",), _("Deemed refused")
        ),
    ]
}

# The officer's outcome → the action that records it.
DECIDING = {
    S.ACCEPTED: "accept",
    S.ACCEPTED_WITH_CONDITIONS: "accept_with_conditions",
    S.ALTERNATIVE_OFFERED: "offer_alternative",
    S.REFUSED: "refuse",
}
