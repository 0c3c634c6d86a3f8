"""Audit: the append-only, hash-chained journal of who did what, for whom."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "sejour.audit"
    label = "audit"
    verbose_name = _("Audit")

    def ready(self) -> None:
        from sejour.audit import checks  # noqa: F401  # registers the deployment checks
