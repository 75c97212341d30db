"""The server's bulk insert writes on SQLite exactly what a Core insert writes (same stored text for times,
JSON and flags), and leaves a column with a Python-side default to Core."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from sqlalchemy import insert, text

from casedesk.server.db import Database, insert_rows
from casedesk.server.models import AuditEntry, Record, table_of

WHEN = dt.datetime(2026, 3, 1, 14, 5, 9, 123456, tzinfo=dt.UTC)


def records() -> list[dict[str, Any]]:
    return [
        {
            "table_name": "progress_note",
            "row_id": f"n-{i}",
            "client_id": "c-1" if i % 2 else None,
            "owner_user_id": None if i % 2 else "u-1",
            "is_global": i == 3,
            "data": {"body": {"data": f"Zoë visit {i}"}, "units": i, "status": None},
            "field_meta": {"body": [1, "device-1"], "units": [1, "device-1"]},
            "version": 1,
            "seq": i + 1,
            "created_at": WHEN + dt.timedelta(days=i),
            "updated_at": (WHEN + dt.timedelta(hours=i)).astimezone(dt.timezone(dt.timedelta(hours=-5))),
            "updated_by": None,
            "origin_device": "device-1",
        }
        for i in range(5)
    ]


def stored(db: Database, table: str) -> list[tuple[Any, ...]]:
    with db.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(f"SELECT * FROM {table} ORDER BY 1, 2"))]


def test_bulk_insert_stores_what_a_core_insert_stores(tmp_path: Path) -> None:
    bulk, core = Database.open(f"sqlite:///{tmp_path / 'bulk.db'}"), Database.open(f"sqlite:///{tmp_path / 'core.db'}")
    audit = [{"at": WHEN, "user_id": "u-1", "device_id": None, "action": "apply", "target": "progress_note:n-1",
              "status": "applied", "detail": {"op_id": "o-1", "fields": ["body"], "conflict_fields": ()}}]
    try:
        with bulk.write() as s:
            insert_rows(s, table_of(Record), records())
            insert_rows(s, table_of(AuditEntry), audit)
        with core.write() as s:
            s.execute(insert(table_of(Record)), records())
            s.execute(insert(table_of(AuditEntry)), audit)
        assert stored(bulk, "records") == stored(core, "records")
        assert stored(bulk, "audit_log") == stored(core, "audit_log")
        assert len(stored(bulk, "records")) == 5
    finally:
        bulk.close()
        core.close()


def test_a_left_out_column_gets_its_default(tmp_path: Path) -> None:
    db = Database.open(f"sqlite:///{tmp_path / 'server.db'}")
    try:
        with db.write() as s:
            insert_rows(s, table_of(AuditEntry), [{"action": "request", "target": "GET /x"}])  # no time, no detail
        with db.read() as s:
            entry = s.execute(text("SELECT at, detail FROM audit_log")).one()
        assert entry.at is not None and entry.detail == "{}"
    finally:
        db.close()
