"""Rounds where the law allows them (issue 21): a rulebook may collect the notices for a day
until a cut-off and allocate them together. The queue and the day plan show the round and
when it closes; a notice whose own deadline comes first is marked as unable to wait, and the
deadline job's reminder warns the officer before that deadline passes."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.core import mail

from agora.accounts.models import Officer
from agora.demo import make_jurisdiction, names, republic_square
from agora.notices.notify import remind_officers
from agora.rules.rulebook import RulebookError, load_rulebook_texts
from agora.rules.services import load_rulebooks
from agora.scheduling.planning import round_closes
from tests.conftest import TOTP_SECRET, _user, file, future, sign_in_with_totp

ROUNDS = """
id: rounds-test
version: 1
extends: fair
title: {en: "fair, allocated in rounds"}
fairness:
  rounds:
    cutoff: {amount: 3, unit: working_days}
"""


@pytest.fixture
def city(db, tmp_path):
    shutil.copytree(settings.AGORA_RULEBOOK_DIR, tmp_path / "books")
    (tmp_path / "books" / "rounds-test.yaml").write_text(ROUNDS, encoding="utf-8")
    load_rulebooks(tmp_path / "books")
    jurisdiction = make_jurisdiction(
        "almaty", names("Almaty", "Алматы", "Алматы"), "ALA", "rounds-test", languages=("ru", "kk", "en")
    )
    officer = _user("rounds-officer")
    officer.email = "officer@example.org"
    officer.save()
    Officer.objects.create(user=officer, jurisdiction=jurisdiction)
    TOTP.activate(officer, TOTP_SECRET)
    return {"jurisdiction": jurisdiction, "square": republic_square(jurisdiction), "officer": officer}


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_rounds_need_the_optimiser_not_first_come_first_served():
    exclusive = ROUNDS.replace("extends: fair", "extends: kz-2020")
    books = {p.name: p.read_text(encoding="utf-8") for p in Path(settings.AGORA_RULEBOOK_DIR).glob("*.yaml")}
    with pytest.raises(RulebookError, match="rounds allocate a day's notices together"):
        load_rulebook_texts({**books, "rounds-test.yaml": exclusive})


def test_the_queue_and_the_day_plan_show_the_round_and_who_cannot_wait_for_it(client, city, aigerim):
    square, officer = city["square"], city["officer"]
    notice = file(aigerim, square, future(days=14, hour=11), future(days=14, hour=13))
    closes = round_closes(city["jurisdiction"], notice.local_day)
    # three working days before the day begins; the notice, filed today, is due long before
    assert closes.date() < notice.local_day and notice.decision_due_at < closes
    sign_in_with_totp(client, officer)
    queue = text(client.get("/office/"))
    assert "round closes" in queue and "its deadline comes first: decide it before the round closes" in queue
    plan = text(client.get(f"/office/plan/{notice.local_day.isoformat()}/"))
    assert "collects this day's notices until" in plan and "still open" in plan
    assert "it cannot wait for the round." in plan
    page = text(client.get(f"/office/notices/{notice.pk}/"))
    assert "allocated together in a round that closes at" in page
    assert "This notice's deadline comes first: it cannot wait for the round." in page


def test_the_reminder_warns_that_a_notice_cannot_wait_for_its_round(city, aigerim):
    notice = file(aigerim, city["square"], future(days=14, hour=11), future(days=14, hour=13))
    assert remind_officers(at=notice.decision_due_at - dt.timedelta(hours=2)) == 1
    [email] = mail.outbox
    assert email.to == ["officer@example.org"] and notice.reference in email.subject
    # in the authority's first language
    assert "Оно не может ждать раунда своего дня" in email.body


def test_without_rounds_nothing_is_said_of_them(client, square, aigerim, dana):
    notice = file(aigerim, square, future(days=14, hour=11), future(days=14, hour=13))
    assert round_closes(square.jurisdiction, notice.local_day) is None
    sign_in_with_totp(client, dana)
    assert "round" not in text(client.get("/office/")).lower().replace("around", "")
