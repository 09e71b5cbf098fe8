from allauth.mfa.models import Authenticator
from allauth.mfa.utils import decrypt
from django.core.management.base import BaseCommand, CommandError

from agora.demo import DEMO_TOTP_SECRET, current_code


class Command(BaseCommand):
    help = "Print the current TOTP code of a demo officer (only accounts using the public demo secret)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        totp = Authenticator.objects.filter(user__username=username, type=Authenticator.Type.TOTP).first()
        if totp is None or decrypt(totp.data.get("secret", "")) != DEMO_TOTP_SECRET:
            raise CommandError(f"{username} is not a demo officer with the demo TOTP secret.")
        self.stdout.write(current_code(DEMO_TOTP_SECRET))
