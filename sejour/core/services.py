"""Writes of the core app: the heartbeat the task worker records."""

import datetime as dt

from sejour.core import clock
from sejour.core.models import Heartbeat

WORKER = "worker"
SCHEDULER = "scheduler"


def heartbeat_record(*, name: str) -> dt.datetime:
    """Record that the process `name` is alive now; returns the instant recorded."""
    moment = clock.now()
    Heartbeat.objects.update_or_create(name=name, defaults={"beat_at": moment})
    return moment
