"""`agora doctor`: is this deployment configured to run a city's assemblies? One line per
check: what is wrong and how to fix it (docs/operations.md starts here).

Each check returns Findings: `fail` (the service is broken or unsafe: the exit status is 1),
`warn` (fine for the demo or a test machine, not for a city: development settings, a key
expiring in the next weeks), `ok`. With `AGORA_PRODUCTION=1` a development setting fails
instead of warning.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import shutil
import smtplib
import sys
import zoneinfo
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

OK, WARN, FAIL = "ok", "warn", "fail"
DEV_SECRET = "agora-insecure-development-key"  # noqa: S105 (the start of settings.py's development key)
JOBS_LATE = dt.timedelta(minutes=15)  # the deadline job runs every 5 minutes
KEY_SOON = dt.timedelta(days=30)
DISK_LOW, DISK_FULL = 1 << 30, 100 << 20  # bytes free: warn below 1 GiB, fail below 100 MiB


@dataclass(frozen=True)
class Finding:
    level: str
    check: str
    message: str
    fix: str = ""

    def line(self) -> str:
        text = f"{self.level.upper():4}  {self.check}: {self.message}"
        return f"{text} (fix: {self.fix})" if self.fix and self.level != OK else text


def _dev(check: str, message: str, fix: str) -> Finding:
    """A development setting: a warning on the demo, a failure in production."""
    return Finding(FAIL if settings.AGORA_PRODUCTION else WARN, check, message, fix)


def version() -> Iterator[Finding]:
    import django

    from agora import __version__

    yield Finding(
        OK,
        "version",
        f"Agora {__version__}, Django {django.get_version()}, Python {sys.version.split()[0]}"
        + (", AGORA_PRODUCTION=1" if settings.AGORA_PRODUCTION else ", development settings"),
    )


def secret_key() -> Iterator[Finding]:
    key = settings.SECRET_KEY
    if key.startswith(DEV_SECRET):
        yield _dev("secret key", "the development key is in use", "set SECRET_KEY to 50 random characters")
    elif len(key) < 50 or len(set(key)) < 5:
        yield Finding(
            FAIL,
            "secret key",
            f"SECRET_KEY is weak ({len(key)} characters)",
            'set it to python3 -c "import secrets; print(secrets.token_urlsafe(50))"',
        )
    else:
        yield Finding(OK, "secret key", "set")
    if settings.DEBUG:
        yield _dev("debug", "DEBUG is on: errors show code and settings to anyone", "unset DEBUG")


def allowed_hosts() -> Iterator[Finding]:
    hosts = settings.ALLOWED_HOSTS
    if "*" in hosts:
        yield Finding(FAIL, "allowed hosts", "ALLOWED_HOSTS accepts any host", "list the site's host names")
    elif not set(hosts) - {"127.0.0.1", "localhost", "[::1]"}:
        yield _dev("allowed hosts", "only this machine's own names", "set ALLOWED_HOSTS=agora.example.kz")
    else:
        yield Finding(OK, "allowed hosts", ", ".join(hosts))


def https() -> Iterator[Finding]:
    public = settings.AGORA_PUBLIC_URL
    if not public.startswith("https://"):
        yield _dev(
            "https",
            f"the public address {public} is not HTTPS (letters' QR codes and e-mails link to it)",
            "set AGORA_PUBLIC_URL=https://… and HTTPS=1 behind a TLS proxy",
        )
        return
    problems = []
    if not getattr(settings, "SESSION_COOKIE_SECURE", False) or not getattr(
        settings, "CSRF_COOKIE_SECURE", False
    ):
        problems.append("cookies are sent over plain HTTP")
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None) is None:
        problems.append("the proxy's X-Forwarded-Proto is not trusted")
    origin = public.split("/", 3)[:3]
    if "/".join(origin) not in settings.CSRF_TRUSTED_ORIGINS:
        problems.append(f"CSRF_TRUSTED_ORIGINS lacks {'/'.join(origin)}")
    if problems:
        yield Finding(
            FAIL, "https", "; ".join(problems), "set HTTPS=1 and CSRF_TRUSTED_ORIGINS=" + "/".join(origin)
        )
    else:
        yield Finding(OK, "https", f"{public}, secure cookies, proxy header trusted")


def database() -> Iterator[Finding]:
    try:
        connection.ensure_connection()
    except Exception as error:  # noqa: BLE001 (whatever the driver raises, the answer is "unreachable")
        yield Finding(FAIL, "database", f"cannot connect: {error}".strip(), "check DATABASE_URL")
        return
    vendor = connection.vendor
    if vendor != "postgresql":
        yield _dev(
            "database",
            f"{vendor}, not PostgreSQL: the no-overlap and append-only guarantees are PostgreSQL's",
            "set DATABASE_URL=postgres://…",
        )
    else:
        yield Finding(OK, "database", f"PostgreSQL {connection.pg_version // 10000}, reachable")
    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        yield Finding(
            FAIL, "migrations", f"{len(pending)} not applied (first: {pending[0][0]})", "run agora migrate"
        )
    else:
        yield Finding(OK, "migrations", "all applied")
    if vendor == "postgresql":
        yield from _guarantees()


def _guarantees() -> Iterator[Finding]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_constraint WHERE conname = 'booking_no_overlap_per_zone' AND contype = 'x'"
        )
        overlap = cursor.fetchone() is not None
        cursor.execute(
            "SELECT 1 FROM pg_trigger WHERE tgname = 'audit_event_append_only' AND NOT tgisinternal "
            "AND tgenabled <> 'D'"
        )
        trigger = cursor.fetchone() is not None
    yield (
        Finding(OK, "no double booking", "the exclusion constraint is in place")
        if overlap
        else Finding(
            FAIL,
            "no double booking",
            "the exclusion constraint booking_no_overlap_per_zone is missing",
            "agora migrate scheduling 0001 && agora migrate (docs/locking.md)",
        )
    )
    yield (
        Finding(OK, "audit log", "the append-only trigger is in place")
        if trigger
        else Finding(
            FAIL,
            "audit log",
            "the append-only trigger audit_event_append_only is missing or disabled",
            "re-create it (agora/audit/migrations/0002) and run agora audit verify",
        )
    )


def redis() -> Iterator[Finding]:
    url = settings.REDIS_URL
    if not url:
        yield _dev(
            "redis",
            "not configured: jobs in a SQLite file, rate limits and used TOTP codes per process",
            "set REDIS_URL=redis://127.0.0.1:6379/0",
        )
        return
    import redis as client

    try:
        client.Redis.from_url(url, socket_timeout=3).ping()
    except Exception as error:  # noqa: BLE001
        yield Finding(FAIL, "redis", f"{url} does not answer: {error}", "start Redis or correct REDIS_URL")
    else:
        yield Finding(OK, "redis", f"{url} answers")


def jobs() -> Iterator[Finding]:
    from .models import Heartbeat

    try:
        last = Heartbeat.objects.filter(name="run-deadlines").first()
    except Exception:  # noqa: BLE001 (no table yet: the migrations check says so)
        return
    fix = "start the job consumer: agora run_huey (deploy/systemd/agora-jobs.service)"
    if last is None:
        yield _dev("jobs", "the deadline job has never run: deadlines and e-mails wait", fix)
    elif timezone.now() - last.at > JOBS_LATE:
        yield Finding(FAIL, "jobs", f"the deadline job last ran {last.at:%Y-%m-%d %H:%M} UTC", fix)
    else:
        yield Finding(OK, "jobs", f"the deadline job ran at {last.at:%H:%M} UTC")


def email() -> Iterator[Finding]:
    backend = settings.EMAIL_BACKEND.rsplit(".", 2)[-2]
    if backend in ("console", "locmem", "dummy", "filebased"):
        yield _dev(
            "e-mail",
            f"the {backend} backend: organizers and officers get no e-mail",
            "set EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend and EMAIL_HOST",
        )
        return
    if backend == "smtp":
        host, port = settings.EMAIL_HOST, settings.EMAIL_PORT
        try:
            smtplib.SMTP(host, port, timeout=5).quit()
        except (OSError, smtplib.SMTPException) as error:
            yield Finding(FAIL, "e-mail", f"SMTP {host}:{port} does not answer: {error}", "check EMAIL_HOST")
            return
        yield Finding(OK, "e-mail", f"SMTP {host}:{port} answers")
        return
    yield Finding(OK, "e-mail", settings.EMAIL_BACKEND)


def signing_keys() -> Iterator[Finding]:
    from django.core.exceptions import ImproperlyConfigured

    from agora.audit import checkpoints
    from agora.notices import signing

    try:
        checkpoints.log_key()
    except ImproperlyConfigured as error:
        yield Finding(FAIL, "log key", str(error), "docs/signing.md")
    else:
        if settings.AGORA_LOG_KEY:
            yield Finding(OK, "log key", "AGORA_LOG_KEY set")
        else:
            yield _dev(
                "log key", "a key of this machine's own signs the log", "set AGORA_LOG_KEY (docs/signing.md)"
            )
    if settings.AGORA_SIGNER != "pkcs12":
        yield Finding(OK, "letter key", f"signed by {settings.AGORA_SIGNER}")
        return
    try:
        signer = signing.signer()
    except (ImproperlyConfigured, OSError, ValueError) as error:
        yield Finding(FAIL, "letter key", str(error), "set AGORA_SIGNER_PKCS12 and its passphrase")
        return
    cert = signer.signer.signing_cert
    ends = cert["tbs_certificate"]["validity"]["not_after"].native
    left = ends - timezone.now()
    name = cert.subject.human_friendly
    if not settings.AGORA_SIGNER_PKCS12:
        yield _dev(
            "letter key", "the demonstration key signs letters", "set AGORA_SIGNER_PKCS12 (docs/signing.md)"
        )
    if left <= dt.timedelta(0):
        yield Finding(FAIL, "letter key", f"the certificate of {name} expired on {ends:%Y-%m-%d}", "renew it")
    elif left < KEY_SOON:
        yield Finding(
            WARN, "letter key", f"the certificate expires on {ends:%Y-%m-%d}, in {left.days} days", "renew it"
        )
    else:
        yield Finding(OK, "letter key", f"valid until {ends:%Y-%m-%d}")


def disk() -> Iterator[Finding]:
    """Letters live in the database; the register's nightly file in AGORA_DUMP_DIR."""
    places = {"register dumps": Path(settings.REGISTER_DUMP_DIR)}
    if connection.vendor == "sqlite":
        places["database"] = Path(settings.DATABASES[DEFAULT_DB_ALIAS]["NAME"]).parent
    for what, path in places.items():
        existing = next((p for p in [path, *path.parents] if p.exists()), Path("/"))
        free = shutil.disk_usage(existing).free
        shown = f"{free / (1 << 30):.1f} GiB free for {what} ({path})"
        if free < DISK_FULL:
            yield Finding(FAIL, "disk", shown, "free space or move it")
        elif free < DISK_LOW:
            yield Finding(WARN, "disk", shown, "free space soon")
        else:
            yield Finding(OK, "disk", shown)


