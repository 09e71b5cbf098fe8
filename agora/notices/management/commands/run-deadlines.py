from django.core.management.base import BaseCommand

from agora.notices.services import apply_due_silences
from agora.scheduling.offers import expire_offers, release_no_shows


class Command(BaseCommand):
    help = (
        "The periodic work, for cron (every few minutes): apply the silence rule at decision "
        "deadlines, release no-shows after the grace period, expire unanswered offers."
    )

    def handle(self, *args, **options):
        decided = apply_due_silences()
        released = release_no_shows()
        passed_on = expire_offers()
        self.stdout.write(
            f"deadlines: {len(decided)} decided by silence, {len(released)} no-show bookings released, "
            f"{len(passed_on)} offers passed on"
        )
