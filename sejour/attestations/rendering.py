"""Laying out and storing issued documents: run after the commit that issued them."""

import datetime as dt
import hashlib
import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sejour.attestations import render
from sejour.attestations.choices import Kind
from sejour.attestations.models import Attestation


def labels() -> render.Labels:
    """The fixed words of every document, in the active language."""
    return render.Labels(
        republic=_("French Republic"),
        motto=_("Liberty, Equality, Fraternity"),
        issued_at=_("Issued on"),
        holder=_("Holder"),
        date_of_birth=_("Date of birth"),
        nationality=_("Nationality"),
        foreigner_number=_("Foreigner number"),
        dossier_number=_("Application number"),
        procedure=_("Procedure"),
        permit_type=_("Residence permit"),
        prefecture=_("Prefecture"),
        filed_at=_("Filed on"),
        attempted_at=_("Attempted on"),
        incident_reference=_("Proof reference"),
        failure=_("What happened"),
        valid_from=_("Valid from"),
        valid_until=_("Valid until"),
        right_to_work=_("Right to work"),
        documents=_("Documents filed"),
        verification_code=_("Verification code"),
        verify_at=_("Check this document at"),
        decided_at=_("Decided on"),
        decision=_("Decision"),
        reasons=_("Grounds"),
        remedies=_("How to challenge this decision"),
        prefecture_signature=_("For the prefect"),
    )


def store(kind: str, pdf: bytes) -> tuple[str, str]:
    today = timezone.localdate()
    name = f"attestations/{today:%Y/%m}/{kind}-{uuid.uuid4().hex}.pdf"
    return default_storage.save(name, ContentFile(pdf)), hashlib.sha256(pdf).hexdigest()


def receipt_pdf(attestation: Attestation) -> bytes:
    """Lay out a receipt from what was fixed when it was issued (same input, same bytes)."""
    facts = attestation.facts
    language = attestation.language
    with translation.override(language):
        return render.render_filing_receipt(
            render.ReceiptData(
                language=language,
                labels=labels(),
                title=_("Filing receipt"),
                holder=render.Holder(full_name=facts["holder"]),
                dossier_number=facts["dossier"],
                procedure=_(facts["procedure"]),
                permit_type=_(facts["permit_type"]) if facts["permit_type"] else "",
                prefecture=facts["prefecture"],
                filed_at=dt.datetime.fromisoformat(facts["filed_at"]),
                issued_at=attestation.issued_at,
                documents=[
                    render.DocumentLine(name=_(line["label"]), file_name=line["name"])
                    for line in facts["documents"]
                ],
                verification=render.Verification(
                    code=attestation.code,
                    url=f"{settings.SITE_URL}/{language}/verifier/{attestation.code}/",
                    token=attestation.token,
                ),
                legal_mention=_(
                    "This receipt proves that the application was filed on the date shown "
                    "(article R.431-15-1 of the CESEDA). It does not by itself prove a right "
                    "to stay: while a timely renewal is pending, an extension attestation does."
                ),
            )
        )


def _cover_title(attestation: Attestation) -> str:
    if attestation.kind == Kind.FAVOURABLE:
        return _("Favourable decision attestation")
    return _("Extension attestation")


def _cover_mention(attestation: Attestation) -> str:
    protection = attestation.facts.get("protection", "")
    if attestation.kind == Kind.FAVOURABLE:
        text = _(
            "The prefecture has approved the application for a residence permit. This "
            "attestation, together with the holder's passport, proves the right to stay in "
            "France until the card is handed over (article R.431-15-1 of the CESEDA)."
        )
    else:
        text = _(
            "The holder filed, on time, a complete application to renew a residence permit. "
            "This attestation, together with the expired permit, proves the right to stay in "
            "France during the dates shown (article R.431-15-1 of the CESEDA). It is renewed "
            "for as long as no decision is made."
        )
    if protection == "refugee":
        mention = _("Recognised refugee (article R.431-15-3 of the CESEDA).")
        text = f"{text} {mention}"
    elif protection == "subsidiary":
        mention = _("Beneficiary of subsidiary protection (article R.431-15-4 of the CESEDA).")
        text = f"{text} {mention}"
    return text


def cover_pdf(attestation: Attestation) -> bytes:
    """Lay out an extension or favourable-decision attestation from its fixed facts."""
    facts = attestation.facts
    language = attestation.language
    assert attestation.valid_from is not None
    assert attestation.valid_until is not None
    born = facts.get("date_of_birth")
    with translation.override(language):
        return render.render_attestation(
            render.AttestationData(
                language=language,
                labels=labels(),
                title=_cover_title(attestation),
                holder=render.Holder(
                    full_name=facts["holder"],
                    date_of_birth=dt.date.fromisoformat(born) if born else None,
                    nationality=facts.get("nationality") or None,
                    foreigner_number=facts.get("foreigner_number") or None,
                ),
                dossier_number=facts["dossier"],
                procedure=_(facts["procedure"]),
                permit_type=_(facts["permit_type"]) if facts.get("permit_type") else "",
                prefecture=facts.get("prefecture", ""),
                filed_at=dt.datetime.fromisoformat(facts["filed_at"]),
                issued_at=attestation.issued_at,
                valid_from=attestation.valid_from,
                valid_until=attestation.valid_until,
                right_to_work=(
                    _("Authorises its holder to work")
                    if attestation.right_to_work
                    else _("Does not authorise its holder to work")
                ),
                verification=render.Verification(
                    code=attestation.code,
                    url=f"{settings.SITE_URL}/{language}/verifier/{attestation.code}/",
                    token=attestation.token,
                ),
                legal_mention=_cover_mention(attestation),
            )
        )


def pdf_store(*, attestation_id: int) -> str:
    """Render and store an issued document's PDF unless stored already; returns its name."""
    attestation = Attestation.objects.get(pk=attestation_id)
    if attestation.pdf:
        return str(attestation.pdf.name)
    if attestation.kind in (Kind.EXTENSION, Kind.FAVOURABLE):
        pdf = cover_pdf(attestation)
    else:
        pdf = receipt_pdf(attestation)
    name, sha256 = store(attestation.kind, pdf)
    with transaction.atomic():
        locked = Attestation.objects.select_for_update().get(pk=attestation_id)
        if locked.pdf:  # stored meanwhile by another process: keep the first one
            default_storage.delete(name)
            return str(locked.pdf.name)
        locked.pdf, locked.sha256 = name, sha256
        locked.save(update_fields=["pdf", "sha256"])
    return name
