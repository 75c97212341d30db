"""Rows pulled from the server are stored exactly as the device would store them itself: the bulk insert
of new rows writes the same column values the ORM writes, for every synced table of a demo caseload."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select, text

from casedesk import demo
from casedesk.db.models import MODEL_BY_TABLE
from casedesk.db.serialize import to_json_value
from casedesk.db.store import Store
from casedesk.db.types import UTCDateTime
from casedesk.sync.apply import APPLY_ORDER, _utc_text, apply_rows

PASSPHRASE = "correct horse battery"
BOOKKEEPING = ("id", "version", "server_version", "created_at", "updated_at", "updated_by", "search_text")


def wire_rows(store: Store) -> list[dict[str, Any]]:
    """Every synced row in the server's wire format, parents first."""
    rows = []
    with store.read_session() as s:
        for table in APPLY_ORDER:
            model = MODEL_BY_TABLE[table]
            for obj in s.execute(select(model)).scalars():
                data = {
                    a.key: to_json_value(getattr(obj, a.key))
                    for a in model.__mapper__.column_attrs  # type: ignore[attr-defined]
                    if a.key not in BOOKKEEPING
                }
                rows.append(
                    {"t": table, "id": obj.id, "v": 3, "d": data, "c": obj.created_at.isoformat(),
                     "u": obj.updated_at.isoformat(), "by": obj.updated_by, "s": 1}
                )
    return rows


def stored(store: Store, table: str) -> dict[str, dict[str, Any]]:
    with store.engine.connect() as conn:
        return {r["id"]: dict(r) for r in conn.execute(text(f"SELECT * FROM {table}")).mappings()}


def test_pulled_rows_are_stored_as_the_device_stores_its_own(tmp_path: Path) -> None:
    source, _ = Store.create(tmp_path / "source", PASSPHRASE)
    with source.session() as s:
        demo.generate(s, clients=3, seed=11, today=dt.date(2026, 3, 2))
    rows = wire_rows(source)
    pulled, _ = Store.create(tmp_path / "pulled", PASSPHRASE)
    try:
        with pulled.session() as s:
            s.connection().exec_driver_sql("PRAGMA defer_foreign_keys = ON")
            written = apply_rows(s, rows)
        assert written == len(rows)
        compared = 0
        for table in APPLY_ORDER:
            mine, theirs = stored(source, table), stored(pulled, table)
            for row_id, row in mine.items():
                got = theirs[row_id]
                assert (got["version"], got["server_version"]) == (3, 3), (table, row_id)
                for column, value in row.items():
                    if column not in ("version", "server_version"):
                        assert got[column] == value, (table, column)
                compared += 1
        assert compared == len(rows)
        with pulled.engine.connect() as conn:
            hits = conn.execute(text("SELECT count(*) FROM note_fts WHERE note_fts MATCH 'visit'")).scalar_one()
        with source.engine.connect() as conn:
            assert hits == conn.execute(text("SELECT count(*) FROM note_fts WHERE note_fts MATCH 'visit'")).scalar_one()
    finally:
        source.close()
        pulled.close()


@given(
    st.datetimes(min_value=dt.datetime(2, 1, 1), max_value=dt.datetime(9998, 12, 31)),
    st.sampled_from([0, 0, 330, -300, 840]),
)
def test_pulled_times_are_stored_in_the_text_the_utc_column_writes(when: dt.datetime, offset_minutes: int) -> None:
    aware = when.replace(tzinfo=dt.timezone(dt.timedelta(minutes=offset_minutes)))
    assert _utc_text(aware) == UTCDateTime().process_bind_param(aware, None)  # type: ignore[arg-type]
