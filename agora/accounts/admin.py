from django.contrib import admin

from .models import AgencyStaff, Officer, Organizer


@admin.register(Organizer)
class OrganizerAdmin(admin.ModelAdmin):
    list_display = ["pk", "user", "kind", "organization_name", "language"]
    list_filter = ["kind"]
    search_fields = ["user__username", "organization_name", "full_name"]


@admin.register(Officer)
class OfficerAdmin(admin.ModelAdmin):
    list_display = ["pk", "user", "jurisdiction", "position"]
    list_filter = ["jurisdiction"]


@admin.register(AgencyStaff)
class AgencyStaffAdmin(admin.ModelAdmin):
    list_display = ["user", "agency"]
    list_select_related = ["user", "agency"]
