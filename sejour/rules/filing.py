"""When a renewal or a first application may be filed, and how timely a filing was."""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from sejour.rules.dates import add_days, add_months

# R.431-5 1° CESEDA: a permit issued through the online service (ANEF) is renewed by a
# request filed at the earliest 120 days and at the latest 60 days before it expires.
RENEWAL_WINDOW_OPENS_DAYS_BEFORE = 120
RENEWAL_WINDOW_CLOSES_DAYS_BEFORE = 60

# R.431-5 1° CESEDA: any other permit is renewed "during the last two months before it expires".
OTHER_WINDOW_MONTHS = 2

# R.431-4 CESEDA: a first permit is asked for within two months of entering France.
FIRST_APPLICATION_MONTHS = 2


@dataclass(frozen=True, slots=True)
class Window:
    """The days on which a filing is on time, `opens` and `closes` both included."""

    opens: date
    closes: date

    def __post_init__(self) -> None:
        if self.closes < self.opens:
            raise ValueError(
                f"A window cannot close ({self.closes}) before it opens ({self.opens})."
            )

    def contains(self, d: date) -> bool:
        """Tell whether a filing on this day falls in the window."""
        return self.opens <= d <= self.closes


class Timeliness(StrEnum):
    """How a renewal filing sits against its window; members are in calendar order."""

    EARLY = "early"
    TIMELY = "timely"
    # Still accepted while the permit is valid, but the extension attestation is not due by right.
    LATE = "late"
    # The holder was no longer lawfully staying on the filing day.
    AFTER_EXPIRY = "after_expiry"


def renewal_window(
    *,
    expiry: date,
    anef: bool,
    opens_days: int = RENEWAL_WINDOW_OPENS_DAYS_BEFORE,
    closes_days: int = RENEWAL_WINDOW_CLOSES_DAYS_BEFORE,
    other_months: int = OTHER_WINDOW_MONTHS,
) -> Window:
    """Return the renewal filing window of a permit valid through `expiry` (included).

    ANEF permits: from `expiry - opens_days` to `expiry - closes_days`, both days included.
    Other permits: from `add_months(expiry, -other_months)` to `expiry`, both included. The
    permit is still valid on its expiry day, so a filing that day is still "before it
    expires"; the two months are counted back from the expiry day as art. 641 CPC counts
    months. Both readings lean towards the applicant. A consequence: outside ANEF a filing
    is never LATE, it is TIMELY up to expiry and AFTER_EXPIRY from the next day.
    """
    if anef:
        if not 0 <= closes_days <= opens_days:
            raise ValueError("Need 0 <= closes_days <= opens_days.")
        return Window(opens=add_days(expiry, -opens_days), closes=add_days(expiry, -closes_days))
    if other_months < 0:
        raise ValueError("other_months cannot be negative.")
    return Window(opens=add_months(expiry, -other_months), closes=expiry)


def filing_timeliness(
    *,
    filed_on: date,
    expiry: date,
    anef: bool,
    opens_days: int = RENEWAL_WINDOW_OPENS_DAYS_BEFORE,
    closes_days: int = RENEWAL_WINDOW_CLOSES_DAYS_BEFORE,
    other_months: int = OTHER_WINDOW_MONTHS,
) -> Timeliness:
    """Classify a renewal filed on `filed_on` for a permit valid through `expiry`."""
    window = renewal_window(
        expiry=expiry,
        anef=anef,
        opens_days=opens_days,
        closes_days=closes_days,
        other_months=other_months,
    )
    if filed_on < window.opens:
        return Timeliness.EARLY
    if filed_on <= window.closes:
        return Timeliness.TIMELY
    if filed_on <= expiry:
        return Timeliness.LATE
    return Timeliness.AFTER_EXPIRY


def first_application_deadline(*, entered_on: date, months: int = FIRST_APPLICATION_MONTHS) -> date:
    """Return the last day (included) to file a first application after entering France."""
    # Entered on 15 January: the period ends on 15 March; entered on 31 December: on the last
    # day of February (art. 641 CPC).
    if months < 0:
        raise ValueError("months cannot be negative.")
    return add_months(entered_on, months)


def is_first_application_timely(
    *, filed_on: date, entered_on: date, months: int = FIRST_APPLICATION_MONTHS
) -> bool:
    """Tell whether a first application was filed within the period after entering France."""
    # A filing dated before the entry is a data error, not an early filing.
    if filed_on < entered_on:
        raise ValueError(f"Filed on {filed_on}, before entering France on {entered_on}.")
    return filed_on <= first_application_deadline(entered_on=entered_on, months=months)
