"""Consultation (PRODUCT.md §9): where the rulebook says so, a notice also needs the sign-off of
other agencies (police, traffic, emergency services). Filing asks every agency the rules
require at once, each with its own deadline inside the authority's; each agency's staff answer
(consent, consent with conditions from the rulebook's closed list, or objection with reasons);
the deadline job applies an agency's silence (consent, or nothing). The officer decides once
every consultation is answered or has run out, or records why the decision cannot wait
(`services._consulted`). Every step is in the audit log."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agora import i18n
from agora.audit.services import record
from agora.i18n import pick
from agora.locking import lock_notice
from agora.rules import deadlines
from agora.rules.models import Agency

from .models import TEXT_MAX, Consultation, Notice
from .workflow import PENDING

State = Consultation.State
ANSWERS = {
    "consent": State.CONSENTED,
    "consent_with_conditions": State.CONSENTED_WITH_CONDITIONS,
    "objection": State.OBJECTED,
}


def requirements(notice: Notice) -> list:
    """The consultation rules of the notice's rulebook that apply to it (one per agency). A
    draft has no rulebook yet: none apply until it is filed."""
    if notice.rulebook_id is None:
        return []
    return notice.rulebook.rules.consultations_for(
        notice.assembly_type, notice.expected_participants, notice.venue.slug
    )


def start(notice: Notice, at: dt.datetime) -> list[Consultation]:
    """Ask every agency the rules require, at the filing (inside its transaction). An agency
    the rulebook names but the jurisdiction does not list (yet) is not asked: a gap in the
    authority's set-up must not stop an organizer's filing."""
    rules = requirements(notice)
    if not rules:
        return []
    agencies = {a.code: a for a in Agency.objects.filter(jurisdiction=notice.jurisdiction_id)}
    counter = deadlines.Counter(notice.jurisdiction.calendar(), notice.jurisdiction.tz)
    made = []
    for rule in rules:
        agency = agencies.get(rule.agency)
        if agency is None:
            continue
        due = counter.after(rule.deadline, at, f"consultation.{rule.agency}").at
        made.append(
            Consultation.objects.create(
                notice=notice,
                agency=agency,
                requested_at=at,
                # the authority's own deadline bounds it whatever the calendar does; a notice
                # due at once (filed late, its deadline the start) leaves the agency no time
                due_at=max(at, min(due, notice.decision_due_at)) if notice.decision_due_at else due,
                silence=rule.silence,
            )
        )
    return made


def staff_agency(user):
    """The agency `user` answers for, or PermissionDenied."""
    staff = getattr(user, "agency_staff", None) if user is not None and user.is_authenticated else None
    if staff is None:
        raise PermissionDenied(_("Only the staff of a consulted agency may do this."))
    return staff.agency


def answer(
    consultation: Consultation,
    user,
    outcome: str,
    *,
    conditions=(),
    conditions_text: str = "",
    reasons: str = "",
    at: dt.datetime | None = None,
    dry: bool = False,
) -> Consultation:
    """The agency's answer, once, before its deadline, while the notice waits for a decision.
    `dry`: only check it (raises what answering would raise, saves nothing)."""
    at = at or timezone.now()
    agency = staff_agency(user)
    if consultation.agency_id != agency.pk:
        raise PermissionDenied(_("This consultation was sent to another agency."))
    state = ANSWERS.get(outcome)
    conditions, conditions_text, reasons = (
        list(dict.fromkeys(conditions)),
        conditions_text.strip(),
        reasons.strip(),
    )
    errors: dict[str, str] = {}
    if state is None:
        errors["outcome"] = _("Choose one of: %(list)s.") % {"list": ", ".join(ANSWERS)}
    with transaction.atomic():
        notice = lock_notice(consultation.notice_id)
        current = Consultation.objects.select_related("agency").get(pk=consultation.pk)
        listed = notice.rulebook.rules.consultation.conditions
        if current.answered:
            raise ValidationError(
                _("This consultation is already answered: %(state)s.")
                % {"state": current.get_state_display()}
            )
        if notice.status not in PENDING:
            raise ValidationError(_("The notice no longer waits for a decision: no answer is needed."))
        if at > current.due_at:
            raise ValidationError(
                _("The deadline for this answer passed at %(when)s.")
                % {"when": i18n.when(current.due_at, notice.jurisdiction.tz, zone=True)}
            )
        unknown = [c for c in conditions if c not in listed]
        if unknown:
            errors["conditions"] = _("Not a condition of the rulebook: %(codes)s. Pick from the list.") % {
                "codes": ", ".join(map(str, unknown))
            }
        elif state == State.CONSENTED_WITH_CONDITIONS and not (conditions or conditions_text):
            errors["conditions"] = _("Pick at least one condition, or describe it in the text.")
        elif state in (State.CONSENTED, State.OBJECTED) and (conditions or conditions_text):
            errors["conditions"] = _("Conditions go with a consent with conditions; choose that answer.")
        if state == State.OBJECTED and not reasons:
            errors["reasons"] = _("An objection needs its reasons.")
        for name, text in (("conditions_text", conditions_text), ("reasons", reasons)):
            if len(text) > TEXT_MAX:
                errors[name] = _("At most %(n)d characters.") % {"n": TEXT_MAX}
        if errors:
            raise ValidationError(errors)
        if dry:
            return current
        current.state, current.conditions = state, conditions
        current.conditions_text, current.reasons = conditions_text, reasons
        current.answered_by, current.answered_at = user, at
        current.save(
            update_fields=["state", "conditions", "conditions_text", "reasons", "answered_by", "answered_at"]
        )
        record(
            "consultation.answered",
            user,
            notice,
            {
                "notice": notice.reference,
                "agency": current.agency.code,
                "state": state,
                "conditions": conditions,
            },
            at=at,
            state=[current],
        )
    return current


def time_out_due(at: dt.datetime | None = None) -> list[Consultation]:
    """Every unanswered consultation past its deadline: silence means consent, or nothing."""
    at = at or timezone.now()
    done = []
    for pk, notice_id in (
        Consultation.objects.outstanding()
        .filter(due_at__lte=at)
        .order_by("due_at", "pk")
        .values_list("pk", "notice")
    ):
        with transaction.atomic():
            notice = lock_notice(notice_id)
            current = Consultation.objects.select_related("agency").get(pk=pk)
            if current.answered:  # answered meanwhile
                continue
            current.state = State.DEEMED_CONSENTED if current.silence == "consent" else State.TIMED_OUT
            current.save(update_fields=["state"])
            record(
                "consultation.timed_out",
                None,
                notice,
                {"notice": notice.reference, "agency": current.agency.code, "state": current.state},
                at=at,
                state=[current],
            )
        done.append(current)
    return done


def public(notice: Notice) -> list[Consultation]:
    """What the public sees of a notice's consultations: nothing while it waits for its
    decision, then every agency's answer, conditions and reasons (never who answered)."""
    if notice.status in PENDING or not requirements(notice):  # no query where none was asked
        return []
    return list(notice.consultations.select_related("agency", "notice__jurisdiction", "notice__rulebook"))


def asked(notice: Notice) -> list[Consultation]:
    """What the organizer sees while the notice waits: whom the authority consults and by
    when (the answers are public once decided, as everyone's are)."""
    if not notice.awaiting_decision or not requirements(notice):
        return []
    return list(notice.consultations.select_related("agency", "notice__jurisdiction"))


def waiting_for(notice: Notice) -> list[Consultation]:
    return list(notice.consultations.outstanding().select_related("agency"))


def outstanding_text(notice: Notice, consultations, lang: str | None = None) -> str:
    """ "Police (by 12 March, 18:00 +05)", for the officer."""
    tz = notice.jurisdiction.tz
    return "; ".join(
        f"{pick(c.agency.name, lang)} ({_('by %(when)s') % {'when': i18n.deadline(c.due_at, tz)}})"
        for c in consultations
    )
