from django.contrib import admin

from agora.admin_mixins import ReadOnlyAdmin

from .models import Decision, Notice


class DecisionInline(admin.TabularInline):
    model = Decision
    extra = 0
    can_delete = False
    fields = ["reference", "outcome", "grounds", "officer", "decided_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Notice)
class NoticeAdmin(ReadOnlyAdmin):
    list_display = ["reference", "assembly_type", "venue", "starts_at", "status", "filed_at"]
    list_filter = ["jurisdiction", "status", "assembly_type", "venue"]
    search_fields = ["reference", "purpose"]
    inlines = [DecisionInline]


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = ["reference", "outcome", "decided_at", "officer"]
    list_filter = ["outcome"]
