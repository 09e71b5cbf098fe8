from django.core.management.base import BaseCommand, CommandError

from agora.audit.services import verify_chain


class Command(BaseCommand):
    help = "Audit log tools. `agora audit verify` recomputes the hash chain."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="recompute the chain; exit 1 naming the first broken event")

    def handle(self, *args, action, **options):
        if action == "verify":
            verdict = verify_chain()
            if not verdict.ok:
                raise CommandError(
                    f"audit log BROKEN at event #{verdict.broken_seq}: {verdict.problem} "
                    f"({verdict.count} events verified before it)"
                )
            self.stdout.write(f"audit log intact: {verdict.count} events, head {verdict.last_hash}")
