from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SharingConfig(AppConfig):
    name = "sejour.sharing"
    verbose_name = _("Share codes")
