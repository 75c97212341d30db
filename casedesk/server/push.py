"""Applying one pushed batch of ops: one transaction, each op at most once, one answer per op.

Everything the batch needs (remembered op ids, the rows it touches, their parents, foreign-key targets,
the caller's caseload) is read up front in a few set-wise queries; ops are then checked, authorised and
merged in memory in order, and the results written back in bulk. The writers' lock (SeqAllocator) keeps
the change sequence in commit order.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from casedesk.db.models import MODEL_BY_TABLE
from casedesk.gcpause import collection_paused
from casedesk.server import audit
from casedesk.server.auth import Actor, visible_clients
from casedesk.server.db import Database, SeqAllocator, insert_rows
from casedesk.server.models import AppliedOp, Assignment, Conflict, PastAssignment, Record, User, table_of, utcnow
from casedesk.server.records import conflict_payload, iso, row_payload
from casedesk.server.validate import check_fields, reference_rules
from casedesk.sync.merge import IncomingOp, RowState, merge
from casedesk.sync.protocol import (
    ADMIN_TABLES,
    GLOBAL_TABLES,
    PARENT_REF,
    SCOPE_COLUMNS,
    SIGNATURE_DOCUMENTS,
    OpStatus,
)

CHUNK = 500
UPDATED_COLUMNS = ("data", "field_meta", "version", "seq", "updated_at", "updated_by", "origin_device")
RESOLVE_TABLE = "sync_conflict"
RESOLUTION_CHOICES = ("mine", "theirs", "edit")


@dataclass(slots=True)
class OpIn:
    op_id: str
    table: str
    row_id: str
    kind: str
    base: int
    fields: dict[str, Any]
    created_at: str | None = None


@dataclass(slots=True)
class Row:
    """A record as the batch sees it (loaded from the database or created by an earlier op)."""

    table: str
    row_id: str
    client_id: str | None
    owner_user_id: str | None
    is_global: bool
    state: RowState
    seq: int
    created_at: Any
    updated_at: Any
    updated_by: str | None
    in_db: bool
    origin: str | None = None  # the device whose op made the current version (None: the server, or unknown)
    dirty: bool = False

    def payload(self) -> dict[str, Any]:
        return {
            "t": self.table,
            "id": self.row_id,
            "v": self.state.version,
            "d": self.state.data,
            "c": iso(self.created_at),
            "u": iso(self.updated_at),
            "by": self.updated_by,
            "s": self.seq,
        }


@dataclass
class Batch:
    session: Session
    actor: Actor
    alloc: SeqAllocator
    rows: dict[tuple[str, str], Row] = field(default_factory=dict)
    known_ops: dict[str, AppliedOp] = field(default_factory=dict)
    conflicts: dict[str, Conflict] = field(default_factory=dict)
    visible: set[str] = field(default_factory=set)
    held: set[tuple[str, str]] = field(default_factory=set)
    seen_ops: set[str] = field(default_factory=set)
    new_ops: list[dict[str, Any]] = field(default_factory=list)
    new_conflicts: list[Conflict] = field(default_factory=list)
    new_assignments: list[dict[str, Any]] = field(default_factory=list)
    changed_assignments: dict[str, str] = field(default_factory=dict)
    audit_rows: list[dict[str, Any]] = field(default_factory=list)
    worker_users: dict[str, User] = field(default_factory=dict)
    former: dict[str, dt.datetime] = field(default_factory=dict)  # client -> when the actor's caseload lost it
    now: dt.datetime = field(default_factory=utcnow)  # one time for the whole batch: one transaction

    # ---- loading ---------------------------------------------------------------------------------

    def load(self, ops: list[OpIn]) -> None:
        s = self.session
        ids = [op.op_id for op in ops]
        for chunk in _chunks(ids):
            for a in s.execute(select(AppliedOp).where(AppliedOp.op_id.in_(chunk))).scalars():
                self.known_ops[a.op_id] = a
        conflict_ids = [a.conflict_id for a in self.known_ops.values() if a.conflict_id]
        conflict_ids += [op.row_id for op in ops if op.table == RESOLVE_TABLE]
        for chunk in _chunks(conflict_ids):
            for c in s.execute(select(Conflict).where(Conflict.id.in_(chunk))).scalars():
                self.conflicts[c.id] = c
        wanted: dict[str, set[str]] = defaultdict(set)
        for op in ops:
            if op.table not in MODEL_BY_TABLE:
                continue
            wanted[op.table].add(op.row_id)
            for rule in reference_rules(op.table):
                value = op.fields.get(rule.name)
                if rule.fk_table and isinstance(value, str):
                    wanted[rule.fk_table].add(value)
            if op.table == "signature":
                target = SIGNATURE_DOCUMENTS.get(str(op.fields.get("document_type")))
                if target and isinstance(op.fields.get("document_id"), str):
                    wanted[target].add(op.fields["document_id"])
        self._load_rows(wanted)
        # grandparents (goal -> plan -> client is resolved through the plan's stored scope, so one level is enough)
        self.visible = visible_clients(s, self.actor)
        for client_id, ended in s.execute(
            select(PastAssignment.client_id, PastAssignment.ended_at).where(PastAssignment.user_id == self.actor.user_id)
        ):
            ended = ended if ended.tzinfo else ended.replace(tzinfo=dt.UTC)
            if client_id not in self.former or ended > self.former[client_id]:
                self.former[client_id] = ended

    def _load_rows(self, wanted: dict[str, set[str]]) -> None:
        for table, row_ids in wanted.items():
            missing = [r for r in row_ids if (table, r) not in self.rows]
            for chunk in _chunks(missing):
                for rec in self.session.execute(
                    select(Record).where(Record.table_name == table, Record.row_id.in_(chunk))
                ).scalars():
                    self.rows[(table, rec.row_id)] = Row(
                        rec.table_name,
                        rec.row_id,
                        rec.client_id,
                        rec.owner_user_id,
                        rec.is_global,
                        RowState(dict(rec.data), rec.version, dict(rec.field_meta)),
                        rec.seq,
                        rec.created_at,
                        rec.updated_at,
                        rec.updated_by,
                        in_db=True,
                        origin=rec.origin_device,
                    )

    # ---- access ----------------------------------------------------------------------------------

    def made_while_assigned(self, op: OpIn, client_id: str | None) -> bool:
        """A change the actor made to a client before it left her caseload may still be sent."""
        if client_id is None or client_id not in self.former or not op.created_at:
            return False
        made = _when(op, None)
        return made is not None and made <= self.former[client_id]

    def can_see(self, row: Row) -> bool:
        if row.is_global:
            return True
        if row.client_id is not None:
            return row.client_id in self.visible
        return row.owner_user_id in self.actor.visible_users

    def _scope_for_new(self, op: OpIn) -> tuple[str | None, str | None, bool] | str | None:
        """(client_id, owner_user_id, is_global) for a new row; a str is a deferral reason; None: forbidden."""
        if op.table in GLOBAL_TABLES:
            return (None, None, True)
        if op.table == "client":
            return (op.row_id, None, False)
        if op.table == "signature":
            target = SIGNATURE_DOCUMENTS.get(str(op.fields.get("document_type")))
            doc_id = op.fields.get("document_id")
            if target is None or not isinstance(doc_id, str):
                return (None, self.actor.user_id, False)
            parent = self.rows.get((target, doc_id))
            if parent is None:
                return f"the signed {target.replace('_', ' ')} is not on the server yet"
            return (parent.client_id, parent.owner_user_id, False)
        column, target = PARENT_REF[op.table]
        parent_id = op.fields.get(column)
        if parent_id is None:
            return (None, self.actor.user_id, False)
        parent = self.rows.get((target, str(parent_id)))
        if parent is None:
            return f"its {target.replace('_', ' ')} is not on the server yet"
        if target == "client":
            return (parent.row_id, None, False)
        return (parent.client_id, parent.owner_user_id, False)

    # ---- one op ----------------------------------------------------------------------------------

    def handle(self, op: OpIn) -> dict[str, Any]:
        key = (op.table, op.row_id)
        known = self.known_ops.get(op.op_id)
        if known is not None or op.op_id in self.seen_ops:
            return self._duplicate(op, known)
        self.seen_ops.add(op.op_id)
        if op.table == RESOLVE_TABLE:
            return self._resolve(op)
        if key in self.held:
            return self._not_applied(op, OpStatus.DEFERRED, "an earlier change to this record was not accepted yet")
        problem = check_fields(op.table, op.fields, insert=op.kind == "insert")
        if op.kind not in ("insert", "update", "delete"):
            problem = f"unknown kind of change {op.kind!r}"
        if problem:
            return self._not_applied(op, OpStatus.REJECTED, problem)

        row = self.rows.get(key)
        if op.table in ADMIN_TABLES and not self.actor.is_admin:
            return self._not_applied(op, OpStatus.REJECTED, f"only an administrator can change {op.table} records")
        late = False  # sent after the client left the actor's caseload
        if row is not None:
            if not self.can_see(row):
                if not self.made_while_assigned(op, row.client_id):
                    return self._not_applied(op, OpStatus.REJECTED, "forbidden: this record is not in your caseload")
                late = True
            for column in SCOPE_COLUMNS.get(op.table, ()):
                if column in op.fields and op.fields[column] != row.state.data.get(column):
                    return self._not_applied(op, OpStatus.REJECTED, "a record cannot be moved to another client")
            scope = (row.client_id, row.owner_user_id, row.is_global)
        else:
            if op.kind != "insert":
                return self._not_applied(op, OpStatus.DEFERRED, "this record is not on the server yet")
            found = self._scope_for_new(op)
            if isinstance(found, str):
                return self._not_applied(op, OpStatus.DEFERRED, found)
            assert found is not None
            scope = found
            client_id = scope[0]
            if op.table != "client" and client_id is not None and client_id not in self.visible:
                if not self.made_while_assigned(op, client_id):
                    return self._not_applied(op, OpStatus.REJECTED, "forbidden: this client is not in your caseload")
                late = True
        if op.table == "client" and "assigned_worker_id" in op.fields:
            refusal = self._check_reassignment(op, row)
            if refusal:
                return self._not_applied(op, OpStatus.REJECTED, refusal)
        bad_reference = self._check_references(op, late)
        if bad_reference:
            return self._not_applied(op, *bad_reference)

        row_existed = row is not None
        outcome = merge(
            row.state if row is not None else None,
            IncomingOp(op.op_id, op.table, op.row_id, op.kind, op.base, op.fields, self.actor.device_id),
        )
        if outcome.status in (OpStatus.DEFERRED, OpStatus.REJECTED):
            return self._not_applied(op, outcome.status, outcome.reason or "not applied")

        now = self.now
        if outcome.row is not None and (row is None or outcome.row is not row.state):
            if row is None:
                row = Row(op.table, op.row_id, scope[0], scope[1], scope[2], outcome.row, self.alloc.next(),
                          _when(op, now), now, self.actor.worker_id, in_db=False, origin=self.actor.device_id,
                          dirty=True)
                self.rows[key] = row
                if op.table == "client":
                    self._assign_new_client(op.row_id)
            else:
                row.state = outcome.row
                row.seq = self.alloc.next()
                row.updated_at = now
                row.updated_by = self.actor.worker_id
                row.origin = self.actor.device_id
                row.dirty = True
            if op.table == "client" and "assigned_worker_id" in outcome.changed:
                self._follow_reassignment(op.row_id, outcome.row.data.get("assigned_worker_id"))

        conflict = None
        if outcome.status == OpStatus.CONFLICT:
            conflict = Conflict(
                id=str(uuid.uuid4()),
                seq=self.alloc.next(),
                table_name=op.table,
                row_id=op.row_id,
                client_id=scope[0],
                owner_user_id=scope[1] if scope[0] is None else None,
                op_id=op.op_id,
                device_id=self.actor.device_id,
                user_id=self.actor.user_id,
                kind=str(outcome.conflict_kind),
                fields=outcome.conflict_fields,
                server_version=row.state.version if row is not None else None,
                created_at=now,
            )
            self.new_conflicts.append(conflict)
        version = row.state.version if row is not None else None
        self.new_ops.append(
            {
                "op_id": op.op_id,
                "device_id": self.actor.device_id,
                "user_id": self.actor.user_id,
                "table_name": op.table,
                "row_id": op.row_id,
                "status": str(outcome.status),
                "conflict_id": conflict.id if conflict else None,
                "server_version": version,
                "applied_at": now,
            }
        )
        self.audit_rows.append(
            {
                "user_id": self.actor.user_id,
                "device_id": self.actor.device_id,
                "action": "conflict" if conflict else "apply",
                "target": f"{op.table}:{op.row_id}",
                "status": str(outcome.status),
                "detail": {"op_id": op.op_id, "fields": outcome.changed,
                           "conflict_fields": sorted(outcome.conflict_fields) if outcome.conflict_fields else ()},
            }
        )
        answer: dict[str, Any] = {"op_id": op.op_id, "status": str(outcome.status), "server_version": version}
        if row is not None:
            answer["seq"] = row.seq  # where the row now stands in the change feed
        created_now = not row_existed and row is not None  # every field of a row this op created is its own
        if row is not None and not late and (conflict is not None or (not created_now and self._merged_elsewhere(row, op))):
            answer["row"] = row.payload()  # the device's copy lacks something: send the whole merged row
        if conflict is not None:
            answer["conflict"] = conflict_payload(conflict)
        return answer

    def _merged_elsewhere(self, row: Row, op: OpIn) -> bool:
        """True when the row holds changes this device has not seen (made elsewhere after its base)."""
        device = self.actor.device_id
        return any(int(meta[0]) > op.base and meta[1] != device for meta in row.state.field_meta.values())

    def _not_applied(self, op: OpIn, status: OpStatus, reason: str) -> dict[str, Any]:
        self.held.add((op.table, op.row_id))
        self.audit_rows.append(
            {
                "user_id": self.actor.user_id,
                "device_id": self.actor.device_id,
                "action": "op_" + str(status),
                "target": f"{op.table}:{op.row_id}"[:120],
                "status": str(status),
                "detail": {"op_id": op.op_id, "reason": reason},
            }
        )
        return {"op_id": op.op_id, "status": str(status), "reason": reason}

    def _duplicate(self, op: OpIn, known: AppliedOp | None) -> dict[str, Any]:
        answer: dict[str, Any] = {"op_id": op.op_id, "status": str(OpStatus.DUPLICATE)}
        if known is None:
            return answer  # repeated inside this same batch
        if known.device_id != self.actor.device_id:
            return answer  # someone else's op id: say nothing more about it
        answer["original"] = known.status
        answer["server_version"] = known.server_version
        row = self.rows.get((known.table_name, known.row_id))
        if row is not None and self.can_see(row):
            answer["row"] = row.payload()
            answer["seq"] = row.seq
        if known.conflict_id and known.conflict_id in self.conflicts:
            answer["conflict"] = conflict_payload(self.conflicts[known.conflict_id])
        return answer

    def _check_references(self, op: OpIn, late: bool) -> tuple[OpStatus, str] | None:
        """Every record the op points at must be on the server (else: later) and visible (else: refused)."""
        for rule in reference_rules(op.table):
            name, value = rule.name, op.fields.get(rule.name)
            if rule.fk_table is None or value is None:
                continue
            target = self.rows.get((rule.fk_table, str(value)))
            what = rule.fk_table.replace("_", " ")
            if target is None:
                return OpStatus.DEFERRED, f"{op.table}.{name} refers to a {what} that is not on the server yet"
            if not self.can_see(target) and not (late and target.client_id in self.former):
                return OpStatus.REJECTED, f"forbidden: {op.table}.{name} refers to a {what} outside your caseload"
        return None

    def _worker_user(self, worker_id: str | None) -> User | None:
        if worker_id is None:
            return None
        if worker_id not in self.worker_users:
            user = self.session.execute(select(User).where(User.worker_id == worker_id)).scalar_one_or_none()
            if user is None:
                return None
            self.worker_users[worker_id] = user
        return self.worker_users[worker_id]

    def _check_reassignment(self, op: OpIn, row: Row | None) -> str | None:
        target = op.fields.get("assigned_worker_id")
        if row is None:
            # A new client goes to whoever created it; the field just has to name her (or nobody).
            return None if target in (None, self.actor.worker_id) else self._reassign_refusal(target)
        if row.state.data.get("assigned_worker_id") == target:
            return None
        return self._reassign_refusal(target)

    def _reassign_refusal(self, target: Any) -> str | None:
        if self.actor.role not in ("supervisor", "admin"):
            return "only a supervisor or administrator can move a client to another caseload"
        user = self._worker_user(target if isinstance(target, str) else None)
        if user is None:
            return "a client can only be assigned to a worker known to the server"
        if self.actor.role == "supervisor" and user.id not in self.actor.visible_users:
            return "a supervisor can only assign clients within her team"
        return None

    def _assign_new_client(self, client_id: str) -> None:
        self.new_assignments.append({"client_id": client_id, "user_id": self.actor.user_id, "assigned_at": utcnow()})
        self.visible.add(client_id)

    def _follow_reassignment(self, client_id: str, worker_id: Any) -> None:
        user = self._worker_user(worker_id if isinstance(worker_id, str) else None)
        if user is not None:
            self.changed_assignments[client_id] = user.id

    # ---- conflict resolution ops -----------------------------------------------------------------

    def _resolve(self, op: OpIn) -> dict[str, Any]:
        conflict = self.conflicts.get(op.row_id)
        if conflict is None:
            return self._not_applied(op, OpStatus.REJECTED, "no such conflict on the server")
        visible = (
            conflict.client_id in self.visible
            if conflict.client_id is not None
            else conflict.owner_user_id in self.actor.visible_users or conflict.user_id == self.actor.user_id
        )
        if not visible:
            return self._not_applied(op, OpStatus.REJECTED, "forbidden: this conflict is not in your caseload")
        choice = op.fields.get("choice")
        if choice not in RESOLUTION_CHOICES:
            return self._not_applied(op, OpStatus.REJECTED, f"choice must be one of {', '.join(RESOLUTION_CHOICES)}")
        now = utcnow()
        if conflict.resolved_at is None:
            conflict.resolved_at = now
            conflict.resolved_by = self.actor.worker_id or self.actor.user_id
            conflict.resolution = {"choice": choice, "values": op.fields.get("values") or {}}
            conflict.seq = self.alloc.next()
        self.new_ops.append(
            {
                "op_id": op.op_id,
                "device_id": self.actor.device_id,
                "user_id": self.actor.user_id,
                "table_name": RESOLVE_TABLE,
                "row_id": conflict.id,
                "status": str(OpStatus.APPLIED),
                "conflict_id": conflict.id,
                "server_version": None,
                "applied_at": now,
            }
        )
        self.audit_rows.append(
            {
                "user_id": self.actor.user_id,
                "device_id": self.actor.device_id,
                "action": "resolve_conflict",
                "target": f"{RESOLVE_TABLE}:{conflict.id}",
                "status": "applied",
                "detail": {"op_id": op.op_id, "choice": choice},
            }
        )
        return {"op_id": op.op_id, "status": str(OpStatus.APPLIED), "conflict": conflict_payload(conflict)}

    # ---- writing ---------------------------------------------------------------------------------

    def write(self) -> None:
        s = self.session
        inserts, updates = [], []
        for row in self.rows.values():
            if not row.dirty:
                continue
            values = {
                "table_name": row.table,
                "row_id": row.row_id,
                "data": row.state.data,
                "field_meta": row.state.field_meta,
                "version": row.state.version,
                "seq": row.seq,
                "updated_at": row.updated_at,
                "updated_by": row.updated_by,
                "origin_device": row.origin,
            }
            if row.in_db:
                updates.append(values)
            else:
                values.update(
                    client_id=row.client_id,
                    owner_user_id=row.owner_user_id,
                    is_global=row.is_global,
                    created_at=row.created_at,
                )
                inserts.append(values)
        # Statements on the tables (not the ORM's bulk paths): one executemany each, no per-row ORM work.
        records = table_of(Record)
        if updates:
            s.execute(
                update(records)
                .where(records.c.table_name == bindparam("_table"), records.c.row_id == bindparam("_row"))
                .values({c: bindparam(c) for c in UPDATED_COLUMNS}),
                [{**{c: v[c] for c in UPDATED_COLUMNS}, "_table": v["table_name"], "_row": v["row_id"]} for v in updates],
            )
        insert_rows(s, records, inserts)
        insert_rows(s, table_of(Assignment), self.new_assignments)
        for client_id, user_id in self.changed_assignments.items():
            assignment = s.get(Assignment, client_id)
            if assignment is None:
                s.add(Assignment(client_id=client_id, user_id=user_id, assigned_at=utcnow()))
            elif assignment.user_id != user_id:
                s.add(PastAssignment(client_id=client_id, user_id=assignment.user_id, ended_at=utcnow()))
                assignment.user_id = user_id
                assignment.assigned_at = utcnow()
        for conflict in self.new_conflicts:
            s.add(conflict)
        insert_rows(s, table_of(AppliedOp), self.new_ops)
        audit.log_many(s, self.audit_rows)
        self.alloc.save()


def _when(op: OpIn, default: Any) -> Any:
    if op.created_at:
        try:
            value = dt.datetime.fromisoformat(op.created_at)
            if value.tzinfo is not None:
                return value
        except ValueError:
            pass
    return default


def _chunks(items: Iterable[str]) -> Iterable[list[str]]:
    batch: list[str] = []
    for item in items:
        batch.append(item)
        if len(batch) >= CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


def push(db: Database, actor: Actor, ops: list[OpIn]) -> list[dict[str, Any]]:
    """Apply a batch in one transaction; answer per op (applied / duplicate / conflict / rejected / deferred)."""
    with db.write() as s:
        alloc = SeqAllocator(s)  # takes the writers' lock first: no pause is spent waiting for it
        with collection_paused():
            batch = Batch(s, actor, alloc)
            batch.load(ops)
            answers = [batch.handle(op) for op in ops]
            batch.write()
    return answers


__all__ = ["OpIn", "push", "row_payload"]
