"""Organisations, members and mandates in the admin: readable by those allowed, changeable by
nobody (verification goes through its own page, which journals it)."""

from django.contrib import admin
from django.http import HttpRequest

from sejour.helpers.models import (
    AccountOpening,
    Invitation,
    Mandate,
    MandateScope,
    Membership,
    Organisation,
    Representation,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class MembershipInline(ReadOnlyInline):
    model = Membership
    fields = ("user", "role", "bar", "bar_number", "joined_at", "removed_at")


@admin.register(Organisation)
class OrganisationAdmin(ReadOnlyAdmin):
    list_display = ("name", "kind", "status", "applied_at", "decided_at")
    list_filter = ("kind", "status")
    search_fields = ("name", "siret", "email")
    inlines = (MembershipInline,)


class MandateScopeInline(ReadOnlyInline):
    model = MandateScope
    fields = ("scope", "revoked_at", "revoked_by")


@admin.register(Mandate)
class MandateAdmin(ReadOnlyAdmin):
    list_display = (
        "applicant",
        "organisation",
        "channel",
        "consented_at",
        "expires_at",
        "ended_at",
    )
    list_filter = ("channel", "duration", "end_reason")
    list_select_related = ("applicant", "organisation")
    search_fields = ("=consent_sha256", "organisation__name")
    exclude = ("challenge",)
    inlines = (MandateScopeInline,)


@admin.register(Representation)
class RepresentationAdmin(ReadOnlyAdmin):
    list_display = ("dossier", "membership", "declared_at", "ended_at")
    list_select_related = ("dossier", "membership__user", "membership__organisation")


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    list_display = ("email", "organisation", "role", "created_at", "accepted_at")
    exclude = ("token_hash",)


@admin.register(AccountOpening)
class AccountOpeningAdmin(ReadOnlyAdmin):
    list_display = ("user", "organisation", "opened_by", "opened_at", "taken_over_at")
    list_select_related = ("user", "organisation", "opened_by")
    exclude = ("code_hash",)
