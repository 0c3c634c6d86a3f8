"""Share codes and their checks in the admin: readable by those allowed, changeable by nobody."""

from django.contrib import admin
from django.http import HttpRequest

from sejour.sharing.models import ShareCheck, ShareCode


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(ShareCode)
class ShareCodeAdmin(ReadOnlyAdmin):
    list_display = ("code", "holder", "purpose", "created_at", "expires_on", "revoked_at")
    list_filter = ("purpose", "created_at")
    search_fields = ("=code",)
    list_select_related = ("holder",)
    date_hierarchy = "created_at"


@admin.register(ShareCheck)
class ShareCheckAdmin(ReadOnlyAdmin):
    list_display = ("at", "code", "outcome", "organisation", "ip")
    list_filter = ("outcome", "at")
    search_fields = ("=code", "=ip", "organisation")
    date_hierarchy = "at"
    show_full_result_count = False
