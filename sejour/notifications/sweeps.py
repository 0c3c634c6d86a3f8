"""Periodic tasks of notifications, enqueued by the scheduler."""

from django_tasks import task

from sejour.core import clock
from sejour.notifications import services


@task()
def reminders_sweep() -> int:
    """Send the reminders that are due today."""
    return services.reminders_send_due(today=clock.today())
