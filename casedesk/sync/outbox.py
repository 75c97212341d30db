"""The device's outbox seen by sync: which ops go next, what they look like on the wire, and what the
server's answers do to them. An op leaves the outbox only in the transaction that stores its answer."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from json.encoder import encode_basestring
from typing import Any

from sqlalchemy import Text, delete, func, insert, select, type_coerce
from sqlalchemy.orm import Session

from casedesk.db.models import BOOKKEEPING_COLUMNS, MODEL_BY_TABLE, OutboxOp
from casedesk.db.serialize import to_json_value
from casedesk.db.types import new_id
from casedesk.sync.apply import acknowledge_versions, apply_rows, upsert_conflicts
from casedesk.sync.protocol import SIGNED_CONTENT, UPLOAD_ORDER, OpStatus

MAX_ATTEMPTS = 5  # an op the server refuses this many times is marked stuck and skipped
RESOLVE_TABLE = "sync_conflict"


@dataclass(frozen=True, slots=True)
class PendingOp:
    """An outbox op as a push reads it (a plain row: no ORM identity to track for thousands of ops).
    The changed fields and the time stay as stored (JSON text, ISO 8601 text): most ops go on the wire
    unchanged, so they are neither decoded nor encoded again."""

    seq: int
    op_id: str
    table_name: str
    row_id: str
    kind: str
    base_version: int
    fields_json: str | None
    created_at: str | None

    @property
    def fields(self) -> dict[str, Any]:
        value = json.loads(self.fields_json) if self.fields_json else None
        return value if isinstance(value, dict) else {}


PENDING_COLUMNS = (
    OutboxOp.seq,
    OutboxOp.op_id,
    OutboxOp.table_name,
    OutboxOp.row_id,
    OutboxOp.kind,
    OutboxOp.base_version,
    type_coerce(OutboxOp.fields, Text),
    type_coerce(OutboxOp.created_at, Text),
)


@dataclass
class PushTally:
    applied: int = 0
    duplicates: int = 0
    conflicts: int = 0
    not_accepted: int = 0
    newly_stuck: int = 0
    rows_written: int = 0
    own_upto: int = 0  # the highest change number among the answers stored
    reasons: list[str] = field(default_factory=list)


def next_ops(
    session: Session, after_seq: int, up_to_seq: int, limit: int, held: set[tuple[str, str]]
) -> list[PendingOp]:
    """Pending ops in order after `after_seq`, leaving out rows that had an op refused in this run."""
    picked: list[PendingOp] = []
    cursor = after_seq
    while len(picked) < limit:
        page = [
            PendingOp(*row)
            for row in session.execute(
                select(*PENDING_COLUMNS)
                .where(OutboxOp.status == "pending", OutboxOp.seq > cursor, OutboxOp.seq <= up_to_seq)
                .order_by(OutboxOp.seq)
                .limit(limit - len(picked))  # a skipped (held) op makes the loop fetch one more page
            )
        ]
        if not page:
            break
        for op in page:
            cursor = op.seq
            if (op.table_name, op.row_id) in held:
                continue
            picked.append(op)
            if len(picked) >= limit:
                break
    return picked


def _signs(op: PendingOp) -> bool:
    """True when the op sets a note or report to a signed status (it then carries the signed content)."""
    spec = SIGNED_CONTENT.get(op.table_name)
    if spec is None or not op.fields_json:
        return False
    # Cheap test first: a JSON text that names none of the signed statuses cannot set one.
    if not any(f'"{status}"' in op.fields_json for status in spec[0]):
        return False
    return op.fields.get("status") in spec[0]


def _first_insert(op: PendingOp) -> bool:
    return op.kind == "insert" and op.base_version == 0


def _plain_fields(op: PendingOp) -> str:
    """The stored JSON text of the op's fields, if it is the JSON object to send as is."""
    text = (op.fields_json or "").strip()
    return text if text.startswith("{") else "{}"


def payloads(session: Session, ops: Sequence[PendingOp]) -> list[str]:
    """Wire form of ops, each as JSON text (the stored fields spliced in unparsed). ``base`` is the server
    version the device's copy of the row rests on; an op that signs a note or report carries the whole
    signed content."""
    by_table: dict[str, list[str]] = defaultdict(list)
    signing: dict[str, list[str]] = defaultdict(list)  # rows an op of this batch signs
    signs: set[int] = set()
    for op in ops:
        if op.table_name in MODEL_BY_TABLE:
            if not _first_insert(op):  # a row's first insert rests on nothing: no base to look up
                by_table[op.table_name].append(op.row_id)
            if _signs(op):
                signing[op.table_name].append(op.row_id)
                signs.add(op.seq)
    bases: dict[tuple[str, str], int] = {}
    signed_rows: dict[tuple[str, str], dict[str, Any]] = {}
    for table, ids in by_table.items():
        tbl = MODEL_BY_TABLE[table].__table__  # type: ignore[attr-defined]
        for i in range(0, len(ids), 500):
            for row_id, server_version in session.execute(
                select(tbl.c.id, tbl.c.server_version).where(tbl.c.id.in_(ids[i : i + 500]))
            ).all():
                bases[(table, row_id)] = int(server_version or 0)
    for table, ids in signing.items():
        tbl = MODEL_BY_TABLE[table].__table__  # type: ignore[attr-defined]
        content = SIGNED_CONTENT[table][1]
        for i in range(0, len(ids), 500):
            for row in session.execute(
                select(tbl.c.id, *(tbl.c[c] for c in content)).where(tbl.c.id.in_(ids[i : i + 500]))
            ).mappings():
                signed_rows[(table, row["id"])] = {c: to_json_value(row[c]) for c in content}
    out = []
    for op in ops:
        key = (op.table_name, op.row_id)
        if op.seq in signs and key in signed_rows:
            fields = _json({**signed_rows[key], **op.fields})
        else:
            fields = _plain_fields(op)
        kind = "resolve" if op.table_name == RESOLVE_TABLE else op.kind
        base = 0 if _first_insert(op) else bases.get(key, 0)
        out.append(
            f'{{"op_id":{_text(op.op_id)},"table":{_text(op.table_name)},"row_id":{_text(op.row_id)},'
            f'"kind":{_text(kind)},"base":{int(base)},"fields":{fields},"created_at":{_text(op.created_at)}}}'
        )
    return out


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _text(value: str | None) -> str:
    """A JSON string (or null), without json.dumps' per-call set-up."""
    return "null" if value is None else encode_basestring(value)


