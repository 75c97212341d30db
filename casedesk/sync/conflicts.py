"""Reviewing and resolving sync conflicts (the service behind the GUI's conflict pane and the CLI).

A conflict holds, per field, "mine" (the value the pushing device sent) and "theirs" (the value the
server kept). Resolving it:
- keep theirs: nothing changes; the conflict is closed;
- keep mine: the pushed values are written to the record as a new local change (it syncs like any edit);
- edit: the given values are written instead.
The resolution itself travels to the server, so the worker's supervisor sees the conflict closed too.
A signed note or report cannot be changed: such a conflict can only be acknowledged (add an addendum).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casedesk.db.models import MODEL_BY_TABLE, Client, OutboxOp, SyncConflict
from casedesk.db.serialize import from_json_value, to_json_value
from casedesk.db.types import new_id, utcnow
from casedesk.errors import NotFoundError, ValidationError
from casedesk.services import audit
from casedesk.sync.apply import client_of
from casedesk.sync.protocol import ConflictKind

CHOICES = ("mine", "theirs", "edit")
RESOLVE_TABLE = "sync_conflict"


@dataclass(frozen=True)
class FieldConflict:
    name: str
    mine: Any  # as it travels (JSON): dates as ISO text
    theirs: Any
    current: Any  # the value on this device now


@dataclass(frozen=True)
class ConflictView:
    id: str
    table: str
    row_id: str
    kind: str
    record_label: str
    client_id: str | None
    client_name: str | None
    fields: tuple[FieldConflict, ...]
    created_at: dt.datetime
    resolved_at: dt.datetime | None
    resolution: dict[str, Any] | None

    @property
    def can_keep_mine(self) -> bool:
        return self.kind != ConflictKind.SIGNED and self.resolved_at is None


def _label(table: str) -> str:
    return table.replace("_", " ")


def _view(session: Session, c: SyncConflict) -> ConflictView:
    model = MODEL_BY_TABLE.get(c.table_name)
    obj = session.get(model, c.row_id) if model is not None else None
    client_id = client_of(session, c.table_name, c.row_id) if model is not None else None
    client = session.get(Client, client_id) if client_id else None
    fields = []
    for name, sides in sorted((c.fields or {}).items()):
        current = to_json_value(getattr(obj, name)) if obj is not None and hasattr(obj, name) else None
        fields.append(FieldConflict(name, sides.get("mine"), sides.get("theirs"), current))
    return ConflictView(
        id=c.id,
        table=c.table_name,
        row_id=c.row_id,
        kind=c.kind,
        record_label=_label(c.table_name),
        client_id=client_id,
        client_name=client.display_name if client else None,
        fields=tuple(fields),
        created_at=c.created_at,
        resolved_at=c.resolved_at,
        resolution=c.resolution,
    )


def open_conflicts(session: Session) -> list[ConflictView]:
    rows = session.execute(
        select(SyncConflict).where(SyncConflict.resolved_at.is_(None)).order_by(SyncConflict.created_at)
    ).scalars()
    return [_view(session, c) for c in rows]


def get_conflict(session: Session, conflict_id: str) -> ConflictView:
    c = session.get(SyncConflict, conflict_id)
    if c is None:
        raise NotFoundError(f"No sync conflict with id {conflict_id}.")
    return _view(session, c)


def resolve(session: Session, conflict_id: str, choice: str, values: dict[str, Any] | None = None) -> None:
    """Close a conflict with "mine", "theirs" or "edit" (then `values` gives field -> value, as Python
    values of the column's type or as their JSON form)."""
    if choice not in CHOICES:
        raise ValidationError(f"Choose one of: {', '.join(CHOICES)}.")
    c = session.get(SyncConflict, conflict_id)
    if c is None:
        raise NotFoundError(f"No sync conflict with id {conflict_id}.")
    if c.resolved_at is not None:
        raise ValidationError("This conflict was already resolved.")
    sides = c.fields or {}
    chosen: dict[str, Any] = {}
    if choice == "mine":
        chosen = {name: side.get("mine") for name, side in sides.items()}
    elif choice == "edit":
        if not values:
            raise ValidationError("Give the value to keep for at least one field.")
        unknown = set(values) - set(sides)
        if unknown:
            raise ValidationError(f"These fields are not part of the conflict: {', '.join(sorted(unknown))}.")
        chosen = {name: to_json_value(value) for name, value in values.items()}
    if chosen:
        if c.kind == ConflictKind.SIGNED:
            raise ValidationError(
                "A signed record cannot be changed. Keep the signed version, and add an addendum if the other text matters."
            )
        _write_values(session, c, chosen)
    c.resolved_at = utcnow()
    c.resolved_by = session.info.get("actor")
    c.resolution = {"choice": choice, "values": chosen}
    session.add(
        OutboxOp(
            op_id=new_id(),
            table_name=RESOLVE_TABLE,
            row_id=c.id,
            kind="resolve",
            base_version=0,
            new_version=0,
            fields={"choice": choice, "values": chosen},
            created_at=utcnow(),
        )
    )
    session.flush()
    audit.record(session, "sync", c.table_name, c.row_id, {"step": "resolve_conflict", "choice": choice})


def _write_values(session: Session, c: SyncConflict, chosen: dict[str, Any]) -> None:
    model = MODEL_BY_TABLE.get(c.table_name)
    if model is None:
        raise ValidationError(f"CaseDesk does not know {c.table_name} records.")
    obj = session.get(model, c.row_id)
    if obj is None:
        raise NotFoundError(f"The {_label(c.table_name)} of this conflict is no longer on this device.")
    mapper = model.__mapper__  # type: ignore[attr-defined]
    for name, value in chosen.items():
        if name not in mapper.columns:
            raise ValidationError(f"{_label(c.table_name)} has no field {name!r}.")
        try:
            python_value = from_json_value(mapper, name, value)
        except (TypeError, ValueError, KeyError):
            raise ValidationError(f"{name}: {value!r} is not a valid value.") from None
        if getattr(obj, name) != python_value:
            setattr(obj, name, python_value)
    session.flush()
