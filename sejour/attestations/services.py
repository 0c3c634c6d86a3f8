"""Writes of attestations: issue a document, signed, rendered in its holder's language, stored.

The dossier side decides when a document is due and passes its facts; this side lays them
out, signs them, keeps the PDF and records the issue in the audit journal.
"""

import datetime as dt
import hashlib
import operator
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import DEFAULT_DB_ALIAS, IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_stubs_ext import StrOrPromise

from sejour.attestations import codes, render, rendering, signing, tasks
from sejour.attestations.choices import Kind
from sejour.attestations.models import Attestation
from sejour.audit import services as audit
from sejour.core import bulk


def new_code() -> str:
    """A verification code no document carries yet."""
    while True:
        code = codes.new_verification_code()
        if not Attestation.objects.filter(code=code).exists():
            return code


def _verification(code: str, language: str, payload: dict[str, Any]) -> render.Verification:
    return render.Verification(
        code=code,
        url=f"{settings.SITE_URL}/{language}/verifier/{code}/",
        token=signing.sign(payload),
    )


def _initials(name: str) -> str:
    return "".join(part[0] for part in name.split() if part).upper()[:6]


@transaction.atomic(savepoint=False)
def receipt_issue(*, dossier: Any, facts: dict[str, Any]) -> Attestation:
    """The filing receipt (attestation de dépôt), issued once per dossier, at filing.

    Called by the filing of a draft, which holds the dossier's row lock: no receipt exists yet,
    and the constraint `one_receipt_per_dossier` refuses a second one whatever the caller.
    Its facts, code and signed token are fixed here, in the filing's transaction; the PDF is
    laid out from them after the commit (by the worker, or at the first download, whichever
    comes first), so the filing itself stays short.
    """
    holder = dossier.applicant
    issued_at = timezone.now()
    # 55 random bits: no lookup first, the unique constraint on `code` is the guard (a clash,
    # once in ten million receipts about one chance in a thousand, fails that filing, which
    # then leaves its proof of attempt and goes through when sent again).
    code = codes.new_verification_code()
    payload = {
        "kind": Kind.RECEIPT.value,
        "code": code,
        "dossier": dossier.number,
        "holder": _initials(facts["holder"]),
        "filed_at": facts["filed_at"],
        "issued_at": issued_at.isoformat(),
    }
    attestation = Attestation.objects.create(
        kind=Kind.RECEIPT,
        dossier=dossier,
        holder=holder,
        code=code,
        issued_at=issued_at,
        language=holder.language or settings.LANGUAGE_CODE,
        facts=facts,
        token=signing.sign(payload),
    )
    tasks.attestation_render.enqueue(attestation_id=attestation.pk)
    audit.record(
        actor=None,
        action="attestation.issued",
        target=attestation,
        data={"kind": Kind.RECEIPT.value, "dossier": dossier.number, "code": code},
    )
    return attestation


def attestation_repair(*, attestation: Attestation) -> bool:
    """Lay out and store again a document whose PDF is missing or damaged, from the facts and
    signed token fixed when it was issued (the layout is deterministic). True if it was."""
    if attestation.pdf:
        try:
            with default_storage.open(attestation.pdf.name) as handle:
                content = handle.read()
        except OSError:
            content = b""
        if hashlib.sha256(content).hexdigest() == attestation.sha256:
            return False
    Attestation.objects.filter(pk=attestation.pk).update(pdf="", sha256="")
    rendering.pdf_store(attestation_id=attestation.pk)
    attestation.refresh_from_db(fields=["pdf", "sha256"])
    audit.record(
        actor=None,
        action="attestation.repaired",
        target=attestation,
        data={"code": attestation.code},
    )
    return True


def attempt_render(*, dossier: Any, at: dt.datetime, proof_code: str) -> bytes:
    """The proof that a filing failed on the platform's side, in the holder's language.

    Rendered from the recorded attempt each time it is asked for, so it needs nothing stored
    but the attempt itself.
    """
    holder = dossier.applicant
    language = holder.language or settings.LANGUAGE_CODE
    payload = {
        "kind": Kind.PROOF_OF_ATTEMPT.value,
        "code": proof_code,
        "dossier": dossier.number,
        "holder": _initials(holder.display_name),
        "attempted_at": at.isoformat(),
    }
    with translation.override(language):
        return render.render_proof_of_attempt(
            render.AttemptData(
                language=language,
                labels=rendering.labels(),
                title=_("Proof of a filing attempt"),
                holder=render.Holder(full_name=holder.display_name),
                dossier_number=dossier.number,
                procedure=_(dossier.procedure.name),
                permit_type=_(dossier.permit_type.name) if dossier.permit_type else "",
                prefecture=dossier.prefecture.name if dossier.prefecture else "",
                attempted_at=at,
                issued_at=at,
                incident_reference=proof_code,
                failure=_(
                    "The online service could not complete the filing. The fault lies with "
                    "the service, not with the applicant."
                ),
                verification=_verification(proof_code, language, payload),
                legal_mention=_(
                    "This proof records an attempt to file on the date shown. Any prefecture "
                    "counter registers the application on presenting it (décret 2023-191); "
                    "when the filing goes through, the application keeps this date."
                ),
            )
        )


