from django.apps import AppConfig
from django.db.models.signals import post_migrate


class SchedulingConfig(AppConfig):
    name = "agora.scheduling"
    label = "scheduling"

    def ready(self) -> None:
        from agora.audit.state import keep_state_of

        from .dbguard import on_post_migrate
        from .ledger import BOOKING, MOVE_REQUEST, OFFER

        keep_state_of(BOOKING)
        keep_state_of(OFFER)
        keep_state_of(MOVE_REQUEST)

        post_migrate.connect(on_post_migrate, sender=self, dispatch_uid="agora-sqlite-booking-triggers")
