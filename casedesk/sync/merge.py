"""How the server folds one pushed op into its copy of a row. Pure: no database, no HTTP.

The server remembers, per field, the version at which it last changed and which device changed it
(``field_meta``). An op carries the server version its device's copy was based on. A field changed on
the server after that base *by another device* and changed again by this op to a different value is a
conflict: the server keeps its value and the op's value goes into a conflict record. Fields the other
side did not touch merge silently. A device's own earlier changes never conflict with its later ones.

Deleting a record someone else edited since (or editing one someone else deleted) is a conflict too,
never a silent delete. Signed notes and reports are immutable: the signing op's content stands as
signed, and an edit that meets a signed record is kept in a conflict record instead of being lost.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from casedesk.sync.protocol import (
    IMMUTABLE_TABLES,
    ConflictKind,
    OpStatus,
    is_signed,
    locked_columns,
)

DELETED = "deleted_at"


@dataclass(slots=True)
class RowState:
    """The server's copy of one row: content fields, version, and per-field [version, origin].

    A [version, origin] entry is never changed in place (a field that changes gets a new one), so the
    fields one op changed share a single entry."""

    data: dict[str, Any]
    version: int
    field_meta: dict[str, list[Any]] = field(default_factory=dict)

    @property
    def deleted(self) -> bool:
        return self.data.get(DELETED) is not None


@dataclass(frozen=True)
class IncomingOp:
    op_id: str
    table: str
    row_id: str
    kind: str  # insert / update / delete
    base: int  # server version the device's copy was based on (0: none)
    fields: dict[str, Any]
    origin: str  # the pushing device


@dataclass
class MergeOutcome:
    status: OpStatus
    row: RowState | None = None  # the row after the op (None when the op was not applied at all)
    changed: list[str] = field(default_factory=list)  # fields that took a new value
    conflict_kind: ConflictKind | None = None
    conflict_fields: dict[str, dict[str, Any]] = field(default_factory=dict)  # f -> {"mine", "theirs"}
    reason: str | None = None


def _changed_elsewhere(row: RowState, name: str, op: IncomingOp) -> bool:
    meta = row.field_meta.get(name)
    if not meta:
        return False
    return int(meta[0]) > op.base and meta[1] != op.origin


def merge(current: RowState | None, op: IncomingOp) -> MergeOutcome:
    if current is None:
        if op.kind != "insert":
            return MergeOutcome(OpStatus.DEFERRED, reason="this record is not on the server yet")
        stamp = [1, op.origin]
        # The op's fields become the row's data as they are: neither is ever changed in place.
        row = RowState(op.fields, 1, dict.fromkeys(op.fields, stamp))
        return MergeOutcome(OpStatus.APPLIED, row, changed=sorted(op.fields))

    differing = {k: v for k, v in op.fields.items() if current.data.get(k) != v}
    if op.table in IMMUTABLE_TABLES and differing:
        return MergeOutcome(OpStatus.REJECTED, reason="an addendum cannot be changed once written")

    new_data = dict(current.data)
    new_meta = dict(current.field_meta)
    applied: list[str] = []
    conflict: dict[str, dict[str, Any]] = {}
    kind: ConflictKind | None = None
    handled: set[str] = set()
    locked = locked_columns(op.table)

    if locked and is_signed(op.table, current.data):
        # The record is signed: its content cannot change. Anything that would change it is kept aside.
        for name in sorted(set(differing) & locked):
            conflict[name] = {"mine": op.fields[name], "theirs": current.data.get(name)}
        if conflict:
            kind = ConflictKind.SIGNED
        handled |= locked
    elif locked and is_signed(op.table, {**current.data, **op.fields}) and "status" in op.fields:
        # This op signs the record: the content the signer saw is what stands.
        for name in sorted(set(differing) & locked):
            if _changed_elsewhere(current, name, op):
                conflict[name] = {"mine": op.fields[name], "theirs": current.data.get(name)}
            new_data[name] = op.fields[name]
            applied.append(name)
        if conflict:
            kind = ConflictKind.SIGNED
        handled |= locked
    elif current.deleted and _changed_elsewhere(current, DELETED, op):
        # Deleted elsewhere since this device's copy. Deleting it too changes nothing; editing it is a conflict.
        edits = {k: v for k, v in differing.items() if k != DELETED}
        if op.fields.get(DELETED) is not None and not edits:
            return MergeOutcome(OpStatus.APPLIED, current)
        conflict = {name: {"mine": op.fields[name], "theirs": current.data.get(name)} for name in sorted(edits)}
        conflict[DELETED] = {"mine": op.fields.get(DELETED), "theirs": current.data.get(DELETED)}
        return MergeOutcome(OpStatus.CONFLICT, None, conflict_kind=ConflictKind.DELETE_EDIT, conflict_fields=conflict)
    elif op.fields.get(DELETED) is not None and not current.deleted:
        edited_elsewhere = [name for name in current.field_meta if _changed_elsewhere(current, name, op)]
        if edited_elsewhere:
            conflict = {DELETED: {"mine": op.fields[DELETED], "theirs": None}}
            return MergeOutcome(
                OpStatus.CONFLICT, None, conflict_kind=ConflictKind.DELETE_EDIT, conflict_fields=conflict
            )

    for name, value in op.fields.items():
        if name in handled or name not in differing:
            continue
        if _changed_elsewhere(current, name, op):
            conflict[name] = {"mine": value, "theirs": current.data.get(name)}
            kind = kind or ConflictKind.UPDATE
            continue
        new_data[name] = value
        applied.append(name)

    if applied:
        version = current.version + 1
        stamp = [version, op.origin]
        for name in applied:
            new_meta[name] = stamp
        row = RowState(new_data, version, new_meta)
    else:
        row = current
    status = OpStatus.CONFLICT if conflict else OpStatus.APPLIED
    return MergeOutcome(status, row, changed=sorted(applied), conflict_kind=kind, conflict_fields=conflict)
