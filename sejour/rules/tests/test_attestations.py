"""Tests of extension and favourable-decision attestation periods."""

from datetime import date
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sejour.rules.attestations import (
    EXTENSION_MONTHS,
    PROTECTION_EXTENSION_MONTHS,
    Period,
    extension_due,
    extension_max_months,
    extension_periods,
    favourable_decision_periods,
    next_period,
    renewal_due_on,
    superseded_last_day,
)
from sejour.rules.dates import add_days, add_months
from sejour.rules.filing import Timeliness

DAYS = st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31))
MONTHS = st.integers(min_value=1, max_value=12)


def p(start: str, end: str) -> Period:
    return Period(start=date.fromisoformat(start), end=date.fromisoformat(end))


@pytest.mark.parametrize(
    ("timeliness", "complete", "due"),
    [
        (Timeliness.TIMELY, True, True),
        (Timeliness.TIMELY, False, False),
        (Timeliness.LATE, True, False),
        (Timeliness.EARLY, True, False),
        (Timeliness.AFTER_EXPIRY, True, False),
    ],
)
def test_extension_due_only_for_complete_timely_renewal(timeliness, complete, due):
    assert extension_due(timeliness=timeliness, complete=complete) is due


def test_protection_holders_get_six_month_extensions():
    assert extension_max_months(protection=True) == PROTECTION_EXTENSION_MONTHS == 6
    assert extension_max_months(protection=False) == EXTENSION_MONTHS == 3


def test_extension_periods_are_three_months_from_the_day_after_expiry():
    periods = extension_periods(
        old_expiry=date(2026, 6, 30), through=date(2026, 12, 31), max_months=3
    )
    assert periods == [p("2026-07-01", "2026-09-30"), p("2026-10-01", "2026-12-31")]


def test_one_more_day_of_cover_needs_one_more_period():
    periods = extension_periods(
        old_expiry=date(2026, 6, 30), through=date(2027, 1, 1), max_months=3
    )
    assert periods[-1] == p("2027-01-01", "2027-03-31")
    assert len(periods) == 3


def test_extension_periods_after_a_month_end_expiry_end_on_month_ends():
    periods = extension_periods(
        old_expiry=date(2026, 1, 31), through=date(2026, 5, 1), max_months=3
    )
    assert periods == [p("2026-02-01", "2026-04-30"), p("2026-05-01", "2026-07-31")]


def test_extension_period_starting_on_30_november_is_clamped_by_february():
    periods = extension_periods(
        old_expiry=date(2026, 11, 29), through=date(2027, 3, 1), max_months=3
    )
    assert periods == [p("2026-11-30", "2027-02-27"), p("2027-02-28", "2027-05-27")]


def test_extension_period_reaches_29_february_in_a_leap_year():
    periods = extension_periods(
        old_expiry=date(2027, 11, 29), through=date(2028, 3, 1), max_months=3
    )
    assert periods == [p("2027-11-30", "2028-02-28"), p("2028-02-29", "2028-05-28")]


def test_refugee_extension_periods_last_six_months():
    periods = extension_periods(
        old_expiry=date(2026, 6, 30),
        through=date(2027, 6, 30),
        max_months=extension_max_months(protection=True),
    )
    assert periods == [p("2026-07-01", "2026-12-31"), p("2027-01-01", "2027-06-30")]


def test_decision_ends_the_series_but_its_day_is_still_covered():
    periods = extension_periods(
        old_expiry=date(2026, 6, 30),
        through=date(2027, 12, 31),
        max_months=3,
        decision_on=date(2026, 10, 1),
    )
    assert periods == [p("2026-07-01", "2026-09-30"), p("2026-10-01", "2026-12-31")]


def test_decision_on_last_day_of_a_period_needs_no_further_period():
    periods = extension_periods(
        old_expiry=date(2026, 6, 30),
        through=date(2027, 12, 31),
        max_months=3,
        decision_on=date(2026, 9, 30),
    )
    assert periods == [p("2026-07-01", "2026-09-30")]


@pytest.mark.parametrize("decision_on", [date(2026, 6, 30), date(2026, 5, 2)])
def test_decision_before_the_old_permit_expires_needs_no_attestation(decision_on):
    periods = extension_periods(
        old_expiry=date(2026, 6, 30),
        through=date(2027, 12, 31),
        max_months=3,
        decision_on=decision_on,
    )
    assert periods == []


def test_no_period_while_the_old_permit_still_covers_through():
    periods = extension_periods(
        old_expiry=date(2026, 6, 30), through=date(2026, 6, 30), max_months=3
    )
    assert periods == []


def test_extension_period_needs_at_least_one_month():
    with pytest.raises(ValueError, match="max_months"):
        extension_periods(old_expiry=date(2026, 6, 30), through=date(2026, 8, 1), max_months=0)


def test_next_period_starts_after_expiry_then_after_the_previous_one():
    first = next_period(previous=None, old_expiry=date(2026, 6, 30), max_months=3)
    second = next_period(previous=first, old_expiry=date(2026, 6, 30), max_months=3)
    assert first == p("2026-07-01", "2026-09-30")
    assert second == p("2026-10-01", "2026-12-31")


def test_next_period_refuses_a_previous_period_inside_the_old_permit():
    with pytest.raises(ValueError, match="old permit"):
        next_period(
            previous=p("2026-03-01", "2026-05-31"), old_expiry=date(2026, 6, 30), max_months=3
        )


def test_renewal_is_due_fifteen_days_before_the_period_ends():
    assert renewal_due_on(p("2026-07-01", "2026-09-30")) == date(2026, 9, 15)
    assert renewal_due_on(p("2026-07-01", "2026-09-30"), lead_days=0) == date(2026, 9, 30)


