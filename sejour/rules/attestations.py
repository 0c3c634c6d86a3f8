"""Extension and favourable-decision attestations: when they are due and which days they cover."""

from datetime import date

from sejour.rules.dates import Period, add_days, add_months
from sejour.rules.filing import Timeliness

__all__ = [
    "COMMISSION_REFERRAL_MONTHS",
    "EXTENSION_MONTHS",
    "FAVOURABLE_DECISION_MONTHS",
    "PROTECTION_EXTENSION_MONTHS",
    "RENEWAL_LEAD_DAYS",
    "Period",
    "extension_due",
    "extension_max_months",
    "extension_periods",
    "favourable_decision_periods",
    "next_period",
    "renewal_due_on",
    "superseded_last_day",
]

# R.431-15-1 CESEDA: an extension attestation is valid at most 3 months, renewed until decision.
EXTENSION_MONTHS = 3

# R.431-15-3 and R.431-15-4 CESEDA: 6 months for refugees and subsidiary protection.
PROTECTION_EXTENSION_MONTHS = 6

# R.432-9 CESEDA: after referral to the commission du titre de séjour, 3 months, renewed.
COMMISSION_REFERRAL_MONTHS = 3

# R.431-15-1 CESEDA (service-public F36206): favourable-decision attestation, at most 3 months.
FAVOURABLE_DECISION_MONTHS = 3

# Not law: how many days before an attestation ends its successor is issued, so that the
# holder has it in hand before the old one lapses even if a mail or a batch is late.
RENEWAL_LEAD_DAYS = 15


def extension_due(*, timeliness: Timeliness, complete: bool) -> bool:
    """Tell whether an extension attestation is due by right for a renewal filing.

    Due only for a complete renewal filed in the window (R.431-15-1). A LATE filing (after
    the window, before expiry) is not due by right: the prefecture may still grant one, a
    decision this function leaves to its caller.
    """
    return complete and timeliness is Timeliness.TIMELY


def extension_max_months(
    *,
    protection: bool,
    months: int = EXTENSION_MONTHS,
    protection_months: int = PROTECTION_EXTENSION_MONTHS,
) -> int:
    """Return the longest validity of one extension attestation for this holder."""
    return protection_months if protection else months


def _period_from(start: date, max_months: int) -> Period:
    # One day short of the same date `max_months` later, so that the next period can start
    # on that date with neither a gap nor an overlap.
    if max_months < 1:
        raise ValueError("max_months must be at least 1.")
    return Period(start=start, end=add_days(add_months(start, max_months), -1))


def _chained_periods(*, first_start: date, cover_until: date, max_months: int) -> list[Period]:
    # Every period starts the day after the previous one ends; the last one is the first to
    # reach `cover_until`, and keeps its full length because it was issued before that day.
    periods: list[Period] = []
    start = first_start
    while start <= cover_until:
        period = _period_from(start, max_months)
        periods.append(period)
        start = add_days(period.end, 1)
    return periods


def next_period(*, previous: Period | None, old_expiry: date, max_months: int) -> Period:
    """Return the extension period that follows `previous`, or the first one if there is none."""
    if previous is None:
        return _period_from(add_days(old_expiry, 1), max_months)
    if previous.end <= old_expiry:
        raise ValueError(f"Period {previous} ends while the old permit (to {old_expiry}) is valid.")
    return _period_from(add_days(previous.end, 1), max_months)


def extension_periods(
    *,
    old_expiry: date,
    through: date,
    max_months: int,
    decision_on: date | None = None,
) -> list[Period]:
    """Return the extension periods from the day after `old_expiry` until cover is no longer due.

    The periods are contiguous, each at most `max_months` long, and together cover every day
    from `old_expiry + 1` through `through` (the day up to which cover is needed, e.g. today
    plus a margin). A decision ends the series: no period starts after `decision_on`, and the
    last one still covers the decision day. A decision on or before `old_expiry` needs no
    attestation at all, so the list is empty.
    """
    cover_until = through if decision_on is None else min(through, decision_on)
    return _chained_periods(
        first_start=add_days(old_expiry, 1), cover_until=cover_until, max_months=max_months
    )


def renewal_due_on(period: Period, *, lead_days: int = RENEWAL_LEAD_DAYS) -> date:
    """Return the day the attestation following `period` should be issued."""
    if lead_days < 0:
        raise ValueError("lead_days cannot be negative.")
    # A period shorter than the lead time gets its successor on its first day, not before it.
    return max(period.start, add_days(period.end, -lead_days))


def favourable_decision_periods(
    *,
    approved_on: date,
    through: date,
    handed_over_on: date | None,
    max_months: int = FAVOURABLE_DECISION_MONTHS,
) -> list[Period]:
    """Return the favourable-decision attestation periods from approval until hand-over.

    The first period starts on the approval day; they are contiguous, each at most
    `max_months` long, and cover every day through `through`. The hand-over of the card ends
    the series as a decision ends extensions: no period starts after `handed_over_on`.
    """
    cover_until = through if handed_over_on is None else min(through, handed_over_on)
    return _chained_periods(first_start=approved_on, cover_until=cover_until, max_months=max_months)


def superseded_last_day(*, favourable_from: date) -> date:
    """Return the last day an extension attestation stays valid once a decision approves.

    The favourable-decision attestation supersedes it: the extension ends the day before the
    favourable one starts, so that one document is in force at a time and no day is left
    uncovered (those that would only start later are withdrawn).
    """
    return add_days(favourable_from, -1)
