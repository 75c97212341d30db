"""Column types shared by the models: UTC datetimes, JSON, UUID ids."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator
from uuid6 import uuid7

from casedesk.db.utc_text import utc_text, utcnow

__all__ = ["JSONDoc", "UTCDateTime", "new_id", "utcnow"]


def new_id() -> str:
    """Device-generated, time-ordered UUID (v7) as text: offline records never collide."""
    return str(uuid7())


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Timezone-aware UTC datetime stored as ISO-8601 text ("2026-03-01T14:05:00.000000+00:00").

    Fixed-width text sorts chronologically, compares correctly in SQL, and reads back tz-aware.
    """

    impl = String(32)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return utc_text(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        return dt.datetime.fromisoformat(value)


class JSONDoc(TypeDecorator[Any]):
    """JSON document (dicts/lists) stored as compact UTF-8 text."""

    impl = JSON
    cache_ok = True
