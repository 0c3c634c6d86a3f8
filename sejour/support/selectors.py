"""Reads of reports, always through the person who reads."""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from sejour.dossiers import permissions as dossier_permissions
from sejour.support.choices import WAITING, Status
from sejour.support.models import Report, ReportEvent
from sejour.support.permissions import get_report_abilities, is_support


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
