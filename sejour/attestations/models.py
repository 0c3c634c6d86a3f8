"""An issued document: its facts, its signed token, its PDF and the code that verifies it."""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sejour.attestations.choices import Kind


class Attestation(models.Model):
    """One document issued by the system, verifiable by its code or its QR code."""

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    dossier = models.ForeignKey(
        "dossiers.Dossier",
        on_delete=models.PROTECT,
        related_name="attestations",
        verbose_name=_("dossier"),
    )
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="attestations",
        verbose_name=_("holder"),
    )
    code = models.CharField(_("verification code"), max_length=20, unique=True)
    issued_at = models.DateTimeField(_("issued at"))
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    right_to_work = models.BooleanField(_("right to work"), null=True, blank=True)
    language = models.CharField(_("language"), max_length=8)
    facts = models.JSONField(_("facts printed"), default=dict)
    token = models.TextField(_("signed token"))
    pdf = models.FileField(_("PDF"), max_length=200)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    ends_on = models.DateField(
        _("cut short after"),
        null=True,
        blank=True,
        help_text=_("Last day of validity when a decision ended the document before its term."),
    )
    end_reason = models.CharField(_("why it ended"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("attestation")
        verbose_name_plural = _("attestations")
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["dossier"], condition=Q(kind="receipt"), name="one_receipt_per_dossier"
            ),
            models.UniqueConstraint(
                fields=["dossier", "kind", "valid_from"],
                condition=Q(kind__in=["extension", "favourable"], revoked_at__isnull=True),
                name="one_attestation_per_dossier_and_period",
            ),
        ]

        indexes = [
            models.Index(
                fields=["holder", "valid_until"],
                condition=Q(kind__in=["extension", "favourable"], revoked_at__isnull=True),
                name="attestation_cover_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.code}"

    @property
    def last_valid_day(self) -> date | None:
        """The last day this document proves a right, or None if it carries no term."""
        if self.valid_until is None:
            return None
        if self.ends_on is not None and self.ends_on < self.valid_until:
            return self.ends_on
        return self.valid_until

    def is_valid_on(self, day: date) -> bool:
        """Whether this document proves the right to stay on `day`."""
        last = self.last_valid_day
        return (
            self.revoked_at is None
            and self.valid_from is not None
            and last is not None
            and self.valid_from <= day <= last
        )
