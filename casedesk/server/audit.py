"""Server-side audit log: every request and every change. Ids, counts and outcomes only (no client data)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
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


def request_failures(
    session: Session, target: str, remote_addr: str, failure: str, since: dt.datetime
) -> int:
    """How many requests to `target` from `remote_addr` since `since` were refused with `failure` (the
    error code the handler noted in the request's audit detail)."""
    details = session.execute(
        select(AuditEntry.detail).where(
            AuditEntry.action == "request",
            AuditEntry.target == target[:120],
            AuditEntry.remote_addr == remote_addr,
            AuditEntry.at >= since,
        )
    ).scalars()
    return sum(1 for detail in details if isinstance(detail, dict) and detail.get("failure") == failure)
