from django.apps import AppConfig


class VenuesConfig(AppConfig):
    name = "agora.venues"
    label = "venues"

    def ready(self):
        from agora.audit.services import check_seals_with

        from .integrity import check_closures

        check_seals_with(check_closures)
