from __future__ import annotations

from django.db import models
from django.utils import timezone


class Heartbeat(models.Model):
    """When a periodic job last finished (`agora doctor` says whether the consumer is alive)."""

    name = models.CharField(max_length=40, primary_key=True)
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {self.at:%Y-%m-%d %H:%M}"


def beat(name: str) -> None:
    Heartbeat.objects.update_or_create(name=name, defaults={"at": timezone.now()})
