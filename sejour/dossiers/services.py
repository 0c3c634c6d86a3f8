"""Writes of dossiers: start, answer, add documents, file, correct, withdraw, write messages.

Each function checks the actor's right, changes state in one transaction, appends to the
dossier's timeline and the audit journal, and queues what follows in that same transaction.
"""

import datetime as dt
import secrets
import uuid
from collections.abc import Mapping, Sequence
from typing import Any, cast

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import ForeignKey
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from sejour.accounts.models import User
from sejour.attestations import services as attestations
from sejour.audit import services as audit
from sejour.catalog import selectors as catalog_selectors
from sejour.catalog.models import ChecklistItem, Prefecture, Procedure
from sejour.core import clock
from sejour.core.errors import DomainError, InvalidTransition, NotAllowed, ensure
from sejour.dossiers import (
    antivirus,
    continuity,
    permissions,
    selectors,
    steps,
    tasks,
    uploads,
    workflow,
)
from sejour.dossiers.choices import EventKind, ScanStatus, Status
from sejour.dossiers.models import Document, Dossier, Event, FilingAttempt, Message
from sejour.dossiers.permissions import get_abilities
from sejour.dossiers.windows import FilingCheck, decision_due, filing_check
from sejour.helpers import selectors as helpers
from sejour.notifications import services as notifications

NUMBER_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U


class StaleForm(DomainError):
    default_message = _(
        "This application changed since you opened the page (perhaps in another window). "
        "Check it below, then try again."
    )


class MissingForFiling(DomainError):
    """What is still needed before filing: unanswered questions and required documents."""

    default_message = _("Some information or documents are still missing.")

    def __init__(self, *, questions: list[str], items: list[str]) -> None:
        self.questions = questions
        self.items = items
        super().__init__()


class TooEarly(DomainError):
    def __init__(self, check: FilingCheck) -> None:
        self.check = check
        super().__init__(
            _("It is too early to renew: you can file from %(date)s.")
            % {"date": date_format(check.window_opens, "DATE_FORMAT")}
        )


def _lock(dossier: Dossier) -> Dossier:
    """`dossier` read again and locked until the transaction ends.

    Only its own row is read: the applicant and the catalogue entries the caller already
    holds (read moments before, in the same request, by the selector) are kept as they are
    when the locked row still points to them; the others are read when first used.
    """
    locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
    for name in selectors.READ_WITH:
        field = cast("ForeignKey[Any, Any]", Dossier._meta.get_field(name))
        if field.is_cached(dossier) and getattr(locked, field.attname) == getattr(
            dossier, field.attname
        ):
            field.set_cached_value(locked, field.get_cached_value(dossier))
    return locked


def _event(
    dossier: Dossier,
    kind: str,
    actor: User | None,
    data: Mapping[str, Any] | None = None,
    on_behalf_of: User | None = None,
) -> Event:
    """One line of the timeline; a helper's action is shown as done by them, of their
    organisation, for the applicant."""
    details = dict(data or {})
    helping = _helping(actor, dossier)
    if helping and on_behalf_of is None:
        on_behalf_of = dossier.applicant
        details.update(helping)
    return Event.objects.create(
        dossier=dossier, kind=kind, actor=actor, on_behalf_of=on_behalf_of, data=details
    )


def timeline_add(
    *, dossier: Dossier, kind: str, actor: User | None, data: Mapping[str, Any] | None = None
) -> Event:
    """A line of the timeline written by a part above the dossier (appointments), inside that
    part's own service: the permission check and the audit entry are the caller's."""
    return _event(dossier, kind, actor, data)


def _helping(actor: User | None, dossier: Dossier) -> dict[str, Any]:
    """For a helper acting on someone else's dossier: their organisation; else nothing."""
    if actor is None or actor.pk == dossier.applicant_id or not permissions.is_helper(actor):
        return {}
    organisation = helpers.acting_organisation(
        helper=actor, applicant_id=dossier.applicant_id, dossier_id=dossier.pk
    )
    if organisation is None:
        return {"helper": actor.pk}
    return {
        "helper": actor.pk,
        "organisation": organisation.pk,
        "organisation_name": organisation.name,
    }


def _record(
    *,
    actor: User,
    action: str,
    dossier: Dossier,
    target: Any = None,
    data: Mapping[str, Any] | None = None,
) -> None:
    """The audit entry of an action on `dossier`: for a helper, on behalf of its applicant."""
    helping = _helping(actor, dossier)
    audit.record(
        actor=actor,
        action=action,
        target=target if target is not None else dossier,
        on_behalf_of=dossier.applicant if helping else None,
        data={**(data or {}), **helping},
    )


