from django.apps import AppConfig


class RegisterConfig(AppConfig):
    name = "agora.register"
    label = "register"
