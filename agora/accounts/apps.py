from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "agora.accounts"
    label = "accounts"

    def ready(self):
        from agora.audit.services import label_actors_with

        from .access import actor_label

        label_actors_with(actor_label)
