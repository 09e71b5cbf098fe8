from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "agora.notices"
    label = "notices"
