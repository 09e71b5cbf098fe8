from django.contrib import admin

from agora.admin_mixins import ReadOnlyAdmin

from .models import Agency, CalendarDay, Jurisdiction, Rulebook


@admin.register(Rulebook)
class RulebookAdmin(ReadOnlyAdmin):
    """Rulebooks are loaded from files (`agora load-rulebooks`) and never edited: decisions cite them."""

    list_display = ["code", "version", "loaded_at", "sha256"]
    readonly_fields = ["code", "version", "title", "data", "source", "sha256", "loaded_at"]


class CalendarDayInline(admin.TabularInline):
    """Declared on the office's Calendar page (audited; deadlines move forward only)."""

    model = CalendarDay
    extra = 0
    fields = readonly_fields = ["date", "kind", "name", "declared_at"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class AgencyInline(admin.TabularInline):
    """The agencies the jurisdiction consults, by the codes its rulebook's consultation rules use."""

    model = Agency
    extra = 0
    fields = ["code", "name"]
    can_delete = False  # consultations point at them


@admin.register(Jurisdiction)
class JurisdictionAdmin(admin.ModelAdmin):
    """A jurisdiction is set up here; its rulebook version is assigned on the office's
    Calendar and rules page (audited), so here it is only shown once set."""

    list_display = ["slug", "__str__", "rulebook", "timezone", "reference_prefix"]
    inlines = [AgencyInline, CalendarDayInline]

    def get_readonly_fields(self, request, obj=None):
        return ["rulebook", "timezone"] if obj else []