def test_renewal_of_a_short_period_is_due_on_its_first_day():
    assert renewal_due_on(p("2026-07-01", "2026-07-05")) == date(2026, 7, 1)


def test_renewal_lead_cannot_be_negative():
    with pytest.raises(ValueError, match="lead_days"):
        renewal_due_on(p("2026-07-01", "2026-09-30"), lead_days=-1)


def test_favourable_decision_periods_start_on_approval_day():
    periods = favourable_decision_periods(
        approved_on=date(2026, 5, 10), through=date(2026, 9, 1), handed_over_on=None
    )
    assert periods == [p("2026-05-10", "2026-08-09"), p("2026-08-10", "2026-11-09")]


def test_hand_over_ends_favourable_decision_periods():
    periods = favourable_decision_periods(
        approved_on=date(2026, 5, 10),
        through=date(2027, 5, 10),
        handed_over_on=date(2026, 6, 1),
    )
    assert periods == [p("2026-05-10", "2026-08-09")]


def test_favourable_decision_periods_empty_when_through_precedes_approval():
    periods = favourable_decision_periods(
        approved_on=date(2026, 5, 10), through=date(2026, 5, 9), handed_over_on=None
    )
    assert periods == []


@settings(max_examples=200)
@given(
    old_expiry=DAYS,
    max_months=MONTHS,
    through_offset=st.integers(min_value=-60, max_value=1500),
    decision_offset=st.none() | st.integers(min_value=-60, max_value=1500),
)
def test_extension_periods_cover_each_needed_day_exactly_once(
    old_expiry, max_months, through_offset, decision_offset
):
    through = add_days(old_expiry, through_offset)
    decision_on = None if decision_offset is None else add_days(old_expiry, decision_offset)
    periods = extension_periods(
        old_expiry=old_expiry, through=through, max_months=max_months, decision_on=decision_on
    )
    cover_until = through if decision_on is None else min(through, decision_on)
    if cover_until <= old_expiry:
        assert periods == []
        return
    assert periods[0].start == add_days(old_expiry, 1)
    for before, after in pairwise(periods):
        assert after.start == add_days(before.end, 1)
    for period in periods:
        assert add_days(period.end, 1) <= add_months(period.start, max_months)
        assert period.start <= cover_until
    assert periods[-1].end >= cover_until
    if decision_on is not None:
        assert all(period.start <= decision_on for period in periods)
        if old_expiry < decision_on <= through:
            assert periods[-1].contains(decision_on)


@settings(max_examples=200)
@given(old_expiry=DAYS, max_months=MONTHS, through_offset=st.integers(min_value=1, max_value=1500))
def test_next_period_rebuilds_the_same_series(old_expiry, max_months, through_offset):
    through = add_days(old_expiry, through_offset)
    expected = extension_periods(old_expiry=old_expiry, through=through, max_months=max_months)
    built: list[Period] = []
    while not built or built[-1].end < through:
        previous = built[-1] if built else None
        built.append(next_period(previous=previous, old_expiry=old_expiry, max_months=max_months))
    assert built == expected


@settings(max_examples=200)
@given(
    approved_on=DAYS,
    through_offset=st.integers(min_value=-30, max_value=1000),
    handed_offset=st.none() | st.integers(min_value=0, max_value=1000),
)
def test_favourable_decision_periods_cover_until_hand_over(
    approved_on, through_offset, handed_offset
):
    through = add_days(approved_on, through_offset)
    handed_over_on = None if handed_offset is None else add_days(approved_on, handed_offset)
    periods = favourable_decision_periods(
        approved_on=approved_on, through=through, handed_over_on=handed_over_on
    )
    cover_until = through if handed_over_on is None else min(through, handed_over_on)
    if cover_until < approved_on:
        assert periods == []
        return
    assert periods[0].start == approved_on
    for before, after in pairwise(periods):
        assert after.start == add_days(before.end, 1)
    assert all(add_days(period.end, 1) <= add_months(period.start, 3) for period in periods)
    assert all(period.start <= cover_until for period in periods)
    assert periods[-1].end >= cover_until


@settings(max_examples=200)
@given(start=DAYS, length=st.integers(min_value=0, max_value=200))
def test_renewal_is_due_within_the_period(start, length):
    period = Period(start=start, end=add_days(start, length))
    assert period.contains(renewal_due_on(period))


def test_the_extension_ends_the_day_before_the_favourable_decision_attestation_starts():
    assert superseded_last_day(favourable_from=date(2027, 3, 1)) == date(2027, 2, 28)


@settings(max_examples=200)
@given(
    old_expiry=DAYS,
    max_months=MONTHS,
    approval_offset=st.integers(min_value=1, max_value=1500),
    through_offset=st.integers(min_value=0, max_value=400),
)
def test_at_approval_one_document_is_in_force_each_day_and_none_is_missing(
    old_expiry, max_months, approval_offset, through_offset
):
    approved_on = add_days(old_expiry, approval_offset)
    through = add_days(approved_on, through_offset)
    # The extensions issued until the approval, then cut as the approval cuts them.
    last_day = superseded_last_day(favourable_from=approved_on)
    extensions = [
        Period(start=period.start, end=min(period.end, last_day))
        for period in extension_periods(
            old_expiry=old_expiry, through=approved_on, max_months=max_months
        )
        if period.start <= last_day
    ]
    favourable = favourable_decision_periods(
        approved_on=approved_on, through=through, handed_over_on=None
    )
    day, in_force = add_days(old_expiry, 1), 0
    while day <= through:
        in_force = sum(period.contains(day) for period in [*extensions, *favourable])
        assert in_force == 1, day
        day = add_days(day, 1)
