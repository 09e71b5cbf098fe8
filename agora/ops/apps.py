from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Running a deployment: `agora doctor`, and the heartbeats of the periodic jobs it reads."""

    name = "agora.ops"
    label = "ops"
    default_auto_field = "django.db.models.BigAutoField"