@transaction.atomic
def decision_letter_issue(
    *,
    dossier: Any,
    outcome: str,
    reasons: Sequence[StrOrPromise],
    remedies: Sequence[StrOrPromise],
    decided_at: dt.datetime,
    agent_name: str,
) -> Attestation:
    """The decision letter, laid out in the holder's language, signed, stored, and checkable
    by its code like any issued document. `reasons` and `remedies` are translatable texts."""
    holder = dossier.applicant
    language = holder.language or settings.LANGUAGE_CODE
    code = new_code()
    payload = {
        "kind": "decision",
        "code": code,
        "dossier": dossier.number,
        "holder": _initials(holder.display_name),
        "outcome": outcome,
        "decided_at": decided_at.isoformat(),
    }
    refused = outcome == "refused"
    verification = _verification(code, language, payload)
    payload_token = verification.token
    with translation.override(language):
        pdf = render.render_decision_letter(
            render.DecisionLetterData(
                language=language,
                labels=rendering.labels(),
                title=_("Refusal of a residence permit") if refused else _("Favourable decision"),
                holder=render.Holder(
                    full_name=holder.display_name,
                    date_of_birth=holder.date_of_birth,
                    nationality=holder.nationality or None,
                    foreigner_number=holder.foreigner_number or None,
                ),
                dossier_number=dossier.number,
                procedure=_(dossier.procedure.name),
                permit_type=_(dossier.permit_type.name) if dossier.permit_type else "",
                prefecture=dossier.prefecture.name if dossier.prefecture else "",
                filed_at=dossier.submitted_at or decided_at,
                decided_at=decided_at,
                outcome_text=(
                    _("Your application is refused, for the grounds below.")
                    if refused
                    else _("Your application is approved.")
                ),
                reasons=[str(text) for text in reasons],
                remedies=[str(text) for text in remedies],
                agent_name=agent_name,
                verification=verification,
                legal_mention=_(
                    "Decision taken under the Code of entry and residence of foreigners and of "
                    "the right of asylum (CESEDA). Keep this letter."
                ),
            )
        )
    name, sha256 = rendering.store(Kind.DECISION, pdf)
    attestation = Attestation.objects.create(
        kind=Kind.DECISION,
        dossier=dossier,
        holder=holder,
        code=code,
        issued_at=decided_at,
        language=language,
        facts={"outcome": outcome, "dossier": dossier.number},
        token=str(payload_token),
        pdf=name,
        sha256=sha256,
    )
    audit.record(
        actor=None,
        action="attestation.issued",
        target=attestation,
        data={"kind": Kind.DECISION.value, "dossier": dossier.number, "code": code},
    )
    return attestation


@transaction.atomic
def attestation_revoke(*, dossier: Any, pdf_name: str, reason: str) -> int:
    """Mark a document withdrawn: the public check then says so. Returns how many."""
    now = timezone.now()
    revoked = 0
    for attestation in Attestation.objects.filter(
        dossier=dossier, pdf=pdf_name, revoked_at__isnull=True
    ):
        attestation.revoked_at = now
        attestation.save(update_fields=["revoked_at"])
        audit.record(
            actor=None,
            action="attestation.revoked",
            target=attestation,
            data={"reason": reason[:200]},
        )
        revoked += 1
    return revoked


# --- Attestations that prove the right to stay (extension, favourable decision) -----------


@dataclass(frozen=True, kw_only=True, slots=True)
class CoverItem:
    """One attestation to issue: the dossier layer decides the period and the work right."""

    dossier: Any
    kind: str  # Kind.EXTENSION or Kind.FAVOURABLE
    valid_from: dt.date
    valid_until: dt.date
    right_to_work: bool
    facts: dict[str, Any]  # holder, dossier, procedure, permit_type, prefecture, filed_at…


def _cover_payload(item: CoverItem, code: str, issued_at: dt.datetime) -> dict[str, Any]:
    return {
        "kind": item.kind,
        "code": code,
        "dossier": item.facts["dossier"],
        "holder": _initials(item.facts["holder"]),
        "born": item.facts.get("date_of_birth") or "",
        "from": item.valid_from.isoformat(),
        "until": item.valid_until.isoformat(),
        "work": item.right_to_work,
        "issued_at": issued_at.isoformat(),
    }


