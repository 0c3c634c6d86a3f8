"""Reads of issued documents."""

import datetime as dt
import hashlib
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.core.files.storage import default_storage
from django.db.models import QuerySet

from sejour.attestations import codes, rendering, signing
from sejour.attestations.choices import EndReason, Kind
from sejour.attestations.models import Attestation
from sejour.core.errors import DomainError

# The dossier is passed in by the layer above; this one never imports it.
DossierLike = Any


class DamagedDocument(DomainError):
    pass


def attestations_of(*, dossier: DossierLike) -> QuerySet[Attestation]:
    """The documents issued for a dossier the caller may already see, newest first."""
    return Attestation.objects.filter(dossier=dossier).order_by("-issued_at", "-pk")


def attestation_of(*, dossier: DossierLike, code: str) -> Attestation | None:
    return attestations_of(dossier=dossier).filter(code=code).first()


def pdf_content(*, attestation: Attestation) -> bytes:
    """The stored PDF, checked against the checksum taken when it was stored.

    A document is laid out after the commit that issued it; if the worker has not done it
    yet, it is done now (the layout is deterministic, so either way gives the same bytes).
    """
    if not attestation.pdf:
        rendering.pdf_store(attestation_id=attestation.pk)
        attestation.refresh_from_db(fields=["pdf", "sha256"])
    with default_storage.open(attestation.pdf.name) as handle:
        content: bytes = handle.read()
    if hashlib.sha256(content).hexdigest() != attestation.sha256:
        raise DamagedDocument()
    return content


def attestation_by_code(*, code: str) -> Attestation | None:
    """The document carrying this verification code, for the public check (no login)."""
    normal = codes.normalize_code(code)
    if normal is None:
        return None
    return Attestation.objects.select_related("dossier", "holder").filter(code=normal).first()


COVER_KINDS = (Kind.EXTENSION, Kind.FAVOURABLE)


@dataclass(frozen=True, kw_only=True, slots=True)
class Right:
    """What one live document proves on a given day."""

    attestation: Attestation
    valid_until: dt.date  # the last day it proves the right (cut short by a decision if so)
    right_to_work: bool


def covering(*, holder: Any, day: dt.date) -> QuerySet[Attestation]:
    """The holder's live attestations that cover `day`, the longest-running first."""
    return (
        Attestation.objects.filter(
            holder=holder,
            kind__in=COVER_KINDS,
            revoked_at__isnull=True,
            valid_from__lte=day,
            valid_until__gte=day,
        )
        .exclude(ends_on__lt=day)
        .select_related("dossier")
        .order_by("-valid_until", "-pk")
    )


def right_on(*, holder: Any, day: dt.date) -> Right | None:
    """The document that proves the holder's right to stay on `day`, or None.

    Where two cover the day (an extension running when a favourable decision is made), the
    one that allows work wins, then the one that runs longest.
    """
    found = [
        Right(
            attestation=attestation,
            valid_until=attestation.last_valid_day or day,
            right_to_work=bool(attestation.right_to_work),
        )
        for attestation in covering(holder=holder, day=day)
    ]
    if not found:
        return None
    return max(found, key=lambda right: (right.right_to_work, right.valid_until))


# --- The public check of an issued document ------------------------------------------------


class CheckStatus(StrEnum):
    """What a document proves on the day of the check."""

    VALID = "valid"  # an attestation that proves the right to stay today
    NOT_YET = "not_yet"  # an attestation whose first day is still to come
    EXPIRED = "expired"  # an attestation past its last day
    ENDED = "ended"  # an attestation a decision cut short, past its new last day
    WITHDRAWN = "withdrawn"  # any document taken back: it proves nothing
    ISSUED = "issued"  # a receipt or a decision letter: genuine, with no term


@dataclass(frozen=True, kw_only=True, slots=True)
class DocumentCheck:
    """The answer of the public check: whose document it is and what it proves today."""

    attestation: Attestation
    status: CheckStatus
    holder_name: str  # as printed on the document
    date_of_birth: dt.date | None
    last_day: dt.date | None  # the last day it proves a right, cut short by a decision if so
    cut_short: bool  # a decision moved the last day before the printed one
    reason: str  # why it ended or was withdrawn, in words; "" when nothing says
    works_today: bool  # it proves the right to work today
    filed_at: dt.datetime | None  # receipts: when the application was filed
    outcome: str  # decision letters: "approved" or "refused"


def _end_reason(attestation: Attestation) -> str:
    if attestation.end_reason in EndReason.values:
        return str(EndReason(attestation.end_reason).label)
    return ""


def _status(attestation: Attestation, today: dt.date) -> CheckStatus:
    last = attestation.last_valid_day
    if attestation.revoked_at is not None:
        return CheckStatus.WITHDRAWN
    if attestation.kind not in COVER_KINDS or attestation.valid_from is None or last is None:
        return CheckStatus.ISSUED
    if today < attestation.valid_from:
        return CheckStatus.NOT_YET
    if today <= last:
        return CheckStatus.VALID
    if attestation.valid_until is not None and last < attestation.valid_until:
        return CheckStatus.ENDED
    return CheckStatus.EXPIRED


def _date_or_none(text: object) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if isinstance(text, str) and text else None
    except ValueError:
        return None


def _moment_or_none(text: object) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(text) if isinstance(text, str) and text else None
    except ValueError:
        return None


def verification_of(*, attestation: Attestation, today: dt.date) -> DocumentCheck:
    """What `attestation` proves on `today`, for the public check (no login).

    Name and date of birth are those printed on the document, so that the checker compares
    them with the identity document they are shown; the holder's account fills them in for
    documents that print none.
    """
    facts = attestation.facts if isinstance(attestation.facts, dict) else {}
    holder = attestation.holder
    status = _status(attestation, today)
    last = attestation.last_valid_day
    return DocumentCheck(
        attestation=attestation,
        status=status,
        holder_name=str(facts.get("holder") or holder.display_name),
        date_of_birth=_date_or_none(facts.get("date_of_birth")) or holder.date_of_birth,
        last_day=last,
        cut_short=(
            last is not None
            and attestation.valid_until is not None
            and last < attestation.valid_until
        ),
        reason=_end_reason(attestation),
        works_today=status == CheckStatus.VALID and bool(attestation.right_to_work),
        filed_at=(
            _moment_or_none(facts.get("filed_at")) if attestation.kind == Kind.RECEIPT else None
        ),
        outcome=str(facts.get("outcome", "")) if attestation.kind == Kind.DECISION else "",
    )


def attestation_by_token(*, token: str) -> tuple[dict[str, Any], Attestation | None]:
    """The signed payload of a QR code and the stored document it names, if there is one.

    Raises signing.BadSignature when the token is not one the service signed with a key it
    still accepts: a forged or altered document.
    """
    payload = signing.verify(token)
    code = payload.get("code")
    attestation = attestation_by_code(code=code) if isinstance(code, str) else None
    if attestation is not None and attestation.kind != payload.get("kind"):
        return payload, None
    return payload, attestation


@dataclass(frozen=True, kw_only=True, slots=True)
class PublishedKey:
    """A public key whose signatures the service accepts, for checks made elsewhere."""

    kid: str
    pem: str
    current: bool  # the key that signs new documents; the others signed older ones


def published_keys() -> list[PublishedKey]:
    """Every key accepted for verification, the current one first."""
    ring = signing.keyring()
    keys = [
        PublishedKey(kid=kid, pem=pem, current=kid == ring.key_id)
        for kid, pem in ring.published_keys().items()
    ]
    return sorted(keys, key=lambda key: (not key.current, key.kid))
