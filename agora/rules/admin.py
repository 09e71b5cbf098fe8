from django.contrib import admin

from agora.admin_mixins import ReadOnlyAdmin

from .models import ExtraHoliday, Jurisdiction, Rulebook


@admin.register(Rulebook)
class RulebookAdmin(ReadOnlyAdmin):
    """Rulebooks are loaded from files (`agora load-rulebooks`) and never edited: decisions cite them."""

    list_display = ["code", "version", "loaded_at", "sha256"]
    readonly_fields = ["code", "version", "title", "data", "source", "sha256", "loaded_at"]


class ExtraHolidayInline(admin.TabularInline):
    model = ExtraHoliday
    extra = 0


@admin.register(Jurisdiction)
class JurisdictionAdmin(admin.ModelAdmin):
    list_display = ["slug", "__str__", "rulebook", "timezone", "reference_prefix"]
    inlines = [ExtraHolidayInline]
