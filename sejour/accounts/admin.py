"""Accounts in the admin: administrators manage roles; passwords never show."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from sejour.accounts.models import Challenge, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ("-date_joined",)
    list_display = ("display_name", "email", "phone", "role", "is_active", "date_joined")
    list_filter = ("role", "is_active", "language")
    search_fields = ("email", "phone", "given_name", "family_name")
    readonly_fields = ("date_joined", "last_login", "email_verified_at", "phone_verified_at")
    fieldsets = (
        (None, {"fields": ("email", "phone", "password")}),
        (_("Identity"), {"fields": ("given_name", "family_name", "language")}),
        (_("Role"), {"fields": ("role", "is_active", "is_staff", "is_superuser", "groups")}),
        (
            _("Dates"),
            {"fields": ("date_joined", "last_login", "email_verified_at", "phone_verified_at")},
        ),
    )
    add_fieldsets = (
        (
            None,
            {"classes": ("wide",), "fields": ("email", "phone", "role", "password1", "password2")},
        ),
    )


@admin.register(Challenge)
class ChallengeAdmin(admin.ModelAdmin):
    list_display = ("user", "purpose", "channel", "created_at", "expires_at", "used_at", "attempts")
    list_filter = ("purpose", "channel")
    readonly_fields = [field.name for field in Challenge._meta.fields]
    exclude = ("code_hash", "token_hash")

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
