"""The task worker and the scheduler, run as the real commands on the real queue."""

import pytest
from apscheduler.triggers.cron import CronTrigger
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.utils.module_loading import import_string
from django_tasks.base import Task
from django_tasks_db.models import DBTaskResult

from sejour.core import selectors, services

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def database_queue():  # also used by sejour/notifications/tests
    """The queue make run uses: tasks wait in the database until `db_worker` runs them."""
    with override_settings(TASKS=DB_TASKS):
        yield


@pytest.mark.django_db(transaction=True)
def test_scheduler_enqueues_and_the_worker_runs_the_heartbeat(database_queue):
    call_command("scheduler", "--once")
    assert selectors.heartbeat_last(name=services.SCHEDULER) is not None
    assert DBTaskResult.objects.filter(status="READY").count() >= 1
    assert selectors.heartbeat_last(name=services.WORKER) is None
    call_command("db_worker", "--batch", "--no-startup-delay")
    assert selectors.heartbeat_last(name=services.WORKER) is not None
    # Every periodic task ran, none failed: the sweeps, the continuity check, the reminders.
    assert not DBTaskResult.objects.exclude(status="SUCCESSFUL").exists()
    ran = set(DBTaskResult.objects.values_list("task_path", flat=True))
    assert {path for path, _cron in settings.SEJOUR_SCHEDULE} <= ran


def test_every_schedule_entry_is_a_task_with_a_valid_cron():
    for path, cron in settings.SEJOUR_SCHEDULE:
        assert isinstance(import_string(path), Task), path
        CronTrigger.from_crontab(cron)
