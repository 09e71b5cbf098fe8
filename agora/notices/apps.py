from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "agora.notices"
    label = "notices"

    def ready(self):
        from agora.audit.services import check_seals_with

        from .integrity import check_decisions

        check_seals_with(check_decisions)
