"""Tests of renewal windows, filing timeliness and the first-application deadline."""

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sejour.rules.dates import add_days
from sejour.rules.filing import (
    Timeliness,
    Window,
    filing_timeliness,
    first_application_deadline,
    is_first_application_timely,
    renewal_window,
)

DAYS = st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31))
ORDER = list(Timeliness)


def test_anef_window_runs_from_day_120_to_day_60_before_expiry():
    window = renewal_window(expiry=date(2026, 6, 30), anef=True)
    assert window == Window(opens=date(2026, 3, 2), closes=date(2026, 5, 1))


def test_anef_window_across_a_leap_february():
    window = renewal_window(expiry=date(2028, 3, 31), anef=True)
    assert window == Window(opens=date(2027, 12, 2), closes=date(2028, 1, 31))


def test_anef_window_follows_overridden_days():
    window = renewal_window(expiry=date(2026, 6, 30), anef=True, opens_days=90, closes_days=30)
    assert window == Window(opens=date(2026, 4, 1), closes=date(2026, 5, 31))


def test_anef_window_refuses_closing_before_opening():
    with pytest.raises(ValueError, match="closes_days"):
        renewal_window(expiry=date(2026, 6, 30), anef=True, opens_days=30, closes_days=60)


@pytest.mark.parametrize(
    ("expiry", "opens"),
    [
        (date(2026, 6, 30), date(2026, 4, 30)),
        (date(2026, 4, 30), date(2026, 2, 28)),
        (date(2028, 4, 30), date(2028, 2, 29)),
        (date(2026, 3, 1), date(2026, 1, 1)),
        (date(2027, 1, 15), date(2026, 11, 15)),
    ],
)
def test_other_window_is_the_last_two_months_through_expiry(expiry, opens):
    assert renewal_window(expiry=expiry, anef=False) == Window(opens=opens, closes=expiry)


@pytest.mark.parametrize(
    ("filed_on", "expected"),
    [
        (date(2026, 3, 1), Timeliness.EARLY),
        (date(2026, 3, 2), Timeliness.TIMELY),
        (date(2026, 5, 1), Timeliness.TIMELY),
        (date(2026, 5, 2), Timeliness.LATE),
        (date(2026, 6, 30), Timeliness.LATE),
        (date(2026, 7, 1), Timeliness.AFTER_EXPIRY),
    ],
)
def test_anef_filing_timeliness_at_each_boundary(filed_on, expected):
    assert filing_timeliness(filed_on=filed_on, expiry=date(2026, 6, 30), anef=True) == expected


@pytest.mark.parametrize(
    ("filed_on", "expected"),
    [
        (date(2026, 4, 29), Timeliness.EARLY),
        (date(2026, 4, 30), Timeliness.TIMELY),
        (date(2026, 6, 30), Timeliness.TIMELY),
        (date(2026, 7, 1), Timeliness.AFTER_EXPIRY),
    ],
)
def test_other_filing_timeliness_at_each_boundary(filed_on, expected):
    assert filing_timeliness(filed_on=filed_on, expiry=date(2026, 6, 30), anef=False) == expected


def test_window_contains_both_ends_only():
    window = Window(opens=date(2026, 3, 2), closes=date(2026, 5, 1))
    assert window.contains(date(2026, 3, 2))
    assert window.contains(date(2026, 5, 1))
    assert not window.contains(date(2026, 3, 1))
    assert not window.contains(date(2026, 5, 2))


def test_window_cannot_close_before_it_opens():
    with pytest.raises(ValueError, match="before it opens"):
        Window(opens=date(2026, 5, 2), closes=date(2026, 5, 1))


@pytest.mark.parametrize(
    ("entered_on", "deadline"),
    [
        (date(2026, 1, 15), date(2026, 3, 15)),
        (date(2025, 12, 31), date(2026, 2, 28)),
        (date(2027, 12, 31), date(2028, 2, 29)),
        (date(2026, 11, 20), date(2027, 1, 20)),
    ],
)
def test_first_application_deadline_is_two_calendar_months_later(entered_on, deadline):
    assert first_application_deadline(entered_on=entered_on) == deadline


def test_first_application_is_timely_through_its_deadline_day():
    entered = date(2026, 1, 15)
    assert is_first_application_timely(filed_on=date(2026, 1, 15), entered_on=entered)
    assert is_first_application_timely(filed_on=date(2026, 3, 15), entered_on=entered)
    assert not is_first_application_timely(filed_on=date(2026, 3, 16), entered_on=entered)


def test_first_application_deadline_follows_overridden_months():
    assert first_application_deadline(entered_on=date(2026, 1, 31), months=3) == date(2026, 4, 30)


def test_first_application_filed_before_entry_is_an_error():
    with pytest.raises(ValueError, match="before entering"):
        is_first_application_timely(filed_on=date(2026, 1, 14), entered_on=date(2026, 1, 15))


@settings(max_examples=200)
@given(
    expiry=DAYS,
    anef=st.booleans(),
    offset_a=st.integers(min_value=-400, max_value=400),
    offset_b=st.integers(min_value=-400, max_value=400),
)
def test_timeliness_never_goes_back_as_the_filing_date_advances(expiry, anef, offset_a, offset_b):
    earlier, later = sorted((offset_a, offset_b))
    first = filing_timeliness(filed_on=add_days(expiry, earlier), expiry=expiry, anef=anef)
    second = filing_timeliness(filed_on=add_days(expiry, later), expiry=expiry, anef=anef)
    assert ORDER.index(first) <= ORDER.index(second)


@settings(max_examples=200)
@given(expiry=DAYS, anef=st.booleans(), offset=st.integers(min_value=-400, max_value=400))
def test_timely_exactly_inside_the_window_and_after_expiry_exactly_after_it(expiry, anef, offset):
    filed_on = add_days(expiry, offset)
    window = renewal_window(expiry=expiry, anef=anef)
    timeliness = filing_timeliness(filed_on=filed_on, expiry=expiry, anef=anef)
    assert window.closes <= expiry
    assert (timeliness is Timeliness.TIMELY) == window.contains(filed_on)
    assert (timeliness is Timeliness.AFTER_EXPIRY) == (filed_on > expiry)


@settings(max_examples=200)
@given(expiry=DAYS)
def test_anef_window_lasts_61_days(expiry):
    window = renewal_window(expiry=expiry, anef=True)
    assert (window.closes - window.opens).days + 1 == 61
