import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

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

    def handle(self, *args, action, from_digest=None, **options):
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
