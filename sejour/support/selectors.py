"""Reads of reports, always through the person who reads."""

import datetime as dt
import statistics
from dataclasses import dataclass
from typing import Any

from django.core.files.storage import default_storage
from django.db.models import Count, QuerySet
from django.http import Http404
from django.utils import timezone

from sejour.core import clock
from sejour.dossiers import permissions as dossier_permissions
from sejour.dossiers import uploads
from sejour.support.choices import WAITING, CallStatus, Category, Status
from sejour.support.models import CallBack, Report, ReportAttachment, ReportEvent
from sejour.support.permissions import (
    get_report_abilities,
    has_calls,
    has_figures,
    is_support,
)


def reports_of(*, viewer: Any) -> QuerySet[Report]:
    """The reports `viewer` sent or that are about them, newest first."""
    if not viewer.is_authenticated:
        return Report.objects.none()
    return (
        Report.objects.filter(applicant=viewer) | Report.objects.filter(author=viewer)
    ).order_by("-opened_at", "-pk")


def support_queue(*, viewer: Any) -> QuerySet[Report]:
    """For the support desk: every waiting report, the nearest deadline first."""
    if not is_support(viewer):
        return Report.objects.none()
    return (
        Report.objects.filter(status__in=WAITING)
        .select_related("applicant", "dossier")
        .order_by("due_at", "pk")
    )


def escalated_for(*, viewer: Any) -> QuerySet[Report]:
    """For prefecture staff: the reports passed to their prefectures, still waiting."""
    if not (dossier_permissions.is_agent(viewer) or dossier_permissions.is_supervisor(viewer)):
        return Report.objects.none()
    reports = Report.objects.filter(status=Status.ESCALATED)
    scope = dossier_permissions.prefecture_ids(viewer)
    if scope is not None:
        reports = reports.filter(escalated_to_id__in=scope)
    return reports.select_related("applicant", "dossier", "escalated_to").order_by("due_at", "pk")


def report_get_for(*, viewer: Any, number: str) -> Report:
    """One report `viewer` may see; 404 otherwise, telling nothing of others."""
    report = (
        Report.objects.select_related("applicant", "author", "dossier", "escalated_to")
        .filter(number=number.strip().upper())
        .first()
    )
    if report is None or not get_report_abilities(viewer, report)["view"]:
        raise Http404
    return report


def history_for(*, viewer: Any, report: Report) -> QuerySet[ReportEvent]:
    """What happened to `report`; internal notes only for the desk and the prefecture."""
    events = report.events.select_related("actor")
    if not get_report_abilities(viewer, report)["internal"]:
        events = events.filter(internal=False)
    return events


def attachment_get_for(*, viewer: Any, report: Report, pk: int) -> ReportAttachment:
    """A file of a report `viewer` may see, once the antivirus cleared it; 404 otherwise."""
    attachment = report.attachments.filter(pk=pk).first()
    if attachment is None or not attachment.can_be_opened:
        raise Http404
    return attachment


def attachment_content(*, attachment: ReportAttachment) -> bytes:
    """The stored bytes, checked against the fingerprint taken when they were received."""
    with default_storage.open(attachment.file.name) as handle:
        content: bytes = handle.read()
    uploads.verify_integrity(content=content, sha256=attachment.sha256)
    return content


def calls_planned(*, viewer: Any, since: dt.date) -> QuerySet[CallBack]:
    """For the support desk: the calls planned from `since`, in the order to make them."""
    if not has_calls(viewer):
        return CallBack.objects.none()
    return (
        CallBack.objects.filter(status=CallStatus.PLANNED, day__gte=since)
        .select_related("applicant", "report")
        .order_by("day", "window", "pk")
    )


def calls_of(*, viewer: Any) -> QuerySet[CallBack]:
    """The calls `viewer` asked for or that are about them, planned ones first."""
    if not viewer.is_authenticated:
        return CallBack.objects.none()
    return (
        CallBack.objects.filter(applicant=viewer) | CallBack.objects.filter(asked_by=viewer)
    ).order_by("-day", "-pk")


