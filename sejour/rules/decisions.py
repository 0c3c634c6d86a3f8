"""When the prefecture's silence on a complete application becomes an implicit rejection."""

from collections.abc import Sequence
from datetime import date

from sejour.rules.dates import Period, add_days, add_months

# R.432-1 and R.432-2 CESEDA: silence kept for 4 months on a permit application is an
# implicit rejection. Some permit types are said to have a shorter delay: callers pass theirs.
IMPLICIT_DECISION_MONTHS = 4


def _merged(pauses: Sequence[Period], *, not_before: date) -> list[Period]:
    # Days before the dossier was complete are cut off (the clock had not started yet), and
    # overlapping or touching pauses are joined so that a day is counted once.
    clipped = sorted(
        (Period(start=max(p.start, not_before), end=p.end) for p in pauses if p.end >= not_before),
        key=lambda p: p.start,
    )
    merged: list[Period] = []
    for pause in clipped:
        if merged and pause.start <= add_days(merged[-1].end, 1):
            last = merged.pop()
            pause = Period(start=last.start, end=max(last.end, pause.end))
        merged.append(pause)
    return merged


def implicit_decision_date(
    *,
    complete_on: date,
    delay_months: int = IMPLICIT_DECISION_MONTHS,
    pauses: Sequence[Period] = (),
) -> date:
    """Return the day the silence becomes an implicit rejection of a complete application.

    Without pauses it is `add_months(complete_on, delay_months)`: complete on 15 January,
    rejected on 15 May. Each pause is a Period from the day the applicant was asked for
    documents to the day they answered, both included; every such day stops the clock,
    so the date moves one day later per distinct paused day. Days before `complete_on` are
    ignored, overlapping pauses count once, and a pause that starts on or after the date
    already reached changes nothing, because a decision once born is not undone by a later
    request. For a request not yet answered, pass a pause ending today: the result is then
    provisional. (After the Conseil d'État avis of 10 Oct 2024, n° 494718, a dossier that
    stays incomplete ends as a refusal to register instead; that is the caller's concern.)
    """
    if delay_months < 0:
        raise ValueError("delay_months cannot be negative.")
    deadline = add_months(complete_on, delay_months)
    for pause in _merged(pauses, not_before=complete_on):
        if pause.start >= deadline:
            break
        deadline = add_days(deadline, pause.days)
    return deadline


def days_remaining(*, today: date, deadline: date) -> int:
    """Return the days from `today` to `deadline`: 0 on the day itself, negative once past."""
    return (deadline - today).days
