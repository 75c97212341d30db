"""Recurring appointments: rules, expansion across DST, exceptions, overrides, splitting a series."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from casedesk.errors import ValidationError
from casedesk.scheduling.recurrence import (
    Override,
    Series,
    exclude_occurrence,
    expand,
    format_exdates,
    is_occurrence,
    make_override,
    parse_exdates,
    split_series,
)
from casedesk.scheduling.rrule import (
    RecurrenceError,
    daily_rule,
    describe_rrule,
    monthly_day_rule,
    monthly_nth_weekday_rule,
    normalize_rrule,
    parse_rrule,
    weekly_rule,
)

UTC = dt.UTC
CHICAGO = ZoneInfo("America/Chicago")
NEW_YORK = ZoneInfo("America/New_York")


def at(zone: ZoneInfo, *parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=zone)


def series(
    rule: str | None, start: dt.datetime, minutes: int = 60, zone: str = "America/Chicago", **kw: object
) -> Series:
    return Series("s1", start, start + dt.timedelta(minutes=minutes), zone, rule, **kw)


def local_starts(occurrences: list, zone: ZoneInfo = CHICAGO) -> list[str]:
    return [o.start.astimezone(zone).strftime("%a %Y-%m-%d %H:%M") for o in occurrences]


YEAR_2026 = (dt.datetime(2026, 1, 1, tzinfo=UTC), dt.datetime(2027, 1, 1, tzinfo=UTC))


# ---------------------------------------------------------------------------------------------
# Building, parsing, describing
# ---------------------------------------------------------------------------------------------


def test_builders_and_descriptions() -> None:
    assert weekly_rule(["TH", "Monday"]) == "FREQ=WEEKLY;BYDAY=MO,TH"
    assert describe_rrule(weekly_rule(["MO", "TH"])) == "Every week on Monday and Thursday"
    assert weekly_rule([0], interval=2) == "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO"
    assert describe_rrule(weekly_rule([0], interval=2)) == "Every 2 weeks on Monday"
    assert monthly_nth_weekday_rule(2, "TU") == "FREQ=MONTHLY;BYDAY=2TU"
    assert describe_rrule("FREQ=MONTHLY;BYDAY=2TU") == "Every month on the second Tuesday"
    assert describe_rrule(monthly_nth_weekday_rule(-1, "FR", count=6)) == "Every month on the last Friday, 6 times"
    assert describe_rrule(weekly_rule(["MO", "TU", "WE", "TH", "FR"])) == "Every weekday (Monday to Friday)"
    assert describe_rrule(monthly_day_rule(15, interval=3)) == "Every 3 months on day 15"
    assert describe_rrule(daily_rule(count=1)) == "Every day, once"
    until = dt.datetime(2027, 3, 12, 4, 59, 59, tzinfo=UTC)  # still 11 March in Chicago
    assert describe_rrule(weekly_rule(["WE"], until=until), CHICAGO) == "Every week on Wednesday, until 11 March 2027"
    assert describe_rrule("FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=1") == "Every year on 1 March"
    assert describe_rrule("FREQ=MONTHLY;BYDAY=MO;BYSETPOS=-1").startswith("Custom repeat")


def test_parse_normalises_and_round_trips() -> None:
    assert normalize_rrule("RRULE:freq=weekly;byday=mo,th;interval=1") == "FREQ=WEEKLY;BYDAY=MO,TH"
    text = "FREQ=MONTHLY;INTERVAL=2;UNTIL=20271231T235959Z;BYDAY=-1FR;WKST=SU"
    assert parse_rrule(text).to_string() == text
    # A floating UNTIL is read in the series' zone.
    rule = parse_rrule("FREQ=DAILY;UNTIL=20260310T100000", CHICAGO)
    assert rule.until == at(CHICAGO, 2026, 3, 10, 10).astimezone(UTC)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("BYDAY=MO", "FREQ"),
        ("FREQ=INVALID_TYPE_CAUSES_ERROR", "not a repeat frequency"),
        ("FREQ=HOURLY", "at most daily"),
        ("FREQ=DAILY;BYHOUR=10", "several times a day"),
        ("FREQ=DAILY;COUNT=3;UNTIL=20260101T000000Z", "not both"),
        ("FREQ=WEEKLY;BYDAY=XX", "not a weekday"),
        ("FREQ=WEEKLY;BYDAY=2MO", "monthly or yearly"),
        ("FREQ=MONTHLY;BYDAY=6MO", "never occurs"),
        ("FREQ=MONTHLY;BYMONTHDAY=32", "day of the month"),
        ("FREQ=DAILY;INTERVAL=0", "interval"),
        ("FREQ=DAILY;COUNT=many", "whole number"),
        ("FREQ=DAILY;UNTIL=20260101T000000", "no time zone"),
        ("FREQ=DAILY;FOO=1", "'FOO'"),
        ("FREQ=DAILY;FREQ=WEEKLY", "twice"),
    ],
)
def test_bad_rules_are_named(text: str, message: str) -> None:
    with pytest.raises(RecurrenceError, match=message) as err:
        parse_rrule(text)
    assert isinstance(err.value, ValidationError)


def test_series_refuses_bad_input() -> None:
    with pytest.raises(RecurrenceError, match="time zone"):
        Series("s", dt.datetime(2026, 1, 1, 10), dt.datetime(2026, 1, 1, 11), "UTC")
    with pytest.raises(ValidationError, match="Unknown time zone"):
        series(None, at(CHICAGO, 2026, 1, 1, 10), zone="Chicago")
    with pytest.raises(RecurrenceError, match="end before"):
        Series("s", at(CHICAGO, 2026, 1, 1, 10), at(CHICAGO, 2026, 1, 1, 9), "America/Chicago")
    with pytest.raises(RecurrenceError):
        series("FREQ=SOMETIMES", at(CHICAGO, 2026, 1, 1, 10))


# ---------------------------------------------------------------------------------------------
# Expansion
# ---------------------------------------------------------------------------------------------


def test_weekly_visits_keep_their_wall_clock_time_across_dst() -> None:
    s = series(weekly_rule(["MO", "TH"]), at(CHICAGO, 2026, 3, 2, 10))
    occurrences = expand(s, at(CHICAGO, 2026, 3, 1), at(CHICAGO, 2026, 3, 17))
    assert local_starts(occurrences) == [
        "Mon 2026-03-02 10:00",
        "Thu 2026-03-05 10:00",
        "Mon 2026-03-09 10:00",  # DST began on Sunday 8 March
        "Thu 2026-03-12 10:00",
        "Mon 2026-03-16 10:00",
    ]
    assert occurrences[1].start.hour == 16 and occurrences[2].start.hour == 15  # UTC moved by an hour
    assert all(o.end - o.start == dt.timedelta(hours=1) for o in occurrences)
    assert all(o.original_start == o.start and o.override_id is None for o in occurrences)


def test_every_two_weeks_and_count() -> None:
    s = series(weekly_rule(["MO"], interval=2, count=3), at(CHICAGO, 2026, 10, 19, 9))
    assert local_starts(expand(s, *YEAR_2026)) == [
        "Mon 2026-10-19 09:00",
        "Mon 2026-11-02 09:00",  # the week after DST ended
        "Mon 2026-11-16 09:00",
    ]


def test_monthly_on_the_second_tuesday_until_a_date() -> None:
    until = at(CHICAGO, 2026, 12, 31, 23, 59)
    s = series(monthly_nth_weekday_rule(2, "TU", until=until), at(CHICAGO, 2026, 9, 8, 14))
    assert local_starts(expand(s, *YEAR_2026)) == [
        "Tue 2026-09-08 14:00",
        "Tue 2026-10-13 14:00",
        "Tue 2026-11-10 14:00",
        "Tue 2026-12-08 14:00",
    ]


def test_exdates_remove_occurrences() -> None:
    s = series(weekly_rule(["MO"]), at(CHICAGO, 2026, 11, 2, 9), exdates=(at(CHICAGO, 2026, 11, 9, 9),))
    assert local_starts(expand(s, at(CHICAGO, 2026, 11, 1), at(CHICAGO, 2026, 11, 20))) == [
        "Mon 2026-11-02 09:00",
        "Mon 2026-11-16 09:00",
    ]


def test_override_replaces_its_occurrence_wherever_it_moved() -> None:
    s = series(weekly_rule(["MO"]), at(CHICAGO, 2026, 11, 2, 9))
    moved = make_override(s, at(CHICAGO, 2026, 11, 9, 9), new_id="o1", start=at(CHICAGO, 2026, 11, 10, 15))
    assert moved.end - moved.start == dt.timedelta(hours=1)
    window = (at(CHICAGO, 2026, 11, 1), at(CHICAGO, 2026, 11, 17))
    occurrences = expand(s, *window, overrides=[moved])
    assert local_starts(occurrences) == ["Mon 2026-11-02 09:00", "Tue 2026-11-10 15:00", "Mon 2026-11-16 09:00"]
    assert occurrences[1].override_id == "o1"
    assert occurrences[1].original_start == at(CHICAGO, 2026, 11, 9, 9)
    # Moved out of the window: the original slot stays empty; moved in: it shows up.
    far = make_override(s, at(CHICAGO, 2026, 11, 9, 9), new_id="o2", start=at(CHICAGO, 2026, 12, 1, 9))
    assert "Mon 2026-11-09 09:00" not in local_starts(expand(s, *window, overrides=[far]))
    back = make_override(s, at(CHICAGO, 2026, 12, 7, 9), new_id="o3", start=at(CHICAGO, 2026, 11, 12, 9))
    assert "Thu 2026-11-12 09:00" in local_starts(expand(s, *window, overrides=[back]))
    # Overrides of another series are ignored.
    other = Override(
        "o4", "other", at(CHICAGO, 2026, 11, 9, 9), at(CHICAGO, 2026, 11, 11, 9), at(CHICAGO, 2026, 11, 11, 10)
    )
    assert len(expand(s, *window, overrides=[other])) == 3


def test_occurrence_running_into_the_window_is_included() -> None:
    s = series(daily_rule(), at(CHICAGO, 2026, 11, 2, 23), minutes=120)
    occurrences = expand(s, at(CHICAGO, 2026, 11, 3, 0, 30), at(CHICAGO, 2026, 11, 3, 23))
    assert local_starts(occurrences) == ["Mon 2026-11-02 23:00"]
    assert expand(s, at(CHICAGO, 2026, 11, 3, 1), at(CHICAGO, 2026, 11, 3, 23)) == []  # it ended at 01:00


def test_single_appointment() -> None:
    s = series(None, at(CHICAGO, 2026, 11, 2, 9))
    assert len(expand(s, *YEAR_2026)) == 1
    assert expand(s, at(CHICAGO, 2026, 11, 3), at(CHICAGO, 2026, 11, 4)) == []


def test_spring_forward_gap_and_fall_back_repeat() -> None:
    # 02:30 does not exist on 8 March 2026 in New York: that visit happens at 03:30 EDT.
    daily = series(daily_rule(count=3), at(NEW_YORK, 2026, 3, 7, 2, 30), zone="America/New_York")
    assert local_starts(expand(daily, *YEAR_2026), NEW_YORK) == [
        "Sat 2026-03-07 02:30",
        "Sun 2026-03-08 03:30",
        "Mon 2026-03-09 02:30",
    ]
    # 01:30 happens twice on 1 November 2026: the first one (EDT) is meant.
    autumn = series(daily_rule(count=3), at(NEW_YORK, 2026, 10, 31, 1, 30), zone="America/New_York")
    starts = [o.start for o in expand(autumn, *YEAR_2026)]
    assert starts[1] == dt.datetime(2026, 11, 1, 5, 30, tzinfo=UTC)
    assert [s.astimezone(NEW_YORK).hour for s in starts] == [1, 1, 1]


def test_start_not_matching_the_rule_is_still_the_first_visit() -> None:
    s = series(weekly_rule(["MO", "TH"], count=2), at(CHICAGO, 2026, 11, 3, 9))  # a Tuesday
    assert local_starts(expand(s, *YEAR_2026)) == [
        "Tue 2026-11-03 09:00",
        "Thu 2026-11-05 09:00",
        "Mon 2026-11-09 09:00",
    ]


def test_runaway_expansion_is_refused() -> None:
    s = series(daily_rule(), at(CHICAGO, 2000, 1, 1, 9))
    with pytest.raises(RecurrenceError, match="shorter period"):
        expand(s, at(CHICAGO, 2000, 1, 1), at(CHICAGO, 2040, 1, 1))


# ---------------------------------------------------------------------------------------------
# Editing
# ---------------------------------------------------------------------------------------------


def test_edit_or_delete_only_real_occurrences() -> None:
    s = series(weekly_rule(["MO"]), at(CHICAGO, 2026, 11, 2, 9))
    with pytest.raises(RecurrenceError, match="not one of this appointment's repeats"):
        make_override(s, at(CHICAGO, 2026, 11, 3, 9), new_id="o")
    removed = exclude_occurrence(s, at(CHICAGO, 2026, 11, 9, 9))
    assert removed.exdates == (at(CHICAGO, 2026, 11, 9, 9).astimezone(UTC),)
    with pytest.raises(RecurrenceError, match="removed"):
        make_override(removed, at(CHICAGO, 2026, 11, 9, 9), new_id="o")


def test_edit_all_future_splits_the_series() -> None:
    s = series(
        weekly_rule(["MO"]),
        at(CHICAGO, 2026, 11, 2, 9),
        exdates=(at(CHICAGO, 2026, 11, 9, 9), at(CHICAGO, 2026, 11, 30, 9)),
    )
    early = make_override(s, at(CHICAGO, 2026, 11, 2, 9), new_id="o1", start=at(CHICAGO, 2026, 11, 2, 11))
    late = make_override(s, at(CHICAGO, 2026, 11, 23, 9), new_id="o2", start=at(CHICAGO, 2026, 11, 24, 9))
    result = split_series(
        s, at(CHICAGO, 2026, 11, 16, 9), new_id="s2", start=at(CHICAGO, 2026, 11, 16, 14), overrides=[early, late]
    )
    assert result.before is not None
    assert result.before.rrule == "FREQ=WEEKLY;UNTIL=20261116T145959Z;BYDAY=MO"
    assert result.before.exdates == (at(CHICAGO, 2026, 11, 9, 9).astimezone(UTC),)
    window = (at(CHICAGO, 2026, 11, 1), at(CHICAGO, 2026, 12, 8))
    assert local_starts(expand(result.before, *window)) == ["Mon 2026-11-02 09:00"]
    assert local_starts(expand(result.after, *window)) == [
        "Mon 2026-11-16 14:00",
        "Mon 2026-11-23 14:00",
        "Mon 2026-11-30 14:00",  # the old EXDATE was at 09:00, which no longer exists
        "Mon 2026-12-07 14:00",
    ]
    assert result.kept == (early,)
    assert result.dropped == (late,)  # its 09:00 occurrence is gone
    assert result.moved == ()


def test_edit_all_future_with_count_and_unchanged_time() -> None:
    s = series(weekly_rule(["MO"], count=6), at(CHICAGO, 2026, 11, 2, 9), exdates=(at(CHICAGO, 2026, 11, 30, 9),))
    override = make_override(s, at(CHICAGO, 2026, 11, 23, 9), new_id="o", start=at(CHICAGO, 2026, 11, 24, 9))
    result = split_series(s, at(CHICAGO, 2026, 11, 16, 9), new_id="s2", overrides=[override])
    assert result.before is not None and result.before.rrule == "FREQ=WEEKLY;COUNT=2;BYDAY=MO"
    assert result.after.rrule == "FREQ=WEEKLY;COUNT=4;BYDAY=MO"
    assert result.after.exdates == (at(CHICAGO, 2026, 11, 30, 9).astimezone(UTC),)
    assert [o.series_id for o in result.moved] == ["s2"]
    combined = expand(result.before, *YEAR_2026) + expand(result.after, *YEAR_2026, overrides=result.moved)
    original = expand(s, *YEAR_2026, overrides=[override])
    assert [o.start for o in combined] == [o.start for o in original]


def test_splitting_at_the_first_occurrence_replaces_the_series() -> None:
    s = series(weekly_rule(["MO"]), at(CHICAGO, 2026, 11, 2, 9))
    result = split_series(s, at(CHICAGO, 2026, 11, 2, 9), new_id="s2", rrule=weekly_rule(["TU"]))
    assert result.before is None
    assert result.after.rrule == "FREQ=WEEKLY;BYDAY=TU"
    with pytest.raises(RecurrenceError, match="does not repeat"):
        split_series(series(None, at(CHICAGO, 2026, 11, 2, 9)), at(CHICAGO, 2026, 11, 2, 9), new_id="x")


def test_exdate_text_round_trip() -> None:
    moments = parse_exdates(["2026-11-09T15:00:00+00:00", at(CHICAGO, 2026, 11, 16, 9)])
    assert format_exdates(moments) == ["2026-11-09T15:00:00+00:00", "2026-11-16T15:00:00+00:00"]
    with pytest.raises(RecurrenceError):
        parse_exdates(["next tuesday"])


# ---------------------------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------------------------

ZONES = ["America/Chicago", "America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "America/Santiago", "UTC"]
starts = st.datetimes(min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2030, 12, 31)).map(
    lambda moment: moment.replace(second=0, microsecond=0)
)
weekday_sets = st.sets(st.integers(min_value=0, max_value=6), min_size=1)


def _exists(wall: dt.datetime, zone: ZoneInfo) -> bool:
    aware = wall.replace(tzinfo=zone)
    return aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == wall


@given(starts, st.sampled_from(ZONES), weekday_sets, st.integers(min_value=1, max_value=3))
@settings(max_examples=80)
def test_weekly_series_keep_the_wall_clock(start: dt.datetime, zone_name: str, days: set[int], interval: int) -> None:
    zone = ZoneInfo(zone_name)
    assume(_exists(start, zone))
    s = Series(
        "s",
        start.replace(tzinfo=zone),
        start.replace(tzinfo=zone) + dt.timedelta(hours=1),
        zone_name,
        weekly_rule(sorted(days), interval=interval, count=30),
    )
    occurrences = expand(s, s.start, s.start + dt.timedelta(days=800))
    assert occurrences[0].start == s.start
    for occurrence in occurrences[1:]:
        local = occurrence.start.astimezone(zone)
        assert local.weekday() in days
        wall = dt.datetime.combine(local.date(), start.time())
        if _exists(wall, zone):
            assert local.time() == start.time()
        else:  # in a spring-forward gap: read with the offset before the gap
            assert occurrence.start == wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    assert len(occurrences) == 30 + (start.weekday() not in days)


@given(starts, st.sampled_from(ZONES), st.integers(min_value=1, max_value=25), st.booleans())
@settings(max_examples=60)
def test_split_without_changes_keeps_every_occurrence(
    start: dt.datetime, zone_name: str, split_index: int, counted: bool
) -> None:
    zone = ZoneInfo(zone_name)
    assume(_exists(start, zone))
    first = start.replace(tzinfo=zone)
    rule = weekly_rule([first.weekday()], count=30) if counted else weekly_rule([first.weekday()])
    s = Series("s", first, first + dt.timedelta(minutes=45), zone_name, rule)
    window = (first - dt.timedelta(days=1), first + dt.timedelta(days=7 * 40))
    original = expand(s, *window)
    at_occurrence = original[split_index].original_start
    assert is_occurrence(s, at_occurrence)
    result = split_series(s, at_occurrence, new_id="s2")
    assert result.before is not None
    combined = expand(result.before, *window) + expand(result.after, *window)
    assert [o.start for o in combined] == [o.start for o in original]
    assert all(o.start < at_occurrence for o in expand(result.before, *window))
