"""Share codes an applicant makes for one checker, and every check made with one."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sejour.sharing.choices import Outcome, Purpose, Status


class ShareCodeQuerySet(models.QuerySet["ShareCode"]):
    def active(self, *, today: dt.date) -> "ShareCodeQuerySet":
        return self.filter(revoked_at__isnull=True, expires_on__gte=today)


class ShareCode(models.Model):
    """A code that shows, to whoever also knows the holder's date of birth, their rights today."""

    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="share_codes",
        verbose_name=_("holder"),
    )
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    # Normalised, as `attestations.codes.normalize_share_code` gives it: `XXX-XXX-XXX`.
    code = models.CharField(_("share code"), max_length=11, unique=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # The code works until the end of this day (Paris time), this day included.
    expires_on = models.DateField(_("valid until (included)"))
    revoked_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    objects = ShareCodeQuerySet.as_manager()

    class Meta:
        verbose_name = _("share code")
        verbose_name_plural = _("share codes")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["holder", "-created_at"], name="sharecode_holder_idx")]

    def __str__(self) -> str:
        return self.code

    @property
    def spaced(self) -> str:
        """The code as shown to people: three groups of three, spaced (`ABC 123 XYZ`)."""
        return self.code.replace("-", " ")

    def status_on(self, day: dt.date) -> Status:
        if self.revoked_at is not None:
            return Status.REVOKED
        if day > self.expires_on:
            return Status.EXPIRED
        return Status.ACTIVE


class ShareCheck(models.Model):
    """One check made on the public page: by whom it says, from where, and what it gave."""

    share_code = models.ForeignKey(
        ShareCode,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="checks",
        verbose_name=_("share code"),
        help_text=_("Empty when no share code carries the code typed."),
    )
    # The code as typed, normalised: guesses are counted per code whether it exists or not.
    code = models.CharField(_("code typed"), max_length=11)
    at = models.DateTimeField(_("checked at"), default=timezone.now)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=30, choices=Outcome.choices)
    organisation = models.CharField(
        _("organisation (as typed by the checker)"), max_length=200, blank=True
    )

    class Meta:
        verbose_name = _("share code check")
        verbose_name_plural = _("share code checks")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["ip", "at"], name="sharecheck_ip_idx"),
            models.Index(fields=["code", "at"], name="sharecheck_code_idx"),
            models.Index(fields=["share_code", "-at"], name="sharecheck_share_code_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.outcome} {self.at.isoformat()}"