def _cover_rows(items: Sequence[CoverItem], issued_at: dt.datetime) -> list[Attestation]:
    ring = signing.keyring()  # looked up once for the batch: the same key signs every row
    default_language = settings.LANGUAGE_CODE
    rows = []
    for item in items:
        code = codes.new_verification_code()
        rows.append(
            Attestation(
                kind=item.kind,
                dossier=item.dossier,
                holder_id=item.dossier.applicant_id,
                code=code,
                issued_at=issued_at,
                valid_from=item.valid_from,
                valid_until=item.valid_until,
                right_to_work=item.right_to_work,
                language=item.facts.get("language") or default_language,
                facts=item.facts,
                token=ring.sign(_cover_payload(item, code, issued_at)),
            )
        )
    return rows


# The columns `cover_issue_many` writes with COPY; the others take their defaults.
_COPIED = (
    "id", "kind", "dossier_id", "holder_id", "code", "issued_at", "valid_from", "valid_until",
    "right_to_work", "language", "facts", "token",
)  # fmt: skip
_copied_values = operator.attrgetter(*_COPIED)


def _insert(rows: list[Attestation]) -> None:
    """Insert `rows` as bulk_create does (primary keys set on them), with COPY on PostgreSQL."""
    if not bulk.copy_supported():
        Attestation.objects.bulk_create(rows)
        return
    for row, pk in zip(rows, bulk.reserve_ids(Attestation, len(rows)), strict=True):
        row.pk = pk
        row._state.adding = False
        row._state.db = DEFAULT_DB_ALIAS
    bulk.copy_rows(Attestation, _COPIED, [_copied_values(row) for row in rows])


@transaction.atomic
def cover_issue_many(*, items: Sequence[CoverItem]) -> list[Attestation]:
    """Issue a batch of attestations in one insert, each with its audit entry.

    The database refuses a second live attestation for the same dossier, kind and first day
    (and a code already used): the whole batch is then rolled back with IntegrityError, and
    the caller issues the items one by one with `cover_issue`. The PDFs are laid out at the
    first download (or by the worker), never here: the batch stays short.
    """
    if not items:
        return []
    issued_at = timezone.now()
    rows = _cover_rows(items, issued_at)
    _insert(rows)
    audit.record_many(
        actor=None,
        action="attestation.issued",
        targets=rows,
        data=[
            {
                "kind": row.kind,
                "dossier": item.facts["dossier"],
                "code": row.code,
                "from": row.valid_from,
                "until": row.valid_until,
                "work": row.right_to_work,
            }
            for row, item in zip(rows, items, strict=True)
        ],
    )
    return rows


@transaction.atomic
def cover_issue(*, item: CoverItem) -> tuple[Attestation, bool]:
    """Issue one attestation unless the same period is already issued; (it, created)."""
    existing = Attestation.objects.filter(
        dossier=item.dossier,
        kind=item.kind,
        valid_from=item.valid_from,
        revoked_at__isnull=True,
    ).first()
    if existing is not None:
        return existing, False
    while True:
        try:
            with transaction.atomic():
                return cover_issue_many(items=[item])[0], True
        except IntegrityError:
            # A code drawn twice (one chance in 10^18), or the same period issued meanwhile.
            existing = Attestation.objects.filter(
                dossier=item.dossier,
                kind=item.kind,
                valid_from=item.valid_from,
                revoked_at__isnull=True,
            ).first()
            if existing is not None:
                return existing, False


@transaction.atomic
def cover_end(*, dossier: Any, last_day: dt.date, reason: str, kinds: Sequence[str]) -> int:
    """End the dossier's live attestations of `kinds` after `last_day`.

    The one running on `last_day` stays valid through that day and is marked as cut short;
    those that would only start later are revoked. The public check says which and why.
    Returns how many documents changed.
    """
    now = timezone.now()
    changed = 0
    live = Attestation.objects.select_for_update().filter(
        dossier=dossier, kind__in=kinds, revoked_at__isnull=True
    )
    for attestation in live:
        if attestation.valid_from is not None and attestation.valid_from > last_day:
            attestation.revoked_at = now
            fields = ["revoked_at", "end_reason"]
        elif attestation.valid_until is not None and attestation.valid_until > last_day:
            if attestation.ends_on is not None and attestation.ends_on <= last_day:
                continue
            attestation.ends_on = last_day
            fields = ["ends_on", "end_reason"]
        else:
            continue
        attestation.end_reason = reason
        attestation.save(update_fields=fields)
        audit.record(
            actor=None,
            action="attestation.ended",
            target=attestation,
            data={"reason": reason, "last_day": last_day, "revoked": "revoked_at" in fields},
        )
        changed += 1
    return changed
