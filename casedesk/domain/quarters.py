"""Quarter arithmetic: calendar quarters ("2026Q3") and plan-year quarters ("PY2026Q1").

Calendar quarters are January-March, April-June, July-September and October-December.

Plan-year quarters are anchored on a service plan's effective date. Quarter ``k`` of the plan (k = 0 is
the first quarter of the first plan year; negative k lies before the plan started) begins on
``anchor + 3k months``, always computed from the anchor itself, never by chaining: a plan starting on
31 January has quarters starting 31 January, 30 April, 31 July, 31 October, 31 January again. When the
anchor day does not exist in a month (29-31) the quarter begins on that month's last day; it never
spills into the next month and never drifts. A quarter ends the day before the next one begins, so
quarters tile time without gaps or overlaps. The label's year is the calendar year in which that plan
year began: a plan effective 2026-02-15 has "PY2026Q1" .. "PY2026Q4" (the last ending 2027-02-14), then
"PY2027Q1".

All quarter values are immutable and hashable; ``end`` is inclusive.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from casedesk.domain.business_days import add_business_days
from casedesk.errors import ValidationError

QuarterKind = Literal["calendar", "plan_year"]

_ONE_DAY = dt.timedelta(days=1)
_CALENDAR_LABEL = re.compile(r"(\d{4})Q([1-4])")
_PLAN_YEAR_LABEL = re.compile(r"PY(\d{4})Q([1-4])")


class QuarterLabelError(ValidationError):
    """A quarter label that cannot be read, or that does not fit the quarter definition in use."""


@dataclass(frozen=True, slots=True)
class QuarterDefinition:
    """How an agency divides the year: calendar quarters, or quarters of a plan year starting on
    ``anchor`` (the service plan's effective date)."""

    kind: QuarterKind = "calendar"
    anchor: dt.date | None = None

    def __post_init__(self) -> None:
        if self.kind == "calendar":
            if self.anchor is not None:
                raise ValidationError("Calendar quarters take no anchor date.")
        elif self.kind == "plan_year":
            if self.anchor is None:
                raise ValidationError("Plan-year quarters need the plan's effective date as anchor.")
            if isinstance(self.anchor, dt.datetime) or not isinstance(self.anchor, dt.date):
                raise ValidationError(f"The plan-year anchor must be a date, not {self.anchor!r}.")
        else:
            raise ValidationError(f"Unknown quarter definition {self.kind!r}: use 'calendar' or 'plan_year'.")

    @classmethod
    def calendar(cls) -> QuarterDefinition:
        return CALENDAR_QUARTERS

    @classmethod
    def plan_year(cls, anchor: dt.date) -> QuarterDefinition:
        return cls("plan_year", anchor)


CALENDAR_QUARTERS = QuarterDefinition("calendar")


@dataclass(frozen=True, slots=True, order=True)
class Quarter:
    """One quarter: ``start`` to ``end`` inclusive, with its label and the definition it belongs to."""

    start: dt.date
    end: dt.date
    label: str
    definition: QuarterDefinition = CALENDAR_QUARTERS

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def __contains__(self, day: object) -> bool:
        return isinstance(day, dt.date) and self.start <= day <= self.end

    def next(self) -> Quarter:
        return quarter_containing(self.end + _ONE_DAY, self.definition)

    def previous(self) -> Quarter:
        return quarter_containing(self.start - _ONE_DAY, self.definition)


# ---------------------------------------------------------------------------------------------
# Month arithmetic
# ---------------------------------------------------------------------------------------------


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by whole months, clamped to the last day of a shorter month (31 Jan + 1 = 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month0 = divmod(index, 12)
    if not dt.MINYEAR <= year <= dt.MAXYEAR:
        raise ValidationError(f"{day.isoformat()} moved by {months} months leaves the supported calendar.")
    last = calendar.monthrange(year, month0 + 1)[1]
    return dt.date(year, month0 + 1, min(day.day, last))


def _months_between(earlier: dt.date, later: dt.date) -> int:
    """Whole calendar months from earlier's month to later's month (ignoring the day)."""
    return (later.year - earlier.year) * 12 + later.month - earlier.month


# ---------------------------------------------------------------------------------------------
# Calendar quarters
# ---------------------------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _calendar_quarter(year: int, number: int) -> Quarter:
    first_month = 3 * (number - 1) + 1
    start = dt.date(year, first_month, 1)
    last_month = first_month + 2
    end = dt.date(year, last_month, calendar.monthrange(year, last_month)[1])
    return Quarter(start, end, f"{year:04d}Q{number}", CALENDAR_QUARTERS)


# ---------------------------------------------------------------------------------------------
# Plan-year quarters
# ---------------------------------------------------------------------------------------------


def _plan_quarter_start(anchor: dt.date, index: int) -> dt.date:
    return add_months(anchor, 3 * index)


@lru_cache(maxsize=16384)
def _plan_quarter(definition: QuarterDefinition, index: int) -> Quarter:
    anchor = definition.anchor
    assert anchor is not None
    start = _plan_quarter_start(anchor, index)
    end = _plan_quarter_start(anchor, index + 1) - _ONE_DAY
    plan_year, number0 = divmod(index, 4)
    label = f"PY{anchor.year + plan_year:04d}Q{number0 + 1}"
    return Quarter(start, end, label, definition)


def _plan_quarter_index(definition: QuarterDefinition, day: dt.date) -> int:
    anchor = definition.anchor
    assert anchor is not None
    # Estimate from whole months, then correct by at most one step either way.
    index = _months_between(anchor, day) // 3
    while _plan_quarter_start(anchor, index) > day:
        index -= 1
    while _plan_quarter_start(anchor, index + 1) <= day:
        index += 1
    return index


# ---------------------------------------------------------------------------------------------
# Public functions
# ---------------------------------------------------------------------------------------------


def _check_date(day: object, what: str) -> dt.date:
    if isinstance(day, dt.datetime) or not isinstance(day, dt.date):
        raise ValidationError(f"{what} must be a calendar date, not {day!r}.")
    return day


def quarter_containing(day: dt.date, definition: QuarterDefinition = CALENDAR_QUARTERS) -> Quarter:
    """The one quarter of ``definition`` that contains ``day``."""
    _check_date(day, "The day")
    if definition.kind == "calendar":
        return _calendar_quarter(day.year, (day.month - 1) // 3 + 1)
    return _plan_quarter(definition, _plan_quarter_index(definition, day))


def quarters_between(first: dt.date, last: dt.date, definition: QuarterDefinition = CALENDAR_QUARTERS) -> list[Quarter]:
    """Every quarter that overlaps ``[first, last]``, in order (empty when last < first)."""
    _check_date(first, "The first day")
    _check_date(last, "The last day")
    if last < first:
        return []
    result: list[Quarter] = []
    if definition.kind == "calendar":
        year, number = first.year, (first.month - 1) // 3 + 1
        last_key = (last.year, (last.month - 1) // 3 + 1)
        while (year, number) <= last_key:
            result.append(_calendar_quarter(year, number))
            year, number = (year + 1, 1) if number == 4 else (year, number + 1)
        return result
    index = _plan_quarter_index(definition, first)
    while True:
        quarter = _plan_quarter(definition, index)
        if quarter.start > last:
            return result
        result.append(quarter)
        index += 1


def next_quarter(quarter: Quarter) -> Quarter:
    return quarter.next()


def previous_quarter(quarter: Quarter) -> Quarter:
    return quarter.previous()


def parse_quarter_label(label: str, definition: QuarterDefinition | None = None) -> Quarter:
    """The quarter a label names: "2026Q3" (calendar) or "PY2026Q1" (plan year; needs ``definition``).

    Raises QuarterLabelError for anything else, or when a plan-year label is read without the plan's
    definition, or a label does not match the definition given.
    """
    if not isinstance(label, str):
        raise QuarterLabelError(f"A quarter label must be text like '2026Q3', not {label!r}.")
    text = label.strip().upper()
    calendar_match = _CALENDAR_LABEL.fullmatch(text)
    if calendar_match:
        if definition is not None and definition.kind != "calendar":
            raise QuarterLabelError(
                f"'{label}' is a calendar quarter, but this agency uses plan-year quarters (like 'PY2026Q1')."
            )
        year, number = int(calendar_match.group(1)), int(calendar_match.group(2))
        if year < 1:
            raise QuarterLabelError(f"'{label}' names year 0, which does not exist.")
        return _calendar_quarter(year, number)
    plan_match = _PLAN_YEAR_LABEL.fullmatch(text)
    if plan_match:
        if definition is None or definition.kind != "plan_year":
            raise QuarterLabelError(
                f"'{label}' is a plan-year quarter; reading it needs the service plan's effective date."
            )
        anchor = definition.anchor
        assert anchor is not None
        year, number = int(plan_match.group(1)), int(plan_match.group(2))
        index = (year - anchor.year) * 4 + number - 1
        try:
            return _plan_quarter(definition, index)
        except (ValidationError, OverflowError, ValueError) as exc:
            raise QuarterLabelError(f"'{label}' lies outside the supported calendar.") from exc
    raise QuarterLabelError(
        f"'{label}' is not a quarter label: write the year and quarter number like '2026Q3' "
        "(calendar quarter) or 'PY2026Q1' (plan-year quarter), quarter 1 to 4."
    )


def report_due_date(
    quarter: Quarter,
    due_days: int = 15,
    *,
    business_days: bool = False,
    holidays: frozenset[dt.date] = frozenset(),
) -> dt.date:
    """When the quarterly report for ``quarter`` is due: ``due_days`` after its last day.

    With ``business_days`` the days counted are business days (weekends and ``holidays`` skipped).
    Any positive ``due_days`` puts the due date after the quarter's end; 0 makes the report due on the
    quarter's last day.
    """
    if isinstance(due_days, bool) or not isinstance(due_days, int) or due_days < 0:
        raise ValidationError(f"A quarterly report's due days must be a whole number of 0 or more, not {due_days!r}.")
    if business_days:
        return add_business_days(quarter.end, due_days, holidays)
    return quarter.end + dt.timedelta(days=due_days)
