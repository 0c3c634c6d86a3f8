"""The dossier, its documents (every version kept), its timeline, messages and filing attempts."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sejour.core.models import TimeStampedModel
from sejour.dossiers.choices import (
    EDITABLE,
    PENDING,
    Channel,
    CoverBasis,
    EventKind,
    RequestKind,
    ScanStatus,
    Status,
)


class DossierQuerySet(models.QuerySet["Dossier"]):
    def pending(self) -> "DossierQuerySet":
        return self.filter(status__in=PENDING)

    def editable(self) -> "DossierQuerySet":
        return self.filter(status__in=EDITABLE)


class Dossier(TimeStampedModel):
    """One application by one applicant for one procedure of the catalogue."""

    number = models.CharField(_("dossier number"), max_length=20, unique=True)
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="dossiers",
        verbose_name=_("applicant"),
    )
    # The applicant's names, copied by the database (migration 0006's triggers) when the
    # dossier is made and whenever they change: the back-office finds a dossier by name from
    # its own row and indexes, without reading the applicant's.
    applicant_family_name = models.CharField(
        _("applicant's family name"), max_length=150, blank=True, default="", editable=False
    )
    applicant_given_name = models.CharField(
        _("applicant's given name"), max_length=150, blank=True, default="", editable=False
    )
    procedure = models.ForeignKey(
        "catalog.Procedure", on_delete=models.PROTECT, verbose_name=_("procedure")
    )
    permit_type = models.ForeignKey(
        "catalog.PermitType",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("permit type"),
    )
    prefecture = models.ForeignKey(
        "catalog.Prefecture",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("prefecture"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    permit_expires_on = models.DateField(_("current permit expires on"), null=True, blank=True)
    # Bumped by every change, so a form filled on an older version is recognised as stale.
    revision = models.PositiveIntegerField(_("revision"), default=1)
    # The applicant changed something since the agent last looked.
    needs_attention = models.BooleanField(_("changed since last review"), default=False)
    first_attempt_at = models.DateTimeField(_("first filing attempt"), null=True, blank=True)
    # The substitute channel (décret 2023-191): filed by a prefecture agent at the counter or
    # from paper, for the applicant, who can take the application over online later.
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, default=Channel.ONLINE
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("filed at the counter by"),
    )
    submitted_at = models.DateTimeField(_("filed at"), null=True, blank=True)
    submission_key = models.UUIDField(_("filing key"), null=True, blank=True, unique=True)
    closed_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    # Instruction: who holds it, when silence becomes a decision, when the holder last looked.
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_dossiers",
        verbose_name=_("assigned to"),
    )
    decision_due_on = models.DateField(_("decision due on"), null=True, blank=True)
    # While the applicant is asked for documents the silence clock stops (R.432-2): the day
    # it stopped is kept here and `decision_due_on` is empty, the date being unknown until
    # the answer comes.
    decision_paused_since = models.DateField(
        _("decision clock paused since"), null=True, blank=True
    )
    agent_seen_at = models.DateTimeField(_("last seen by its agent"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    # Continuity of rights (sejour.dossiers.continuity): why the dossier is covered, the last
    # day its issued attestations cover, and the day the sweep must issue the next one.
    cover_basis = models.CharField(
        _("attestations due"), max_length=10, choices=CoverBasis.choices, blank=True
    )
    covered_until = models.DateField(_("covered until"), null=True, blank=True)
    cover_next_on = models.DateField(_("next attestation on"), null=True, blank=True)

    objects = DossierQuerySet.as_manager()

    class Meta:
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["applicant", "-created_at"]),
            models.Index(
                fields=["prefecture", "status", "decision_due_on"], name="dossier_queue_idx"
            ),
            models.Index(fields=["assigned_to", "status"], name="dossier_assigned_idx"),
            models.Index(
                fields=["cover_next_on", "id"],
                condition=Q(cover_next_on__isnull=False),
                name="dossier_cover_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE

    @property
    def is_pending(self) -> bool:
        return self.status in PENDING


class Document(models.Model):
    """One file answering a checklist item (or attached to a message); versions are kept."""

    dossier = models.ForeignKey(
        Dossier, on_delete=models.PROTECT, related_name="documents", verbose_name=_("dossier")
    )
    item_code = models.CharField(_("checklist item"), max_length=80, blank=True)
    message = models.ForeignKey(
        "Message",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attachments",
        verbose_name=_("message"),
    )
    file = models.FileField(_("file"), max_length=200)
    original_name = models.CharField(_("file name"), max_length=150)
    content_type = models.CharField(_("type"), max_length=40)
    size = models.PositiveIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True)
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
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    # A replaced or removed file stays, out of the current set, in the dossier's history.
    replaced_by = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaces",
        verbose_name=_("replaced by"),
    )
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["uploaded_at", "pk"]
        indexes = [models.Index(fields=["dossier", "item_code"])]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_current(self) -> bool:
        return self.replaced_by_id is None and self.removed_at is None

    @property
    def can_be_opened(self) -> bool:
        return self.scan_status in (ScanStatus.CLEAN, ScanStatus.NOT_SCANNED)


class Event(models.Model):
    """One line of the dossier's timeline, readable by its applicant."""

    dossier = models.ForeignKey(
        Dossier, on_delete=models.PROTECT, related_name="events", verbose_name=_("dossier")
    )
    kind = models.CharField(_("kind"), max_length=30, choices=EventKind.choices)
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("on behalf of"),
    )
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("timeline event")
        verbose_name_plural = _("timeline events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"


class Message(models.Model):
    """A message of the thread between the applicant and the prefecture."""

    dossier = models.ForeignKey(
        Dossier, on_delete=models.PROTECT, related_name="messages", verbose_name=_("dossier")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("author"),
    )
    from_administration = models.BooleanField(_("from the administration"), default=False)
    body = models.TextField(_("message"))
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["sent_at", "pk"]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.sent_at:%Y-%m-%d %H:%M}"


