"""Reads of the core app."""

import datetime as dt

from sejour.core.models import Heartbeat


def heartbeat_last(*, name: str) -> dt.datetime | None:
    """When the process `name` last proved it was alive, if ever."""
    beat = Heartbeat.objects.filter(name=name).first()
    return beat.beat_at if beat is not None else None
