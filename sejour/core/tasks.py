"""Background tasks of the core app."""

from django_tasks import task

from sejour.core import services


@task()
def worker_heartbeat() -> str:
    """Run by the worker, enqueued by the scheduler: proves both are alive."""
    return services.heartbeat_record(name=services.WORKER).isoformat()
