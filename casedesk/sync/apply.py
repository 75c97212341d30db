"""Writing what the server sent into the device's encrypted store, and removing clients that left the
caseload. Nothing here makes outbox ops: these rows come from the server (Core statements bypass the
session hooks), and a row with unsent local changes is never overwritten."""

from __future__ import annotations

import datetime as dt
import functools
import operator
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import ColumnDefault, Date, Dialect, LargeBinary, bindparam, delete, select, update
from sqlalchemy.orm import Session

from casedesk.db.models import (
    MODEL_BY_TABLE,
    DraftAutosave,
    OutboxOp,
    SyncConflict,
)
from casedesk.db.serialize import from_json_value
from casedesk.db.types import UTCDateTime
from casedesk.domain.notes import search_text
from casedesk.sync.protocol import (
    GLOBAL_TABLES,
    PARENT_REF,
    SIGNATURE_DOCUMENTS,
    UPLOAD_ORDER,
    is_signed,
    locked_columns,
)

CHUNK = 500
APPLY_ORDER = ("agency", "worker", *UPLOAD_ORDER)
# The only guard that stops a client's records being removed from a device that no longer holds her case.
EVICTION_GUARDS = ("progress_note_signed_undeletable", "form_response_final_undeletable")


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _parse_time(value: Any) -> dt.datetime | None:
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def rows_with_unsent_ops(session: Session, table: str, row_ids: Iterable[str]) -> set[str]:
    ids = list(row_ids)
    found: set[str] = set()
    for chunk in _chunks(ids):
        found |= set(
            session.execute(
                select(OutboxOp.row_id).where(OutboxOp.table_name == table, OutboxOp.row_id.in_(chunk))
            ).scalars()
        )
    return found


@cache
def _converters(table: str) -> dict[str, Callable[[Any], Any]]:
    """Per column: JSON value -> column value (identity where JSON already is the value)."""
    mapper = MODEL_BY_TABLE[table].__mapper__  # type: ignore[attr-defined]
    out: dict[str, Callable[[Any], Any]] = {}
    for key, column in mapper.columns.items():
        if key in ("id", "version", "server_version", "search_text"):
            continue
        if isinstance(column.type, UTCDateTime | Date | LargeBinary):
            out[key] = functools.partial(from_json_value, mapper, key)
        else:
            out[key] = _same
    return out


def _same(value: Any) -> Any:
    return value


@cache
def _column_kinds(table: str) -> tuple[frozenset[str], tuple[tuple[str, Callable[[Any], Any]], ...]]:
    """(columns whose JSON value is the column value, (column, converter) for the others)."""
    converters = _converters(table)
    plain = frozenset(k for k, c in converters.items() if c is _same)
    return plain, tuple((k, c) for k, c in converters.items() if c is not _same)


def _convert(table: str, data: dict[str, Any]) -> dict[str, Any]:
    plain, special = _column_kinds(table)
    values = {key: value for key, value in data.items() if key in plain}
    for key, convert in special:
        if key in data:
            value = data[key]
            values[key] = None if value is None else convert(value)
    if table == "progress_note" and "body" in values:
        values["search_text"] = search_text(values["body"] or {})
    return values


@dataclass(frozen=True)
class _InsertColumn:
    key: str
    name: str
    default: ColumnDefault | None
    type: Any


@cache
def _insert_columns(table: str) -> tuple[_InsertColumn, ...]:
    """Every column of a table, in order, as a pulled row's INSERT fills it."""
    mapper = MODEL_BY_TABLE[table].__mapper__  # type: ignore[attr-defined]
    out = []
    for attr in mapper.column_attrs:
        column = attr.columns[0]
        default = column.default if isinstance(column.default, ColumnDefault) else None
        out.append(_InsertColumn(attr.key, column.name, default, column.type))
    return tuple(out)


def _default(column: _InsertColumn) -> Any:
    default = column.default
    if default is None:
        return None
    return default.arg(None) if default.is_callable else default.arg


