from django.core.management.base import BaseCommand

from agora.notices.consultations import time_out_due
from agora.notices.letters import is_certificate, letter_for
from agora.notices.notify import remind_agencies, remind_officers
from agora.notices.services import apply_due_silences, expire_moves, expire_offers, release_no_shows
from agora.ops.models import beat


class Command(BaseCommand):
    help = (
        "The periodic work, for cron (every few minutes): remind officers a day before decision "
        "deadlines and agencies a day before their answers are due, apply agencies' silence at "
        "their consultation deadlines, apply the silence "
        "rule at the decision deadlines (issuing certificates of silence), release no-shows "
        "after the grace period, expire unanswered offers and requests to move."
    )

    def handle(self, *args, **options):
        reminded = remind_officers()
        asked = remind_agencies()
        # an agency's silence first: a decision due now then sees every consultation settled
        timed_out = time_out_due()
        decided = apply_due_silences()
        # a notice deemed accepted gets its certificate of silence at once, signed and logged
        certified = [letter_for(decision) for decision in decided if is_certificate(decision)]
        released = release_no_shows()
        passed_on = expire_offers()
        lapsed = expire_moves()
        beat("run-deadlines")  # agora doctor: the job consumer is alive
        self.stdout.write(
            f"deadlines: {reminded} reminders sent, {asked} agencies reminded, "
            f"{len(timed_out)} consultations ran out, "
            f"{len(decided)} decided by silence "
            f"({len(certified)} certificates of silence issued), "
            f"{len(released)} no-shows released, {len(passed_on)} offers passed on, "
            f"{len(lapsed)} requests to move expired"
        )
