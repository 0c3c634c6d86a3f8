"""Core: base model, domain errors, clock and the worker heartbeat."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "sejour.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from sejour.core import checks  # noqa: F401  # registers the deployment checks
