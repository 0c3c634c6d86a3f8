"""The scheduler: enqueues periodic sweeps on the task queue; the worker runs them."""

import signal
from types import FrameType
from typing import Any

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.module_loading import import_string

from sejour.core import services


class Command(BaseCommand):
    help = "Enqueue the periodic tasks of SEJOUR_SCHEDULE on the task queue, until stopped."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--once", action="store_true", help="Enqueue every scheduled task once, then exit."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        entries = [(import_string(path), cron) for path, cron in settings.SEJOUR_SCHEDULE]
        if options["once"]:
            for task, _cron in entries:
                task.enqueue()
            services.heartbeat_record(name=services.SCHEDULER)
            self.stdout.write(f"Enqueued {len(entries)} tasks.")
            return
        scheduler = BlockingScheduler(timezone=settings.TIME_ZONE)
        for task, cron in entries:
            scheduler.add_job(task.enqueue, CronTrigger.from_crontab(cron), name=task.name)
        scheduler.add_job(
            services.heartbeat_record,
            CronTrigger.from_crontab("* * * * *"),
            kwargs={"name": services.SCHEDULER},
            name="scheduler-heartbeat",
        )

        def stop(signum: int, frame: FrameType | None) -> None:
            scheduler.shutdown(wait=False)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        for task, _cron in entries:
            task.enqueue()
        self.stdout.write(f"Scheduler started with {len(entries)} periodic tasks.")
        scheduler.start()
        self.stdout.write("Scheduler stopped.")
