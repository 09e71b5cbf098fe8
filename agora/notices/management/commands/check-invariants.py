from django.core.management.base import BaseCommand, CommandError

from agora.notices.invariants import broken


class Command(BaseCommand):
    help = (
        "Check the invariants of PRODUCT.md §10 against the database (docs/invariants.md): "
        "exit 0 if they all hold, or exit 1 naming every breach."
    )

    def handle(self, *args, **options):
        found = broken()
        if found:
            for line in found:
                self.stderr.write(line)
            raise CommandError(f"{len(found)} breach(es) of the invariants")
        self.stdout.write("every invariant holds")
