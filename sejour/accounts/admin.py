"""Accounts in the admin: administrators manage roles; passwords never show."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from sejour.accounts import second_factor
from sejour.accounts.models import Challenge, User
from sejour.core.errors import DomainError


class SecondFactorResetForm(forms.Form):
    identity_check = forms.CharField(
        label=_("How you checked the person's identity"),
        help_text=_("E.g. professional card seen in person, call-back to the office's number."),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


@admin.action(description=_("Reset the second factor (after checking identity)"))
def reset_second_factor(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[User]
) -> HttpResponse | None:
    """Remove every device of the chosen accounts, once the administrator says how they checked
    each holder's identity; the holders may then enrol a new authenticator with their password."""
    form = SecondFactorResetForm(request.POST if "identity_check" in request.POST else None)
    if form.is_bound and form.is_valid():
        for user in queryset:
            try:
                second_factor.second_factor_reset(
                    actor=request.user,  # type: ignore[arg-type]
                    user=user,
                    identity_check=form.cleaned_data["identity_check"],
                )
            except DomainError as error:
                modeladmin.message_user(request, f"{user}: {error.message}", messages.ERROR)
            else:
                modeladmin.message_user(
                    request, _("Second factor reset for %(user)s.") % {"user": user}
                )
        return None
    context: dict[str, Any] = {
        **modeladmin.admin_site.each_context(request),
        "title": _("Reset the second factor"),
        "form": form,
        "users": queryset,
        "action": "reset_second_factor",
        "opts": modeladmin.model._meta,
    }
    return TemplateResponse(request, "admin/accounts/second_factor_reset.html", context)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    actions = (reset_second_factor,)
    ordering = ("-date_joined",)
    list_display = ("display_name", "email", "phone", "role", "is_active", "date_joined")
    list_filter = ("role", "is_active", "language")
    search_fields = ("email", "phone", "given_name", "family_name")
    readonly_fields = (
        "date_joined",
        "last_login",
        "email_verified_at",
        "phone_verified_at",
        "second_factor_enrol_until",
    )
    fieldsets = (
        (None, {"fields": ("email", "phone", "password")}),
        (_("Identity"), {"fields": ("given_name", "family_name", "language")}),
        (_("Role"), {"fields": ("role", "is_active", "is_staff", "is_superuser", "groups")}),
        (
            _("Dates"),
            {
                "fields": (
                    "date_joined",
                    "last_login",
                    "email_verified_at",
                    "phone_verified_at",
                    "second_factor_enrol_until",
                )
            },
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
