"""The functions form expressions may call (an XLSForm-compatible subset), with their argument counts.

Every implementation takes already-evaluated argument values and the evaluation environment, and never
raises: bad input gives blank or false, as in XLSForm.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Protocol

from casedesk.forms._values import (
    BLANK,
    NodeSet,
    Value,
    first,
    is_blank,
    round_half_up,
    selected_values,
    to_bool,
    to_date,
    to_number,
    to_string,
)

MAX_REGEX_PATTERN = 200
MAX_REGEX_SUBJECT = 10_000


class Environment(Protocol):
    """What an expression can see while it is evaluated."""

    @property
    def today(self) -> date: ...

    @property
    def now(self) -> datetime: ...

    def lookup(self, key: str) -> Value:
        """Value of ``${key}`` (a NodeSet for a question inside a repeat seen from outside it)."""
        ...

    def current(self) -> Value:
        """Value of ``.``."""
        ...


Impl = Callable[[Sequence[Value], Environment], Value]


@dataclass(frozen=True)
class Function:
    name: str
    min_args: int
    max_args: int
    impl: Impl
    summary: str


def _values_of(args: Sequence[Value]) -> list[Value]:
    """Flatten node-set arguments (sum(${minutes}), max(${a}, ${b}))."""
    flat: list[Value] = []
    for arg in args:
        if isinstance(arg, NodeSet):
            flat.extend(arg)
        else:
            flat.append(arg)
    return flat


def _numbers(args: Sequence[Value]) -> list[float | int] | None:
    numbers: list[float | int] = []
    for value in _values_of(args):
        if is_blank(value):
            continue
        number = to_number(value)
        if number is None:
            return None
        numbers.append(number)
    return numbers


def _sum(args: Sequence[Value], env: Environment) -> Value:
    numbers = _numbers(args)
    if numbers is None:
        return BLANK
    total = math.fsum(numbers)
    if all(isinstance(n, int) for n in numbers):
        return int(total)
    return total


def _extreme(pick: Callable[[list[float | int]], float | int]) -> Impl:
    def impl(args: Sequence[Value], env: Environment) -> Value:
        numbers = _numbers(args)
        if not numbers:
            return BLANK
        return pick(numbers)

    return impl


def _count(args: Sequence[Value], env: Environment) -> Value:
    value = args[0]
    if isinstance(value, NodeSet):
        return len(value)
    return 0 if is_blank(value) else 1


def _selected(args: Sequence[Value], env: Environment) -> Value:
    wanted = to_string(args[1]).strip()
    return wanted != "" and wanted in selected_values(args[0])


def _selected_at(args: Sequence[Value], env: Environment) -> Value:
    index = to_number(args[1])
    values = selected_values(args[0])
    if index is None or not float(index).is_integer() or not 0 <= index < len(values):
        return BLANK
    return values[int(index)]


def _if(args: Sequence[Value], env: Environment) -> Value:
    return args[1] if to_bool(args[0]) else args[2]


def _coalesce(args: Sequence[Value], env: Environment) -> Value:
    for value in args:
        if not is_blank(first(value)):
            return first(value)
    return BLANK


def _concat(args: Sequence[Value], env: Environment) -> Value:
    return "".join(to_string(value) for value in _values_of(args))


def _join(args: Sequence[Value], env: Environment) -> Value:
    separator = to_string(args[0])
    return separator.join(to_string(value) for value in _values_of(args[1:]) if not is_blank(value))


def _int(args: Sequence[Value], env: Environment) -> Value:
    number = to_number(args[0])
    if number is None:
        return BLANK
    return int(number)


def _number(args: Sequence[Value], env: Environment) -> Value:
    number = to_number(args[0])
    return BLANK if number is None else number


def _round(args: Sequence[Value], env: Environment) -> Value:
    number = to_number(args[0])
    if number is None:
        return BLANK
    digits = to_number(args[1]) if len(args) > 1 else 0
    if digits is None or not float(digits).is_integer():
        return BLANK
    return round_half_up(number, int(digits))


def _unary_math(operation: Callable[[float], float]) -> Impl:
    def impl(args: Sequence[Value], env: Environment) -> Value:
        number = to_number(args[0])
        if number is None:
            return BLANK
        try:
            result = operation(number)
        except (OverflowError, ValueError):
            return BLANK
        if isinstance(result, float) and (math.isnan(result) or math.isinf(result)):
            return BLANK
        return int(result) if isinstance(result, float) and result.is_integer() and abs(result) < 2**53 else result

    return impl


def _pow(args: Sequence[Value], env: Environment) -> Value:
    base, exponent = to_number(args[0]), to_number(args[1])
    if base is None or exponent is None:
        return BLANK
    try:
        result = math.pow(base, exponent)
    except (OverflowError, ValueError, ZeroDivisionError):
        return BLANK
    if math.isnan(result) or math.isinf(result):
        return BLANK
    return int(result) if result.is_integer() and abs(result) < 2**53 else result


def pattern_problem(pattern: str) -> str | None:
    """Why a regex() pattern is refused (too long, invalid, or nested repetition that can take forever)."""
    if len(pattern) > MAX_REGEX_PATTERN:
        return f"the regex pattern is longer than {MAX_REGEX_PATTERN} characters"
    try:
        re.compile(pattern)
    except (re.error, RecursionError, OverflowError) as err:
        return f"the regex pattern is not valid ({err})"
    if _has_nested_repetition(pattern):
        return "the regex pattern repeats a group that itself repeats (like (a+)+), which can hang; simplify it"
    return None


def _has_nested_repetition(pattern: str) -> bool:
    """True for a quantified group that contains a quantifier: the usual catastrophic-backtracking shape."""
    group_has_quantifier: list[bool] = []
    closed_group_quantified = False
    index = 0
    in_class = False
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            index += 2
            closed_group_quantified = False
            continue
        if in_class:
            if char == "]":
                in_class = False
            index += 1
            continue
        if char == "[":
            in_class = True
            closed_group_quantified = False
        elif char == "(":
            group_has_quantifier.append(False)
            closed_group_quantified = False
        elif char == ")":
            inner = group_has_quantifier.pop() if group_has_quantifier else False
            closed_group_quantified = inner
            if group_has_quantifier and inner:
                group_has_quantifier[-1] = True
            index += 1
            continue
        elif char in "*+?{":
            is_repeat = char != "?" and not (char == "{" and re.match(r"\{\d+\}", pattern[index:]))
            if closed_group_quantified and is_repeat:
                return True
            if group_has_quantifier and char in "*+{":
                group_has_quantifier[-1] = True
        else:
            closed_group_quantified = False
        index += 1
    return False


@lru_cache(maxsize=256)
def _compiled_pattern(pattern: str) -> re.Pattern[str] | None:
    if pattern_problem(pattern) is not None:
        return None
    return re.compile(pattern)


def _regex(args: Sequence[Value], env: Environment) -> Value:
    subject = to_string(args[0])
    compiled = _compiled_pattern(to_string(args[1]))
    if compiled is None or len(subject) > MAX_REGEX_SUBJECT:
        return False
    return compiled.search(subject) is not None


def _contains(args: Sequence[Value], env: Environment) -> Value:
    return to_string(args[1]) in to_string(args[0])


def _starts_with(args: Sequence[Value], env: Environment) -> Value:
    return to_string(args[0]).startswith(to_string(args[1]))


def _ends_with(args: Sequence[Value], env: Environment) -> Value:
    return to_string(args[0]).endswith(to_string(args[1]))


def _substr(args: Sequence[Value], env: Environment) -> Value:
    text = to_string(args[0])
    start = to_number(args[1])
    end = to_number(args[2]) if len(args) > 2 else len(text)
    if start is None or end is None:
        return BLANK
    return text[max(0, int(start)) : max(0, int(end))]


def _string_length(args: Sequence[Value], env: Environment) -> Value:
    return len(to_string(args[0]))


def _normalize_space(args: Sequence[Value], env: Environment) -> Value:
    return " ".join(to_string(args[0]).split())


def _date(args: Sequence[Value], env: Environment) -> Value:
    value = to_date(args[0])
    return BLANK if value is None else value


def _decimal_date_time(args: Sequence[Value], env: Environment) -> Value:
    value = to_date(args[0])
    if value is None:
        return BLANK
    number = to_number(value)
    return BLANK if number is None else number


_FORMAT_CODES: dict[str, Callable[[date], str]] = {
    "Y": lambda d: f"{d.year:04d}",
    "y": lambda d: f"{d.year % 100:02d}",
    "m": lambda d: f"{d.month:02d}",
    "n": lambda d: str(d.month),
    "d": lambda d: f"{d.day:02d}",
    "e": lambda d: str(d.day),
    "b": lambda d: d.strftime("%b") if d.year >= 1 else "",
    "a": lambda d: d.strftime("%a") if d.year >= 1 else "",
    "H": lambda d: f"{d.hour:02d}" if isinstance(d, datetime) else "00",
    "M": lambda d: f"{d.minute:02d}" if isinstance(d, datetime) else "00",
}


def _format_date(args: Sequence[Value], env: Environment) -> Value:
    value = to_date(args[0])
    if value is None:
        return BLANK
    pattern = to_string(args[1])
    out: list[str] = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "%" and index + 1 < len(pattern):
            code = pattern[index + 1]
            formatter = _FORMAT_CODES.get(code)
            out.append(formatter(value) if formatter else "%" + code)
            index += 2
            continue
        out.append(char)
        index += 1
    return "".join(out)


def whole_years_between(born: date, on: date) -> int:
    years = on.year - born.year
    if (on.month, on.day) < (born.month, born.day):
        years -= 1
    return years


def _age(args: Sequence[Value], env: Environment) -> Value:
    born = to_date(args[0])
    on = to_date(args[1]) if len(args) > 1 else env.today
    if born is None or on is None:
        return BLANK
    born_day = born.date() if isinstance(born, datetime) else born
    on_day = on.date() if isinstance(on, datetime) else on
    if born_day > on_day:
        return BLANK
    return whole_years_between(born_day, on_day)


def _string(args: Sequence[Value], env: Environment) -> Value:
    return to_string(args[0])


def _boolean(args: Sequence[Value], env: Environment) -> Value:
    return to_bool(args[0])


def _count_selected(args: Sequence[Value], env: Environment) -> Value:
    return len(selected_values(args[0]))


FUNCTIONS: dict[str, Function] = {
    function.name: function
    for function in [
        Function("true", 0, 0, lambda a, e: True, "true()"),
        Function("false", 0, 0, lambda a, e: False, "false()"),
        Function("not", 1, 1, lambda a, e: not to_bool(a[0]), "not(condition)"),
        Function("boolean", 1, 1, _boolean, "boolean(value)"),
        Function("if", 3, 3, _if, "if(condition, then, else)"),
        Function("coalesce", 2, 10, _coalesce, "coalesce(a, b): the first that is not blank"),
        Function("selected", 2, 2, _selected, "selected(${choice}, 'value')"),
        Function("count-selected", 1, 1, _count_selected, "count-selected(${choices})"),
        Function("selected-at", 2, 2, _selected_at, "selected-at(${choices}, n): the n-th value (from 0)"),
        Function("string-length", 1, 1, _string_length, "string-length(text)"),
        Function("concat", 1, 50, _concat, "concat(a, b, ...)"),
        Function("join", 2, 50, _join, "join(separator, values...)"),
        Function("contains", 2, 2, _contains, "contains(text, part)"),
        Function("starts-with", 2, 2, _starts_with, "starts-with(text, start)"),
        Function("ends-with", 2, 2, _ends_with, "ends-with(text, end)"),
        Function("substr", 2, 3, _substr, "substr(text, start, end)"),
        Function("normalize-space", 1, 1, _normalize_space, "normalize-space(text)"),
        Function("string", 1, 1, _string, "string(value)"),
        Function("regex", 2, 2, _regex, "regex(text, 'pattern')"),
        Function("int", 1, 1, _int, "int(number): whole part"),
        Function("number", 1, 1, _number, "number(text)"),
        Function("round", 1, 2, _round, "round(number, places)"),
        Function("floor", 1, 1, _unary_math(math.floor), "floor(number)"),
        Function("ceiling", 1, 1, _unary_math(math.ceil), "ceiling(number)"),
        Function("abs", 1, 1, _unary_math(abs), "abs(number)"),
        Function("pow", 2, 2, _pow, "pow(base, exponent)"),
        Function("sum", 1, 1, _sum, "sum(${question in a repeat})"),
        Function("count", 1, 1, _count, "count(${repeat group})"),
        Function("min", 1, 20, _extreme(min), "min(values...)"),
        Function("max", 1, 20, _extreme(max), "max(values...)"),
        Function("today", 0, 0, lambda a, e: e.today, "today()"),
        Function("now", 0, 0, lambda a, e: e.now, "now()"),
        Function("date", 1, 1, _date, "date('2024-05-01')"),
        Function("decimal-date-time", 1, 1, _decimal_date_time, "decimal-date-time(date): days since 1970"),
        Function("format-date", 2, 2, _format_date, "format-date(date, '%m/%d/%Y')"),
        Function("age", 1, 2, _age, "age(${dob}): whole years as of today (or a given date)"),
    ]
}

__all__ = ["FUNCTIONS", "Environment", "Function", "pattern_problem", "whole_years_between"]
