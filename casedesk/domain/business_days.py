"""Business-day arithmetic (Monday to Friday, minus a holiday set) and US federal holidays.

A *business day* is a weekday that is not in the given holiday set. Counting conventions:

* ``add_business_days(d, n)`` returns the n-th business day after ``d`` (before it when n < 0);
  ``d`` itself never counts, so "due 10 business days after the quarter ends" is
  ``add_business_days(quarter_end, 10)``. ``n == 0`` returns ``d`` unchanged.
* ``business_days_between(a, b)`` counts the business days stepped onto going from ``a`` to ``b``: those
  in ``(a, b]`` when b >= a, and minus those in ``[b, a)`` when b < a. So
  ``business_days_between(d, add_business_days(d, n)) == n`` for every n.

Both run in time proportional to the number of weeks spanned divided by seven plus the holidays
involved, not day by day, so a large n stays cheap.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from functools import lru_cache

from casedesk.errors import ValidationError

_ONE_DAY = dt.timedelta(days=1)
_NO_HOLIDAYS: frozenset[dt.date] = frozenset()


def is_business_day(day: dt.date, holidays: frozenset[dt.date] = _NO_HOLIDAYS) -> bool:
    """True for Monday to Friday when the day is not a holiday."""
    return day.weekday() < 5 and day not in holidays


@lru_cache(maxsize=64)
def _weekday_holidays_sorted(holidays: frozenset[dt.date]) -> tuple[dt.date, ...]:
    """Holidays that fall on weekdays, sorted (weekend holidays never change a business-day count)."""
    return tuple(sorted(day for day in holidays if day.weekday() < 5))


def _weekdays_through(day: dt.date) -> int:
    """Number of weekdays from a fixed epoch (ordinal 1, a Monday) through ``day`` inclusive."""
    days = day.toordinal()  # ordinal 1 = 0001-01-01, a Monday
    full_weeks, rest = divmod(days, 7)
    return full_weeks * 5 + min(rest, 5)


def business_days_between(start: dt.date, end: dt.date, holidays: frozenset[dt.date] = _NO_HOLIDAYS) -> int:
    """Business days in ``(start, end]``; when end < start, minus the business days in ``[end, start)``."""
    if end < start:
        return -business_days_between(end - _ONE_DAY, start - _ONE_DAY, holidays)
    weekdays = _weekdays_through(end) - _weekdays_through(start)
    sorted_holidays = _weekday_holidays_sorted(holidays)
    if sorted_holidays:
        weekdays -= bisect_right(sorted_holidays, end) - bisect_right(sorted_holidays, start)
    return weekdays


def add_business_days(start: dt.date, count: int, holidays: frozenset[dt.date] = _NO_HOLIDAYS) -> dt.date:
    """The ``count``-th business day after ``start`` (before it for a negative count).

    ``start`` itself is never counted, whether or not it is a business day.
    """
    if count == 0:
        return start
    step = 1 if count > 0 else -1
    remaining = abs(count)
    current = start
    sorted_holidays = _weekday_holidays_sorted(holidays)
    # Jump whole weeks while far from the target: seven calendar days hold exactly five weekdays.
    while remaining > 10:
        weeks = (remaining - 5) // 5
        target = current + dt.timedelta(days=7 * weeks * step)
        if step > 0:
            lost = bisect_right(sorted_holidays, target) - bisect_right(sorted_holidays, current)
        else:
            lost = bisect_left(sorted_holidays, current) - bisect_left(sorted_holidays, target)
        remaining -= 5 * weeks - lost
        current = target
    one_day = _ONE_DAY if step > 0 else -_ONE_DAY
    while remaining:
        current += one_day
        if current.weekday() < 5 and current not in holidays:
            remaining -= 1
    return current


def next_business_day_on_or_after(day: dt.date, holidays: frozenset[dt.date] = _NO_HOLIDAYS) -> dt.date:
    """``day`` itself when it is a business day, otherwise the first business day after it."""
    while not is_business_day(day, holidays):
        day += _ONE_DAY
    return day


# ---------------------------------------------------------------------------------------------
# US federal holidays (5 U.S.C. 6103)
# ---------------------------------------------------------------------------------------------

_FIRST_YEAR = 1971  # the Monday-holiday rules (Uniform Monday Holiday Act) apply from 1971


def _nth_weekday(year: int, month: int, weekday: int, nth: int) -> dt.date:
    """The nth (1-based; -1 = last) given weekday (Monday = 0) of a month."""
    if nth > 0:
        first = dt.date(year, month, 1)
        offset = (weekday - first.weekday()) % 7
        return first + dt.timedelta(days=offset + 7 * (nth - 1))
    next_month = dt.date(year + month // 12, month % 12 + 1, 1)
    last = next_month - _ONE_DAY
    return last - dt.timedelta(days=(last.weekday() - weekday) % 7)


def _observed(day: dt.date) -> dt.date:
    """Federal observance: a Saturday holiday is observed on Friday, a Sunday one on Monday."""
    if day.weekday() == 5:
        return day - _ONE_DAY
    if day.weekday() == 6:
        return day + _ONE_DAY
    return day


@lru_cache(maxsize=256)
def us_federal_holidays(year: int, observed: bool = True) -> frozenset[dt.date]:
    """The US federal holidays of ``year``: eleven since 2021 (Juneteenth), ten from 1986 (Martin Luther
    King Jr. Day), nine before; from 1971 to 1977 Veterans Day was the fourth Monday of October.

    With ``observed`` (the default) fixed-date holidays falling on a weekend are moved to the day they
    are observed; New Year's Day on a Saturday is then observed on 31 December of the previous year,
    and that date is included here (it is the day offices close for this year's holiday).
    """
    if not _FIRST_YEAR <= year <= 9998:
        raise ValidationError(f"US federal holidays are computed for years {_FIRST_YEAR} to 9998, not {year}.")
    fixed = [dt.date(year, 1, 1), dt.date(year, 7, 4), dt.date(year, 12, 25)]
    floating = [
        _nth_weekday(year, 2, 0, 3),  # Washington's Birthday: third Monday of February
        _nth_weekday(year, 5, 0, -1),  # Memorial Day: last Monday of May
        _nth_weekday(year, 9, 0, 1),  # Labor Day: first Monday of September
        _nth_weekday(year, 10, 0, 2),  # Columbus Day: second Monday of October
        _nth_weekday(year, 11, 3, 4),  # Thanksgiving Day: fourth Thursday of November
    ]
    if year >= 1986:
        floating.append(_nth_weekday(year, 1, 0, 3))  # Martin Luther King, Jr.: third Monday of January
    if year >= 2021:
        fixed.append(dt.date(year, 6, 19))  # Juneteenth
    if year >= 1978:
        fixed.append(dt.date(year, 11, 11))  # Veterans Day
    else:
        floating.append(_nth_weekday(year, 10, 0, 4))  # Veterans Day 1971-1977: fourth Monday of October
    if observed:
        fixed = [_observed(day) for day in fixed]
    return frozenset(fixed + floating)


def us_federal_holidays_between(first: dt.date, last: dt.date, observed: bool = True) -> frozenset[dt.date]:
    """Observed (by default) US federal holidays falling in ``[first, last]``."""
    if last < first:
        return frozenset()
    days: set[dt.date] = set()
    # The following year's New Year's Day may be observed on 31 December of ``last.year``.
    for year in range(max(first.year, _FIRST_YEAR), min(last.year + 1, 9998) + 1):
        days.update(day for day in us_federal_holidays(year, observed) if first <= day <= last)
    return frozenset(days)


def holiday_set(days: Iterable[dt.date]) -> frozenset[dt.date]:
    """A holiday set from any iterable of dates (agency closures, state holidays, ...)."""
    result = frozenset(days)
    for day in result:
        if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
            raise ValidationError(f"A holiday must be a calendar date, not {day!r}.")
    return result
