"""Legal day arithmetic: Paris calendar days, calendar months and inclusive periods."""

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

# Legal days are French calendar days, whatever the server's or the user's time zone.
PARIS = ZoneInfo("Europe/Paris")


def paris_date(moment: datetime) -> date:
    """Return the calendar day in Paris at an aware moment."""
    # A naive datetime has no defined instant, so its Paris day would be a guess.
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("paris_date needs an aware datetime, got a naive one.")
    return moment.astimezone(PARIS).date()


def add_days(d: date, days: int) -> date:
    """Return the day `days` calendar days after `d` (before it when negative)."""
    return d + timedelta(days=days)


def add_months(d: date, months: int) -> date:
    """Return the same day `months` calendar months later, clamped to the month's last day."""
    # Clamping follows the usual French rule for periods in months (art. 641 CPC): when the
    # target month has no day with the same number, the period ends on its last day.
    index = d.year * 12 + (d.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    last_day = calendar.monthrange(year, month)[1]
    return date(year, month, min(d.day, last_day))


@dataclass(frozen=True, slots=True)
class Period:
    """A run of calendar days, both `start` and `end` included."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"A period cannot end ({self.end}) before it starts ({self.start}).")

    @property
    def days(self) -> int:
        """Return the number of days in the period, both ends counted."""
        return (self.end - self.start).days + 1

    def contains(self, d: date) -> bool:
        """Tell whether the day falls within the period."""
        return self.start <= d <= self.end