def _tell_of_filing(dossier: Dossier, helper: User, organisation: str) -> None:
    """The applicant hears at once of a filing a helper made for them."""
    applicant = dossier.applicant
    notifications.notify(
        recipient=applicant,
        template="dossiers/messages/filed_for_you",
        context={
            "number": dossier.number,
            "procedure": dossier.procedure.translated_name,
            "helper": helper.display_name,
            "organisation": organisation,
        },
        url=f"/{applicant.language}/demandes/{dossier.number}/",
        copies=False,  # the organisation knows: its member filed
    )


def _new_number() -> str:
    year = clock.today().year
    body = "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(8))
    return f"{year}-{body[:4]}-{body[4:]}"


def _touch(dossier: Dossier, *fields: str) -> None:
    """Save `fields`, bump the revision, and flag a filed dossier for the agent's attention."""
    dossier.revision += 1
    extra = ["revision", "updated_at"]
    if dossier.is_pending:
        dossier.needs_attention = True
        extra.append("needs_attention")
    dossier.save(update_fields=[*fields, *extra])


def _check_revision(dossier: Dossier, revision: int | None) -> None:
    if revision is not None and revision != dossier.revision:
        raise StaleForm()


@transaction.atomic
def dossier_start(*, actor: User, procedure: Procedure, applicant: User | None = None) -> Dossier:
    """Open a draft for `procedure`; a person may have several open at once. A helper opens
    one for `applicant` when their mandate lets them prepare applications."""
    applicant = applicant if applicant is not None else actor
    ensure(actor.is_authenticated and actor.is_active, NotAllowed())
    ensure(permissions.can_prepare_for(actor, applicant), NotAllowed())
    ensure(procedure.active, DomainError(_("This procedure is no longer offered.")))
    for _attempt in range(5):
        number = _new_number()
        if not Dossier.objects.filter(number=number).exists():
            break
    dossier = Dossier.objects.create(number=number, applicant=applicant, procedure=procedure)
    _event(dossier, EventKind.CREATED, actor, {"procedure": procedure.code})
    _record(actor=actor, action="dossier.started", dossier=dossier)
    return dossier


def _answers_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    keys = sorted(set(old) | set(new))
    return {
        key: {"before": old.get(key), "after": new.get(key)}
        for key in keys
        if old.get(key) != new.get(key)
    }


@transaction.atomic
def dossier_answer(
    *,
    dossier: Dossier,
    actor: User,
    answers: Mapping[str, Any],
    postcode: str,
    revision: int | None = None,
) -> Dossier:
    """Save the answers of the guided form (a draft may be partial)."""
    dossier = _lock(dossier)
    ensure(get_abilities(actor, dossier)["edit"], NotAllowed())
    _check_revision(dossier, revision)
    merged = {**dossier.answers, **{k: v for k, v in answers.items() if v not in (None, "")}}
    for key, value in answers.items():
        if value in (None, "") and key in merged:
            del merged[key]
    prefecture = _prefecture_for(postcode) if postcode else None
    if postcode and prefecture is None:
        raise DomainError(_("We do not know this postcode. Check it: 5 digits, e.g. 75011."))
    changes = _answers_changes(dossier.answers, merged)
    if postcode != dossier.postcode:
        changes["postcode"] = {"before": dossier.postcode, "after": postcode}
    if not changes:
        return dossier
    dossier.answers = merged
    dossier.postcode = postcode
    dossier.prefecture = prefecture
    dossier.permit_type = _permit_type_for(dossier.procedure, merged)
    expiry = merged.get("permit_expires_on")
    dossier.permit_expires_on = dt.date.fromisoformat(expiry) if expiry else None
    _touch(dossier, "answers", "postcode", "prefecture", "permit_type", "permit_expires_on")
    _event(dossier, EventKind.ANSWERS_CHANGED, actor, {"changes": changes})
    if "permit_expires_on" in changes:
        continuity.on_expiry_changed(dossier)
    _record(
        actor=actor, action="dossier.answered", dossier=dossier, data={"fields": sorted(changes)}
    )
    return dossier


def _prefecture_for(postcode: str) -> Prefecture | None:
    code = catalog_selectors.departement_code_for_postcode(postcode)
    if code is None:
        return None
    try:
        return catalog_selectors.prefecture_for_departement(code=code)
    except Prefecture.DoesNotExist:
        return None


