"""Business-day arithmetic and US federal holidays."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casedesk.domain.business_days import (
    add_business_days,
    business_days_between,
    holiday_set,
    is_business_day,
    next_business_day_on_or_after,
    us_federal_holidays,
    us_federal_holidays_between,
)
from casedesk.errors import ValidationError

D = dt.date
days = st.dates(min_value=D(1990, 1, 1), max_value=D(2090, 12, 31))
holiday_sets = st.frozensets(days, max_size=30)


def slow_add(start: dt.date, count: int, holidays: frozenset[dt.date]) -> dt.date:
    """Day-by-day reference implementation."""
    step = 1 if count > 0 else -1
    current, remaining = start, abs(count)
    while remaining:
        current += dt.timedelta(days=step)
        if current.weekday() < 5 and current not in holidays:
            remaining -= 1
    return current


def test_friday_plus_one_business_day_is_monday() -> None:
    assert add_business_days(D(2026, 10, 2), 1) == D(2026, 10, 5)
    assert add_business_days(D(2026, 10, 5), -1) == D(2026, 10, 2)


def test_weekend_start_does_not_count_itself() -> None:
    saturday = D(2026, 10, 3)
    assert add_business_days(saturday, 1) == D(2026, 10, 5)
    assert add_business_days(saturday, 0) == saturday


def test_holidays_are_skipped() -> None:
    # Quarter ends Wed 30 Sep 2026; Columbus Day is Mon 12 Oct 2026.
    holidays = us_federal_holidays(2026)
    assert add_business_days(D(2026, 9, 30), 10) == D(2026, 10, 14)
    assert add_business_days(D(2026, 9, 30), 10, holidays) == D(2026, 10, 15)


def test_between_counts_half_open_span() -> None:
    assert business_days_between(D(2026, 10, 2), D(2026, 10, 5)) == 1  # Fri -> Mon
    assert business_days_between(D(2026, 10, 5), D(2026, 10, 2)) == -1  # Mon -> Fri
    assert business_days_between(D(2026, 10, 3), D(2026, 10, 2)) == -1  # Sat -> Fri: steps onto Friday
    assert business_days_between(D(2026, 10, 3), D(2026, 10, 4)) == 0  # Sat -> Sun
    assert business_days_between(D(2026, 10, 5), D(2026, 10, 5)) == 0


@given(days, st.integers(min_value=-400, max_value=400), holiday_sets)
def test_add_matches_day_by_day_reference(start: dt.date, count: int, holidays: frozenset[dt.date]) -> None:
    assert add_business_days(start, count, holidays) == (start if count == 0 else slow_add(start, count, holidays))


@given(days, st.integers(min_value=-400, max_value=400), holiday_sets)
def test_between_inverts_add(start: dt.date, count: int, holidays: frozenset[dt.date]) -> None:
    end = add_business_days(start, count, holidays)
    assert business_days_between(start, end, holidays) == count
    if count:
        assert is_business_day(end, holidays)
        assert (end > start) == (count > 0)


@given(days, st.integers(min_value=-400, max_value=400), holiday_sets)
def test_between_counts_the_business_days_stepped_onto(
    start: dt.date, offset: int, holidays: frozenset[dt.date]
) -> None:
    end = start + dt.timedelta(days=offset)
    if offset >= 0:  # days in (start, end]
        stepped = [start + dt.timedelta(days=n) for n in range(1, offset + 1)]
        sign = 1
    else:  # days in [end, start)
        stepped = [end + dt.timedelta(days=n) for n in range(-offset)]
        sign = -1
    assert business_days_between(start, end, holidays) == sign * sum(is_business_day(d, holidays) for d in stepped)


@given(days, holiday_sets)
def test_next_business_day_on_or_after(day: dt.date, holidays: frozenset[dt.date]) -> None:
    result = next_business_day_on_or_after(day, holidays)
    assert result >= day and is_business_day(result, holidays)
    assert all(not is_business_day(day + dt.timedelta(days=n), holidays) for n in range((result - day).days))


def test_us_federal_holidays_2026() -> None:
    assert us_federal_holidays(2026) == {
        D(2026, 1, 1),
        D(2026, 1, 19),  # MLK Day
        D(2026, 2, 16),  # Washington's Birthday
        D(2026, 5, 25),  # Memorial Day
        D(2026, 6, 19),  # Juneteenth (Friday)
        D(2026, 7, 3),  # Independence Day falls on Saturday: observed Friday
        D(2026, 9, 7),  # Labor Day
        D(2026, 10, 12),  # Columbus Day
        D(2026, 11, 11),
        D(2026, 11, 26),  # Thanksgiving
        D(2026, 12, 25),
    }


def test_observed_rules_at_year_edges() -> None:
    # 1 Jan 2022 was a Saturday: observed Friday 31 Dec 2021.
    assert D(2021, 12, 31) in us_federal_holidays(2022)
    assert D(2022, 1, 1) not in us_federal_holidays(2022)
    assert D(2022, 1, 1) in us_federal_holidays(2022, observed=False)
    # Christmas 2022 was a Sunday: observed Monday 26 Dec.
    assert D(2022, 12, 26) in us_federal_holidays(2022)
    # Juneteenth only from 2021.
    assert not any(day.month == 6 for day in us_federal_holidays(2020))
    assert D(2021, 12, 31) in us_federal_holidays_between(D(2021, 12, 1), D(2021, 12, 31))


@given(st.integers(min_value=1971, max_value=2200))
def test_federal_holidays_are_weekdays_of_the_right_number(year: int) -> None:
    holidays = us_federal_holidays(year)
    expected = 11 if year >= 2021 else 10 if year >= 1986 else 9
    assert len(holidays) == expected
    assert all(day.weekday() < 5 for day in holidays)
    thanksgiving = [day for day in holidays if day.month == 11 and day.weekday() == 3 and day.day >= 22]
    assert len(thanksgiving) == 1 and thanksgiving[0].day <= 28


def test_bad_inputs_get_clear_errors() -> None:
    with pytest.raises(ValidationError, match="1900"):
        us_federal_holidays(1900)
    with pytest.raises(ValidationError, match="calendar date"):
        holiday_set([dt.datetime(2026, 1, 1)])
    assert holiday_set([D(2026, 1, 2)]) == frozenset({D(2026, 1, 2)})
