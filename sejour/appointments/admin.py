"""The administrator keeps the counters: sites, their hours, closures and kinds."""

from django.contrib import admin

from sejour.appointments.models import Closure, OpeningHours, Site, SiteKind


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 0


class ClosureInline(admin.TabularInline):
    model = Closure
    extra = 0


class SiteKindInline(admin.TabularInline):
    model = SiteKind
    extra = 0


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ["name", "prefecture", "active"]
    list_filter = ["active", "prefecture"]
    search_fields = ["name"]
    inlines = [SiteKindInline, OpeningHoursInline, ClosureInline]
