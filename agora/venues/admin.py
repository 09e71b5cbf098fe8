from django.contrib import admin

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
class ClosureAdmin(admin.ModelAdmin):
    list_display = ["venue", "zone", "kind", "starts_at", "ends_at", "reason"]
    list_filter = ["venue", "kind"]
