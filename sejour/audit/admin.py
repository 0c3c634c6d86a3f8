"""The journal in the admin: readable by those allowed, changeable by nobody."""

from django.contrib import admin
from django.http import HttpRequest

from sejour.audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = (
        "seq",
        "created_at",
        "action",
        "actor",
        "on_behalf_of",
        "target_type",
        "target_id",
        "ip",
    )
    list_filter = ("action", "created_at")
    date_hierarchy = "created_at"
    search_fields = ("action", "target_type", "=target_id")
    ordering = ("-seq",)
    list_select_related = ("actor", "on_behalf_of")
    # Counting a long journal on every page costs more than it tells.
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEntry | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEntry | None = None) -> bool:
        return False
