"""The public side (PRODUCT.md §5): register, venue pages, statistics, open data, audit,
with no personal data anywhere on it."""

import datetime as dt
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET  # noqa: S405 - parses our own feed

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from icalendar import Calendar

from agora.accounts.models import Organizer
from agora.notices import services
from agora.notices.models import Decision, Notice
from tests.conftest import body, file, future

SECRETS = [
    "Aigerim Nurlanovna Seitkali",
    "Bolat Serikovich Abenov",
    "+7 701 555 0101",
    "+7 702 555 0202",
    "900101400123",
    "850505300456",
    "aigerim@example.org",
    "bolat@example.org",
    "Call me at home",
    "Personal withdrawal reason",
    "Secret-Equipment-Note",
]


@pytest.fixture
def city(db):
    call_command("load-demo")
    # the demo's organizers carry personal data in every private field...
    people = Organizer.objects.filter(
        full_name__in=SECRETS[:2], phone__in=SECRETS[2:4], national_id__in=SECRETS[4:6]
    )
    assert people.count() == 2 and set(people.values_list("user__email", flat=True)) == set(SECRETS[6:8])
    # ...and they write private texts wherever organizers can write them (through the
    # services, as on the pages: the log keeps a keyed fingerprint of each)
    aigerim = Organizer.objects.get(user__username="aigerim")
    notice = Notice.objects.get(status="upheld")
    waiting = Notice.objects.get(status="deemed_refused")
    services.appeal(waiting, waiting.organizer.user, text="Call me at home, please")
    file(aigerim.user, notice.venue, future(hour=10), future(hour=11), equipment="Secret-Equipment-Note")
    draft = Notice.objects.get(status="draft")
    services.submit(draft, draft.organizer.user)
    services.withdraw(draft, draft.organizer.user, reason="Personal withdrawal reason")
    return {"upheld": notice}


PUBLIC_URLS = [
    "/",
    "/register/",
    "/register/?outcome=refused",
    "/register.csv",
    "/register.json",
    "/register.jsonl",
    "/statistics/",
    "/audit/",
    "/audit/digest.json",
    "/audit/events.jsonl",
    "/decisions.atom",
]


def public_pages(client):
    urls = list(PUBLIC_URLS)
    for venue_id in Notice.objects.values_list("venue_id", flat=True).distinct():
        urls += [
            f"/places/{venue_id}/",
            f"/places/{venue_id}/?view=week",
            f"/places/{venue_id}/calendar.ics",
            f"/places/{venue_id}/availability/",
        ]
    for notice in Notice.objects.exclude(status="draft"):
        day = notice.starts_at.date().isoformat()
        urls += [f"/places/{notice.venue_id}/?date={day}&view=week"]
    urls += [f"/decisions/{ref}/" for ref in Decision.objects.values_list("reference", flat=True)]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        yield url, body(response).decode()


def test_no_personal_data_on_any_public_page_feed_or_export(city, client):
    seen = 0
    for url, text in public_pages(client):
        seen += 1
        for secret in SECRETS:
            assert secret not in text, f"{secret!r} leaked on {url}"
    assert seen > 30
    # organizations are named, private persons are not
    register = client.get("/register/").content.decode()
    assert "Green Almaty Society" in register and "private organizer no. " in register


def test_register_filters_and_keyset_pages(city, client):
    refused = json.loads(body(client.get("/register.json?outcome=refused")))["notices"]
    assert refused and all(n["status"] == "refused" for n in refused)
    by_ground = json.loads(body(client.get("/register.json?ground=public_order_threat")))["notices"]
    assert by_ground and all("public_order_threat" in n["grounds"] for n in by_ground)
    text = json.loads(body(client.get("/register.json?q=lighting")))["notices"]
    assert [n["purpose"] for n in text] == ["Evening picket for better street lighting."]
    bad = client.get("/register.json?date_from=2026-12-10&date_to=2026-12-01")
    assert bad.status_code == 400 and "date_to" in bad.json()["error"]["fields"]
    # pages follow each other without overlap or gap
    from agora.register import queries

    everything = [n.reference for n in queries.filtered({})]
    seen, cursor = [], None
    while True:
        rows, cursor = queries.page(queries.filtered({}), cursor, size=4)
        seen += [n.reference for n in rows]
        if cursor is None:
            break
    assert seen == everything and len(seen) == len(set(seen))
    assert client.get("/register/?after=garbage").status_code == 200


def test_the_csv_has_a_header_and_a_row_per_notice(city, client):
    response = client.get("/register.csv")
    lines = b"".join(response.streaming_content).decode().strip().splitlines()
    assert lines[0].startswith('"reference","type","topic","purpose","organizer"')  # every cell quoted
    from agora.register.queries import CSV_FIELDS, public_row

    assert list(public_row(Notice.objects.exclude(status="draft").first())) == CSV_FIELDS
    assert len(lines) - 1 == Notice.objects.exclude(status="draft").count()


