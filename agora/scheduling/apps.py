from django.apps import AppConfig
from django.db.models.signals import post_migrate


class SchedulingConfig(AppConfig):
    name = "agora.scheduling"
    label = "scheduling"

    def ready(self) -> None:
        from .dbguard import on_post_migrate

        post_migrate.connect(on_post_migrate, sender=self, dispatch_uid="agora-sqlite-booking-triggers")