def _permit_type_for(procedure: Procedure, answers: Mapping[str, Any]) -> Any:
    code = answers.get("permit_type")
    if not code:
        return None
    return procedure.permit_types.filter(code=code).first() or (
        catalog_selectors.permit_type_list().filter(code=code).first()
    )


def _intake(
    *,
    dossier: Dossier,
    actor: User,
    data: Any,
    name: str,
    item_code: str = "",
    message: Message | None = None,
) -> Document:
    """Check and clean one file, store it under a server-made name, queue its antivirus scan."""
    clean = uploads.inspect_upload(data=data, name=name)
    stored = default_storage.save(
        uploads.storage_name(sha256=clean.sha256, extension=clean.extension),
        ContentFile(clean.content),
    )
    document = Document.objects.create(
        dossier=dossier,
        item_code=item_code,
        message=message,
        file=stored,
        original_name=clean.original_name,
        content_type=clean.content_type,
        size=clean.size,
        sha256=clean.sha256,
        pages=clean.pages,
        scan_status=ScanStatus.PENDING if antivirus.is_configured() else ScanStatus.NOT_SCANNED,
        uploaded_by=actor,
    )
    if document.scan_status == ScanStatus.PENDING:
        tasks.document_scan.enqueue(document_id=document.pk)
    return document


@transaction.atomic
def document_add(
    *,
    dossier: Dossier,
    actor: User,
    item_code: str,
    data: Any,
    name: str,
    replaces: Document | None = None,
) -> Document:
    """Check, clean and store one uploaded file for a checklist item (or replace one)."""
    dossier = _lock(dossier)
    ensure(get_abilities(actor, dossier)["edit"], NotAllowed())
    item = next((i for i in selectors.checklist(dossier=dossier) if i.code == item_code), None)
    ensure(item is not None, DomainError(_("This document is not asked for this application.")))
    if replaces is not None:
        ensure(
            replaces.dossier_id == dossier.pk
            and replaces.is_current
            and replaces.item_code == item_code,
            DomainError(_("This file was already replaced or removed.")),
        )
    document = _intake(dossier=dossier, actor=actor, data=data, name=name, item_code=item_code)
    kind = EventKind.DOCUMENT_ADDED
    details: dict[str, Any] = {
        "item": item_code,
        "document": document.pk,
        "name": document.original_name,
    }
    if replaces is not None:
        replaces.replaced_by = document
        replaces.save(update_fields=["replaced_by"])
        kind = EventKind.DOCUMENT_REPLACED
        details["replaces"] = replaces.pk
    _touch(dossier)
    _event(dossier, kind, actor, details)
    _record(actor=actor, action=f"dossier.{kind}", dossier=dossier, target=document, data=details)
    return document


@transaction.atomic
def document_remove(*, document: Document, actor: User) -> Document:
    """Take a file out of the current set; it stays in the dossier's history."""
    dossier = Dossier.objects.select_for_update().get(pk=document.dossier_id)
    ensure(get_abilities(actor, dossier)["edit"], NotAllowed())
    ensure(document.is_current, DomainError(_("This file was already replaced or removed.")))
    document.removed_at = timezone.now()
    document.save(update_fields=["removed_at"])
    _touch(dossier)
    details = {"item": document.item_code, "document": document.pk, "name": document.original_name}
    _event(dossier, EventKind.DOCUMENT_REMOVED, actor, details)
    _record(
        actor=actor,
        action="dossier.document_removed",
        dossier=dossier,
        target=document,
        data=details,
    )
    return document


def filing_blockers(
    *,
    dossier: Dossier,
    checklist: Sequence[ChecklistItem] | None = None,
    documents: Sequence[Document] | None = None,
) -> MissingForFiling | None:
    """What stops this draft from being filed, if anything.

    `checklist` and `documents` (its current documents), when the caller has them already,
    spare reading them again.
    """
    questions = [
        q["label"]
        for q in dossier.procedure.translated_questions()
        if not q.get("optional") and dossier.answers.get(q["code"]) in (None, "")
    ]
    if not dossier.postcode:
        questions.insert(0, str(_("Postcode of your home")))
    if checklist is None or documents is None:
        missing = selectors.missing_items(dossier=dossier)
    else:
        present = {document.item_code for document in documents}
        missing = [item for item in checklist if item.required and item.code not in present]
    items = [item.translated_label for item in missing]
    if questions or items:
        return MissingForFiling(questions=questions, items=items)
    return None


