"""Writes of reports: send one, answer, pass it to the prefecture, resolve; and the sweep that
passes on by itself every report left without an answer past its deadline."""

import datetime as dt
import secrets
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sejour.accounts.models import User
from sejour.audit import services as audit
from sejour.catalog import selectors as catalog
from sejour.catalog.models import Prefecture
from sejour.core import clock
from sejour.core.errors import DomainError, NotAllowed, ensure
from sejour.dossiers.models import Dossier
from sejour.dossiers.permissions import get_abilities
from sejour.dossiers.services import NUMBER_ALPHABET
from sejour.notifications import services as notifications
from sejour.support.choices import Category, EventKind, Status
from sejour.support.models import Report, ReportEvent
from sejour.support.permissions import can_report, get_report_abilities

DESCRIPTION_MAX_LENGTH = 5000
# A sweep passes on at most this many overdue reports per transaction.
SWEEP_BATCH = 500


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


def _tell(report: Report, template: str, **context: Any) -> None:
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


@transaction.atomic
def report_open(
    *, actor: User, category: str, description: str, dossier: Dossier | None = None
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
    )
    ReportEvent.objects.create(report=report, kind=EventKind.OPENED, actor=actor, body=text, at=now)
    _tell(report, "opened", category=report.get_category_display())
    audit.record(
        actor=actor,
        action="report.opened",
        target=report,
        on_behalf_of=report.applicant if report.applicant_id != actor.pk else None,
        data={"category": category, "dossier": dossier.number if dossier else None},
    )
    return report


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
        _tell(report, "answered", body=event.body)
    audit.record(actor=actor, action="report.answered", target=report, data={"internal": internal})
    return event


def _escalate(
    report: Report, *, actor: User | None, kind: str, body: str, now: dt.datetime
) -> None:
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
    _tell(report, "escalated", prefecture=prefecture.name if prefecture else "")


@transaction.atomic
def report_escalate(*, report: Report, actor: User, body: str) -> Report:
    """Pass the report to the prefecture concerned, saying what it needs to settle it."""
    report = _locked(report)
    ensure(get_report_abilities(actor, report)["escalate"], NotAllowed())
    _escalate(report, actor=actor, kind=EventKind.ESCALATED, body=_text(body), now=clock.now())
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
    _tell(report, "resolved", body=text)
    audit.record(actor=actor, action="report.resolved", target=report)
    return report


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
                _escalate(report, actor=None, kind=EventKind.OVERDUE, body="", now=now)
                audit.record(
                    actor=None,
                    action="report.escalated_overdue",
                    target=report,
                    data={"prefecture": report.escalated_to_id},
                )
        done += len(rows)
        if len(rows) < SWEEP_BATCH:
            return done
