import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from agora.audit.services import baseline, digest, verify_against_digest, verify_chain


class Command(BaseCommand):
    help = (
        "Audit log: `verify` recomputes the hash chain and replays it against the tables; "
        "`digest` prints its digest; `baseline` records records the log keeps no state of."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="recompute the chain; exit 1 naming the first broken event")
        verify.add_argument(
            "--from-digest",
            metavar="FILE",
            help="also check that a digest downloaded earlier (JSON) is still a prefix",
        )
        sub.add_parser("digest", help="print the digest (JSON), as /audit/digest.json serves it")
        sub.add_parser(
            "baseline",
            help="record, as public events, the state of every record the log keeps none of (made "
            "before the log kept states, or bulk-generated); verify holds them to it from then on",
        )
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
        if action == "baseline":
            count = baseline()
            self.stdout.write(
                f"recorded the state of {count} record{'s' if count != 1 else ''} "
                "(one audit.baseline event each, public in the log)"
            )
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
            if not verdict.ok and verdict.problem_count:
                shown = "\n".join(f"  {problem}" for problem in verdict.problems)
                more = verdict.problem_count - len(verdict.problems)
                raise CommandError(
                    f"audit log BROKEN: the chain of {verdict.count} events is intact, but "
                    f"{verdict.problem_count} record{'s' if verdict.problem_count != 1 else ''} "
                    f"differ from what it says:\n{shown}" + (f"\n  (+{more} more)" if more else "")
                )
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
