from django.apps import AppConfig


class RulesConfig(AppConfig):
    name = "agora.rules"
    label = "rules"
    verbose_name = "Jurisdictions and rulebooks"
