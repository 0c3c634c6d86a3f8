"""The clock: aware datetimes, and legal days in Europe/Paris."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone

PARIS = ZoneInfo("Europe/Paris")


def now() -> dt.datetime:
    """The current instant, aware."""
    return timezone.now()


def paris_date(moment: dt.datetime) -> dt.date:
    """The calendar day in Paris at `moment`: legal days are counted there."""
    return moment.astimezone(PARIS).date()


def today() -> dt.date:
    """Today's date in Paris."""
    return paris_date(now())
