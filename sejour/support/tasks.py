"""Background work of the support desk."""

from django_tasks import task

from sejour.support import escalation, scanning


@task()
def reports_escalate_overdue() -> int:
    """Pass to the prefecture every report left without an answer past its deadline."""
    return escalation.reports_escalate_overdue()


@task()
def attachment_scan(*, attachment_id: int) -> str:
    """Scan a file sent with a report before anyone may open it."""
    return scanning.attachment_scan_run(attachment_id=attachment_id)
