"""`agora verify-offline …`: the offline verifier (agora/audit/offline.py, tools/agora_verify.py)."""

from django.core.management.base import BaseCommand, CommandError

from agora.audit import offline


class Command(BaseCommand):
    help = "Check a filing receipt, a letter or certificate and its proof, or two checkpoints, offline."

    def add_arguments(self, parser):
        parser.add_argument(
            "args", nargs="*", help="as for tools/agora_verify.py: receipt | document | consistency …"
        )

    def run_from_argv(self, argv):  # the verifier parses its own arguments
        raise SystemExit(offline.main(argv[2:]))

    def handle(self, *args, **options):
        if offline.main(list(args)):
            raise CommandError("not verified")
