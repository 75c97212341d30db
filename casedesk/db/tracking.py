"""Session hooks that keep every local change honest, whoever makes it:

- bump `version`, stamp `updated_at`/`updated_by` on every changed synced row;
- append the change to the outbox in the same transaction (nothing is ever "forgotten" by sync);
- refuse changes to signed notes, signed reports, addenda and the audit log (the database triggers
  refuse them too, for anything that bypasses the ORM);
- keep a note's `search_text` (indexed by FTS5) derived from its body.

Rows applied from the server during sync are flushed with ``session.info["remote"] = True``: they are
not echoed back into the outbox.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from casedesk.db.models import (
    BOOKKEEPING_COLUMNS,
    NOTE_CONTENT_COLUMNS,
    REPORT_CONTENT_COLUMNS,
    AuditEvent,
    NoteAddendum,
    OutboxOp,
    ProgressNote,
    QuarterlyReport,
    Synced,
)
from casedesk.db.serialize import to_json_value
from casedesk.db.types import utcnow
from casedesk.domain.notes import search_text
from casedesk.errors import ImmutableRecordError


def _changed_columns(obj: Any) -> dict[str, Any]:
    state = inspect(obj)
    changed: dict[str, Any] = {}
    for attr in state.mapper.column_attrs:
        hist = state.attrs[attr.key].history
        if hist.has_changes():
            changed[attr.key] = getattr(obj, attr.key)
    return changed


def _committed(obj: Any, key: str) -> Any:
    hist = inspect(obj).attrs[key].history
    if hist.deleted:
        return hist.deleted[0]
    if hist.unchanged:
        return hist.unchanged[0]
    return getattr(obj, key)


def _guard(obj: Any, changed: dict[str, Any]) -> None:
    if isinstance(obj, ProgressNote) and _committed(obj, "status") == "signed":
        if set(changed) & set(NOTE_CONTENT_COLUMNS):
            raise ImmutableRecordError("This note is signed and locked. Corrections are made with an addendum.")
    elif isinstance(obj, QuarterlyReport) and _committed(obj, "status") in ("signed", "submitted"):
        if set(changed) & set(REPORT_CONTENT_COLUMNS):
            raise ImmutableRecordError("This quarterly report is signed and locked.")
    elif isinstance(obj, NoteAddendum) and set(changed) - BOOKKEEPING_COLUMNS:
        raise ImmutableRecordError("An addendum cannot be changed once written.")


@event.listens_for(Session, "before_flush")
def _before_flush(session: Session, flush_context: Any, instances: Any) -> None:
    remote = bool(session.info.get("remote"))
    actor = session.info.get("actor")
    now = utcnow()

    for obj in list(session.deleted):
        if isinstance(obj, AuditEvent):
            raise ImmutableRecordError("The audit log is append-only.")
        if isinstance(obj, ProgressNote) and _committed(obj, "status") == "signed":
            raise ImmutableRecordError("A signed note cannot be deleted.")
        if isinstance(obj, Synced) and not remote:
            raise ImmutableRecordError(
                "Records are never hard-deleted on a device (set deleted_at instead), so sync can see it."
            )

    for obj in list(session.new):
        if isinstance(obj, ProgressNote):
            obj.search_text = search_text(obj.body or {})
        if not isinstance(obj, Synced) or remote:
            continue
        obj.version = 1
        obj.created_at = obj.created_at or now
        obj.updated_at = now
        obj.updated_by = actor
        mapper = inspect(obj).mapper
        # ensure column defaults are present so the op carries the whole row
        for attr in mapper.column_attrs:
            col = attr.columns[0]
            default = col.default
            if getattr(obj, attr.key) is None and default is not None:
                arg = default.arg
                setattr(obj, attr.key, arg(None) if default.is_callable else arg)
        fields = {
            a.key: to_json_value(getattr(obj, a.key))
            for a in mapper.column_attrs
            if a.key not in BOOKKEEPING_COLUMNS and a.key != "search_text"
        }
        _append_op(session, obj, "insert", 0, fields)

    for obj in list(session.dirty):
        if isinstance(obj, AuditEvent) and session.is_modified(obj):
            raise ImmutableRecordError("The audit log is append-only.")
        if not isinstance(obj, Synced) or not session.is_modified(obj, include_collections=False):
            continue
        changed = _changed_columns(obj)
        if isinstance(obj, ProgressNote) and "body" in changed:
            obj.search_text = search_text(obj.body or {})
        content = {k: v for k, v in changed.items() if k not in BOOKKEEPING_COLUMNS and k != "search_text"}
        if not content:
            continue  # e.g. sync recording server_version: not a local change
        _guard(obj, changed)
        if remote:
            continue
        base_version = int(_committed(obj, "version") or 0)
        obj.version = base_version + 1
        obj.updated_at = now
        obj.updated_by = actor
        deleted_now = "deleted_at" in content and content["deleted_at"] is not None
        _append_op(
            session,
            obj,
            "delete" if deleted_now else "update",
            base_version,
            {k: to_json_value(v) for k, v in content.items()},
        )


def _append_op(session: Session, obj: Any, kind: str, base_version: int, fields: dict[str, Any]) -> None:
    session.add(
        OutboxOp(
            table_name=obj.__tablename__,
            row_id=obj.id,
            kind=kind,
            base_version=base_version,
            new_version=obj.version,
            fields=fields,
            created_at=utcnow(),
        )
    )
