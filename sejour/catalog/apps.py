"""Catalogue: permit types, procedures, checklists, fees and prefectures, loaded from data files."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "sejour.catalog"
    label = "catalog"
    verbose_name = _("Catalog")
