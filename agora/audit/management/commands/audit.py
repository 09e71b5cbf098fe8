import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from agora.audit.services import digest, verify_against_digest, verify_chain


class Command(BaseCommand):
    help = "Audit log: `verify` recomputes the hash chain; `digest` prints its digest."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="recompute the chain; exit 1 naming the first broken event")
        verify.add_argument(
            "--from-digest",
            metavar="FILE",
            help="also check that a digest downloaded earlier (JSON) is still a prefix",
        )
        sub.add_parser("digest", help="print the digest (JSON), as /audit/digest.json serves it")
        grant = sub.add_parser(
            "grant-app-role",
            help="PostgreSQL, run as the tables' owner: give ROLE what the application needs, and "
            "on the audit log only reading and appending (no update, delete, truncate or triggers)",
        )
        grant.add_argument("role")

    def handle(self, *args, action, from_digest=None, role=None, **options):
        if action == "grant-app-role":
            grant_app_role(role)
            self.stdout.write(f"{role}: may read and append the audit log, nothing more; all else as before")
            return
        if action == "digest":
            self.stdout.write(json.dumps(digest()))
            return
        if action == "verify" and from_digest:
            try:
                published = json.loads(Path(from_digest).read_text(encoding="utf-8"))
            except (OSError, ValueError) as error:
                raise CommandError(f"cannot read the digest {from_digest}: {error}") from None
            ok, message = verify_against_digest(published)
            if not ok:
                raise CommandError(f"audit log does NOT extend the digest: {message}")
            self.stdout.write(f"audit log extends the digest: {message}")
            return
        if action == "verify":
            verdict = verify_chain()
            if not verdict.ok:
                where = f" at event #{verdict.broken_seq}" if verdict.broken_seq else ""
                raise CommandError(
                    f"audit log BROKEN{where}: {verdict.problem} ({verdict.count} events verified)"
                )
            self.stdout.write(f"audit log intact: {verdict.count} events, head {verdict.last_hash}")


def grant_app_role(role: str) -> None:
    """The application's database role (migrations run as the owner): every table as usual,
    but the audit events only SELECT and INSERT. Not being the owner, it cannot disable the
    append-only trigger either (ALTER TABLE needs ownership)."""
    if connection.vendor != "postgresql":
        raise CommandError("database roles are PostgreSQL's: this database is " + connection.vendor)
    from psycopg import sql

    name = sql.Identifier(role)
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in (
            "GRANT USAGE ON SCHEMA public TO {role}",
            "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
            "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
            "REVOKE UPDATE, DELETE, TRUNCATE, TRIGGER, REFERENCES ON audit_auditevent FROM {role}",
            "GRANT SELECT, INSERT ON audit_auditevent TO {role}",
        ):
            cursor.execute(sql.SQL(statement).format(role=name))