def _utc_text(value: dt.datetime | None) -> str | None:
    """UTCDateTime's stored text ("2026-03-01T14:05:00.000000+00:00"), through isoformat: the same text as
    its bind processor's strftime, several times faster."""
    if value is None:
        return None
    if value.tzinfo is dt.UTC and value.year >= 1000:
        return value.isoformat(timespec="microseconds")  # what the server sends: already UTC
    if value.tzinfo is None:
        raise ValueError("naive datetime given to a UTC column")
    utc = value.astimezone(dt.UTC)
    if utc.year < 1000:  # strftime does not pad such years: leave them to the type itself
        return UTCDateTime().process_bind_param(value, None)  # type: ignore[arg-type]
    return utc.replace(tzinfo=None).isoformat(timespec="microseconds") + "+00:00"


def _bind_processor(column: _InsertColumn, dialect: Dialect) -> Callable[[Any], Any] | None:
    if isinstance(column.type, UTCDateTime):
        return _utc_text
    processor: Callable[[Any], Any] | None = column.type.dialect_impl(dialect).bind_processor(dialect)
    return processor


def _insert_rows(session: Session, table: str, rows: list[dict[str, Any]]) -> None:
    """INSERT new rows in one executemany: every column, a given value else the column's default, each
    value through its column type's bind processor (what a Core insert does per row, without its
    per-row statement machinery)."""
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    columns = _insert_columns(table)
    plan = [(c, _bind_processor(c, dialect)) for c in columns]
    quote = dialect.identifier_preparer.quote
    sql = (
        f"INSERT INTO {quote(MODEL_BY_TABLE[table].__table__.name)} "  # type: ignore[attr-defined]
        f"({', '.join(quote(c.name) for c in columns)}) VALUES ({', '.join('?' for _ in columns)})"
    )
    fixed = {c.key: _default(c) for c in columns if c.default is None or not c.default.is_callable}
    made = [c for c in columns if c.default is not None and c.default.is_callable]  # e.g. a new id, now
    processed = [(i, process) for i, (_c, process) in enumerate(plan) if process is not None]
    keys = [c.key for c in columns]
    in_order = operator.itemgetter(*keys) if len(keys) > 1 else (lambda row: (row[keys[0]],))
    params = []
    for values in rows:
        full = {**fixed, **values}
        for column in made:
            if column.key not in values:
                full[column.key] = _default(column)
        row = list(in_order(full))
        for i, process in processed:
            row[i] = process(row[i])
        params.append(tuple(row))
    connection.exec_driver_sql(sql, params)


def apply_rows(session: Session, rows: Sequence[dict[str, Any]]) -> int:
    """Insert or update rows sent by the server (wire format of casedesk.server.records.row_payload).

    Rows with unsent local changes are skipped (their op's answer brings the merged row later); rows the
    device already holds at that version are left alone. Returns how many rows were written.
    """
    by_table: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for r in rows:
        if r.get("t") in MODEL_BY_TABLE and isinstance(r.get("id"), str):
            previous = by_table[r["t"]].get(r["id"])
            if previous is None or int(previous.get("v", 0)) <= int(r.get("v", 0)):
                by_table[r["t"]][r["id"]] = r
    written = 0
    order = [t for t in APPLY_ORDER if t in by_table] + [t for t in by_table if t not in APPLY_ORDER]
    for table in order:
        written += _apply_table(session, table, by_table[table])
    return written


