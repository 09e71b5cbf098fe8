from django.core.management.base import BaseCommand

from agora.demo import DEMO_PASSWORD, load_demo
from agora.rules.models import Jurisdiction


class Command(BaseCommand):
    help = "Load the sample city (Almaty, Astana): venues, users of each role, notices in every state."

    def add_arguments(self, parser):
        parser.add_argument(
            "--rulebook",
            default="fair",
            choices=["fair", "kz-2020"],
            help="the rulebook Almaty uses (default: fair)",
        )

    def handle(self, *args, rulebook, **options):
        if Jurisdiction.objects.filter(slug="almaty").exists():
            self.stdout.write("Demo data already loaded; nothing to do.")
            return
        made = load_demo(almaty_rulebook=rulebook)
        self.stdout.write(f"Loaded the demo city: {len(made)} objects named, Almaty under {rulebook}.")
        self.stdout.write(
            f"Users (password {DEMO_PASSWORD}): admin (administrator), dana (officer, Almaty), "
            "yerlan (officer, Astana), aigerim and bolat (organizers), marat, saule and nurlan "
            "(Almaty's police, traffic and emergency services: /agency/)."
        )
