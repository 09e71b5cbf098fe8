from django.db import models


class Summary(models.Model):
    """Figures computed over the whole register by the job queue (`summary.py`), so the pages
    and the API read one row instead of computing over years of history per visitor."""

    key = models.CharField(max_length=40, unique=True)
    figures = models.JSONField()
    computed_at = models.DateTimeField()
    seconds = models.FloatField(help_text="How long computing the figures took.")

    def __str__(self) -> str:
        return f"{self.key} at {self.computed_at:%Y-%m-%d %H:%M}"
