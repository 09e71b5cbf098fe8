from django.contrib import admin

from agora.admin_mixins import ReadOnlyAdmin

from .models import Booking


@admin.register(Booking)
class BookingAdmin(ReadOnlyAdmin):
    """Bookings exist only through notices; shown read-only."""

    list_display = ["notice", "zone", "starts_at", "ends_at", "held_until", "checked_in_at", "checked_out_at"]
    list_filter = ["zone__venue"]