def time_zones() -> Iterator[Finding]:
    from agora.rules.models import Jurisdiction

    names = {settings.TIME_ZONE}
    with contextlib.suppress(Exception):  # no table yet: the migrations check says so
        names |= set(Jurisdiction.objects.values_list("timezone", flat=True))
    missing = []
    for name in sorted(names):
        try:
            zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            missing.append(name)
    if missing:
        yield Finding(
            FAIL, "time zones", f"no data for {', '.join(missing)}", "install tzdata (apt-get install tzdata)"
        )
    else:
        yield Finding(OK, "time zones", ", ".join(sorted(names)))


def agencies() -> Iterator[Finding]:
    """An agency a rulebook consults that its jurisdiction does not list is never asked."""
    from agora.rules.models import Agency, Jurisdiction

    try:
        cities = list(Jurisdiction.objects.select_related("rulebook"))
    except Exception:  # noqa: BLE001
        return
    for city in cities:
        if city.rulebook is None:
            yield Finding(
                FAIL, "rulebooks", f"{city.slug} has no rulebook", "agora load-rulebooks, then assign one"
            )
            continue
        named = {rule.agency for rule in city.rulebook.rules.consultation.rules}
        listed = set(Agency.objects.filter(jurisdiction=city).values_list("code", flat=True))
        if named - listed:
            yield Finding(
                WARN,
                "agencies",
                f"{city.slug}'s rulebook consults {', '.join(sorted(named - listed))}, which it does not "
                "list: they are never asked",
                "add them in the admin (Agencies)",
            )


CHECKS: list[Callable[[], Iterator[Finding]]] = [
    version,
    secret_key,
    allowed_hosts,
    https,
    database,
    redis,
    jobs,
    email,
    signing_keys,
    disk,
    time_zones,
    agencies,
]


def run() -> list[Finding]:
    found = []
    for check in CHECKS:
        try:
            found += list(check())
        except Exception as error:  # noqa: BLE001 (a check that breaks is itself a finding)
            found.append(Finding(FAIL, check.__name__, f"the check failed: {error!r}"))
    return found
