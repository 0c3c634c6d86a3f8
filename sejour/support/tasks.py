"""Background work of the support desk."""

from django_tasks import task

from sejour.support import services


@task()
def reports_escalate_overdue() -> int:
    """Pass to the prefecture every report left without an answer past its deadline."""
    return services.reports_escalate_overdue()