def _apply_table(session: Session, table: str, incoming: dict[str, dict[str, Any]]) -> int:
    model = MODEL_BY_TABLE[table]
    tbl = model.__table__  # type: ignore[attr-defined]
    ids = list(incoming)
    held = rows_with_unsent_ops(session, table, ids)
    existing: dict[str, Any] = {}
    for chunk in _chunks(ids):
        for row in session.execute(select(tbl).where(tbl.c.id.in_(chunk))).mappings():
            existing[row["id"]] = row
    inserts: list[dict[str, Any]] = []
    updates: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
    written = 0
    for row_id, r in incoming.items():
        if row_id in held:
            continue
        version = int(r.get("v") or 0)
        old = existing.get(row_id)
        if old is not None and old["server_version"] is not None and old["server_version"] >= version and (
            old["version"] == old["server_version"]
        ):
            continue  # already held at this version (e.g. this device's own change coming back)
        values = _convert(table, r.get("d") or {})
        meta = {
            "version": version,
            "server_version": version,
            "updated_at": _parse_time(r.get("u")) or dt.datetime.now(dt.UTC),
            "updated_by": r.get("by"),
        }
        if old is None:
            inserts.append({**values, **meta, "id": row_id, "created_at": _parse_time(r.get("c")) or meta["updated_at"]})
            continue
        changed = {k: v for k, v in values.items() if old[k] != v}
        if is_signed(table, dict(old)):
            for name in locked_columns(table):
                changed.pop(name, None)  # a signed record on this device never changes
        values_now = {**changed, **meta}
        updates[tuple(sorted(values_now))].append({"_id": row_id, **values_now})
        written += 1
    for columns, params in updates.items():
        stmt = update(tbl).where(tbl.c.id == bindparam("_id")).values({c: bindparam(c) for c in columns})
        session.execute(stmt, params)
    _insert_rows(session, table, inserts)
    return written + len(inserts)


def acknowledge_versions(session: Session, acks: Sequence[dict[str, Any]]) -> None:
    """The server holds these rows exactly as this device sent them: record its version (unless more local
    changes wait for that row)."""
    by_table: dict[str, dict[str, int]] = defaultdict(dict)
    for a in acks:
        by_table[a["t"]][a["id"]] = max(int(a["v"]), by_table[a["t"]].get(a["id"], 0))
    connection = session.connection()
    quote = connection.dialect.identifier_preparer.quote
    for table, versions in by_table.items():
        tbl = MODEL_BY_TABLE[table].__table__  # type: ignore[attr-defined]
        held = rows_with_unsent_ops(session, table, versions)
        params = [(v, v, rid) for rid, v in versions.items() if rid not in held]
        if params:  # integers and ids: no type processing, so one plain executemany
            connection.exec_driver_sql(
                f"UPDATE {quote(tbl.name)} SET {quote(tbl.c.version.name)} = ?, "
                f"{quote(tbl.c.server_version.name)} = ? WHERE {quote(tbl.c.id.name)} = ?",
                params,
            )


def upsert_conflicts(session: Session, conflicts: Sequence[dict[str, Any]]) -> int:
    """Store conflict records sent by the server (new ones, and resolutions made elsewhere)."""
    added = 0
    for c in conflicts:
        cid = c.get("id")
        if not isinstance(cid, str):
            continue
        row = session.get(SyncConflict, cid)
        resolved_at = _parse_time(c.get("resolved_at"))
        if row is None:
            session.add(
                SyncConflict(
                    id=cid,
                    table_name=str(c.get("table")),
                    row_id=str(c.get("row_id")),
                    op_id=c.get("op_id"),
                    kind=str(c.get("kind") or "update"),
                    fields=c.get("fields") or {},
                    server_version=c.get("server_version"),
                    created_at=_parse_time(c.get("created_at")) or dt.datetime.now(dt.UTC),
                    resolved_at=resolved_at,
                    resolution=c.get("resolution"),
                    resolved_by=c.get("resolved_by"),
                )
            )
            added += 1
        elif resolved_at is not None and row.resolved_at is None:
            row.resolved_at = resolved_at
            row.resolution = c.get("resolution")
            row.resolved_by = c.get("resolved_by")
    session.flush()
    return added


# ---- which client a row belongs to ------------------------------------------------------------------


