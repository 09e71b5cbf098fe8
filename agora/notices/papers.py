"""The papers a move issues: a decision's signed letter (a certificate of silence for a
notice deemed accepted) is made by the job queue as soon as the decision commits, and logged
then (`letter.issued`), so its time in the log is the decision's and no visitor's. A filing
receipt is made when its organizer first asks for it (it adds nothing to the log)."""

from __future__ import annotations

from django.db import transaction
from huey.contrib.djhuey import db_task

from .workflow import Status


def moved(notice) -> None:
    """Queue the letters of the notice's decisions once the transaction that moved it commits."""
    if notice.status == Status.DRAFT:
        return
    notice_id = notice.pk
    transaction.on_commit(lambda: issue_letters(notice_id))


@db_task(retries=3, retry_delay=60)
def issue_letters(notice_id: int) -> int:
    from .letters import letter_for
    from .models import Decision

    made = 0
    for decision in Decision.objects.filter(notice_id=notice_id, letter__isnull=True):
        letter_for(decision)
        made += 1
    return made
