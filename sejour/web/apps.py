"""Web: the public and applicant pages, the layout, error pages and probes."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "sejour.web"
    label = "web"
    verbose_name = _("Web")
