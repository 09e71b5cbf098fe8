from django.apps import AppConfig


class VenuesConfig(AppConfig):
    name = "agora.venues"
    label = "venues"
