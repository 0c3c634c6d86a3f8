"""When the prefecture's silence on a complete application becomes an implicit rejection."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sejour.rules.dates import add_days, add_months

# R.432-1 and R.432-2 CESEDA: silence kept for 4 months on a permit application is an
# implicit rejection. Some permit types are said to have a shorter delay: callers pass theirs.
IMPLICIT_DECISION_MONTHS = 4


@dataclass(frozen=True, slots=True)
class Pause:
    """A request for documents, from the day it was sent to the day it was answered.

    The clock stops for the difference of the two dates (R.432-2): asked on 10 January and
    answered on 25 January, 15 days. The paused days are those from `asked_on` up to the day
    before `answered_on`; the clock runs again on the day of the answer, so an answer the
    same day pauses nothing.
    """

    asked_on: date
    answered_on: date

    def __post_init__(self) -> None:
        if self.answered_on < self.asked_on:
            raise ValueError(
                f"A request cannot be answered ({self.answered_on}) before it is sent"
                f" ({self.asked_on})."
            )

    @property
    def days(self) -> int:
        """Return the number of days the clock stops: the difference of the two dates."""
        return (self.answered_on - self.asked_on).days


def _merged(pauses: Sequence[Pause], *, not_before: date) -> list[Pause]:
    # Days before the dossier was complete are cut off (the clock had not started yet), and
    # overlapping or touching pauses are joined so that a day is counted once.
    clipped = sorted(
        (
            Pause(asked_on=max(p.asked_on, not_before), answered_on=p.answered_on)
            for p in pauses
            if p.answered_on > not_before
        ),
        key=lambda p: p.asked_on,
    )
    merged: list[Pause] = []
    for pause in clipped:
        if merged and pause.asked_on <= merged[-1].answered_on:
            last = merged.pop()
            pause = Pause(
                asked_on=last.asked_on, answered_on=max(last.answered_on, pause.answered_on)
            )
        merged.append(pause)
    return merged


def implicit_decision_date(
    *,
    complete_on: date,
    delay_months: int = IMPLICIT_DECISION_MONTHS,
    pauses: Sequence[Pause] = (),
) -> date:
    """Return the day the silence becomes an implicit rejection of a complete application.

    Without pauses it is `add_months(complete_on, delay_months)`: complete on 15 January,
    rejected on 15 May. Each pause moves the date by its `days`, the difference between the
    day the applicant was asked for documents and the day they answered. Days before
    `complete_on` are ignored, overlapping pauses count once, and a pause that starts on or
    after the date already reached changes nothing, because a decision once born is not
    undone by a later request (see `pauses_clock`). For a request not yet answered the date
    is not known: the clock is paused (pass a pause answered today for the provisional date).
    (After the Conseil d'État avis of 10 Oct 2024, n° 494718, a dossier that stays incomplete
    ends as a refusal to register instead; that is the caller's concern.)
    """
    if delay_months < 0:
        raise ValueError("delay_months cannot be negative.")
    deadline = add_months(complete_on, delay_months)
    for pause in _merged(pauses, not_before=complete_on):
        if pause.asked_on >= deadline:
            break
        deadline = add_days(deadline, pause.days)
    return deadline


def pauses_clock(*, asked_on: date, deadline: date) -> bool:
    """Tell whether a request for documents sent on `asked_on` stops the silence clock.

    It does when sent before the day the silence becomes a decision (`deadline`, as reached
    with the pauses already over); a request on that day or later comes too late.
    """
    return asked_on < deadline


def days_remaining(*, today: date, deadline: date) -> int:
    """Return the days from `today` to `deadline`: 0 on the day itself, negative once past."""
    return (deadline - today).days
