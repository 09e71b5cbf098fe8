"""`agora doctor` (issue 22): passes on the demo's settings with its warnings, and fails,
naming the fault and its fix, for each broken setting."""

from __future__ import annotations

import datetime as dt
import io
from collections import namedtuple

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from agora.ops.models import Heartbeat, beat


def doctor() -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("doctor", stdout=out)
    except SystemExit as stop:
        return stop.code, out.getvalue()
    return 0, out.getvalue()


def test_the_demo_settings_pass_with_their_warnings(db, almaty):
    status, shown = doctor()
    assert status == 0, shown
    assert "0 failed" in shown
    assert "WARN  secret key: the development key is in use (fix: set SECRET_KEY" in shown
    assert "WARN  jobs: the deadline job has never run" in shown
    # the rulebook consults agencies the city has not listed: nobody would be asked
    assert "WARN  agencies: almaty's rulebook consults" in shown
    assert "OK    migrations: all applied" in shown


def test_the_deadline_job_counts_as_alive_while_it_runs(db, almaty):
    call_command("run-deadlines", stdout=io.StringIO())
    assert "OK    jobs: the deadline job ran at" in doctor()[1]
    Heartbeat.objects.update(at=timezone.now() - dt.timedelta(hours=1))
    status, shown = doctor()
    assert status == 1 and "FAIL  jobs: the deadline job last ran" in shown and "agora run_huey" in shown


@pytest.mark.parametrize(
    ("setting", "value", "line"),
    [
        ("SECRET_KEY", "short", "FAIL  secret key: SECRET_KEY is weak (5 characters)"),
        ("ALLOWED_HOSTS", ["*"], "FAIL  allowed hosts: ALLOWED_HOSTS accepts any host"),
        ("REDIS_URL", "redis://127.0.0.1:1/0", "FAIL  redis: redis://127.0.0.1:1/0 does not answer"),
        ("TIME_ZONE", "Mars/Olympus_Mons", "FAIL  time zones: no data for Mars/Olympus_Mons"),
        ("AGORA_SIGNER_PKCS12", "/nonexistent/authority.p12", "FAIL  letter key:"),
        ("AGORA_LOG_KEY", "not base64!", "FAIL  log key: AGORA_LOG_KEY must be the base64"),
    ],
)
def test_each_broken_setting_fails_and_is_named(db, almaty, settings, setting, value, line):
    setattr(settings, setting, value)
    status, shown = doctor()
    assert status == 1, shown
    assert line in shown, shown


def test_production_refuses_what_the_demo_only_warns_about(db, almaty, settings):
    settings.AGORA_PRODUCTION = True
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
    status, shown = doctor()
    assert status == 1
    for check in (
        "secret key: the development key",
        "allowed hosts",
        "https",
        "e-mail: the",
        "jobs",
        "redis",
    ):
        assert f"FAIL  {check}" in shown, shown


def test_https_without_secure_cookies_or_the_proxy_header_fails(db, almaty, settings):
    settings.AGORA_PUBLIC_URL = "https://agora.example.kz"
    settings.SESSION_COOKIE_SECURE = False
    status, shown = doctor()
    assert status == 1
    assert (
        "FAIL  https: cookies are sent over plain HTTP; the proxy's X-Forwarded-Proto is not trusted" in shown
    )
    assert "CSRF_TRUSTED_ORIGINS=https://agora.example.kz" in shown


def test_an_smtp_server_that_does_not_answer_fails(db, almaty, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 1
    status, shown = doctor()
    assert status == 1 and "FAIL  e-mail: SMTP 127.0.0.1:1 does not answer" in shown


def test_a_full_disk_fails(db, almaty, monkeypatch):
    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr("agora.ops.doctor.shutil.disk_usage", lambda path: usage(1 << 40, 1 << 40, 10 << 20))
    status, shown = doctor()
    assert status == 1 and "FAIL  disk: 0.0 GiB free for register dumps" in shown


@pytest.mark.postgres
def test_a_database_without_its_guarantees_fails(db, almaty):
    if connection.vendor != "postgresql":
        pytest.skip("the guarantees are PostgreSQL's")
    assert "OK    no double booking" in doctor()[1]
    with connection.cursor() as cursor:  # inside the test's transaction: rolled back after
        cursor.execute("ALTER TABLE scheduling_booking DROP CONSTRAINT booking_no_overlap_per_zone")
        cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_append_only")
    status, shown = doctor()
    assert status == 1
    assert "FAIL  no double booking: the exclusion constraint booking_no_overlap_per_zone is missing" in shown
    assert "FAIL  audit log: the append-only trigger audit_event_append_only is missing or disabled" in shown


def test_beat_records_the_last_run(db):
    beat("run-deadlines")
    beat("run-deadlines")
    assert Heartbeat.objects.count() == 1
