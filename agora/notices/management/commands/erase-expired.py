from django.core.management.base import BaseCommand

from agora.notices import privacy


class Command(BaseCommand):
    help = (
        "Erase the personal data of organizers whose last assembly (and any appeal) has been over "
        "for longer than AGORA_RETENTION_DAYS; their notices stay in the register. Each erasure "
        "is in the audit log (organizer.anonymized). The job consumer runs it every night."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="only say whom it would erase")

    def handle(self, *args, dry_run=False, **options):
        if dry_run:
            due = list(privacy.due())
            self.stdout.write(
                f"would erase {len(due)} organizers' personal data: " + ", ".join(str(o.pk) for o in due)
            )
            return
        erased = privacy.erase_due()
        self.stdout.write(
            f"erased {len(erased)} organizers' personal data (retention {privacy.retention().days} days)"
        )
