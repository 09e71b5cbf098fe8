from django.contrib import admin

from agora.admin_mixins import ReadOnlyAdmin

from .models import Closure, Venue, Zone


class ZoneInline(admin.TabularInline):
    model = Zone
    extra = 0


@admin.register(Venue)
class VenueAdmin(admin.ModelAdmin):
    list_display = ["slug", "__str__", "jurisdiction", "designated", "capacity"]
    list_filter = ["jurisdiction", "designated"]
    inlines = [ZoneInline]


@admin.register(Closure)
class ClosureAdmin(ReadOnlyAdmin):
    """Closures are the authority's acts: declared and lifted on the office's Closures page
    (notices.authority), audited; here they are only shown."""

    list_display = ["venue", "zone", "ground", "starts_at", "ends_at", "declared_at", "lifted_at", "reason"]
    list_filter = ["venue", "ground"]
