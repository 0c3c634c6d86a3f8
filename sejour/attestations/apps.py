"""Attestations: the documents the system issues, signed, verifiable, stored."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AttestationsConfig(AppConfig):
    name = "sejour.attestations"
    label = "attestations"
    verbose_name = _("Attestations")
