"""How CaseDesk stores a point in time: fixed-width ISO-8601 UTC text ("2026-03-01T14:05:00.000000+00:00"),
which sorts chronologically and compares correctly in SQL. Free of SQLAlchemy, for plain-connection reads."""

from __future__ import annotations

import datetime as dt

UTC_TEXT_FORMAT = "%Y-%m-%dT%H:%M:%S.%f+00:00"


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def utc_text(value: dt.datetime) -> str:
    if value.tzinfo is None:
        raise ValueError("naive datetime given to a UTC column")
    return value.astimezone(dt.UTC).strftime(UTC_TEXT_FORMAT)
