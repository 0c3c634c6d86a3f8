"""Passing a report to the prefecture concerned, by the desk or by itself past its deadline,
and the messages that tell the person of each step."""

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction

from sejour.accounts.models import User
from sejour.audit import services as audit
from sejour.catalog import selectors as catalog
from sejour.catalog.models import Prefecture
from sejour.core import clock
from sejour.notifications import services as notifications
from sejour.support.choices import EventKind, Status
from sejour.support.models import Report, ReportEvent

# A sweep passes on at most this many overdue reports per transaction.
SWEEP_BATCH = 500


def tell(report: Report, template: str, **context: Any) -> None:
    """Message the person the report is about, and its author if a helper wrote it."""
    recipients = [report.applicant]
    if report.author_id != report.applicant_id:
        recipients.append(report.author)
    for recipient in recipients:
        notifications.notify(
            recipient=recipient,
            template=f"support/messages/{template}",
            context={"number": report.number, "due_at": report.due_at, **context},
            url=f"/{recipient.language}/signalements/{report.number}/",
        )


def prefecture_for(report: Report) -> Prefecture | None:
    """Where a report goes when the support desk cannot settle it: the dossier's prefecture,
    else that of the applicant's home; None for the national supervisors."""
    if report.dossier_id is not None and report.dossier and report.dossier.prefecture_id:
        return report.dossier.prefecture
    code = catalog.departement_code_for_postcode(report.applicant.postcode or "")
    if code is None:
        return None
    try:
        return catalog.prefecture_for_departement(code=code)
    except Prefecture.DoesNotExist:
        return None


def escalate(report: Report, *, actor: User | None, kind: str, body: str, now: dt.datetime) -> None:
    prefecture = prefecture_for(report)
    report.status = Status.ESCALATED
    report.escalated_at = now
    report.escalated_to = prefecture
    report.due_at = now + dt.timedelta(hours=settings.SEJOUR_SUPPORT_PREFECTURE_HOURS)
    report.save(update_fields=["status", "escalated_at", "escalated_to", "due_at"])
    ReportEvent.objects.create(
        report=report,
        kind=kind,
        actor=actor,
        body=body,
        at=now,
        data={"prefecture": prefecture.departement_code if prefecture else None},
    )
    tell(report, "escalated", prefecture=prefecture.name if prefecture else "")


def reports_escalate_overdue(*, now: dt.datetime | None = None) -> int:
    """Pass to the prefecture every report still without an answer past its deadline.

    Run by the scheduler; batches of `SWEEP_BATCH`, one transaction each, rows locked and
    locked rows skipped on PostgreSQL so that two workers share the work. Returns how many.
    """
    now = now or clock.now()
    done = 0
    while True:
        with transaction.atomic(), audit.deferred():
            due = Report.objects.filter(status=Status.OPEN, due_at__lt=now).order_by("due_at")
            rows = list(
                due.select_for_update(skip_locked=True, of=("self",)).select_related(
                    "applicant", "author", "dossier__prefecture"
                )[:SWEEP_BATCH]
            )
            for report in rows:
                escalate(report, actor=None, kind=EventKind.OVERDUE, body="", now=now)
                audit.record(
                    actor=None,
                    action="report.escalated_overdue",
                    target=report,
                    data={"prefecture": report.escalated_to_id},
                )
        done += len(rows)
        if len(rows) < SWEEP_BATCH:
            return done
