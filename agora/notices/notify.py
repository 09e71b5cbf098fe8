"""Email to the organizer on every status change of their notice, in their language."""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from huey.contrib.djhuey import db_task

from agora import i18n
from agora.scheduling.planning import cannot_wait, round_closes

from .places import held_place, place_label, where
from .workflow import Status

_muted = contextvars.ContextVar("agora_notify_muted", default=False)


@contextlib.contextmanager
def muted():
    """No status e-mails for what happens inside (the demo's made-up history: its organizers
    need no mail about it, and the console stays readable)."""
    token = _muted.set(True)
    try:
        yield
    finally:
        _muted.reset(token)


def status_changed(notice) -> None:
    """Queue the email once the transaction that changed the status commits."""
    if notice.status == Status.DRAFT or _muted.get():
        return
    notice_id, status = notice.pk, notice.status
    transaction.on_commit(lambda: send_status_email(notice_id, status))


@db_task(retries=3, retry_delay=60)
def send_status_email(notice_id: int, status: str) -> None:
    from .models import Notice

    notice = Notice.objects.select_related("organizer__user", "venue").get(pk=notice_id)
    address = notice.organizer.user.email
    if not address:
        return
    with translation.override(notice.organizer.language):
        context = {
            "notice": notice,
            "status": notice.get_status_display() if notice.status == status else status,
            "url": settings.AGORA_PUBLIC_URL + reverse("notice", args=[notice.pk]),
            # sent back for review because the authority closed the place it was accepted for
            "closure": notice.displaced_by if status == Status.UNDER_REVIEW else None,
            "where": where(notice),
            "change": notice.displaced_by_change if status == Status.UNDER_REVIEW else None,
        }
        subject = render_to_string("notices/email_subject.txt", context).strip()
        body = render_to_string("notices/email_body.txt", context)
    send_mail(subject, body, None, [address])


REMIND_BEFORE = dt.timedelta(hours=24)


def authority_language(jurisdiction) -> str:
    """The authority's first language: what its reminders are written in (an officer's or
    an agency's own language is not recorded)."""
    return (jurisdiction.languages or [settings.LANGUAGE_CODE])[0]


def remind_officers(at: dt.datetime | None = None) -> int:
    """Email the officers of each jurisdiction about notices whose deadline is within a day."""
    from .models import Notice

    at = at or timezone.now()
    due = (
        Notice.objects.pending()
        .filter(
            reminded_at__isnull=True,
            decision_due_at__gt=at,
            decision_due_at__lte=at + REMIND_BEFORE,
        )
        .select_related("jurisdiction")
    )
    count = 0
    for notice in due:
        addresses = [
            o.user.email for o in notice.jurisdiction.officers.select_related("user") if o.user.email
        ]
        if addresses:
            with translation.override(authority_language(notice.jurisdiction)):
                deadline = i18n.when(notice.decision_due_at, notice.jurisdiction, zone=True)
                subject = _("Agora: decide %(ref)s by %(deadline)s") % {
                    "ref": notice.reference,
                    "deadline": deadline,
                }
                body = _("Without a decision by the deadline, the rulebook's silence rule decides.")
                closes = round_closes(notice.jurisdiction, notice.local_day)
                if cannot_wait(notice, closes):
                    body += "\n" + _(
                        "It cannot wait for its day's round, which closes at %(when)s: decide it now, "
                        "on its page or on the day plan."
                    ) % {"when": i18n.when(closes, notice.jurisdiction, zone=True)}
            send_mail(
                subject,
                body + "\n" + settings.AGORA_PUBLIC_URL + reverse("office:decide", args=[notice.pk]),
                None,
                addresses,
            )
            count += 1
        Notice.objects.filter(pk=notice.pk).update(reminded_at=at)
    return count


