"""Background work of appointments, enqueued by the scheduler."""

from django_tasks import task

from sejour.appointments import services


@task()
def appointments_sweep() -> dict[str, int]:
    """Proposals and offers left unanswered pass on; visits nobody checked in are missed."""
    return services.appointments_sweep()


@task()
def reminders_sweep() -> int:
    """Remind everyone whose appointment is within 48 hours."""
    return services.reminders_send_due()
