"""The antivirus pass over a stored file, run by the task worker."""

from django.core.files.storage import default_storage
from django.db import transaction

from sejour.audit import services as audit
from sejour.dossiers import antivirus
from sejour.dossiers.choices import ScanStatus
from sejour.dossiers.models import Document
from sejour.notifications import services as notifications


def scan_stored(name: str) -> antivirus.ScanResult:
    """Scan a stored file with clamd (documents, and the files sent with a support report)."""
    with default_storage.open(name) as handle:
        return antivirus.scan(handle.read())


def document_scan_run(*, document_id: int) -> str:
    """Scan a stored file; an infected file can never be opened, and its sender is told."""
    document = Document.objects.select_related("dossier__applicant").get(pk=document_id)
    if document.scan_status != ScanStatus.PENDING:
        return str(document.scan_status)
    result = scan_stored(document.file.name)
    infected = result.status == "infected"
    with transaction.atomic():
        document.scan_status = ScanStatus.INFECTED if infected else ScanStatus.CLEAN
        document.scan_signature = result.signature or ""
        document.save(update_fields=["scan_status", "scan_signature"])
        audit.record(
            actor=None,
            action="dossier.document_scanned",
            target=document,
            data={"status": document.scan_status},
        )
        if infected:
            dossier = document.dossier
            notifications.notify(
                recipient=dossier.applicant,
                template="dossiers/messages/infected",
                context={"number": dossier.number, "name": document.original_name},
                url=f"/{dossier.applicant.language}/demandes/{dossier.number}/",
            )
    return str(document.scan_status)