def record_answers(session: Session, ops: Sequence[PendingOp], answers: Sequence[dict[str, Any]]) -> PushTally:
    """Store the server's answers: answered ops leave the outbox, merged rows and conflicts are kept,
    refused ops count an attempt (and become stuck after MAX_ATTEMPTS). One transaction."""
    tally = PushTally()
    by_id = {op.op_id: op for op in ops}
    rows: list[dict[str, Any]] = []
    conflicts: list[dict[str, Any]] = []
    now = dt.datetime.now(dt.UTC)
    done: list[int] = []
    acknowledged: list[dict[str, Any]] = []  # (table, id, version) the server holds exactly as sent
    for answer in answers:
        op = by_id.get(str(answer.get("op_id")))
        if op is None:
            continue
        status = answer.get("status")
        if status in (OpStatus.APPLIED, OpStatus.DUPLICATE, OpStatus.CONFLICT):
            done.append(op.seq)
            if isinstance(answer.get("seq"), int):
                tally.own_upto = max(tally.own_upto, answer["seq"])
            if status == OpStatus.DUPLICATE:
                tally.duplicates += 1
            elif status == OpStatus.CONFLICT:
                tally.conflicts += 1
            else:
                tally.applied += 1
            if isinstance(answer.get("row"), dict):
                rows.append(answer["row"])
            elif isinstance(answer.get("server_version"), int) and op.table_name in MODEL_BY_TABLE:
                acknowledged.append({"t": op.table_name, "id": op.row_id, "v": answer["server_version"]})
            if isinstance(answer.get("conflict"), dict):
                conflicts.append(answer["conflict"])
        elif status in (OpStatus.REJECTED, OpStatus.DEFERRED):
            stored = session.get(OutboxOp, op.seq)
            if stored is None:
                continue
            tally.not_accepted += 1
            reason = str(answer.get("reason") or status)
            stored.attempts = (stored.attempts or 0) + 1
            stored.last_error = f"{status}: {reason}"
            stored.last_attempt_at = now
            if stored.attempts >= MAX_ATTEMPTS:
                stored.status = "stuck"
                tally.newly_stuck += 1
            tally.reasons.append(reason)
    for i in range(0, len(done), 500):
        session.execute(delete(OutboxOp).where(OutboxOp.seq.in_(done[i : i + 500])))
    if acknowledged:
        acknowledge_versions(session, acknowledged)
    session.flush()
    if conflicts:
        upsert_conflicts(session, conflicts)
    if rows:
        tally.rows_written = apply_rows(session, rows)
    return tally


def count_attempt(session: Session, op: PendingOp, reason: str) -> bool:
    """The server could not take this op at all (a request that fails with it alone). True if now stuck."""
    stored = session.get(OutboxOp, op.seq)
    if stored is None:
        return False
    stored.attempts = (stored.attempts or 0) + 1
    stored.last_error = reason
    stored.last_attempt_at = dt.datetime.now(dt.UTC)
    if stored.attempts >= MAX_ATTEMPTS:
        stored.status = "stuck"
        return True
    return False


def waiting_count(session: Session) -> int:
    return int(session.execute(select(func.count()).select_from(OutboxOp).where(OutboxOp.status == "pending")).scalar_one())


def max_seq(session: Session) -> int:
    return int(session.execute(select(func.max(OutboxOp.seq))).scalar() or 0)


def queue_unsynced_records(session: Session) -> int:
    """Queue an insert op for every record this device holds that the server has never acknowledged and
    that has no op waiting (e.g. a caseload kept before the agency had a server, or imported). Parents first."""
    queued = 0
    now = dt.datetime.now(dt.UTC)
    for table in UPLOAD_ORDER:
        model = MODEL_BY_TABLE[table]
        tbl = model.__table__  # type: ignore[attr-defined]
        waiting = set(session.execute(select(OutboxOp.row_id).where(OutboxOp.table_name == table)).scalars())
        content = [
            a.key
            for a in model.__mapper__.column_attrs  # type: ignore[attr-defined]
            if a.key not in BOOKKEEPING_COLUMNS and a.key != "search_text"
        ]
        query = select(tbl).where(tbl.c.server_version.is_(None))
        if table == "appointment":
            query = query.order_by(tbl.c.series_id.is_not(None), tbl.c.id)
        ops = []
        for row in session.execute(query).mappings():
            if row["id"] in waiting:
                continue
            ops.append(
                {
                    "op_id": new_id(),
                    "table_name": table,
                    "row_id": row["id"],
                    "kind": "insert",
                    "base_version": 0,
                    "new_version": row["version"] or 1,
                    "fields": {c: to_json_value(row[c]) for c in content},
                    "created_at": now,
                    "status": "pending",
                    "attempts": 0,
                }
            )
        if ops:
            for i in range(0, len(ops), 1000):
                session.execute(insert(OutboxOp), ops[i : i + 1000])
            queued += len(ops)
    return queued

