"""Noticing that something was signed, whatever pane signed it (no Qt): the audit log records every
signature, so "sign events after the last one seen" tells the backup hook when a backup may be due."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casedesk.db.models import AuditEvent

SIGN_ACTIONS = ("sign",)
# tables whose changes may come from a signature (notes; reports and forms sign through them too)
SIGNABLE_TABLES = ("progress_note", "quarterly_report", "form_response", "note_addendum", "signature")


def audit_watermark(session: Session) -> int:
    """The newest audit event's number (0 when there is none)."""
    return int(session.execute(select(func.max(AuditEvent.seq))).scalar() or 0)


def signed_since(session: Session, after: int) -> tuple[int, int]:
    """(new watermark, how many sign events were recorded after `after`)."""
    count = session.execute(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.seq > after, AuditEvent.action.in_(SIGN_ACTIONS))
    ).scalar_one()
    return max(after, audit_watermark(session)), int(count)
