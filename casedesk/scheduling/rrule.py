"""RFC 5545 recurrence rules: parse, validate, write, build from simple choices, describe in English.

CaseDesk stores a rule as RRULE text ("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO"). ``parse_rrule`` reads the
part of RFC 5545 a visit schedule needs - FREQ DAILY/WEEKLY/MONTHLY/YEARLY, INTERVAL, COUNT or UNTIL,
BYDAY (with ordinals like 2TU or -1FR), BYMONTHDAY, BYMONTH, BYYEARDAY, BYWEEKNO, BYSETPOS, WKST - and
refuses anything else with an error naming the part, so a rule is never half understood.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal
from zoneinfo import ZoneInfo

from casedesk.errors import ValidationError

Frequency = Literal["DAILY", "WEEKLY", "MONTHLY", "YEARLY"]
FREQUENCIES: tuple[Frequency, ...] = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_ORDINALS = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", -1: "last", -2: "second to last"}
_UTC = dt.UTC
_BYDAY = re.compile(r"([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)")
_SUB_DAILY = {"SECONDLY", "MINUTELY", "HOURLY"}
_SUB_DAILY_PARTS = {"BYHOUR", "BYMINUTE", "BYSECOND"}


class RecurrenceError(ValidationError):
    """A repeat rule, or a change to a repeating appointment, that cannot be applied."""


@dataclass(frozen=True, slots=True)
class ByDay:
    """A BYDAY entry: a weekday (Monday = 0), optionally the nth in the month/year (2 = second, -1 = last)."""

    weekday: int
    nth: int | None = None

    def code(self) -> str:
        return f"{self.nth if self.nth is not None else ''}{WEEKDAY_CODES[self.weekday]}"


@dataclass(frozen=True, slots=True)
class RecurrenceRule:
    """A parsed RRULE. ``until`` is a UTC instant (inclusive), never set together with ``count``."""

    freq: Frequency
    interval: int = 1
    count: int | None = None
    until: dt.datetime | None = None
    by_day: tuple[ByDay, ...] = ()
    by_month_day: tuple[int, ...] = ()
    by_month: tuple[int, ...] = ()
    by_year_day: tuple[int, ...] = ()
    by_week_no: tuple[int, ...] = ()
    by_set_pos: tuple[int, ...] = ()
    week_start: int = 0  # Monday, the RFC 5545 default

    def __post_init__(self) -> None:
        if self.freq not in FREQUENCIES:
            raise RecurrenceError(f"Unknown repeat frequency {self.freq!r}: use daily, weekly, monthly or yearly.")
        if self.interval < 1:
            raise RecurrenceError(f"The repeat interval must be 1 or more, not {self.interval}.")
        if self.count is not None and self.count < 1:
            raise RecurrenceError(f"A repeat count must be 1 or more, not {self.count}.")
        if self.count is not None and self.until is not None:
            raise RecurrenceError("A repeat rule can end after a number of times or on a date, not both.")
        if self.until is not None:
            if self.until.utcoffset() is None:
                raise RecurrenceError("A repeat rule's end (UNTIL) must be a moment in UTC.")
            object.__setattr__(self, "until", self.until.astimezone(_UTC))
        for entry in self.by_day:
            if entry.nth is not None:
                if self.freq not in ("MONTHLY", "YEARLY"):
                    raise RecurrenceError(f"'{entry.code()}' (a numbered weekday) only fits monthly or yearly repeats.")
                if entry.nth == 0 or abs(entry.nth) > (5 if self.freq == "MONTHLY" else 53):
                    raise RecurrenceError(f"'{entry.code()}' names a weekday that never occurs.")
        _check_range(self.by_month_day, -31, 31, "day of the month", zero=False)
        _check_range(self.by_month, 1, 12, "month")
        _check_range(self.by_year_day, -366, 366, "day of the year", zero=False)
        _check_range(self.by_week_no, -53, 53, "week number", zero=False)
        _check_range(self.by_set_pos, -366, 366, "position (BYSETPOS)", zero=False)

    def to_string(self) -> str:
        """Canonical RRULE text (no "RRULE:" prefix)."""
        parts = [f"FREQ={self.freq}"]
        if self.interval != 1:
            parts.append(f"INTERVAL={self.interval}")
        if self.count is not None:
            parts.append(f"COUNT={self.count}")
        if self.until is not None:
            parts.append(f"UNTIL={self.until.strftime('%Y%m%dT%H%M%SZ')}")
        for name, values in (
            ("BYMONTH", self.by_month),
            ("BYWEEKNO", self.by_week_no),
            ("BYYEARDAY", self.by_year_day),
            ("BYMONTHDAY", self.by_month_day),
        ):
            if values:
                parts.append(f"{name}={','.join(str(v) for v in values)}")
        if self.by_day:
            parts.append("BYDAY=" + ",".join(entry.code() for entry in self.by_day))
        if self.by_set_pos:
            parts.append("BYSETPOS=" + ",".join(str(v) for v in self.by_set_pos))
        if self.week_start != 0:
            parts.append(f"WKST={WEEKDAY_CODES[self.week_start]}")
        return ";".join(parts)

    def __str__(self) -> str:
        return self.to_string()

    def with_end(self, *, count: int | None = None, until: dt.datetime | None = None) -> RecurrenceRule:
        """The same rule ending after ``count`` times or at ``until`` (or never when both are None)."""
        return replace(self, count=count, until=until)


def _check_range(values: tuple[int, ...], low: int, high: int, what: str, zero: bool = True) -> None:
    for value in values:
        if not low <= value <= high or (value == 0 and not zero):
            raise RecurrenceError(f"{value} is not a valid {what} in a repeat rule.")


# ---------------------------------------------------------------------------------------------
# Parsing
# ---------------------------------------------------------------------------------------------


def _int_list(name: str, value: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in value.split(","))
    except ValueError:
        raise RecurrenceError(f"{name}={value} must be a list of whole numbers.") from None


def _parse_until(value: str, zone: ZoneInfo | None) -> dt.datetime:
    """UNTIL as a UTC instant. RFC 5545 wants UTC ("...Z") beside a zoned start; floating or date-only
    values from lenient producers are read in the series' zone (a date means the end of that day)."""
    text = value.strip().upper()
    try:
        if re.fullmatch(r"\d{8}T\d{6}Z", text):
            return dt.datetime.strptime(text, "%Y%m%dT%H%M%SZ").replace(tzinfo=_UTC)
        if re.fullmatch(r"\d{8}T\d{6}", text):
            moment = dt.datetime.strptime(text, "%Y%m%dT%H%M%S")
        elif re.fullmatch(r"\d{8}", text):
            moment = dt.datetime.combine(dt.datetime.strptime(text, "%Y%m%d").date(), dt.time(23, 59, 59))
        else:
            raise ValueError(text)
    except ValueError:
        raise RecurrenceError(f"UNTIL={value} is not a date or a date and time.") from None
    if zone is None:
        raise RecurrenceError(f"UNTIL={value} has no time zone; write it in UTC, like 20261231T235959Z.")
    return moment.replace(tzinfo=zone).astimezone(_UTC)


