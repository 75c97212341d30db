"""Column values to and from JSON for outbox ops, sync and audit canonical forms."""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

from sqlalchemy import Date, LargeBinary
from sqlalchemy.orm import Mapper

from casedesk.db.types import UTCDateTime


def to_json_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return {"$b64": base64.b64encode(bytes(value)).decode("ascii")}
    return value


def from_json_value(mapper: Mapper[Any], column: str, value: Any) -> Any:
    """Inverse of to_json_value for one column of a model."""
    if value is None:
        return None
    col_type = mapper.columns[column].type
    if isinstance(col_type, UTCDateTime):
        return dt.datetime.fromisoformat(value)
    if isinstance(col_type, Date):
        return dt.date.fromisoformat(value)
    if isinstance(col_type, LargeBinary):
        return base64.b64decode(value["$b64"])
    return value


def row_to_json(obj: Any) -> dict[str, Any]:
    mapper = obj.__mapper__
    return {c.key: to_json_value(getattr(obj, c.key)) for c in mapper.column_attrs}
