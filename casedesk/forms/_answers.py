"""Checking and normalising one answer against its field type; shared by the engine, validation and migration.

Stored (normalised) answers are JSON values:

- text, long_text, time ("14:30"), single_choice, client_field: ``str``; dates: ISO ``"2024-05-01"``;
- integer: ``int``; decimal: ``int`` or ``float``; yes_no: ``"yes"`` / ``"no"``;
- multiple_choice: ``list[str]`` of choice values;
- goal_picker: the goal id ``str``, or ``{"id": ..., "label": ...}`` (keeps the goal text printable
  after the plan changes);
- signature: any non-empty marker the signing code stores (a signature id, ``"wet"``, or an object).
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Mapping
from datetime import date, datetime, time
from typing import Any

from casedesk.forms._values import BLANK, Value, format_number, parse_date
from casedesk.forms.schema import ClientBinding, FieldDef, FieldType

_INT_RE = re.compile(r"^\s*[-+]?\d{1,15}\s*$", re.ASCII)
_DECIMAL_RE = re.compile(r"^\s*[-+]?(?:\d{1,15}(?:\.\d{0,10})?|\.\d{1,10})\s*$", re.ASCII)
_TIME_RE = re.compile(r"^\s*([01]?\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?\s*$", re.ASCII)
_YES = {"yes", "y", "true", "1", "ok"}
_NO = {"no", "n", "false", "0"}

MAX_ANSWER_TEXT = 100_000


def is_blank_answer(raw: object) -> bool:
    if raw is None:
        return True
    if isinstance(raw, str):
        return raw.strip() == ""
    if isinstance(raw, list | tuple | dict):
        return len(raw) == 0
    return False


def coerce_answer(field: FieldDef, raw: object, goal_ids: Collection[str] | None = None) -> tuple[Any, str | None]:
    """(normalised value or None when blank, problem message or None)."""
    if is_blank_answer(raw):
        return None, None
    kind = field.type
    if kind in (FieldType.TEXT, FieldType.LONG_TEXT):
        return _text(raw)
    if kind is FieldType.INTEGER:
        return _integer(raw)
    if kind is FieldType.DECIMAL:
        return _decimal(raw)
    if kind is FieldType.DATE:
        return _date(raw)
    if kind is FieldType.TIME:
        return _time(raw)
    if kind is FieldType.YES_NO:
        return _yes_no(raw)
    if kind is FieldType.SINGLE_CHOICE:
        return _single_choice(field, raw)
    if kind is FieldType.MULTIPLE_CHOICE:
        return _multiple_choice(field, raw)
    if kind is FieldType.CLIENT_FIELD:
        if field.binding is ClientBinding.DOB:
            return _date(raw)
        return _text(raw)
    if kind is FieldType.GOAL_PICKER:
        return _goal(raw, goal_ids)
    if kind is FieldType.SIGNATURE:
        if isinstance(raw, str | dict):
            return raw, None
        return None, "is not a signature"
    if kind is FieldType.CALCULATE:
        if isinstance(raw, str | int | float | bool):
            return raw, None
        return None, "is not a calculated value"
    return None, None  # heading, note, group, repeat: no answer of their own


def _text(raw: object) -> tuple[Any, str | None]:
    if isinstance(raw, bool):
        return None, "must be text"
    if isinstance(raw, int | float):
        return format_number(raw), None
    if isinstance(raw, date):
        return raw.isoformat(), None
    if not isinstance(raw, str):
        return None, "must be text"
    if len(raw) > MAX_ANSWER_TEXT:
        return None, f"is longer than {MAX_ANSWER_TEXT} characters"
    return raw, None


def _integer(raw: object) -> tuple[Any, str | None]:
    if isinstance(raw, bool):
        return None, "is not a whole number"
    if isinstance(raw, int):
        if abs(raw) >= 10**15:
            return None, "is too large"
        return raw, None
    if isinstance(raw, float):
        if math.isfinite(raw) and raw.is_integer() and abs(raw) < 1e15:
            return int(raw), None
        return None, "is not a whole number"
    if isinstance(raw, str) and _INT_RE.match(raw):
        return int(raw), None
    return None, "is not a whole number"


def _decimal(raw: object) -> tuple[Any, str | None]:
    if isinstance(raw, bool):
        return None, "is not a number"
    if isinstance(raw, int):
        if abs(raw) >= 10**15:
            return None, "is too large"
        return raw, None
    if isinstance(raw, float):
        if math.isfinite(raw) and abs(raw) < 1e15:
            return raw, None
        return None, "is not a number"
    if isinstance(raw, str) and _DECIMAL_RE.match(raw):
        text = raw.strip()
        return (float(text) if "." in text else int(text)), None
    return None, "is not a number"


def _date(raw: object) -> tuple[Any, str | None]:
    if isinstance(raw, datetime):
        return raw.date().isoformat(), None
    if isinstance(raw, date):
        return raw.isoformat(), None
    if isinstance(raw, str):
        parsed = parse_date(raw)
        if type(parsed) is date:
            return parsed.isoformat(), None
    return None, "is not a valid date (use YYYY-MM-DD)"


def _time(raw: object) -> tuple[Any, str | None]:
    if isinstance(raw, time):
        return raw.isoformat(timespec="minutes" if raw.second == 0 else "seconds"), None
    if isinstance(raw, str):
        match = _TIME_RE.match(raw)
        if match:
            hours, minutes, seconds = match.groups()
            text = f"{int(hours):02d}:{minutes}"
            return (f"{text}:{seconds}" if seconds else text), None
    return None, "is not a valid time (use HH:MM, 24-hour clock)"


def _yes_no(raw: object) -> tuple[Any, str | None]:
    if isinstance(raw, bool):
        return ("yes" if raw else "no"), None
    if isinstance(raw, str):
        text = raw.strip().lower()
        if text in _YES:
            return "yes", None
        if text in _NO:
            return "no", None
    return None, "must be yes or no"


def _single_choice(field: FieldDef, raw: object) -> tuple[Any, str | None]:
    if isinstance(raw, int) and not isinstance(raw, bool):
        raw = str(raw)
    if not isinstance(raw, str):
        return None, "must be one of the choices"
    value = raw.strip()
    if any(choice.value == value for choice in field.choices):
        return value, None
    return None, f"'{_short(value)}' is not one of the choices"


def _multiple_choice(field: FieldDef, raw: object) -> tuple[Any, str | None]:
    if isinstance(raw, str):
        items: list[object] = list(raw.split())
    elif isinstance(raw, list | tuple):
        items = list(raw)
    else:
        return None, "must be a list of choices"
    allowed = {choice.value for choice in field.choices}
    picked: list[str] = []
    unknown: list[str] = []
    for item in items:
        text = str(item) if isinstance(item, int) and not isinstance(item, bool) else item
        if not isinstance(text, str) or text not in allowed:
            unknown.append(_short(str(text)))
        elif text not in picked:
            picked.append(text)
    if unknown:
        shown = ", ".join(repr(u) for u in unknown[:5])
        verb = "is" if len(unknown) == 1 else "are"
        return None, f"includes {shown}, which {verb} not among the choices"
    return picked, None


def _goal(raw: object, goal_ids: Collection[str] | None) -> tuple[Any, str | None]:
    goal_id: object = raw
    if isinstance(raw, Mapping):
        goal_id = raw.get("id")
    if not isinstance(goal_id, str) or not goal_id:
        return None, "must be one of the client's plan goals"
    if goal_ids is not None and goal_id not in goal_ids:
        return None, "is not one of the client's current plan goals"
    if isinstance(raw, Mapping):
        label = raw.get("label")
        return ({"id": goal_id, "label": label} if isinstance(label, str) else goal_id), None
    return goal_id, None


def _short(text: str) -> str:
    return text if len(text) <= 40 else text[:37] + "..."


def goal_id_of(value: object) -> str:
    if isinstance(value, Mapping):
        goal_id = value.get("id")
        return goal_id if isinstance(goal_id, str) else ""
    return value if isinstance(value, str) else ""


def expression_value(field: FieldDef, value: Any) -> Value:
    """How a normalised answer looks inside expressions (dates as dates, choices as 'a b c')."""
    if value is None:
        return BLANK
    kind = field.type
    if kind is FieldType.DATE or (kind is FieldType.CLIENT_FIELD and field.binding is ClientBinding.DOB):
        parsed = parse_date(value) if isinstance(value, str) else None
        return parsed if parsed is not None else BLANK
    if kind is FieldType.MULTIPLE_CHOICE:
        return " ".join(value) if isinstance(value, list) else BLANK
    if kind is FieldType.GOAL_PICKER:
        return goal_id_of(value)
    if kind is FieldType.SIGNATURE:
        return "signed"
    if isinstance(value, bool | int | float | str):
        return value
    return BLANK
