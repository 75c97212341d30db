"""Checking a pushed op's fields against the data model before anything is stored.

The rules are derived from the device models (casedesk.db.models), so the server accepts exactly the
columns and value shapes a device can produce, and names the first thing that is wrong.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Integer, LargeBinary, String, Text

from casedesk.db.models import BOOKKEEPING_COLUMNS, MODEL_BY_TABLE
from casedesk.db.types import JSONDoc, UTCDateTime

MAX_TEXT = 1_000_000
MAX_BINARY = 10 * 1024 * 1024
MAX_JSON_CHARS = 1_000_000
DERIVED_COLUMNS = frozenset({"search_text"})  # computed on the device, never sent


@dataclass(frozen=True)
class ColumnRule:
    name: str
    kind: str  # str / int / bool / date / datetime / json / binary
    nullable: bool
    has_default: bool
    max_length: int | None
    fk_table: str | None


@cache
def column_rules(table: str) -> dict[str, ColumnRule]:
    model = MODEL_BY_TABLE[table]
    rules: dict[str, ColumnRule] = {}
    for attr in model.__mapper__.column_attrs:  # type: ignore[attr-defined]
        if attr.key in BOOKKEEPING_COLUMNS or attr.key in DERIVED_COLUMNS:
            continue
        col = attr.columns[0]
        t = col.type
        if isinstance(t, UTCDateTime):
            kind, length = "datetime", None
        elif isinstance(t, JSONDoc | JSON):
            kind, length = "json", None
        elif isinstance(t, Boolean):
            kind, length = "bool", None
        elif isinstance(t, Integer):
            kind, length = "int", None
        elif isinstance(t, Date):
            kind, length = "date", None
        elif isinstance(t, LargeBinary):
            kind, length = "binary", None
        elif isinstance(t, Text):
            kind, length = "str", MAX_TEXT
        elif isinstance(t, String):
            kind, length = "str", t.length
        else:  # pragma: no cover - a new column type needs a rule here
            raise TypeError(f"no sync rule for {table}.{attr.key} ({t!r})")
        fk = next(iter(col.foreign_keys), None)
        rules[attr.key] = ColumnRule(
            attr.key,
            kind,
            bool(col.nullable),
            col.default is not None,
            length,
            fk.column.table.name if fk is not None else None,
        )
    return rules


def _check_value(rule: ColumnRule, value: Any) -> str | None:
    if value is None:
        return None if rule.nullable else "may not be empty"
    if rule.kind == "str":
        if not isinstance(value, str):
            return "must be text"
        if rule.max_length is not None and len(value) > rule.max_length:
            return f"is longer than {rule.max_length} characters"
        return None
    if rule.kind == "int":
        if isinstance(value, bool) or not isinstance(value, int) or not -(2**63) <= value < 2**63:
            return "must be a whole number"
        return None
    if rule.kind == "bool":
        return None if isinstance(value, bool) else "must be true or false"
    if rule.kind == "date":
        try:
            dt.date.fromisoformat(value)
        except (TypeError, ValueError):
            return "must be a date (YYYY-MM-DD)"
        return None
    if rule.kind == "datetime":
        try:
            parsed = dt.datetime.fromisoformat(value)
        except (TypeError, ValueError):
            return "must be a date and time (ISO 8601)"
        return None if parsed.tzinfo is not None else "must carry a time zone"
    if rule.kind == "binary":
        if not isinstance(value, dict) or set(value) != {"$b64"} or not isinstance(value["$b64"], str):
            return 'must be {"$b64": "..."}'
        if len(value["$b64"]) > MAX_BINARY * 4 // 3 + 4:
            return f"is larger than {MAX_BINARY // (1024 * 1024)} MB"
        try:
            base64.b64decode(value["$b64"], validate=True)
        except (binascii.Error, ValueError):
            return "is not valid base64"
        return None
    if rule.kind == "json":
        if not isinstance(value, dict | list):
            return "must be a JSON object or list"
        if len(repr(value)) > MAX_JSON_CHARS:
            return "is too large"
        return None
    return "has an unknown type"  # pragma: no cover


@cache
def required_columns(table: str) -> frozenset[str]:
    """Columns a new record must name: not nullable and without a default."""
    return frozenset(r.name for r in column_rules(table).values() if not r.nullable and not r.has_default)


@cache
def reference_rules(table: str) -> tuple[ColumnRule, ...]:
    """The table's columns that point at another record."""
    return tuple(r for r in column_rules(table).values() if r.fk_table is not None)


def check_fields(table: str, fields: dict[str, Any], *, insert: bool) -> str | None:
    """None when the fields are acceptable, else a sentence naming the first problem."""
    if table not in MODEL_BY_TABLE:
        return f"unknown table {table!r}"
    rules = column_rules(table)
    for name, value in fields.items():
        rule = rules.get(name)
        if rule is None:
            return f"{table} has no field {name!r} that can be synced"
        if value is None and rule.nullable:
            continue
        # The common cases, checked inline (a bool is an int to Python, so exact types here).
        kind, value_type = rule.kind, type(value)
        if kind == "str" and value_type is str and (rule.max_length is None or len(value) <= rule.max_length):
            continue
        if kind == "int" and value_type is int and -(2**63) <= value < 2**63:
            continue
        if kind == "bool" and value_type is bool:
            continue
        problem = _check_value(rule, value)
        if problem:
            return f"{table}.{name} {problem}"
    if insert:
        missing = sorted(required_columns(table).difference(fields))
        if missing:
            return f"a new {table} record needs {', '.join(sorted(missing))}"
    elif not fields:
        return "the change names no fields"
    return None
