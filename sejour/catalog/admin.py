"""The catalogue in the admin site. The data files stay the source: `load_catalog` overwrites
edits made here to rows that the files describe, so lasting changes belong in the files."""

from django import forms
from django.contrib import admin
from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from sejour.catalog.models import (
    CatalogVersion,
    ChecklistItem,
    PermitType,
    Prefecture,
    Procedure,
)


@admin.register(PermitType)
class PermitTypeAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "category",
        "max_validity_months",
        "is_anef",
        "extension_months",
        "work_on_first_application",
        "fee_total",
        "active",
    ]
    list_filter = ["category", "is_anef", "protection", "work_on_first_application", "active"]
    search_fields = ["code", "name", "official_name_fr"]
    readonly_fields = ["created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["code", "name", "official_name_fr", "category", "active", "order"]}),
        (
            _("Legal figures"),
            {
                "fields": [
                    "max_validity_months",
                    "is_anef",
                    "implicit_decision_months",
                    "extension_months",
                    "protection",
                    "work_on_first_application",
                    "allows_work",
                ]
            },
        ),
        (_("Fees"), {"fields": ["fee_tax_cents", "fee_stamp_cents"]}),
        (_("History"), {"fields": ["created_at", "updated_at"]}),
    ]

    @admin.display(description=_("fee (€)"))
    def fee_total(self, obj: PermitType) -> str:
        return f"{obj.fee_total_cents / 100:.2f}"


class ChecklistItemInline(admin.StackedInline):
    model = ChecklistItem
    extra = 0
    fields = [
        ("code", "order", "active"),
        "label",
        "help_text",
        ("required", "accepts_several_files"),
        "condition",
    ]


@admin.register(Procedure)
class ProcedureAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "fee_applies", "order", "active"]
    list_filter = ["kind", "fee_applies", "active"]
    search_fields = ["code", "name", "official_name_fr", "description"]
    # Tick boxes, not the two-list widget: it works without JavaScript and its labels are
    # real labels (the widget's help icons carry an aria-label on a role-less span).
    formfield_overrides = {models.ManyToManyField: {"widget": forms.CheckboxSelectMultiple}}
    readonly_fields = ["created_at", "updated_at"]
    inlines = [ChecklistItemInline]


@admin.register(ChecklistItem)
class ChecklistItemAdmin(admin.ModelAdmin):
    list_display = ["code", "label", "procedure", "required", "accepts_several_files", "active"]
    list_filter = ["procedure", "required", "active"]
    search_fields = ["code", "label", "help_text"]
    list_select_related = ["procedure"]
    readonly_fields = ["created_at", "updated_at"]


@admin.register(Prefecture)
class PrefectureAdmin(admin.ModelAdmin):
    list_display = ["departement_code", "name", "departement_name", "seat", "region", "active"]
    list_filter = ["region", "overseas", "active"]
    search_fields = ["departement_code", "departement_name", "name", "seat"]
    readonly_fields = ["created_at", "updated_at"]
    # Thousands of staff: chosen by number, with the admin's search window beside the field.
    raw_id_fields = ["staff"]


@admin.register(CatalogVersion)
class CatalogVersionAdmin(admin.ModelAdmin):
    """A record of loads: read only."""

    list_display = ["version", "prefectures_version", "sha256", "loaded_at"]
    readonly_fields = ["version", "prefectures_version", "sha256", "summary", "loaded_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
