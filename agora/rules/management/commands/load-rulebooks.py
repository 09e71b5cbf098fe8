from django.core.management.base import BaseCommand, CommandError

from agora.rules.rulebook import RulebookError
from agora.rules.services import load_rulebooks


class Command(BaseCommand):
    help = "Load the rulebooks (*.yaml) of a folder; by default the ones shipped with Agora."

    def add_arguments(self, parser):
        parser.add_argument("directory", nargs="?", help="folder of rulebook YAML files")

    def handle(self, *args, directory=None, **options):
        try:
            results = load_rulebooks(directory)
        except RulebookError as error:
            raise CommandError(str(error)) from None
        for rulebook, created in results:
            self.stdout.write(f"{rulebook}: {'loaded' if created else 'already loaded'}")
