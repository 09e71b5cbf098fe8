from django.apps import AppConfig


class VenuesConfig(AppConfig):
    name = "agora.venues"
    label = "venues"

    def ready(self):
        from agora.audit.services import check_seals_with

        from .integrity import check_authority_acts

        check_seals_with(check_authority_acts)
