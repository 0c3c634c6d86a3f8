"""Writes of reports: send one (with its files), add to it, answer, pass it to the
prefecture, resolve."""

import datetime as dt
import secrets
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sejour.accounts.models import User
from sejour.audit import services as audit
from sejour.core import clock
from sejour.core.errors import DomainError, NotAllowed, ensure
from sejour.dossiers import antivirus, uploads
from sejour.dossiers.choices import ScanStatus
from sejour.dossiers.models import Dossier
from sejour.dossiers.permissions import get_abilities
from sejour.dossiers.services import NUMBER_ALPHABET
from sejour.support import tasks
from sejour.support.choices import Category, EventKind, Status
from sejour.support.escalation import escalate, tell
from sejour.support.models import Report, ReportAttachment, ReportEvent
from sejour.support.permissions import can_report, get_report_abilities

DESCRIPTION_MAX_LENGTH = 5000
ATTACHMENTS_MAX = 3


class EmptyText(DomainError):
    default_message = _("Write what happened, in a few words.")


class TooLong(DomainError):
    default_message = _("Keep it under 5,000 characters.")


def deadline_hours(category: str) -> int:
    """Hours within which a report of `category` gets its first answer."""
    hours: dict[str, int] = settings.SEJOUR_SUPPORT_DEADLINE_HOURS
    return int(hours.get(category, hours["other"]))


def _text(value: str) -> str:
    text = value.strip()
    ensure(bool(text), EmptyText())
    ensure(len(text) <= DESCRIPTION_MAX_LENGTH, TooLong())
    return text


def _new_number(year: int) -> str:
    for _attempt in range(5):
        body = "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(8))
        number = f"S{year}-{body[:4]}-{body[4:]}"
        if not Report.objects.filter(number=number).exists():
            return number
    raise RuntimeError("no free report number after 5 draws")


@transaction.atomic
def report_open(
    *,
    actor: User,
    category: str,
    description: str,
    dossier: Dossier | None = None,
    attachments: Sequence[tuple[Any, str]] | None = None,
) -> Report:
    """Send a report: it gets its number and the date of its answer at once."""
    ensure(can_report(actor), NotAllowed())
    ensure(category in Category.values, DomainError(_("Choose what blocks you.")))
    if dossier is not None:
        ensure(get_abilities(actor, dossier)["view"], NotAllowed())
    text = _text(description)
    now = clock.now()
    report = Report.objects.create(
        number=_new_number(timezone.localtime(now).year),
        author=actor,
        applicant=dossier.applicant if dossier is not None else actor,
        dossier=dossier,
        category=category,
        description=text,
        language=actor.language or settings.LANGUAGE_CODE,
        opened_at=now,
        due_at=now + dt.timedelta(hours=deadline_hours(category)),
        answer_due_at=now + dt.timedelta(hours=deadline_hours(category)),
    )
    ensure(
        len(attachments or []) <= ATTACHMENTS_MAX,
        DomainError(_("Send at most 3 files with a report.")),
    )
    for data, name in attachments or []:
        _attach(report, actor, data=data, name=name)
    ReportEvent.objects.create(report=report, kind=EventKind.OPENED, actor=actor, body=text, at=now)
    tell(report, "opened", category=report.get_category_display())
    audit.record(
        actor=actor,
        action="report.opened",
        target=report,
        on_behalf_of=report.applicant if report.applicant_id != actor.pk else None,
        data={"category": category, "dossier": dossier.number if dossier else None},
    )
    return report


def _attach(report: Report, actor: User, *, data: Any, name: str) -> ReportAttachment:
    """A file or screenshot, through the same checks as a dossier's documents and the same
    antivirus scan before anyone opens it."""
    clean = uploads.inspect_upload(data=data, name=name)
    stored = default_storage.save(
        uploads.storage_name(sha256=clean.sha256, extension=clean.extension),
        ContentFile(clean.content),
    )
    attachment = ReportAttachment.objects.create(
        report=report,
        file=stored,
        original_name=clean.original_name,
        content_type=clean.content_type,
        size=clean.size,
        sha256=clean.sha256,
        scan_status=ScanStatus.PENDING if antivirus.is_configured() else ScanStatus.NOT_SCANNED,
        uploaded_by=actor,
    )
    if attachment.scan_status == ScanStatus.PENDING:
        # Enqueued in this transaction: the task row commits with the file's (the outbox).
        tasks.attachment_scan.enqueue(attachment_id=attachment.pk)
    return attachment


def _locked(report: Report) -> Report:
    return (
        Report.objects.select_for_update().select_related("applicant", "author").get(pk=report.pk)
    )


@transaction.atomic
def report_add(*, report: Report, actor: User, body: str) -> ReportEvent:
    """The person adds to their report (what they tried, what changed)."""
    report = _locked(report)
    ensure(get_report_abilities(actor, report)["add"], NotAllowed())
    event = ReportEvent.objects.create(
        report=report, kind=EventKind.ADDED, actor=actor, body=_text(body), at=clock.now()
    )
    audit.record(actor=actor, action="report.added", target=report)
    return event


@transaction.atomic
def report_answer(*, report: Report, actor: User, body: str, internal: bool = False) -> ReportEvent:
    """Answer the person (or, `internal`, leave a note for the desk and the prefecture)."""
    report = _locked(report)
    abilities = get_report_abilities(actor, report)
    ensure(abilities["answer"] and (abilities["internal"] or not internal), NotAllowed())
    now = clock.now()
    event = ReportEvent.objects.create(
        report=report,
        kind=EventKind.ANSWERED,
        actor=actor,
        body=_text(body),
        internal=internal,
        at=now,
    )
    if not internal:
        if report.first_answered_at is None:
            report.first_answered_at = now
        if report.status == Status.OPEN:
            report.status = Status.ANSWERED
        report.save(update_fields=["first_answered_at", "status"])
        tell(report, "answered", body=event.body)
    audit.record(actor=actor, action="report.answered", target=report, data={"internal": internal})
    return event


@transaction.atomic
def report_escalate(*, report: Report, actor: User, body: str) -> Report:
    """Pass the report to the prefecture concerned, saying what it needs to settle it."""
    report = _locked(report)
    ensure(get_report_abilities(actor, report)["escalate"], NotAllowed())
    escalate(report, actor=actor, kind=EventKind.ESCALATED, body=_text(body), now=clock.now())
    audit.record(
        actor=actor,
        action="report.escalated",
        target=report,
        data={"prefecture": report.escalated_to_id},
    )
    return report


@transaction.atomic
def report_resolve(*, report: Report, actor: User, body: str) -> Report:
    """Close the report, telling the person how it was settled."""
    report = _locked(report)
    ensure(get_report_abilities(actor, report)["resolve"], NotAllowed())
    now = clock.now()
    text = _text(body)
    report.status = Status.RESOLVED
    report.resolved_at = now
    report.first_answered_at = report.first_answered_at or now
    report.save(update_fields=["status", "resolved_at", "first_answered_at"])
    ReportEvent.objects.create(
        report=report, kind=EventKind.RESOLVED, actor=actor, body=text, at=now
    )
    tell(report, "resolved", body=text)
    audit.record(actor=actor, action="report.resolved", target=report)
    return report


@transaction.atomic
def attachment_viewed(*, attachment: ReportAttachment, viewer: User) -> None:
    """Staff opening a person's file is written to the journal, as for a dossier's files."""
    if viewer.pk not in (attachment.report.applicant_id, attachment.report.author_id):
        audit.record(
            actor=viewer,
            action="report.attachment_viewed",
            target=attachment,
            on_behalf_of=attachment.report.applicant,
        )
