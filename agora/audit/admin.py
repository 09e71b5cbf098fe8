from django.contrib import admin

from agora.admin_mixins import ReadOnlyAdmin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """Append-only: nobody, administrators included, can change or delete an event."""

    list_display = ["seq", "at", "event", "actor", "object_type", "object_id"]
    list_filter = ["event", "object_type"]