def parse_rrule(text: str, zone: ZoneInfo | None = None) -> RecurrenceRule:
    """Read RRULE text (with or without the "RRULE:" prefix).

    ``zone`` (the series' zone) is only needed to read an UNTIL given without "Z".
    """
    if not isinstance(text, str) or not text.strip():
        raise RecurrenceError("The repeat rule is empty.")
    body = text.strip()
    if body.upper().startswith("RRULE:"):
        body = body[6:]
    fields: dict[str, str] = {}
    for part in body.split(";"):
        if not part.strip():
            continue
        name, sep, value = part.partition("=")
        name = name.strip().upper()
        if not sep or not value.strip():
            raise RecurrenceError(f"'{part}' in the repeat rule '{text}' has no value.")
        if name in fields:
            raise RecurrenceError(f"{name} appears twice in the repeat rule '{text}'.")
        fields[name] = value.strip()
    freq = fields.pop("FREQ", "").upper()
    if not freq:
        raise RecurrenceError(f"The repeat rule '{text}' does not say how often it repeats (FREQ).")
    if freq in _SUB_DAILY:
        raise RecurrenceError(f"Repeating {freq.lower()} is not supported; visits repeat at most daily.")
    if freq not in FREQUENCIES:
        raise RecurrenceError(f"FREQ={freq} is not a repeat frequency: use DAILY, WEEKLY, MONTHLY or YEARLY.")
    kwargs: dict[str, object] = {}
    for name, value in fields.items():
        if name == "INTERVAL":
            kwargs["interval"] = _single_int(name, value)
        elif name == "COUNT":
            kwargs["count"] = _single_int(name, value)
        elif name == "UNTIL":
            kwargs["until"] = _parse_until(value, zone)
        elif name == "BYDAY":
            kwargs["by_day"] = tuple(_parse_byday(item) for item in value.upper().split(","))
        elif name == "BYMONTHDAY":
            kwargs["by_month_day"] = _int_list(name, value)
        elif name == "BYMONTH":
            kwargs["by_month"] = _int_list(name, value)
        elif name == "BYYEARDAY":
            kwargs["by_year_day"] = _int_list(name, value)
        elif name == "BYWEEKNO":
            kwargs["by_week_no"] = _int_list(name, value)
        elif name == "BYSETPOS":
            kwargs["by_set_pos"] = _int_list(name, value)
        elif name == "WKST":
            if value.upper() not in WEEKDAY_CODES:
                raise RecurrenceError(f"WKST={value} is not a weekday (MO, TU, ... SU).")
            kwargs["week_start"] = WEEKDAY_CODES.index(value.upper())
        elif name in _SUB_DAILY_PARTS:
            raise RecurrenceError(f"{name} (several times a day) is not supported in a visit's repeat rule.")
        elif name.startswith("X-"):
            continue  # vendor extensions carry no meaning for the dates
        else:
            raise RecurrenceError(f"'{name}' is not a part of a repeat rule CaseDesk understands.")
    return RecurrenceRule(freq, **kwargs)  # type: ignore[arg-type]


