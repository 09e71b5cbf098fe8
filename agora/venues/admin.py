from django.contrib import admin
from django.utils.html import format_html

from agora.admin_mixins import ReadOnlyAdmin
from agora.audit.events import Event
from agora.audit.services import record

from .models import Closure, Venue, VenueChange, Zone


class ZoneInline(admin.TabularInline):
    model = Zone
    extra = 0

    def has_change_permission(self, request, obj=None):
        return obj is None  # zones are set up with a new place; later they change on the office's map

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Venue)
class VenueAdmin(admin.ModelAdmin):
    """A place is set up here (audited); afterwards its designation, capacity, hours, outline
    and zones change only on the office's Place changes page (notices.authority.change_venue),
    so each change is public with its reasons and never silently displaces an assembly."""

    list_display = ["slug", "__str__", "jurisdiction", "designated", "capacity", "change_page"]
    list_filter = ["jurisdiction", "designated"]
    inlines = [ZoneInline]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Change")
    def change_page(self, venue):
        return format_html('<a href="/office/places/{}/">on the office page</a>', venue.pk)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        venue = form.instance
        record(
            Event.VENUE_ADDED,
            request.user,
            venue,
            {
                "jurisdiction": venue.jurisdiction.slug,
                "slug": venue.slug,
                "designated": venue.designated,
                "capacity": venue.capacity,
                "zones": [z.slug for z in venue.zones.all()],
            },
        )


@admin.register(VenueChange)
class VenueChangeAdmin(ReadOnlyAdmin):
    list_display = ["venue", "declared_at", "reason"]
    list_filter = ["venue"]


@admin.register(Closure)
class ClosureAdmin(ReadOnlyAdmin):
    """Closures are the authority's acts: declared and lifted on the office's Closures page
    (notices.authority), audited; here they are only shown."""

    list_display = ["venue", "zone", "ground", "starts_at", "ends_at", "declared_at", "lifted_at", "reason"]
    list_filter = ["venue", "ground"]
