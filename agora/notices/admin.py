from django.contrib import admin

from .models import Decision, Notice


class ReadOnlyHistoryAdmin(admin.ModelAdmin):
    """Notices and decisions change only through the state machine (agora.notices.services),
    so that every change is audited; the admin shows them read-only."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class DecisionInline(admin.TabularInline):
    model = Decision
    extra = 0
    can_delete = False
    fields = ["reference", "outcome", "grounds", "officer", "decided_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Notice)
class NoticeAdmin(ReadOnlyHistoryAdmin):
    list_display = ["reference", "assembly_type", "venue", "starts_at", "status", "filed_at"]
    list_filter = ["jurisdiction", "status", "assembly_type", "venue"]
    search_fields = ["reference", "purpose"]
    inlines = [DecisionInline]


@admin.register(Decision)
class DecisionAdmin(ReadOnlyHistoryAdmin):
    list_display = ["reference", "outcome", "decided_at", "officer"]
    list_filter = ["outcome"]
