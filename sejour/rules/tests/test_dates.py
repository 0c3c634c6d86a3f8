"""Tests of Paris days, calendar months and inclusive periods."""

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sejour.rules.dates import PARIS, Period, add_days, add_months, paris_date

DAYS = st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31))


def test_paris_date_after_utc_midnight_in_winter_is_next_day():
    assert paris_date(datetime(2026, 3, 28, 23, 30, tzinfo=UTC)) == date(2026, 3, 29)


def test_paris_date_uses_summer_time_offset():
    assert paris_date(datetime(2026, 6, 30, 21, 59, tzinfo=UTC)) == date(2026, 6, 30)
    assert paris_date(datetime(2026, 6, 30, 22, 0, tzinfo=UTC)) == date(2026, 7, 1)


def test_paris_date_converts_from_another_zone():
    new_york_evening = datetime(2026, 1, 10, 20, 0, tzinfo=ZoneInfo("America/New_York"))
    assert paris_date(new_york_evening) == date(2026, 1, 11)


def test_paris_date_keeps_paris_moment_day():
    assert paris_date(datetime(2026, 1, 10, 0, 5, tzinfo=PARIS)) == date(2026, 1, 10)


def test_paris_date_refuses_naive_datetime():
    with pytest.raises(ValueError, match="aware"):
        paris_date(datetime(2026, 1, 10, 12, 0))  # noqa: DTZ001 - the naive value is the point


def test_add_days_crosses_month_and_year():
    assert add_days(date(2026, 12, 31), 1) == date(2027, 1, 1)
    assert add_days(date(2028, 3, 1), -1) == date(2028, 2, 29)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 1, 15), 1, date(2026, 2, 15)),
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(2026, 5, 31), 1, date(2026, 6, 30)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
        (date(2026, 1, 15), -1, date(2025, 12, 15)),
        (date(2028, 2, 29), 12, date(2029, 2, 28)),
        (date(2026, 8, 31), -14, date(2025, 6, 30)),
        (date(2026, 7, 4), 0, date(2026, 7, 4)),
    ],
)
def test_add_months_clamps_to_month_end(start, months, expected):
    assert add_months(start, months) == expected


@settings(max_examples=200)
@given(d=DAYS, months=st.integers(min_value=-120, max_value=120))
def test_add_months_moves_by_whole_months_and_keeps_the_day_when_it_exists(d, months):
    result = add_months(d, months)
    assert (result.year * 12 + result.month) - (d.year * 12 + d.month) == months
    assert result.day <= d.day
    if d.day <= 28:
        assert result.day == d.day
    else:
        # Clamped only when the target month is too short: the next day is then the 1st.
        assert result.day == d.day or (result + timedelta(days=1)).day == 1


@settings(max_examples=200)
@given(a=DAYS, b=DAYS, months=st.integers(min_value=-36, max_value=36))
def test_add_months_never_reverses_the_order_of_days(a, b, months):
    early, late = sorted((a, b))
    assert add_months(early, months) <= add_months(late, months)


def test_period_counts_both_ends():
    period = Period(start=date(2026, 7, 1), end=date(2026, 9, 30))
    assert period.days == 92
    assert period.contains(date(2026, 7, 1))
    assert period.contains(date(2026, 9, 30))
    assert not period.contains(date(2026, 10, 1))


def test_one_day_period_lasts_one_day():
    assert Period(start=date(2026, 7, 1), end=date(2026, 7, 1)).days == 1


def test_period_cannot_end_before_it_starts():
    with pytest.raises(ValueError, match="before it starts"):
        Period(start=date(2026, 7, 2), end=date(2026, 7, 1))


def test_paris_date_accepts_fixed_offset():
    plus_fourteen = timezone(timedelta(hours=14))
    assert paris_date(datetime(2026, 1, 11, 5, 0, tzinfo=plus_fourteen)) == date(2026, 1, 10)
