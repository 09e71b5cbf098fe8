from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "agora.scheduling"
    label = "scheduling"
