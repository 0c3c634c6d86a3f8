"""The journal entry: written once by `services.record()`, never changed, never deleted."""

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sejour.audit.chain import entry_hash
from sejour.audit.keying import chain_key


class AppendOnlyError(Exception):
    """The journal only grows: an entry is never changed or deleted."""

    def __init__(self, message: str = "The audit journal is append-only.") -> None:
        super().__init__(message)


class AuditEntryQuerySet(models.QuerySet["AuditEntry"]):
    """Reads as usual; every bulk write is refused (entries come from `services.record()`)."""

    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("The audit journal is append-only: entries cannot be updated.")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("The audit journal is append-only: entries cannot be deleted.")

    def bulk_update(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("The audit journal is append-only: entries cannot be updated.")

    def bulk_create(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError(
            "Entries are appended with sejour.audit.services.record() or record_many()."
        )

    def append_chained(self, entries: list["AuditEntry"]) -> None:
        """Insert entries already chained by `services` (`record_many`, `deferred`), hashes checked."""
        for entry in entries:
            if entry.pk is not None or entry.hash != entry.compute_hash():
                raise ValueError("Write audit entries with sejour.audit.services.record_many().")
        super().bulk_create(entries)

    def _append_sealed(self, entries: list["AuditEntry"]) -> None:
        # For `services._append` only, which has just computed each hash: checking it again
        # would cost a second HMAC per entry on every write path.
        super().bulk_create(entries)

    def _raw_delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("The audit journal is append-only: entries cannot be deleted.")


def target_key(target: models.Model) -> tuple[str, str]:
    """How an entry names its target: ("app_label.model", str(pk))."""
    if not isinstance(target, models.Model):
        raise TypeError(f"an audit target must be a model instance, not {type(target).__name__}")
    if target.pk is None:
        raise ValueError("an audit target must be saved before it is recorded")
    return target._meta.label_lower, str(target.pk)


class AuditEntry(models.Model):
    """Who did what, for whom, when, on which object: one link of the hash chain."""

    seq = models.PositiveBigIntegerField(_("sequence number"), unique=True, editable=False)
    created_at = models.DateTimeField(_("recorded at"), db_index=True, editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("done by"),
        help_text=_("Empty when the system acted."),
    )
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("on behalf of"),
    )
    action = models.CharField(_("action"), max_length=100, db_index=True)
    target_type = models.CharField(_("object type"), max_length=100, blank=True)
    target_id = models.CharField(_("object identifier"), max_length=255, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    prev_hash = models.CharField(_("previous entry's hash"), max_length=64, editable=False)
    hash = models.CharField(_("hash"), max_length=64, editable=False)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit journal")
        ordering = ["seq"]
        # Nobody may add, change or delete an entry, not even through the admin.
        default_permissions = ("view",)
        indexes = [models.Index(fields=["target_type", "target_id"], name="audit_target_idx")]
        constraints = [models.CheckConstraint(condition=Q(seq__gte=1), name="audit_seq_from_one")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding or kwargs.get("force_update") or kwargs.get("update_fields"):
            raise AppendOnlyError("The audit journal is append-only: entries cannot be changed.")
        if self.hash != self.compute_hash():
            raise ValueError("Write audit entries with sejour.audit.services.record().")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("The audit journal is append-only: entries cannot be deleted.")

    def compute_hash(self) -> str:
        """The hash this entry must carry, computed from its own fields and the chain's key."""
        return entry_hash(
            seq=self.seq,
            created_at=self.created_at,
            actor_id=self.actor_id,
            on_behalf_of_id=self.on_behalf_of_id,
            action=self.action,
            target_type=self.target_type,
            target_id=self.target_id,
            data=self.data,
            ip=self.ip,
            prev_hash=self.prev_hash,
            key=chain_key(),
        )