def client_of(session: Session, table: str, row_id: str) -> str | None:
    """The client a local row belongs to (None: agency-wide or personal, or not on this device)."""
    for _ in range(4):  # signature -> addendum -> note -> client at most
        if table == "client":
            return row_id
        if table in GLOBAL_TABLES:
            return None
        if table == "signature":
            tbl = MODEL_BY_TABLE["signature"].__table__  # type: ignore[attr-defined]
            doc = session.execute(
                select(tbl.c.document_type, tbl.c.document_id).where(tbl.c.id == row_id)
            ).first()
            if doc is None or doc[0] not in SIGNATURE_DOCUMENTS:
                return None
            table, row_id = SIGNATURE_DOCUMENTS[doc[0]], doc[1]
            continue
        if table not in PARENT_REF:
            return None
        column, target = PARENT_REF[table]
        tbl = MODEL_BY_TABLE[table].__table__  # type: ignore[attr-defined]
        parent = session.execute(select(tbl.c[column]).where(tbl.c.id == row_id)).scalar()
        if parent is None:
            return None
        table, row_id = target, parent
    return None


def clients_with_unsent_work(session: Session) -> set[str]:
    clients: set[str] = set()
    for table, row_id in session.execute(select(OutboxOp.table_name, OutboxOp.row_id)):
        if table == "sync_conflict":
            conflict = session.get(SyncConflict, row_id)
            if conflict is None:
                continue
            table, row_id = conflict.table_name, conflict.row_id
        if table in MODEL_BY_TABLE:
            client = client_of(session, table, row_id)
            if client:
                clients.add(client)
    return clients


def client_row_ids(session: Session, client_id: str) -> dict[str, list[str]]:
    """Every local row of one client, by table."""

    def ids(table: str, column: str, values: Sequence[str]) -> list[str]:
        tbl = MODEL_BY_TABLE[table].__table__  # type: ignore[attr-defined]
        found: list[str] = []
        for chunk in _chunks(list(values)):
            found += list(session.execute(select(tbl.c.id).where(tbl.c[column].in_(chunk))).scalars())
        return found

    out: dict[str, list[str]] = {"client": [client_id]}
    for table, (column, target) in PARENT_REF.items():
        if target == "client":
            out[table] = ids(table, column, [client_id])
    out["goal"] = ids("goal", "plan_id", out["service_plan"])
    out["note_goal"] = ids("note_goal", "note_id", out["progress_note"])
    out["note_addendum"] = ids("note_addendum", "note_id", out["progress_note"])
    documents = out["progress_note"] + out["quarterly_report"] + out["form_response"] + out["note_addendum"]
    out["signature"] = ids("signature", "document_id", documents)
    return out


def evict_client(session: Session, client_id: str) -> int:
    """Remove every local row of a client that left this device's caseload. Caller checked for unsent work."""
    rows = client_row_ids(session, client_id)
    conn = session.connection()
    conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
    guards = [
        row[0]
        for name in EVICTION_GUARDS
        for row in conn.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", (name,)
        ).fetchall()
        if row[0]
    ]
    for name in EVICTION_GUARDS:
        conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")
    removed = 0
    for table in reversed(APPLY_ORDER):
        ids = rows.get(table)
        if not ids:
            continue
        tbl = MODEL_BY_TABLE[table].__table__  # type: ignore[attr-defined]
        for chunk in _chunks(ids):
            outcome: Any = session.execute(delete(tbl).where(tbl.c.id.in_(list(chunk))))
            removed += int(outcome.rowcount or 0)
    # The guard comes back in the same transaction: nothing else ever sees it missing.
    for sql in guards:
        conn.exec_driver_sql(sql)
    every_id = [i for ids in rows.values() for i in ids]
    for chunk in _chunks(every_id):
        session.execute(delete(SyncConflict).where(SyncConflict.row_id.in_(list(chunk))))
    session.execute(delete(DraftAutosave).where(DraftAutosave.client_id == client_id))
    return removed
