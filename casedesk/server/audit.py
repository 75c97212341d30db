"""Server-side audit log: every request and every change. Ids, counts and outcomes only (no client data)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casedesk.server.db import insert_rows
from casedesk.server.models import AuditEntry, table_of, utcnow


def log(
    session: Session,
    action: str,
    *,
    user_id: str | None = None,
    device_id: str | None = None,
    target: str | None = None,
    status: str | None = None,
    detail: dict[str, Any] | None = None,
    remote_addr: str | None = None,
) -> None:
    session.add(
        AuditEntry(
            at=utcnow(),
            user_id=user_id,
            device_id=device_id,
            action=action,
            target=target[:120] if target else None,
            status=status,
            detail=detail or {},
            remote_addr=remote_addr,
        )
    )


def log_many(session: Session, entries: Sequence[dict[str, Any]]) -> None:
    """Bulk form for the per-op entries of a push batch."""
    if entries:
        now = utcnow()
        insert_rows(session, table_of(AuditEntry), [{"at": now, "detail": {}, **e} for e in entries])


def count_since(session: Session, action: str, remote_addr: str, since: dt.datetime) -> int:
    """How many entries of `action` from `remote_addr` were logged since `since` (counted in SQL)."""
    query = select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == action, AuditEntry.remote_addr == remote_addr, AuditEntry.at >= since
    )
    return int(session.execute(query).scalar_one())