def call_get_for(*, viewer: Any, pk: int) -> CallBack:
    call = CallBack.objects.filter(pk=pk).first()
    if call is None or not (
        has_calls(viewer) or viewer.pk in (call.applicant_id, call.asked_by_id)
    ):
        raise Http404
    return call


@dataclass(frozen=True, kw_only=True)
class Figures:
    """The support desk's figures over a period, as published (hours, shares in percent)."""

    since: dt.date
    until: dt.date
    reports: int
    answered: int
    resolved: int
    first_answer_median_hours: float | None
    resolution_median_hours: float | None
    within_deadline_percent: float | None
    escalated: int
    by_category: list[tuple[str, str, int]]
    by_prefecture: list[tuple[str, str, int]]

    def as_dict(self) -> dict[str, Any]:
        return {
            "since": self.since.isoformat(),
            "until": self.until.isoformat(),
            "reports": self.reports,
            "answered": self.answered,
            "resolved": self.resolved,
            "escalated": self.escalated,
            "first_answer_median_hours": self.first_answer_median_hours,
            "resolution_median_hours": self.resolution_median_hours,
            "within_deadline_percent": self.within_deadline_percent,
            "by_category": {code: count for code, _label, count in self.by_category},
            "by_prefecture": {code: count for code, _label, count in self.by_prefecture},
        }


def _median_hours(durations: list[dt.timedelta]) -> float | None:
    if not durations:
        return None
    return round(statistics.median(d.total_seconds() for d in durations) / 3600, 1)


def support_figures(*, viewer: Any, since: dt.date, until: dt.date) -> Figures:
    """Figures of the reports sent from `since` to `until` (Paris days, both included): time to
    first answer and to resolution, share answered within the first deadline, by category and
    by prefecture. A prefecture's supervisor sees those passed to their prefecture."""
    reports = Report.objects.none()
    if has_figures(viewer):
        start = timezone.make_aware(dt.datetime.combine(since, dt.time.min))
        end = timezone.make_aware(dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min))
        reports = Report.objects.filter(opened_at__gte=start, opened_at__lt=end)
        scope = dossier_permissions.prefecture_ids(viewer)
        if scope is not None:
            reports = reports.filter(escalated_to_id__in=scope)
    now = clock.now()
    rows = list(
        reports.values_list(
            "opened_at", "first_answered_at", "resolved_at", "answer_due_at", "due_at"
        )
    )
    first = [answered - opened for opened, answered, _r, _d, _x in rows if answered]
    solved = [resolved - opened for opened, _a, resolved, _d, _x in rows if resolved]
    # A report counts once its deadline passed or it was answered: those still within their
    # time and unanswered say nothing yet.
    judged = [
        (answered, due or fallback)
        for _o, answered, _r, due, fallback in rows
        if answered or (due or fallback) < now
    ]
    kept = sum(1 for answered, due in judged if answered and answered <= due)
    labels = dict(Category.choices)
    by_category = [
        (row["category"], str(labels.get(row["category"], row["category"])), row["count"])
        for row in reports.values("category").annotate(count=Count("pk")).order_by("-count")
    ]
    by_prefecture = [
        (row["escalated_to__departement_code"], row["escalated_to__name"], row["count"])
        for row in reports.filter(escalated_to__isnull=False)
        .values("escalated_to__departement_code", "escalated_to__name")
        .annotate(count=Count("pk"))
        .order_by("-count", "escalated_to__departement_code")
    ]
    return Figures(
        since=since,
        until=until,
        reports=len(rows),
        answered=len(first),
        resolved=len(solved),
        escalated=reports.filter(escalated_at__isnull=False).count(),
        first_answer_median_hours=_median_hours(first),
        resolution_median_hours=_median_hours(solved),
        within_deadline_percent=round(100 * kept / len(judged), 1) if judged else None,
        by_category=by_category,
        by_prefecture=by_prefecture,
    )
