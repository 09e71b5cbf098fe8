from django.contrib import admin

from .models import ExtraHoliday, Jurisdiction, Rulebook


@admin.register(Rulebook)
class RulebookAdmin(admin.ModelAdmin):
    """Rulebooks are loaded from files (`agora load-rulebooks`) and never edited: decisions cite them."""

    list_display = ["code", "version", "loaded_at", "sha256"]
    readonly_fields = ["code", "version", "title", "data", "source", "sha256", "loaded_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ExtraHolidayInline(admin.TabularInline):
    model = ExtraHoliday
    extra = 0


@admin.register(Jurisdiction)
class JurisdictionAdmin(admin.ModelAdmin):
    list_display = ["slug", "__str__", "rulebook", "timezone", "reference_prefix"]
    inlines = [ExtraHolidayInline]