def dossier_submit(*, dossier: Dossier, actor: User, key: uuid.UUID) -> Dossier:
    """File a complete draft and issue its receipt. The same key files once, however often sent."""
    with transaction.atomic(), audit.deferred():
        dossier = _lock(dossier)
        ensure(get_abilities(actor, dossier)["view"], NotAllowed())
        if dossier.status != Status.DRAFT:
            # Already filed: by this very request sent again, or by an earlier one.
            return dossier
        ensure(get_abilities(actor, dossier)["submit"], NotAllowed())
        checklist = selectors.checklist(dossier=dossier)
        documents = list(selectors.current_documents(dossier=dossier).order_by("item_code", "pk"))
        blockers = filing_blockers(dossier=dossier, checklist=checklist, documents=documents)
        if blockers is not None:
            raise blockers
        check = filing_check(dossier=dossier, on=clock.today())
        if check is not None and check.too_early:
            raise TooEarly(check)
        now = timezone.now()
        dossier.status = workflow.target("submit", dossier.status)
        dossier.first_attempt_at = dossier.first_attempt_at or now
        # The filing date is that of the first attempt, even if the platform failed then.
        dossier.submitted_at = dossier.first_attempt_at
        dossier.submission_key = key
        dossier.decision_due_on = decision_due(dossier=dossier)
        dossier.revision += 1
        cover_fields = continuity.on_submitted(dossier)
        dossier.save(
            update_fields=[
                "status",
                "first_attempt_at",
                "submitted_at",
                "submission_key",
                "decision_due_on",
                "revision",
                "updated_at",
                *cover_fields,
            ]
        )
        FilingAttempt.objects.create(
            dossier=dossier, key=key, actor=actor, outcome=FilingAttempt.Outcome.FILED
        )
        receipt = attestations.receipt_issue(
            dossier=dossier, facts=receipt_facts(dossier, checklist=checklist, documents=documents)
        )
        # A helper's filing says by whom, of which organisation, for the applicant.
        helping = _helping(actor, dossier)
        Event.objects.bulk_create(
            [
                Event(
                    dossier=dossier,
                    kind=EventKind.SUBMITTED,
                    actor=actor,
                    on_behalf_of=dossier.applicant if helping else None,
                    data={"late": bool(check and check.late), **helping},
                ),
                Event(
                    dossier=dossier,
                    kind=EventKind.ATTESTATION_ISSUED,
                    data={"kind": receipt.kind, "code": receipt.code},
                ),
            ]
        )
        continuity.catch_up(dossier)
        notifications.notify(
            recipient=dossier.applicant,
            template="dossiers/messages/submitted",
            context={
                "number": dossier.number,
                "procedure": dossier.procedure.translated_name,
                "code": receipt.code,
            },
            url=f"/{dossier.applicant.language}/demandes/{dossier.number}/",
        )
        if helping:
            _tell_of_filing(dossier, actor, str(helping.get("organisation_name", "")))
        steps.reached(dossier, steps.SUBMITTED)
        # Written when the block ends, last: on PostgreSQL the journal's lock is then held
        # only for that insert and the commit.
        audit.record(
            actor=actor,
            action="dossier.submitted",
            target=dossier,
            on_behalf_of=dossier.applicant if helping else None,
            data=helping or None,
        )
    return dossier


def receipt_facts(
    dossier: Dossier,
    *,
    checklist: Sequence[ChecklistItem] | None = None,
    documents: Sequence[Document] | None = None,
) -> dict[str, Any]:
    """What the filing receipt states, as plain values."""
    if documents is None:
        documents = list(selectors.current_documents(dossier=dossier).order_by("item_code", "pk"))
    if checklist is None:
        checklist = selectors.checklist(dossier=dossier)
    labels = {item.code: item.label for item in checklist}
    return {
        "dossier": dossier.number,
        "holder": dossier.applicant.display_name,
        "procedure": dossier.procedure.name,
        "permit_type": dossier.permit_type.name if dossier.permit_type else "",
        "prefecture": dossier.prefecture.name if dossier.prefecture else "",
        "filed_at": (dossier.submitted_at or timezone.now()).isoformat(),
        "documents": [
            {"label": labels.get(d.item_code, d.item_code), "name": d.original_name}
            for d in documents
        ],
    }