def test_the_venue_ical_feed_is_valid_rfc5545(city, client):
    square = city["upheld"].venue
    body = client.get(f"/places/{square.pk}/calendar.ics").content
    calendar = Calendar.from_ical(body)
    events = [c for c in calendar.walk("VEVENT")]
    assert events and all(e.get("uid") and e.get("dtstart") and e.get("dtend") for e in events)
    assert calendar.get("version") == "2.0"


def test_the_atom_feed_of_decisions_is_well_formed(city, client):
    root = ET.fromstring(client.get("/decisions.atom").content)  # noqa: S314
    ns = {"a": "http://www.w3.org/2005/Atom"}
    assert root.tag == "{http://www.w3.org/2005/Atom}feed"
    assert root.find("a:id", ns) is not None and root.find("a:updated", ns) is not None
    entries = root.findall("a:entry", ns)
    assert len(entries) == Decision.objects.count()
    for entry in entries:
        assert entry.find("a:id", ns) is not None and entry.find("a:title", ns).text
        assert entry.find("a:updated", ns) is not None and entry.find("a:link", ns) is not None


def test_the_atom_feed_is_kept_until_a_new_decision_comes(city, client):
    from django.db import connection as db
    from django.test.utils import CaptureQueriesContext

    from agora.notices import services

    first = client.get("/decisions.atom").content
    with CaptureQueriesContext(db) as queries:
        again = client.get("/decisions.atom").content
    assert again == first and len(queries) == 1  # the newest decision's id, nothing else
    from django.contrib.auth import get_user_model

    pending = Notice.objects.filter(status="submitted", jurisdiction__slug="almaty").first()
    services.decide(pending, get_user_model().objects.get(username="dana"), "accepted", reasoning="Fine.")
    newest = Decision.objects.latest("pk")
    assert newest.reference.encode() in client.get("/decisions.atom").content
    assert newest.reference.encode() not in first


def tamper(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_a_decision_rewritten_by_sql_is_caught_by_the_digest_check(city, client, tmp_path, capsys):
    digest = tmp_path / "digest.json"
    digest.write_text(client.get("/audit/digest.json").content.decode())
    call_command("audit", "verify", "--from-digest", str(digest))
    assert "extends the digest" in capsys.readouterr().out
    decision = Decision.objects.filter(outcome="refused").first()
    tamper("UPDATE notices_decision SET reasoning = %s WHERE id = %s", ["Nothing to see.", decision.pk])
    with pytest.raises(
        CommandError, match=rf"notices_decision #{decision.pk} \({decision.reference}\) reasoning"
    ):
        call_command("audit", "verify", "--from-digest", str(digest))


def test_a_digest_from_a_rewritten_history_is_refused(city, tmp_path):
    digest = tmp_path / "digest.json"
    digest.write_text(json.dumps({"count": 5, "head_hash": "f" * 64}))
    with pytest.raises(CommandError, match="event #5 is not the one the digest recorded"):
        call_command("audit", "verify", "--from-digest", str(digest))
    digest.write_text("not json")
    with pytest.raises(CommandError, match="cannot read the digest"):
        call_command("audit", "verify", "--from-digest", str(digest))


def test_venue_page_shows_booked_used_and_displaced(city, client):
    notice = Notice.objects.get(status="held")
    day = notice.starts_at.astimezone(dt.timezone(dt.timedelta(hours=6))).date().isoformat()
    page = client.get(f"/places/{notice.venue_id}/?date={day}").content.decode()
    assert notice.reference in page and "Green Almaty Society" in page
    assert "<svg" in page and "venue-geometry" in page  # the outline without tiles or JS


@pytest.mark.slow
def test_the_register_bench_runs_at_a_small_size(tmp_path):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "agora.settings"}
    env.setdefault("DATABASE_URL", f"sqlite:///{tmp_path / 'bench.sqlite3'}")
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "agora.cli",
            "bench",
            "register",
            "--notices",
            "2000",
            "--repeat",
            "1",
            "--format",
            "json",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    ).stdout
    report = json.loads(out)
    assert report["notices"] == 2000 and set(report["filters"]) >= {"newest", "venue+type+range", "text"}
    assert report["filters"]["newest"]["rows"] == 50


def test_every_filed_notice_has_a_public_page_decided_or_not(city, client):
    pending = Notice.objects.filter(status="submitted").first()
    page = client.get(f"/register/{pending.reference}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert pending.purpose in text and "Not decided yet." in text and "Decision due by" in text
    for secret in SECRETS:
        assert secret not in text
    # the register links each row to it, shows the purpose, and links the venue's day
    register = client.get("/register/").content.decode()
    assert f'href="/register/{pending.reference}/"' in register and pending.purpose in register
    assert f"/places/{pending.venue_id}/?date=" in register
    draft = Notice.objects.filter(status="draft").first()
    assert draft is None or client.get(f"/register/{draft.pk}/").status_code == 404
