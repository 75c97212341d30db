"""Column types shared by the models: UTC datetimes, JSON, UUID ids."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator
from uuid6 import uuid7


def new_id() -> str:
    """Device-generated, time-ordered UUID (v7) as text: offline records never collide."""
    return str(uuid7())


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Timezone-aware UTC datetime stored as ISO-8601 text ("2026-03-01T14:05:00.000000+00:00").

    Fixed-width text sorts chronologically, compares correctly in SQL, and reads back tz-aware.
    """

    impl = String(32)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")

    def process_result_value(self, value: str | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        return dt.datetime.fromisoformat(value)


class JSONDoc(TypeDecorator[Any]):
    """JSON document (dicts/lists) stored as compact UTF-8 text."""

    impl = JSON
    cache_ok = True
