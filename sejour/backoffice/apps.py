"""Back-office: the prefecture's pages to instruct dossiers. Views and templates only."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BackofficeConfig(AppConfig):
    name = "sejour.backoffice"
    label = "backoffice"
    verbose_name = _("Back-office")
