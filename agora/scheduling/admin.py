from django.contrib import admin

from .models import Booking


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    """Bookings exist only through notices; shown read-only."""

    list_display = ["notice", "zone", "starts_at", "ends_at", "held_until", "checked_in_at", "checked_out_at"]
    list_filter = ["zone__venue"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
