"""Quarter arithmetic: calendar and plan-year quarters, labels, report due dates."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casedesk.domain.business_days import is_business_day, us_federal_holidays
from casedesk.domain.quarters import (
    CALENDAR_QUARTERS,
    QuarterDefinition,
    QuarterLabelError,
    add_months,
    next_quarter,
    parse_quarter_label,
    previous_quarter,
    quarter_containing,
    quarters_between,
    report_due_date,
)
from casedesk.errors import ValidationError

D = dt.date
days = st.dates(min_value=D(1900, 1, 1), max_value=D(2200, 12, 31))
anchors = st.dates(min_value=D(1950, 1, 1), max_value=D(2150, 12, 31))
definitions = st.one_of(st.just(CALENDAR_QUARTERS), anchors.map(QuarterDefinition.plan_year))


# ---------------------------------------------------------------------------------------------
# Examples a case manager would check by hand
# ---------------------------------------------------------------------------------------------


def test_calendar_quarters() -> None:
    q = quarter_containing(D(2026, 8, 14))
    assert (q.start, q.end, q.label) == (D(2026, 7, 1), D(2026, 9, 30), "2026Q3")
    assert quarter_containing(D(2026, 12, 31)).label == "2026Q4"
    assert quarter_containing(D(2027, 1, 1)).label == "2027Q1"
    assert next_quarter(q).label == "2026Q4"
    assert previous_quarter(quarter_containing(D(2026, 2, 1))).label == "2025Q4"


def test_leap_year_first_quarter_has_91_days() -> None:
    assert quarter_containing(D(2024, 2, 29)).days == 91
    assert quarter_containing(D(2026, 2, 28)).days == 90


def test_plan_year_quarters_start_mid_month() -> None:
    plan = QuarterDefinition.plan_year(D(2026, 2, 15))
    quarters = quarters_between(D(2026, 2, 15), D(2027, 2, 15), plan)
    assert [(q.label, q.start, q.end) for q in quarters] == [
        ("PY2026Q1", D(2026, 2, 15), D(2026, 5, 14)),
        ("PY2026Q2", D(2026, 5, 15), D(2026, 8, 14)),
        ("PY2026Q3", D(2026, 8, 15), D(2026, 11, 14)),
        ("PY2026Q4", D(2026, 11, 15), D(2027, 2, 14)),
        ("PY2027Q1", D(2027, 2, 15), D(2027, 5, 14)),
    ]
    assert quarter_containing(D(2026, 2, 14), plan).label == "PY2025Q4"


def test_plan_starting_on_the_31st_never_drifts() -> None:
    plan = QuarterDefinition.plan_year(D(2026, 1, 31))
    starts = [q.start for q in quarters_between(D(2026, 1, 31), D(2028, 1, 31), plan)]
    assert starts == [
        D(2026, 1, 31),
        D(2026, 4, 30),
        D(2026, 7, 31),
        D(2026, 10, 31),
        D(2027, 1, 31),
        D(2027, 4, 30),
        D(2027, 7, 31),
        D(2027, 10, 31),
        D(2028, 1, 31),
    ]


def test_plan_starting_on_leap_day() -> None:
    plan = QuarterDefinition.plan_year(D(2024, 2, 29))
    assert quarter_containing(D(2025, 2, 27), plan).label == "PY2024Q4"
    first_2025 = quarter_containing(D(2025, 2, 28), plan)
    assert (first_2025.label, first_2025.start) == ("PY2025Q1", D(2025, 2, 28))
    assert quarter_containing(D(2028, 2, 29), plan).start == D(2028, 2, 29)
    assert quarter_containing(D(2028, 2, 28), plan).label == "PY2027Q4"


def test_parse_labels() -> None:
    assert parse_quarter_label("2026Q3") == quarter_containing(D(2026, 9, 30))
    assert parse_quarter_label(" 2026q3 ").label == "2026Q3"
    plan = QuarterDefinition.plan_year(D(2026, 2, 15))
    assert parse_quarter_label("PY2026Q2", plan).start == D(2026, 5, 15)


@pytest.mark.parametrize(
    ("label", "message"),
    [
        ("2026Q5", "not a quarter label"),
        ("2026-Q3", "not a quarter label"),
        ("Q3 2026", "not a quarter label"),
        ("", "not a quarter label"),
        ("0000Q1", "year 0"),
        ("PY2026Q1", "effective date"),
    ],
)
def test_bad_labels_are_named(label: str, message: str) -> None:
    with pytest.raises(QuarterLabelError, match=message) as err:
        parse_quarter_label(label)
    assert isinstance(err.value, ValidationError)


def test_label_of_the_wrong_kind_is_refused() -> None:
    with pytest.raises(QuarterLabelError, match="plan-year quarters"):
        parse_quarter_label("2026Q1", QuarterDefinition.plan_year(D(2026, 2, 15)))
    with pytest.raises(QuarterLabelError):
        parse_quarter_label(2026)


def test_definition_errors() -> None:
    with pytest.raises(ValidationError, match="effective date"):
        QuarterDefinition("plan_year")
    with pytest.raises(ValidationError, match="Unknown quarter definition"):
        QuarterDefinition("fiscal")
    with pytest.raises(ValidationError, match="calendar date"):
        quarter_containing(dt.datetime(2026, 1, 1))


def test_report_due_dates() -> None:
    q3 = parse_quarter_label("2026Q3")
    assert report_due_date(q3) == D(2026, 10, 15)
    assert report_due_date(q3, 30) == D(2026, 10, 30)
    # Ten business days after Wed 30 Sep 2026, Columbus Day (12 Oct) skipped.
    assert report_due_date(q3, 10, business_days=True, holidays=us_federal_holidays(2026)) == D(2026, 10, 15)
    assert report_due_date(q3, 0) == q3.end
    with pytest.raises(ValidationError):
        report_due_date(q3, -1)


def test_add_months_clamps() -> None:
    assert add_months(D(2026, 1, 31), 1) == D(2026, 2, 28)
    assert add_months(D(2024, 1, 31), 1) == D(2024, 2, 29)
    assert add_months(D(2026, 3, 31), -1) == D(2026, 2, 28)
    assert add_months(D(2026, 11, 15), 3) == D(2027, 2, 15)


# ---------------------------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------------------------


@given(days, definitions)
def test_every_day_is_in_exactly_the_quarter_found(day: dt.date, definition: QuarterDefinition) -> None:
    quarter = quarter_containing(day, definition)
    assert quarter.start <= day <= quarter.end
    assert day in quarter
    # No neighbour claims the day too.
    assert day not in quarter.next() and day not in quarter.previous()


@given(days, definitions)
def test_quarters_tile_time(day: dt.date, definition: QuarterDefinition) -> None:
    quarter = quarter_containing(day, definition)
    following = quarter.next()
    assert following.start == quarter.end + dt.timedelta(days=1)
    assert following.previous() == quarter
    assert quarter_containing(quarter.start, definition) == quarter
    assert quarter_containing(quarter.end, definition) == quarter


@given(days, st.integers(min_value=0, max_value=800), definitions)
def test_quarters_between_has_no_gaps_or_overlaps(first: dt.date, length: int, definition: QuarterDefinition) -> None:
    last = first + dt.timedelta(days=length)
    quarters = quarters_between(first, last, definition)
    assert quarters[0].start <= first <= quarters[0].end
    assert quarters[-1].start <= last <= quarters[-1].end
    for earlier, later in itertools.pairwise(quarters):
        assert later.start == earlier.end + dt.timedelta(days=1)


@given(days)
def test_calendar_quarters_have_90_to_92_days(day: dt.date) -> None:
    assert 90 <= quarter_containing(day).days <= 92


@given(days, anchors)
def test_plan_year_quarters_have_89_to_93_days_and_four_make_a_year(day: dt.date, anchor: dt.date) -> None:
    definition = QuarterDefinition.plan_year(anchor)
    quarter = quarter_containing(day, definition)
    assert 89 <= quarter.days <= 93
    year_later = quarter
    for _ in range(4):
        year_later = year_later.next()
    assert (year_later.start.year, year_later.start.month) == (quarter.start.year + 1, quarter.start.month)
    # Every start is the anchor moved by whole months (clamped), never a drifted chain of clamps.
    for start in (quarter.start, year_later.start):
        months = (start.year - anchor.year) * 12 + start.month - anchor.month
        assert months % 3 == 0 and start == add_months(anchor, months)
    assert int(year_later.label[2:6]) == int(quarter.label[2:6]) + 1
    assert year_later.label[-2:] == quarter.label[-2:]


@given(days, definitions)
def test_labels_round_trip(day: dt.date, definition: QuarterDefinition) -> None:
    quarter = quarter_containing(day, definition)
    parsed = parse_quarter_label(quarter.label, definition if definition.kind == "plan_year" else None)
    assert parsed == quarter


@given(days, definitions, st.integers(min_value=1, max_value=120), st.booleans())
def test_report_is_always_due_after_the_quarter_ends(
    day: dt.date, definition: QuarterDefinition, due_days: int, business: bool
) -> None:
    quarter = quarter_containing(day, definition)
    holidays = us_federal_holidays(quarter.end.year) if quarter.end.year >= 1971 else frozenset()
    due = report_due_date(quarter, due_days, business_days=business, holidays=holidays)
    assert due > quarter.end
    if business:
        assert is_business_day(due, holidays)
    else:
        assert (due - quarter.end).days == due_days
