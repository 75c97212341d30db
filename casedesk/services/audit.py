"""Hash-chained, append-only audit log.

Each event stores SHA-256(prev_hash + canonical row), the canonical row including its sequence
number, so editing, deleting or reordering history is detectable by `verify_chain`.
Details never hold client data: ids, counts, document kinds, file names chosen by the worker.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casedesk.db.models import AuditEvent
from casedesk.db.types import utcnow

GENESIS = "0" * 64
ACTIONS = frozenset(
    {
        "view",
        "create",
        "update",
        "delete",
        "sign",
        "addendum",
        "print",
        "export",
        "import",
        "login",
        "failed_login",
        "logout",
        "lock",
        "unlock",
        "passphrase_change",
        "sync",
        "backup",
        "restore",
        "profile_created",
        "demo_generated",
        "recovery_unlock",
    }
)


def canonical(
    seq: int,
    at: dt.datetime,
    actor: str,
    action: str,
    record_type: str | None,
    record_id: str | None,
    detail: dict[str, Any],
) -> bytes:
    doc = {
        "seq": seq,
        "at": at.astimezone(dt.UTC).isoformat(),
        "actor": actor,
        "action": action,
        "record_type": record_type,
        "record_id": record_id,
        "detail": detail,
    }
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def chain_hash(prev_hash: str, row: bytes) -> str:
    return hashlib.sha256(prev_hash.encode("ascii") + row).hexdigest()


def record(
    session: Session,
    action: str,
    record_type: str | None = None,
    record_id: str | None = None,
    detail: dict[str, Any] | None = None,
    actor: str | None = None,
) -> None:
    """Append one event in the caller's transaction (the writer lock is held, so the tail is stable)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    tail = session.info.get("audit_tail")
    if tail is None:
        last = session.execute(select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)).first()
        tail = (last[0], last[1]) if last else (0, GENESIS)
    seq, prev = tail[0] + 1, tail[1]
    who = actor or session.info.get("actor") or "system"
    at = utcnow()
    det = detail or {}
    digest = chain_hash(prev, canonical(seq, at, who, action, record_type, record_id, det))
    session.add(
        AuditEvent(
            seq=seq,
            at=at,
            actor=who,
            action=action,
            record_type=record_type,
            record_id=record_id,
            detail=det,
            prev_hash=prev,
            hash=digest,
        )
    )
    session.info["audit_tail"] = (seq, digest)


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    events: int
    problem: str | None = None


def verify_chain(session: Session) -> ChainReport:
    prev = GENESIS
    expected_seq = 1
    count = 0
    rows = session.execute(select(AuditEvent).order_by(AuditEvent.seq)).scalars()
    for ev in rows:
        count += 1
        if ev.seq != expected_seq:
            return ChainReport(False, count, f"audit event {expected_seq} is missing (next is {ev.seq})")
        if ev.prev_hash != prev:
            return ChainReport(False, count, f"audit event {ev.seq} does not follow event {ev.seq - 1}")
        digest = chain_hash(
            prev, canonical(ev.seq, ev.at, ev.actor, ev.action, ev.record_type, ev.record_id, ev.detail)
        )
        if digest != ev.hash:
            return ChainReport(False, count, f"audit event {ev.seq} was altered after it was written")
        prev = ev.hash
        expected_seq += 1
    return ChainReport(True, count)


@dataclass(frozen=True)
class AuditRow:
    seq: int
    at: dt.datetime
    actor: str
    action: str
    record_type: str | None
    record_id: str | None
    detail: dict[str, Any]


def recent_events(session: Session, limit: int = 100, record_id: str | None = None) -> list[AuditRow]:
    query = select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(limit)
    if record_id:
        query = query.where(AuditEvent.record_id == record_id)
    return [
        AuditRow(e.seq, e.at, e.actor, e.action, e.record_type, e.record_id, dict(e.detail))
        for e in session.execute(query).scalars()
    ]
