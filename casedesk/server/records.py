"""The server's copies of synced rows: wire format, and changes the server itself makes (worker records,
reassignments)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casedesk.server.db import SeqAllocator
from casedesk.server.models import Conflict, Record, utcnow

SERVER_ORIGIN = "server"


def iso(value: dt.datetime | None) -> str | None:
    """ISO 8601 in UTC. A time without a zone is UTC (SQLite hands back what it stored, without one)."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.isoformat() + "+00:00"
    if value.tzinfo is dt.UTC:
        return value.isoformat()
    return value.astimezone(dt.UTC).isoformat()


def row_payload(rec: Record) -> dict[str, Any]:
    return {
        "t": rec.table_name,
        "id": rec.row_id,
        "v": rec.version,
        "d": rec.data,
        "c": iso(rec.created_at),
        "u": iso(rec.updated_at),
        "by": rec.updated_by,
        "s": rec.seq,
    }


def conflict_payload(c: Conflict) -> dict[str, Any]:
    return {
        "id": c.id,
        "table": c.table_name,
        "row_id": c.row_id,
        "client_id": c.client_id,
        "op_id": c.op_id,
        "kind": c.kind,
        "fields": c.fields,
        "server_version": c.server_version,
        "created_at": iso(c.created_at),
        "resolved_at": iso(c.resolved_at),
        "resolved_by": c.resolved_by,
        "resolution": c.resolution,
        "s": c.seq,
    }


def server_change(
    session: Session,
    alloc: SeqAllocator,
    table: str,
    row_id: str,
    changes: dict[str, Any],
    *,
    is_global: bool = False,
    client_id: str | None = None,
    by: str | None = None,
) -> Record:
    """Apply a change made by the server itself (no device). Creates the record if it does not exist."""
    rec = session.execute(
        select(Record).where(Record.table_name == table, Record.row_id == row_id)
    ).scalar_one_or_none()
    now = utcnow()
    if rec is None:
        rec = Record(
            table_name=table,
            row_id=row_id,
            client_id=client_id,
            owner_user_id=None,
            is_global=is_global,
            data=dict(changes),
            field_meta={k: [1, SERVER_ORIGIN] for k in changes},
            version=1,
            seq=alloc.next(),
            created_at=now,
            updated_at=now,
            updated_by=by,
        )
        session.add(rec)
        return rec
    differing = {k: v for k, v in changes.items() if rec.data.get(k) != v}
    if not differing:
        return rec
    version = rec.version + 1
    rec.data = {**rec.data, **differing}
    rec.field_meta = {**rec.field_meta, **{k: [version, SERVER_ORIGIN] for k in differing}}
    rec.version = version
    rec.seq = alloc.next()
    rec.updated_at = now
    rec.updated_by = by
    rec.origin_device = None  # no device holds this version yet
    return rec