class FilingAttempt(models.Model):
    """A press of "file my application": kept even when it failed, as proof of the attempt."""

    class Outcome(models.TextChoices):
        FILED = "filed", _("Filed")
        FAILED = "failed", _("Failed on the platform's side")
        # The support desk recorded that the platform made filing impossible (décret 2023-191):
        # a counter then registers the application, which keeps the date of the report.
        RECORDED = "recorded", _("Impossibility recorded by the support desk")

    dossier = models.ForeignKey(
        Dossier, on_delete=models.PROTECT, related_name="attempts", verbose_name=_("dossier")
    )
    key = models.UUIDField(_("filing key"), default=uuid.uuid4)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    error = models.CharField(_("error"), max_length=200, blank=True)
    proof_code = models.CharField(_("proof reference"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("filing attempt")
        verbose_name_plural = _("filing attempts")
        ordering = ["at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["dossier"],
                condition=Q(outcome="filed"),
                name="one_successful_filing_per_dossier",
            )
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.outcome} {self.at:%Y-%m-%d %H:%M}"


class DocumentRequest(models.Model):
    """The prefecture asks for a document again: which one, why, by when."""

    dossier = models.ForeignKey(
        Dossier, on_delete=models.PROTECT, related_name="requests", verbose_name=_("dossier")
    )
    item_code = models.CharField(_("checklist item"), max_length=80)
    kind = models.CharField(_("reason"), max_length=20, choices=RequestKind.choices)
    comment = models.TextField(_("what to send"), blank=True)
    deadline = models.DateField(_("to send by"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("document request")
        verbose_name_plural = _("document requests")
        ordering = ["requested_at", "pk"]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.item_code} {self.kind}"


class Note(models.Model):
    """A private note of the prefecture's agents on a dossier; never shown to the applicant."""

    dossier = models.ForeignKey(
        Dossier, on_delete=models.PROTECT, related_name="notes", verbose_name=_("dossier")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    body = models.TextField(_("note"))
    written_at = models.DateTimeField(_("written at"), auto_now_add=True)

    class Meta:
        verbose_name = _("private note")
        verbose_name_plural = _("private notes")
        ordering = ["written_at", "pk"]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.written_at:%Y-%m-%d}"


class Decision(models.Model):
    """A decision on a dossier, with its reasons; withdrawn decisions stay on record."""

    class Outcome(models.TextChoices):
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")

    dossier = models.ForeignKey(
        Dossier, on_delete=models.PROTECT, related_name="decisions", verbose_name=_("dossier")
    )
    outcome = models.CharField(_("decision"), max_length=10, choices=Outcome.choices)
    reasons = models.JSONField(_("grounds"), default=list, blank=True)
    explanation = models.TextField(_("explanation"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    decided_at = models.DateTimeField(_("decided at"), auto_now_add=True)
    letter = models.FileField(_("decision letter"), max_length=200, blank=True)
    letter_sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("withdrawn by"),
    )
    withdrawal_reason = models.TextField(_("reason for withdrawal"), blank=True)

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["decided_at", "pk"]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.outcome}"
