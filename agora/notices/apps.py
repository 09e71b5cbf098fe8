from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "agora.notices"
    label = "notices"

    def ready(self):
        from agora.audit.state import keep_state_of

        from .ledger import CONSULTATION, DECISION, NOTICE

        keep_state_of(NOTICE)
        keep_state_of(DECISION)
        keep_state_of(CONSULTATION)
