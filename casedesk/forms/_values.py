"""Runtime values of the form expression language and the XLSForm-like rules for mixing them.

A value is one of:

- ``""`` (blank: a question nobody answered, or the result of arithmetic on a blank),
- ``str``, ``int``, ``float``, ``bool``,
- ``datetime.date`` / ``datetime.datetime`` (dates from date questions, ``today()``, ``now()``, ``date()``),
- ``NodeSet``: the values of one question across all rows of a repeat group (``sum(${minutes})``).

Numeric operations on blanks give blank, comparisons with blanks are false (except ``= ''``), so a
half-filled form never crashes an expression. Nothing here raises for any input value.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

BLANK = ""
EPOCH = date(1970, 1, 1)
MAX_EXACT_INT = 2**53


class NodeSet(tuple):  # type: ignore[type-arg]
    """Values of one question across repeat rows (a tuple of plain values)."""

    __slots__ = ()


Value = str | int | float | bool | date | datetime | NodeSet
Number = int | float

_NUMBER_RE = re.compile(r"^\s*-?(?:\d+(?:\.\d*)?|\.\d+)\s*$", re.ASCII)
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)
_DATETIME_RE = re.compile(
    r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:?\d{2})?$", re.ASCII
)


def is_blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() == ""
    if isinstance(value, NodeSet | list | tuple):
        return len(value) == 0
    return False


def first(value: Value) -> Value:
    """A node-set used where one value is expected stands for its first value (XPath rule)."""
    if isinstance(value, NodeSet):
        return value[0] if value else BLANK
    return value


def parse_date(text: str) -> date | datetime | None:
    """An ISO date (2024-05-01) or date-time (2024-05-01T14:30[:00][Z|+02:00]); None if not one."""
    text = text.strip()
    if len(text) > 40:
        return None
    try:
        if _DATE_RE.match(text):
            return date.fromisoformat(text)
        if _DATETIME_RE.match(text):
            return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return None


def _clean_number(number: float) -> Number | None:
    if isinstance(number, bool):
        return int(number)
    if isinstance(number, int):
        if abs(number) > MAX_EXACT_INT:
            return float(number)
        return number
    if math.isnan(number) or math.isinf(number):
        return None
    return number


def to_number(value: Value) -> Number | None:
    """Number value, or None when blank / not a number (XPath's NaN)."""
    value = first(value)
    if isinstance(value, bool):
        return 1 if value else 0
    if isinstance(value, int | float):
        return _clean_number(value)
    if isinstance(value, datetime):
        moment = value.replace(tzinfo=None)
        return (moment - datetime(1970, 1, 1)).total_seconds() / 86400.0
    if isinstance(value, date):
        return (value - EPOCH).days
    if isinstance(value, str):
        if not _NUMBER_RE.match(value):
            return None
        text = value.strip()
        try:
            if "." in text:
                return _clean_number(float(text))
            if len(text) > 18:
                return _clean_number(float(text))
            return int(text)
        except (ValueError, OverflowError):
            return None
    return None


def format_number(number: Number) -> str:
    if isinstance(number, bool):
        return "1" if number else "0"
    if isinstance(number, int):
        return str(number)
    if math.isnan(number) or math.isinf(number):
        return BLANK
    if number.is_integer() and abs(number) < 1e15:
        return str(int(number))
    return format(number, ".12g")


def to_string(value: Value) -> str:
    value = first(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return format_number(value)
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return value
    return BLANK


def to_bool(value: Value) -> bool:
    if isinstance(value, NodeSet):
        return len(value) > 0
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return not (value == 0 or math.isnan(value))
    if isinstance(value, date):
        return True
    if isinstance(value, str):
        return value != ""
    return False


def to_date(value: Value) -> date | datetime | None:
    """Date value of a date, an ISO string, or a number of days since 1970-01-01; else None."""
    value = first(value)
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = _clean_number(value)
        if number is None or abs(number) > 3_000_000:
            return None
        whole = math.floor(number)
        fraction = number - whole
        day = EPOCH + timedelta(days=whole)
        if fraction:
            return datetime(day.year, day.month, day.day) + timedelta(days=fraction)
        return day
    if isinstance(value, str):
        return parse_date(value)
    return None


def _as_naive_datetime(value: date | datetime) -> datetime:
    if isinstance(value, datetime):
        return value.replace(tzinfo=None) if value.tzinfo is None else value.astimezone().replace(tzinfo=None)
    return datetime(value.year, value.month, value.day)


def _dates_of(left: Value, right: Value) -> tuple[date | datetime, date | datetime] | None:
    """Both sides as dates when at least one is a date and the other reads as one, or both are ISO strings."""
    left_is_date = isinstance(left, date)
    right_is_date = isinstance(right, date)
    if not (left_is_date or right_is_date):
        if isinstance(left, str) and isinstance(right, str):
            left_date, right_date = parse_date(left), parse_date(right)
            if left_date is not None and right_date is not None:
                return _align(left_date, right_date)
        return None
    left_date = left if isinstance(left, date) else (parse_date(left) if isinstance(left, str) else None)
    right_date = right if isinstance(right, date) else (parse_date(right) if isinstance(right, str) else None)
    if left_date is None or right_date is None:
        return None
    return _align(left_date, right_date)


def _align(left: date | datetime, right: date | datetime) -> tuple[date | datetime, date | datetime]:
    if type(left) is date and type(right) is date:
        return left, right
    return _as_naive_datetime(left), _as_naive_datetime(right)


def _is_number(value: Value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _equal_scalars(left: Value, right: Value) -> bool:
    if isinstance(left, bool) or isinstance(right, bool):
        return to_bool(left) == to_bool(right)
    dates = _dates_of(left, right)
    if dates is not None:
        return dates[0] == dates[1]
    if isinstance(left, date) or isinstance(right, date):
        if _is_number(left) or _is_number(right):
            left_number, right_number = to_number(left), to_number(right)
            return left_number is not None and left_number == right_number
        return to_string(left) == to_string(right)
    if _is_number(left) or _is_number(right):
        left_number, right_number = to_number(left), to_number(right)
        if left_number is None or right_number is None:
            return False
        return left_number == right_number
    return to_string(left) == to_string(right)


def _order_scalars(op: str, left: Value, right: Value) -> bool:
    dates = _dates_of(left, right)
    if dates is not None:
        a, b = dates
        return _apply_order(op, a, b)
    left_number, right_number = to_number(left), to_number(right)
    if left_number is None or right_number is None:
        return False
    return _apply_order(op, left_number, right_number)


def _apply_order(op: str, a: Any, b: Any) -> bool:
    if op == "<":
        return bool(a < b)
    if op == "<=":
        return bool(a <= b)
    if op == ">":
        return bool(a > b)
    return bool(a >= b)


def _pairs(left: Value, right: Value) -> list[tuple[Value, Value]]:
    lefts: tuple[Value, ...] = tuple(left) if isinstance(left, NodeSet) else (left,)
    rights: tuple[Value, ...] = tuple(right) if isinstance(right, NodeSet) else (right,)
    return [(a, b) for a in lefts for b in rights]


def compare(op: str, left: Value, right: Value) -> bool:
    """XPath comparison; with a node-set on either side, true when any pair satisfies it."""
    if isinstance(left, NodeSet) and isinstance(right, bool):
        left = to_bool(left)
    if isinstance(right, NodeSet) and isinstance(left, bool):
        right = to_bool(right)
    for a, b in _pairs(left, right):
        if op == "=":
            if _equal_scalars(a, b):
                return True
        elif op == "!=":
            if not _equal_scalars(a, b):
                return True
        elif _order_scalars(op, a, b):
            return True
    return False


def _number_result(number: float) -> Value:
    cleaned = _clean_number(number)
    return BLANK if cleaned is None else cleaned


def arithmetic(op: str, left: Value, right: Value) -> Value:
    """+ - * div mod with date arithmetic (date +/- days, date - date = days); blank in, blank out."""
    left, right = first(left), first(right)
    if op in ("+", "-"):
        date_result = _date_arithmetic(op, left, right)
        if date_result is not None:
            return date_result
    a, b = to_number(left), to_number(right)
    if a is None or b is None:
        return BLANK
    try:
        if op == "+":
            return _number_result(a + b)
        if op == "-":
            return _number_result(a - b)
        if op == "*":
            return _number_result(a * b)
        if op == "div":
            if b == 0:
                return BLANK
            quotient = a / b
            return _number_result(quotient)
        if op == "mod":
            if b == 0:
                return BLANK
            if isinstance(a, int) and isinstance(b, int):
                return _number_result(int(math.fmod(a, b)))
            return _number_result(math.fmod(a, b))
    except (OverflowError, ValueError):
        return BLANK
    return BLANK


def _date_arithmetic(op: str, left: Value, right: Value) -> Value | None:
    left_date = left if isinstance(left, date) else None
    right_date = right if isinstance(right, date) else None
    if left_date is None and right_date is None:
        return None
    if left_date is not None and right_date is not None:
        if op == "+":
            return BLANK
        a, b = _align(left_date, right_date)
        difference = a - b  # type: ignore[operator]
        days = difference.total_seconds() / 86400.0
        return _number_result(int(days) if days.is_integer() else days)
    if left_date is None and isinstance(left, str) and right_date is not None:
        parsed = parse_date(left)
        if parsed is not None and op == "-":
            return _date_arithmetic(op, parsed, right_date)
    if right_date is None and isinstance(right, str) and left_date is not None:
        parsed = parse_date(right)
        if parsed is not None and op == "-":
            return _date_arithmetic(op, left_date, parsed)
    base = left_date if left_date is not None else right_date
    other = right if left_date is not None else left
    if left_date is None and op == "-":
        return BLANK  # number - date has no meaning
    days = to_number(other)
    if days is None or base is None:
        return BLANK
    if abs(days) > 1_000_000:
        return BLANK
    delta = timedelta(days=days if op == "+" else -days)
    try:
        if type(base) is date and float(days).is_integer():
            return base + delta
        return _as_naive_datetime(base) + delta
    except OverflowError:
        return BLANK


def round_half_up(number: Number, digits: int) -> Value:
    if digits < -15 or digits > 15:
        return BLANK
    try:
        quantum = Decimal(1).scaleb(-digits)
        rounded = Decimal(repr(number)).quantize(quantum, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        return BLANK
    if digits <= 0:
        return _number_result(int(rounded))
    return _number_result(float(rounded))


def selected_values(value: Value) -> list[str]:
    """The choice values of a multiple-choice answer ("a b c" or a node-set of them)."""
    return to_string(value).split()
