"""Tests of the implicit-decision date and the days left before it."""

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sejour.rules.dates import add_days, add_months
from sejour.rules.decisions import Pause, days_remaining, implicit_decision_date, pauses_clock

DAYS = st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31))
COMPLETE = date(2026, 1, 15)


def p(asked: str, answered: str) -> Pause:
    return Pause(asked_on=date.fromisoformat(asked), answered_on=date.fromisoformat(answered))


@pytest.mark.parametrize(
    ("complete_on", "expected"),
    [
        (date(2026, 1, 15), date(2026, 5, 15)),
        (date(2025, 10, 31), date(2026, 2, 28)),
        (date(2027, 10, 31), date(2028, 2, 29)),
        (date(2026, 9, 30), date(2027, 1, 30)),
    ],
)
def test_silence_becomes_rejection_four_calendar_months_after_completion(complete_on, expected):
    assert implicit_decision_date(complete_on=complete_on) == expected


def test_shorter_delay_for_a_permit_type():
    assert implicit_decision_date(complete_on=COMPLETE, delay_months=2) == date(2026, 3, 15)


def test_a_request_sent_on_10_january_and_answered_on_25_january_pauses_15_days():
    pause = p("2026-01-10", "2026-01-25")
    assert pause.days == 15
    complete_on = date(2026, 1, 5)
    assert implicit_decision_date(complete_on=complete_on, pauses=[pause]) == date(2026, 5, 20)


def test_pause_pushes_the_date_by_the_difference_of_its_two_dates():
    pauses = [p("2026-02-01", "2026-02-10")]
    assert implicit_decision_date(complete_on=COMPLETE, pauses=pauses) == date(2026, 5, 24)


def test_same_day_answer_pauses_nothing():
    pauses = [p("2026-02-01", "2026-02-01")]
    assert implicit_decision_date(complete_on=COMPLETE, pauses=pauses) == date(2026, 5, 15)


def test_a_request_cannot_be_answered_before_it_is_sent():
    with pytest.raises(ValueError, match="answered"):
        p("2026-02-10", "2026-02-01")


def test_overlapping_pauses_count_each_day_once():
    pauses = [p("2026-02-05", "2026-02-20"), p("2026-02-01", "2026-02-10")]
    assert implicit_decision_date(complete_on=COMPLETE, pauses=pauses) == date(2026, 6, 3)


def test_repeated_pause_counts_once():
    pauses = [p("2026-02-01", "2026-02-10"), p("2026-02-01", "2026-02-10")]
    assert implicit_decision_date(complete_on=COMPLETE, pauses=pauses) == date(2026, 5, 24)


def test_a_request_sent_the_day_the_previous_one_was_answered_adds_up():
    pauses = [p("2026-02-01", "2026-02-10"), p("2026-02-10", "2026-02-15")]
    assert implicit_decision_date(complete_on=COMPLETE, pauses=pauses) == date(2026, 5, 29)


def test_pause_before_completion_is_ignored():
    pauses = [p("2026-01-01", "2026-01-10")]
    assert implicit_decision_date(complete_on=COMPLETE, pauses=pauses) == date(2026, 5, 15)


def test_pause_straddling_completion_counts_from_completion_day():
    pauses = [p("2026-01-10", "2026-01-20")]
    assert implicit_decision_date(complete_on=COMPLETE, pauses=pauses) == date(2026, 5, 20)


def test_request_on_or_after_the_decision_day_does_not_undo_it():
    pauses = [p("2026-05-15", "2026-05-20"), p("2026-07-01", "2026-07-31")]
    assert implicit_decision_date(complete_on=COMPLETE, pauses=pauses) == date(2026, 5, 15)


def test_request_the_day_before_the_decision_still_pauses():
    pauses = [p("2026-05-14", "2026-05-16")]
    assert implicit_decision_date(complete_on=COMPLETE, pauses=pauses) == date(2026, 5, 17)


def test_pause_after_the_unpaused_date_counts_when_an_earlier_pause_moved_it():
    # The first pause moves the date to 24 May, so a request on 20 May is still in time.
    pauses = [p("2026-05-20", "2026-05-21"), p("2026-05-01", "2026-05-10")]
    assert implicit_decision_date(complete_on=COMPLETE, pauses=pauses) == date(2026, 5, 25)


@pytest.mark.parametrize(
    ("asked_on", "paused"),
    [(date(2026, 5, 14), True), (date(2026, 5, 15), False), (date(2026, 6, 1), False)],
)
def test_only_a_request_sent_before_the_decision_day_stops_the_clock(asked_on, paused):
    assert pauses_clock(asked_on=asked_on, deadline=date(2026, 5, 15)) is paused


def test_delay_cannot_be_negative():
    with pytest.raises(ValueError, match="delay_months"):
        implicit_decision_date(complete_on=COMPLETE, delay_months=-1)


@pytest.mark.parametrize(
    ("today", "expected"),
    [(date(2026, 5, 10), 5), (date(2026, 5, 15), 0), (date(2026, 5, 16), -1)],
)
def test_days_remaining_is_zero_on_the_day_and_negative_after(today, expected):
    assert days_remaining(today=today, deadline=date(2026, 5, 15)) == expected


@st.composite
def separate_pauses(draw: st.DrawFn, complete_on: date) -> list[Pause]:
    """Pauses after completion that do not overlap (one may start the day another ends)."""
    pauses = []
    cursor = add_days(complete_on, draw(st.integers(min_value=0, max_value=40)))
    for _ in range(draw(st.integers(min_value=0, max_value=5))):
        length = draw(st.integers(min_value=0, max_value=40))
        pauses.append(Pause(asked_on=cursor, answered_on=add_days(cursor, length)))
        cursor = add_days(cursor, length + draw(st.integers(min_value=0, max_value=40)))
    return pauses


@settings(max_examples=200)
@given(data=st.data(), complete_on=DAYS, delay=st.integers(min_value=1, max_value=6))
def test_separate_pauses_after_filing_add_exactly_their_days(data, complete_on, delay):
    unpaused = add_months(complete_on, delay)
    # Only requests made before the unpaused date are sure to fall before the moving date.
    pauses = [
        pause for pause in data.draw(separate_pauses(complete_on)) if pause.asked_on < unpaused
    ]
    result = implicit_decision_date(complete_on=complete_on, delay_months=delay, pauses=pauses)
    assert result == add_days(unpaused, sum(pause.days for pause in pauses))


@settings(max_examples=200)
@given(
    data=st.data(),
    complete_on=DAYS,
    delay=st.integers(min_value=1, max_value=6),
    raw=st.lists(
        st.tuples(
            st.integers(min_value=-60, max_value=300), st.integers(min_value=0, max_value=60)
        ),
        max_size=6,
    ),
)
def test_any_pauses_never_advance_the_date_and_order_does_not_matter(data, complete_on, delay, raw):
    pauses = [
        Pause(
            asked_on=add_days(complete_on, offset),
            answered_on=add_days(complete_on, offset + length),
        )
        for offset, length in raw
    ]
    result = implicit_decision_date(complete_on=complete_on, delay_months=delay, pauses=pauses)
    assert result >= add_months(complete_on, delay)
    shuffled = data.draw(st.permutations(pauses))
    assert (
        implicit_decision_date(complete_on=complete_on, delay_months=delay, pauses=shuffled)
        == result
    )
    # Adding a request can only keep or move the date later.
    extra = implicit_decision_date(
        complete_on=complete_on,
        delay_months=delay,
        pauses=[*pauses, Pause(asked_on=complete_on, answered_on=add_days(complete_on, 3))],
    )
    assert extra >= result
