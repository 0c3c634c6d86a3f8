"""Exports for the applicant: everything held about them, and the proof of a failed attempt."""

import io
import json
import zipfile
from typing import Any

from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from sejour.accounts.models import User
from sejour.attestations import selectors as attestation_selectors
from sejour.attestations import services as attestations
from sejour.dossiers import selectors
from sejour.dossiers.models import FilingAttempt
from sejour.notifications import selectors as notification_selectors


def my_data_zip(*, user: User) -> bytes:
    """A ZIP with `donnees.json` (account, dossiers, timelines, messages, notifications) and files."""
    buffer = io.BytesIO()
    files: list[tuple[str, str]] = []
    issued_pdfs: list[tuple[str, bytes]] = []
    dossiers: list[dict[str, Any]] = []
    for dossier in selectors.own_dossiers(user=user).order_by("created_at"):
        documents = []
        for document in dossier.documents.order_by("pk"):
            path = f"documents/{dossier.number}/{document.pk}-{document.original_name}"
            files.append((path, document.file.name))
            documents.append(
                {
                    "id": document.pk,
                    "item": document.item_code,
                    "message": document.message_id,
                    "name": document.original_name,
                    "type": document.content_type,
                    "size": document.size,
                    "sha256": document.sha256,
                    "uploaded_at": document.uploaded_at,
                    "current": document.is_current,
                    "antivirus": document.scan_status,
                    "file": path,
                }
            )
        issued = []
        for attestation in dossier.attestations.order_by("issued_at"):
            path = f"attestations/{dossier.number}/{attestation.kind}-{attestation.code}.pdf"
            issued_pdfs.append((path, attestation_selectors.pdf_content(attestation=attestation)))
            issued.append(
                {
                    "kind": attestation.kind,
                    "code": attestation.code,
                    "issued_at": attestation.issued_at,
                    "valid_from": attestation.valid_from,
                    "valid_until": attestation.valid_until,
                    "file": path,
                }
            )
        dossiers.append(
            {
                "number": dossier.number,
                "procedure": dossier.procedure.code,
                "permit_type": dossier.permit_type.code if dossier.permit_type else None,
                "prefecture": dossier.prefecture.name if dossier.prefecture else None,
                "status": dossier.status,
                "postcode": dossier.postcode,
                "answers": dossier.answers,
                "created_at": dossier.created_at,
                "first_attempt_at": dossier.first_attempt_at,
                "submitted_at": dossier.submitted_at,
                "documents": documents,
                "attestations": issued,
                "timeline": [
                    {"kind": e.kind, "at": e.at, "by": e.actor_id, "details": e.data}
                    for e in selectors.timeline(dossier=dossier)
                ],
                "messages": [
                    {
                        "at": m.sent_at,
                        "from_administration": m.from_administration,
                        "body": m.body,
                        "attachments": [a.pk for a in m.attachments.all()],
                    }
                    for m in selectors.messages_of(dossier=dossier)
                ],
                "filing_attempts": [
                    {"at": a.at, "outcome": a.outcome, "proof": a.proof_code}
                    for a in dossier.attempts.order_by("at")
                ],
            }
        )
    data = {
        "exported_at": timezone.now(),
        "account": {
            "given_name": user.given_name,
            "family_name": user.family_name,
            "email": user.email,
            "phone": str(user.phone) if user.phone else None,
            "language": user.language,
            "joined_at": user.date_joined,
        },
        "dossiers": dossiers,
        "notifications": [
            {"at": n.created_at, "subject": n.subject, "body": n.body, "read_at": n.read_at}
            for n in notification_selectors.inbox_for(user=user)
        ],
    }
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "donnees.json",
            json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        )
        for path, stored in files:
            with default_storage.open(stored) as handle:
                archive.writestr(path, handle.read())
        for path, content in issued_pdfs:
            archive.writestr(path, content)
    return buffer.getvalue()


def attempt_pdf(*, attempt: FilingAttempt) -> bytes:
    """The dated proof of an attempt to file that failed on the platform's side."""
    return attestations.attempt_render(
        dossier=attempt.dossier, at=attempt.at, proof_code=attempt.proof_code
    )