def _single_int(name: str, value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise RecurrenceError(f"{name}={value} must be a whole number.") from None


def _parse_byday(item: str) -> ByDay:
    match = _BYDAY.fullmatch(item.strip())
    if not match:
        raise RecurrenceError(f"BYDAY entry '{item}' is not a weekday like MO, 2TU or -1FR.")
    nth = int(match.group(1)) if match.group(1) else None
    return ByDay(WEEKDAY_CODES.index(match.group(2)), nth)


def normalize_rrule(text: str, zone: ZoneInfo | None = None) -> str:
    """The canonical form of an RRULE (raises RecurrenceError when it is not valid)."""
    return parse_rrule(text, zone).to_string()


# ---------------------------------------------------------------------------------------------
# Building from simple choices
# ---------------------------------------------------------------------------------------------


def weekday_index(day: str | int) -> int:
    """Monday = 0 ... Sunday = 6, from 0-6, "MO" or "Monday" (any case)."""
    if isinstance(day, int) and not isinstance(day, bool):
        if 0 <= day <= 6:
            return day
    elif isinstance(day, str):
        text = day.strip().upper()
        if text in WEEKDAY_CODES:
            return WEEKDAY_CODES.index(text)
        names = [name.upper() for name in WEEKDAY_NAMES]
        if text in names:
            return names.index(text)
    raise RecurrenceError(f"{day!r} is not a weekday.")


def daily_rule(*, interval: int = 1, count: int | None = None, until: dt.datetime | None = None) -> str:
    return RecurrenceRule("DAILY", interval, count, until).to_string()


def weekly_rule(
    days: Sequence[str | int],
    *,
    interval: int = 1,
    count: int | None = None,
    until: dt.datetime | None = None,
) -> str:
    """Every ``interval`` weeks on the given weekdays: ``weekly_rule(["MO", "TH"])``."""
    if not days:
        raise RecurrenceError("Choose at least one weekday for a weekly repeat.")
    indexes = sorted({weekday_index(day) for day in days})
    by_day = tuple(ByDay(index) for index in indexes)
    return RecurrenceRule("WEEKLY", interval, count, until, by_day=by_day).to_string()


def monthly_nth_weekday_rule(
    nth: int,
    day: str | int,
    *,
    interval: int = 1,
    count: int | None = None,
    until: dt.datetime | None = None,
) -> str:
    """Every ``interval`` months on the nth weekday: ``monthly_nth_weekday_rule(2, "TU")`` (nth -1 = last)."""
    if nth not in (1, 2, 3, 4, -1):
        raise RecurrenceError(f"Choose the first to fourth or the last weekday of the month, not {nth}.")
    by_day = (ByDay(weekday_index(day), nth),)
    return RecurrenceRule("MONTHLY", interval, count, until, by_day=by_day).to_string()


def monthly_day_rule(day: int, *, interval: int = 1, count: int | None = None, until: dt.datetime | None = None) -> str:
    """Every ``interval`` months on a day of the month (-1 = the last day)."""
    return RecurrenceRule("MONTHLY", interval, count, until, by_month_day=(day,)).to_string()


# ---------------------------------------------------------------------------------------------
# Describing
# ---------------------------------------------------------------------------------------------


def _join(words: Sequence[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def _unit(freq: Frequency, interval: int) -> str:
    unit = {"DAILY": "day", "WEEKLY": "week", "MONTHLY": "month", "YEARLY": "year"}[freq]
    return f"Every {unit}" if interval == 1 else f"Every {interval} {unit}s"


def _day_of_month(day: int) -> str:
    if day == -1:
        return "the last day"
    if day < 0:
        return f"{-day} days before the end"
    return f"day {day}"


def describe_rrule(text: str | RecurrenceRule, zone: ZoneInfo | None = None) -> str:
    """Plain English for a rule: "Every 2 weeks on Monday", "Every month on the second Tuesday, 6 times".

    ``zone`` shows an end date (UNTIL) as the worker's local date; without it the UTC date is shown.
    """
    rule = text if isinstance(text, RecurrenceRule) else parse_rrule(text, zone)
    base = _unit(rule.freq, rule.interval)
    simple_weekdays = rule.by_day and all(entry.nth is None for entry in rule.by_day)
    detail = ""
    custom = bool(rule.by_set_pos or rule.by_week_no or rule.by_year_day)
    if rule.freq == "DAILY":
        custom = custom or bool(rule.by_day or rule.by_month_day or rule.by_month)
    elif rule.freq == "WEEKLY":
        if simple_weekdays:
            days = sorted(entry.weekday for entry in rule.by_day)
            if days == [0, 1, 2, 3, 4] and rule.interval == 1:
                base, detail = "Every weekday", " (Monday to Friday)"
            else:
                detail = " on " + _join([WEEKDAY_NAMES[d] for d in days])
        custom = custom or bool(rule.by_month_day or rule.by_month) or (bool(rule.by_day) and not simple_weekdays)
    elif rule.freq == "MONTHLY":
        if rule.by_day and not rule.by_month_day and all(entry.nth is not None for entry in rule.by_day):
            detail = " on the " + _join(
                [f"{_ORDINALS.get(e.nth or 0, f'{e.nth}th')} {WEEKDAY_NAMES[e.weekday]}" for e in rule.by_day]
            )
        elif rule.by_month_day and not rule.by_day:
            detail = " on " + _join([_day_of_month(day) for day in rule.by_month_day])
        elif rule.by_day:
            custom = True
        custom = custom or bool(rule.by_month)
    else:  # YEARLY
        if rule.by_month and len(rule.by_month) == 1 and len(rule.by_month_day) == 1 and not rule.by_day:
            detail = f" on {rule.by_month_day[0]} {MONTH_NAMES[rule.by_month[0] - 1]}"
        elif rule.by_month or rule.by_month_day or rule.by_day:
            custom = True
    if custom:
        return f"Custom repeat ({rule.to_string()})"
    ending = ""
    if rule.count is not None:
        ending = ", once" if rule.count == 1 else f", {rule.count} times"
    elif rule.until is not None:
        day = rule.until.astimezone(zone).date() if zone is not None else rule.until.date()
        ending = f", until {day.day} {MONTH_NAMES[day.month - 1]} {day.year}"
    return base + detail + ending


def weekdays_of(rule: RecurrenceRule) -> list[int]:
    """The plain weekdays (no ordinals) a rule names, Monday = 0."""
    return sorted(entry.weekday for entry in rule.by_day if entry.nth is None)
