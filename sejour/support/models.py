"""Reports of what blocks a person (signalements), and everything that happened to each."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sejour.dossiers.choices import ScanStatus
from sejour.support.choices import (
    WAITING,
    CallStatus,
    Category,
    EventKind,
    Status,
    language_name,
    window_label,
)


class Report(models.Model):
    """One report: a number and a deadline for the first answer from the moment it is sent."""

    number = models.CharField(_("report number"), max_length=20, unique=True)
    # Who wrote it (the applicant, or a helper for them) and whom it is about.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="reports_written",
        verbose_name=_("author"),
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="reports",
        verbose_name=_("applicant"),
    )
    dossier = models.ForeignKey(
        "dossiers.Dossier",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("dossier"),
    )
    category = models.CharField(_("what blocks"), max_length=30, choices=Category.choices)
    description = models.TextField(_("description"))
    language = models.CharField(_("language"), max_length=10)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    opened_at = models.DateTimeField(_("sent at"), default=timezone.now)
    # The first answer is due by then (settings.SEJOUR_SUPPORT_DEADLINE_HOURS, per category).
    due_at = models.DateTimeField(_("answer due by"))
    # The first deadline, kept when passing the report on moves `due_at`: the figures measure
    # the share of reports answered within it.
    answer_due_at = models.DateTimeField(_("first answer due by"), null=True, blank=True)
    first_answered_at = models.DateTimeField(_("first answered at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("passed to the prefecture at"), null=True, blank=True)
    escalated_to = models.ForeignKey(
        "catalog.Prefecture",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("prefecture in charge"),
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["due_at", "pk"]
        indexes = [
            # The support desk's queue and the overdue sweep: waiting reports by deadline.
            models.Index(
                fields=["due_at"], condition=Q(status__in=WAITING), name="report_waiting_due_idx"
            ),
            models.Index(
                fields=["escalated_to", "due_at"],
                condition=Q(status=Status.ESCALATED),
                name="report_escalated_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_waiting(self) -> bool:
        return self.status in WAITING


class ReportEvent(models.Model):
    """One line of a report's history, shown to its author unless `internal`."""

    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="events", verbose_name=_("report")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)
    at = models.DateTimeField(_("at"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    body = models.TextField(_("text"), blank=True)
    # A note between the support desk and the prefecture, not shown to the person.
    internal = models.BooleanField(_("internal note"), default=False)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("report event")
        verbose_name_plural = _("report events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.report_id} {self.kind}"


class ReportAttachment(models.Model):
    """A file or a screenshot sent with a report: checked and scanned like a dossier's files."""

    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("report")
    )
    file = models.FileField(_("file"), max_length=200)
    original_name = models.CharField(_("file name"), max_length=150)
    content_type = models.CharField(_("type"), max_length=40)
    size = models.PositiveIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    scan_status = models.CharField(
        _("antivirus"), max_length=20, choices=ScanStatus.choices, default=ScanStatus.PENDING
    )
    scan_signature = models.CharField(_("virus found"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("report attachment")
        verbose_name_plural = _("report attachments")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def can_be_opened(self) -> bool:
        return self.scan_status in (ScanStatus.CLEAN, ScanStatus.NOT_SCANNED)


class CallBack(models.Model):
    """A call the person asked for: a day, a time window and a language they chose."""

    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="callbacks",
        verbose_name=_("person to call"),
    )
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("asked by"),
    )
    report = models.ForeignKey(
        Report,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="callbacks",
        verbose_name=_("report"),
    )
    phone = models.CharField(_("number to call"), max_length=30)
    day = models.DateField(_("day"))
    # A key of settings.SEJOUR_SUPPORT_CALL_WINDOWS, e.g. "09-12".
    window = models.CharField(_("time window"), max_length=10)
    language = models.CharField(_("language of the call"), max_length=10)
    subject = models.CharField(_("what it is about"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=CallStatus.choices, default=CallStatus.PLANNED
    )
    asked_at = models.DateTimeField(_("asked at"), default=timezone.now)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("called by"),
    )
    handled_at = models.DateTimeField(_("called at"), null=True, blank=True)

    class Meta:
        verbose_name = _("call-back")
        verbose_name_plural = _("call-backs")
        ordering = ["day", "window", "pk"]
        indexes = [
            models.Index(
                fields=["day", "window"],
                condition=Q(status="planned"),
                name="callback_planned_idx",
            )
        ]
        constraints = [
            # One planned call per person and window: asking twice changes nothing.
            models.UniqueConstraint(
                fields=["applicant", "day", "window"],
                condition=Q(status="planned"),
                name="one_planned_call_per_window",
            )
        ]

    def __str__(self) -> str:
        return f"{self.applicant_id} {self.day} {self.window}"

    @property
    def window_label(self) -> str:
        return window_label(self.window)

    @property
    def language_name(self) -> str:
        """In the reader's language: the desk reads "Russian", not "ru"."""
        return language_name(self.language)