def attempt_record_failure(
    *, dossier: Dossier, actor: User, key: uuid.UUID, error: str
) -> FilingAttempt:
    """Keep the trace of a filing the platform could not complete, and tell the applicant."""
    with transaction.atomic():
        dossier = _lock(dossier)
        ensure(get_abilities(actor, dossier)["view"], NotAllowed())
        attempt = FilingAttempt.objects.create(
            dossier=dossier,
            key=key,
            actor=actor,
            outcome=FilingAttempt.Outcome.FAILED,
            error=error[:200],
            proof_code=attestations.new_code(),
        )
        if dossier.first_attempt_at is None:
            dossier.first_attempt_at = attempt.at
            dossier.save(update_fields=["first_attempt_at", "updated_at"])
        _event(dossier, EventKind.SUBMISSION_FAILED, actor, {"proof": attempt.proof_code})
        _record(
            actor=actor,
            action="dossier.submission_failed",
            dossier=dossier,
            data={"proof": attempt.proof_code, "error": error[:200]},
        )
        notifications.notify(
            recipient=dossier.applicant,
            template="dossiers/messages/attempt",
            context={"number": dossier.number, "proof": attempt.proof_code, "at": attempt.at},
            url=f"/{dossier.applicant.language}/demandes/{dossier.number}/",
        )
    return attempt


@transaction.atomic
def dossier_withdraw(*, dossier: Dossier, actor: User) -> Dossier:
    """Withdraw an application that is not decided yet."""
    dossier = _lock(dossier)
    ensure(get_abilities(actor, dossier)["withdraw"], NotAllowed())
    previous = dossier.status
    dossier.status = workflow.target("withdraw", dossier.status)
    dossier.closed_at = timezone.now()
    _touch(dossier, "status", "closed_at")
    _event(dossier, EventKind.WITHDRAWN, actor, {"from": previous})
    if previous != Status.DRAFT:
        continuity.on_withdrawn(dossier)
        steps.reached(dossier, steps.WITHDRAWN)
    audit.record(actor=actor, action="dossier.withdrawn", target=dossier, data={"from": previous})
    return dossier


@transaction.atomic
def message_post(
    *,
    dossier: Dossier,
    actor: User,
    body: str,
    attachments: list[tuple[Any, str]] | None = None,
) -> Message:
    """Write in the dossier's thread; attachments pass the same checks as documents."""
    dossier = _lock(dossier)
    ensure(get_abilities(actor, dossier)["message"], NotAllowed())
    body = body.strip()
    ensure(bool(body) or bool(attachments), DomainError(_("Write a message or attach a file.")))
    message = Message.objects.create(dossier=dossier, author=actor, body=body)
    for data, name in attachments or []:
        _intake(dossier=dossier, actor=actor, data=data, name=name, message=message)
    if dossier.is_pending:
        dossier.needs_attention = True
        dossier.save(update_fields=["needs_attention", "updated_at"])
    _event(dossier, EventKind.MESSAGE, actor, {"message": message.pk})
    _record(actor=actor, action="dossier.message_posted", dossier=dossier, target=message)
    return message


def dossier_submit_safely(
    *, dossier: Dossier, actor: User, key: uuid.UUID
) -> tuple[Dossier | None, FilingAttempt | None]:
    """File, and if the platform fails (not the applicant), keep a dated proof of the attempt.

    Returns (dossier, None) when filed, (None, attempt) when the platform failed. Domain errors
    (missing documents, too early) are the applicant's to fix and are raised as they are.
    """
    try:
        return dossier_submit(dossier=dossier, actor=actor, key=key), None
    except (DomainError, InvalidTransition):
        raise
    except (IntegrityError, Exception) as exc:  # anything else is the platform's fault
        error = type(exc).__name__
    return None, attempt_record_failure(dossier=dossier, actor=actor, key=key, error=error)


@transaction.atomic
def window_reminder_schedule(*, dossier: Dossier, actor: User, check: FilingCheck) -> None:
    """Too early to renew: plan the messages for the day the window opens and before it closes.

    The same plan as the one made when the expiry date is given: asking again changes nothing.
    """
    ensure(get_abilities(actor, dossier)["edit"], NotAllowed())
    continuity.window_reminders_schedule(
        holder=dossier.applicant,
        expiry=check.expiry,
        anef=dossier.permit_type.is_anef if dossier.permit_type else True,
    )
    audit.record(
        actor=actor,
        action="dossier.reminder_scheduled",
        target=dossier,
        data={"on": check.window_opens},
    )
