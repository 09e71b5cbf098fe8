from django.core.management.base import BaseCommand

from agora.register import dump


class Command(BaseCommand):
    help = "Write the whole public register as one gzip'd JSON Lines file (the job queue does it nightly)."

    def handle(self, *args, **options):
        about = dump.write()
        self.stdout.write(
            f"{dump.folder() / dump.NAME}: {about['rows']:,} rows, {about['bytes']:,} bytes, "
            f"sha256 {about['sha256']}"
        )