def remind_agencies(at: dt.datetime | None = None) -> int:
    """Email the staff of each consulted agency about answers due within a day, once, in
    the authority's first language, with what their silence will mean."""
    from .models import Consultation

    at = at or timezone.now()
    due = (
        Consultation.objects.outstanding()
        .filter(reminded_at__isnull=True, due_at__gt=at, due_at__lte=at + REMIND_BEFORE)
        .select_related("notice__jurisdiction", "agency")
    )
    count = 0
    for consultation in due:
        notice, agency = consultation.notice, consultation.agency
        addresses = [s.user.email for s in agency.staff.select_related("user") if s.user.email]
        if addresses:
            with translation.override(authority_language(notice.jurisdiction)):
                subject = _("Agora: answer on %(ref)s by %(deadline)s") % {
                    "ref": notice.reference,
                    "deadline": i18n.when(consultation.due_at, notice.jurisdiction, zone=True),
                }
                body = (
                    _("Without your answer by then, you are taken to consent.")
                    if consultation.silence == "consent"
                    else _("Without your answer by then, the officer decides without it.")
                )
            url = settings.AGORA_PUBLIC_URL + reverse("agency:answer", args=[consultation.pk])
            send_mail(subject, body + "\n" + url, None, addresses)
            count += 1
        Consultation.objects.filter(pk=consultation.pk).update(reminded_at=at)
    return count


def move_asked(move) -> None:
    """Ask the organizer, by e-mail in their language, whether their assembly may move."""
    if _muted.get():
        return
    move_id = move.pk
    transaction.on_commit(lambda: send_move_email(move_id))


@db_task(retries=3, retry_delay=60)
def send_move_email(move_id: int) -> None:
    from agora.scheduling.models import MoveRequest

    move = MoveRequest.objects.select_related("notice__organizer__user", "notice__jurisdiction").get(
        pk=move_id
    )
    notice = move.notice
    address = notice.organizer.user.email
    if not address:
        return
    jurisdiction = notice.jurisdiction
    with translation.override(notice.organizer.language):
        subject = _("Agora: may %(ref)s move?") % {"ref": notice.reference}
        now = held_place(notice)
        body = "\n\n".join(
            [
                *(
                    [
                        _("Your assembly is booked now at %(place)s.")
                        % {"place": place_label(now, jurisdiction)}
                    ]
                    if now
                    else []
                ),
                _(
                    "The authority asks whether your assembly may move to %(place)s, within what you "
                    "said you accept, so that %(with)s of the notices waiting for that day can be held "
                    "instead of %(without)s."
                )
                % {
                    "place": place_label(
                        {
                            "venue": move.venue_id,
                            "zones": move.zones,
                            "starts_at": move.starts_at,
                            "ends_at": move.ends_at,
                        },
                        jurisdiction,
                    ),
                    "with": move.fits_with,
                    "without": move.fits_without,
                },
                _("Nothing changes unless you agree: your booking stands as it is."),
                _("Answer by %(when)s on your notice's page:")
                % {"when": i18n.when(move.expires_at, jurisdiction, zone=True)},
                settings.AGORA_PUBLIC_URL + reverse("notice", args=[notice.pk]),
            ]
        )
    send_mail(subject, body, None, [address])


def move_withdrawn(move) -> None:
    """Tell the organizer a request to move need not be answered any more."""
    if _muted.get():
        return
    move_id = move.pk
    transaction.on_commit(lambda: send_move_withdrawn_email(move_id))


@db_task(retries=3, retry_delay=60)
def send_move_withdrawn_email(move_id: int) -> None:
    from agora.scheduling.models import MoveRequest

    move = MoveRequest.objects.select_related("notice__organizer__user").get(pk=move_id)
    notice = move.notice
    address = notice.organizer.user.email
    if not address:
        return
    with translation.override(notice.organizer.language):
        subject = _("Agora: %(ref)s need not move") % {"ref": notice.reference}
        body = "\n\n".join(
            [
                _(
                    "The authority no longer asks your assembly to move: the notices the move was "
                    "for have been decided. Your booking stands as it is; there is nothing to answer."
                ),
                settings.AGORA_PUBLIC_URL + reverse("notice", args=[notice.pk]),
            ]
        )
    send_mail(subject, body, None, [address])
