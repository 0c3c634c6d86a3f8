"""The antivirus pass over the files sent with a report, run by the task worker."""

from django.db import transaction

from sejour.audit import services as audit
from sejour.dossiers import scanning
from sejour.dossiers.choices import ScanStatus
from sejour.support.models import ReportAttachment


def attachment_scan_run(*, attachment_id: int) -> str:
    """The antivirus pass over a report's file, run by the task worker."""
    attachment = ReportAttachment.objects.get(pk=attachment_id)
    if attachment.scan_status != ScanStatus.PENDING:
        return str(attachment.scan_status)
    result = scanning.scan_stored(attachment.file.name)
    with transaction.atomic():
        infected = result.status == "infected"
        attachment.scan_status = ScanStatus.INFECTED if infected else ScanStatus.CLEAN
        attachment.scan_signature = result.signature or ""
        attachment.save(update_fields=["scan_status", "scan_signature"])
        audit.record(
            actor=None,
            action="report.attachment_scanned",
            target=attachment,
            data={"status": attachment.scan_status},
        )
    return str(attachment.scan_status)
