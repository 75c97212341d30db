"""The device side of sync, as services the CLI and the GUI call (the GUI off its UI thread).

    result = sync_once(store)      # push the outbox, pull changes, tidy the caseload -> SyncResult
    info = status(store)           # last synced, ops waiting, stuck ops, open conflicts
    enroll(store, url, code)       # exchange a one-time code for this device's token

One sync: push every pending op in order, in batches (a refused op counts an attempt and is marked stuck
after a few, so it never blocks the ops behind it); then pull: snapshots of clients new to this device,
then every change after the cursor; then remove clients that left the caseload, but only once none of
their records has unsent work.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import platform
import threading
import uuid
import weakref
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, exists, func, select
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import Session

from casedesk.db.models import Client, OutboxOp, Setting, SyncConflict, SyncState, Worker
from casedesk.db.store import Store
from casedesk.gcpause import collection_paused
from casedesk.services import audit
from casedesk.sync import outbox
from casedesk.sync.addresses import check_server_url
from casedesk.sync.apply import apply_rows, clients_with_unsent_work, evict_client, upsert_conflicts
from casedesk.sync.backoff import RetryPolicy
from casedesk.sync.errors import NotEnrolledError, ServerRejectedError, SyncBusyError, SyncError
from casedesk.sync.protocol import DEFAULT_BATCH_OPS, DEFAULT_PULL_LIMIT, MAX_PULL_LIMIT, MAX_SNAPSHOT_CLIENTS

if TYPE_CHECKING:
    # httpx (and the TLS stack) load only when a sync or enrolment starts, not with the window.
    from casedesk.sync.transport import Transport

COMPLETE_KEY = "local.sync.complete_clients"  # clients whose records this device holds in full
FLOOR_KEY = "local.sync.snapshot_floor"  # server seq the first full download started from
# The highest change number among the push answers this device stored: every version it made up to there,
# it holds (stored in the transaction that stores the answers, so a restored backup rolls it back too).
OWN_UPTO_KEY = "local.sync.own_upto"
SNAPSHOT_CHUNK = 40
BISECT_STATUSES = frozenset({400, 413, 422, 500})
BOOTSTRAP_TABLES = ("agency", "worker")  # placeholders made by `casedesk init`; the server owns these

_locks: weakref.WeakKeyDictionary[Store, threading.Lock] = weakref.WeakKeyDictionary()
_locks_guard = threading.Lock()


@dataclass
class SyncResult:
    pushed: int = 0  # ops the server answered for good (applied, already applied, or conflict)
    applied: int = 0
    duplicates: int = 0
    conflicts: int = 0  # new conflict records from this sync's pushes and pulls
    not_accepted: int = 0  # ops the server refused or put off this time (they stay in the outbox)
    stuck: int = 0  # ops that became stuck in this sync
    pulled: int = 0  # rows written from the server
    received: int = 0  # rows the server sent in pulls (written or already held)
    removed_clients: list[str] = field(default_factory=list)
    kept_clients: list[str] = field(default_factory=list)  # left the caseload, kept until unsent work is sent
    waiting: int = 0  # ops still waiting after this sync
    reasons: list[str] = field(default_factory=list)
    requests: int = 0  # HTTP requests made, retries included
    bytes_sent: int = 0  # request bodies
    bytes_received: int = 0  # response bodies
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None


@dataclass(frozen=True)
class StuckOp:
    seq: int
    op_id: str
    table: str
    row_id: str
    kind: str
    attempts: int
    reason: str | None


@dataclass(frozen=True)
class SyncStatus:
    enrolled: bool
    server_url: str | None
    login: str | None
    device_id: str | None
    last_success_at: dt.datetime | None
    last_attempt_at: dt.datetime | None
    last_error: str | None
    waiting: int
    stuck: tuple[StuckOp, ...]
    open_conflicts: int


@dataclass(frozen=True)
class EnrolResult:
    server_url: str
    device_id: str
    login: str
    name: str
    role: str
    queued: int


def _lock_for(store: Store) -> threading.Lock:
    with _locks_guard:
        lock = _locks.get(store)
        if lock is None:
            lock = threading.Lock()
            _locks[store] = lock
        return lock


def _state(session: Session) -> SyncState:
    state = session.get(SyncState, 1)
    if state is None:
        state = SyncState(id=1, cursor=0)
        session.add(state)
        session.flush()
    return state


def _get_list(session: Session, key: str) -> list[str]:
    row = session.get(Setting, key)
    return list(row.value) if row is not None and isinstance(row.value, list) else []


def _get_int(session: Session, key: str) -> int:
    row = session.get(Setting, key)
    return int(row.value) if row is not None and isinstance(row.value, int) else 0


def _set_value(session: Session, key: str, value: Any) -> None:
    row = session.get(Setting, key)
    if value is None:
        if row is not None:
            session.delete(row)
    elif row is None:
        session.add(Setting(key=key, value=value))
    else:
        row.value = value


# ---- status --------------------------------------------------------------------------------------------


def status(store: Store) -> SyncStatus:
    with store.read_session() as s:
        state = s.get(SyncState, 1)
        stuck = tuple(
            StuckOp(o.seq, o.op_id, o.table_name, o.row_id, o.kind, o.attempts, o.last_error)
            for o in s.execute(select(OutboxOp).where(OutboxOp.status == "stuck").order_by(OutboxOp.seq)).scalars()
        )
        open_conflicts = int(
            s.execute(select(func.count()).select_from(SyncConflict).where(SyncConflict.resolved_at.is_(None))).scalar_one()
        )
        return SyncStatus(
            enrolled=bool(state and state.device_token),
            server_url=state.server_url if state else None,
            login=state.login if state else None,
            device_id=state.device_id if state else None,
            last_success_at=state.last_success_at if state else None,
            last_attempt_at=state.last_attempt_at if state else None,
            last_error=state.last_error if state else None,
            waiting=outbox.waiting_count(s),
            stuck=stuck,
            open_conflicts=open_conflicts,
        )


def retry_stuck(store: Store, op_ids: list[str] | None = None) -> int:
    """Put stuck ops (all, or the ones named) back in the queue for the next sync."""
    with store.session() as s:
        query = select(OutboxOp).where(OutboxOp.status == "stuck")
        if op_ids:
            query = query.where(OutboxOp.op_id.in_(op_ids))
        ops = list(s.execute(query).scalars())
        for op in ops:
            op.status = "pending"
            op.attempts = 0
        return len(ops)


# ---- enrolment -----------------------------------------------------------------------------------------


def _has_own_records(session: Session, worker_id: str | None) -> bool:
    if session.execute(select(exists().where(Client.id.is_not(None)))).scalar():
        return True
    return bool(
        session.execute(
            select(exists().where(OutboxOp.table_name.not_in(BOOTSTRAP_TABLES)))
        ).scalar()
    )


def enroll(
    store: Store,
    url: str,
    code: str,
    *,
    device_name: str | None = None,
    policy: RetryPolicy | None = None,
    upload_existing: bool = False,
) -> EnrolResult:
    """Exchange a one-time enrolment code for this device's token (kept inside the encrypted profile)."""
    base_url = check_server_url(url)
    with store.session() as s:
        state = _state(s)
        if state.device_id is None or state.server_url != base_url:
            state.device_id = str(uuid.uuid4())
        device_id = state.device_id
        has_records = _has_own_records(s, store.worker_id)
    body = {
        "code": code.strip(),
        "device_id": device_id,
        "device_name": device_name or platform.node()[:200],
        "worker_id": store.worker_id,
        "has_records": has_records,
    }
    from casedesk.sync.transport import Transport

    with Transport(base_url, policy=policy) as transport:
        answer = transport.post("/enroll", body)
    worker_row = answer["worker"]
    worker_id = worker_row["id"]
    with store.session() as s:
        state = _state(s)
        changed_server = state.server_url != base_url
        state.server_url = base_url
        state.device_id = answer["device_id"]
        state.device_token = answer["token"]
        state.login = answer["user"]["login"]
        state.last_error = None
        if changed_server:
            state.cursor = 0
            _set_value(s, COMPLETE_KEY, None)
            _set_value(s, FLOOR_KEY, None)
            _set_value(s, OWN_UPTO_KEY, None)
        # The server owns workers and the agency record: drop the placeholders' unsent ops.
        s.execute(delete(OutboxOp).where(OutboxOp.table_name.in_(BOOTSTRAP_TABLES)))
        if worker_id != store.worker_id and store.worker_id is not None:
            old = s.get(Worker, store.worker_id)
            if old is not None:
                s.execute(delete(Worker).where(Worker.id == old.id))
        s.flush()
        apply_rows(s, [worker_row])
        current = s.get(Setting, "current_worker_id")
        if current is None:
            s.add(Setting(key="current_worker_id", value=worker_id))
        else:
            current.value = worker_id
        queued = outbox.queue_unsynced_records(s) if upload_existing else 0
        audit.record(s, "sync", None, None, {"step": "enroll", "device_id": state.device_id, "queued": queued})
    store.worker_id = worker_id
    user = answer["user"]
    return EnrolResult(base_url, answer["device_id"], user["login"], user["name"], user["role"], queued)


def queue_unsynced_records(store: Store) -> int:
    """Queue records this device holds but never sent (e.g. made before enrolment without an outbox)."""
    with store.session() as s:
        return outbox.queue_unsynced_records(s)


# ---- one sync ------------------------------------------------------------------------------------------


def sync_once(
    store: Store,
    *,
    policy: RetryPolicy | None = None,
    batch_size: int = DEFAULT_BATCH_OPS,
    page_limit: int = DEFAULT_PULL_LIMIT,
) -> SyncResult:
    """Push, pull and tidy once. Raises a SyncError a worker can read; nothing sent is ever lost."""
    lock = _lock_for(store)
    if not lock.acquire(blocking=False):
        raise SyncBusyError("A sync is already running.")
    try:
        return _sync(store, policy, batch_size, page_limit)
    finally:
        lock.release()


def _sync(store: Store, policy: RetryPolicy | None, batch_size: int, page_limit: int) -> SyncResult:
    result = SyncResult(started_at=dt.datetime.now(dt.UTC))
    with store.session() as s:
        state = _state(s)
        state.last_attempt_at = result.started_at
        url, token = state.server_url, state.device_token
    if not url or not token:
        raise NotEnrolledError("This device is not enrolled with an agency server yet (casedesk enroll URL CODE).")
    from casedesk.sync.transport import Transport

    try:
        with Transport(url, token, policy=policy) as transport:
            try:
                created = _push(store, transport, result, batch_size)
                _pull(store, transport, result, page_limit, created)
                _tidy_caseload(store, transport, result)
            finally:
                result.requests = transport.requests
                result.bytes_sent = transport.bytes_sent
                result.bytes_received = transport.bytes_received
    except SyncError as exc:
        with store.session() as s:
            _state(s).last_error = str(exc)
            audit.record(s, "sync", None, None, {"ok": False, "error": type(exc).__name__, "pushed": result.pushed})
        raise
    result.finished_at = dt.datetime.now(dt.UTC)
    with store.session() as s:
        state = _state(s)
        state.last_success_at = result.finished_at
        state.last_error = None
        result.waiting = outbox.waiting_count(s)
        audit.record(
            s,
            "sync",
            None,
            None,
            {
                "ok": True,
                "pushed": result.pushed,
                "pulled": result.pulled,
                "conflicts": result.conflicts,
                "stuck": result.stuck,
                "removed_clients": len(result.removed_clients),
            },
        )
    return result


class _AnswerWriter:
    """Stores each batch's answers in a background thread while the next batch goes out (the server works
    on it meanwhile), one batch at a time and in order.

    Which ops the next batch leaves out and which clients the push created come from the answers in
    memory, so nothing waits for the store. If storing fails, the push stops at the next batch and the
    error is raised; the ops whose answers were not stored stay in the outbox and are sent again (the
    server answers them as duplicates, with their rows)."""

    def __init__(self, store: Store, result: SyncResult) -> None:
        self.store = store
        self.result = result
        self._thread: threading.Thread | None = None
        self._tally: outbox.PushTally | None = None
        self._error: BaseException | None = None

    def submit(self, ops: list[outbox.PendingOp], answers: list[Any]) -> None:
        self.wait()
        self._thread = threading.Thread(
            target=self._store, args=(ops, answers), name="casedesk-sync-answers", daemon=True
        )
        self._thread.start()

    def _store(self, ops: list[outbox.PendingOp], answers: list[Any]) -> None:
        try:
            with collection_paused(), self.store.session() as s:
                tally = outbox.record_answers(s, ops, answers)
                if tally.own_upto > _get_int(s, OWN_UPTO_KEY):
                    _set_value(s, OWN_UPTO_KEY, tally.own_upto)
            self._tally = tally
        except BaseException as exc:  # handed to the syncing thread by wait()
            self._error = exc

    def wait(self) -> None:
        """Until the answers handed over last are stored; raises what storing them raised."""
        if self._thread is None:
            return
        self._thread.join()
        self._thread = None
        tally, self._tally = self._tally, None
        error, self._error = self._error, None
        if error is not None:
            raise error
        if tally is not None:
            result = self.result
            result.applied += tally.applied
            result.duplicates += tally.duplicates
            result.conflicts += tally.conflicts
            result.pushed += tally.applied + tally.duplicates + tally.conflicts
            result.not_accepted += tally.not_accepted
            result.stuck += tally.newly_stuck
            result.reasons += tally.reasons


def _push(store: Store, transport: Transport, result: SyncResult, batch_size: int) -> set[str]:
    """Send the outbox; returns the clients this push created on the server (their insert op applied now).
    Every answer is stored when this returns."""
    held: set[tuple[str, str]] = set()
    created: set[str] = set()
    writer = _AnswerWriter(store, result)
    with store.read_session() as s:
        up_to = outbox.max_seq(s)
    after = 0
    try:
        while True:
            with store.read_session() as s:
                ops = outbox.next_ops(s, after, up_to, batch_size, held)
                bodies = outbox.payloads(s, ops)
            if not ops:
                break
            after = ops[-1].seq
            _send(store, transport, writer, result, ops, bodies, held, created)
    except BaseException:
        with contextlib.suppress(BaseException):
            writer.wait()  # the first error is the one to report
        raise
    writer.wait()
    return created


def _send(
    store: Store,
    transport: Transport,
    writer: _AnswerWriter,
    result: SyncResult,
    ops: list[outbox.PendingOp],
    bodies: list[str],
    held: set[tuple[str, str]],
    created: set[str],
) -> None:
    try:
        answer = transport.post_json("/push", ('{"ops":[' + ",".join(bodies) + "]}").encode("utf-8"))
    except ServerRejectedError as exc:
        if exc.status not in BISECT_STATUSES:
            raise
        if len(ops) > 1:  # find the op the server cannot take; the others go through
            middle = len(ops) // 2
            _send(store, transport, writer, result, ops[:middle], bodies[:middle], held, created)
            _send(store, transport, writer, result, ops[middle:], bodies[middle:], held, created)
            return
        with store.session() as s:
            if outbox.count_attempt(s, ops[0], str(exc)):
                result.stuck += 1
        result.not_accepted += 1
        result.reasons.append(str(exc))
        held.add((ops[0].table_name, ops[0].row_id))
        return
    answers = answer.get("results")
    if not isinstance(answers, list):
        raise SyncError("The agency server sent an answer CaseDesk does not understand. Your work is kept.")
    writer.submit(ops, answers)
    by_id = {op.op_id: op for op in ops}
    for a in answers:
        if not isinstance(a, dict) or a.get("op_id") not in by_id:
            continue
        op = by_id[a["op_id"]]
        if a.get("status") in ("rejected", "deferred"):
            held.add((op.table_name, op.row_id))
        elif a.get("status") == "applied" and op.table_name == "client" and op.kind == "insert":
            created.add(op.row_id)


def _pull(store: Store, transport: Transport, result: SyncResult, page_limit: int, created: set[str]) -> None:
    """Snapshots of clients new to this device, then every change after the cursor.

    A client this sync's push created on the server (`created`) had no records there before, so every
    one of its records changed after the device's cursor: with a cursor, the change feed brings all of
    them; on a first sync (whose feed starts at the server's current number) its snapshot leaves out the
    rows whose current version is this device's own push, which the device stored from the answers."""
    caseload = transport.get("/caseload")
    clients: list[str] = list(caseload.get("clients") or [])
    server_seq = int(caseload.get("seq") or 0)
    with store.session() as s:
        state = _state(s)
        cursor = int(state.cursor or 0)
        complete = set(_get_list(s, COMPLETE_KEY))
        first = cursor == 0
        if first:
            floor = s.get(Setting, FLOOR_KEY)
            if floor is None:
                _set_value(s, FLOOR_KEY, server_seq)
                floor_seq = server_seq
            else:
                floor_seq = int(floor.value)
    new_clients = [c for c in clients if c not in complete]
    if not first:
        fed = [c for c in new_clients if c in created]
        if fed:
            with store.session() as s:
                _mark_complete(s, fed)
            new_clients = [c for c in new_clients if c not in created]
    if first:
        _snapshot(store, transport, result, [], base=True, page_limit=page_limit)
    for i in range(0, len(new_clients), SNAPSHOT_CHUNK):
        chunk = new_clients[i : i + SNAPSHOT_CHUNK]
        own = [c for c in chunk if c in created]
        _snapshot(store, transport, result, chunk, base=False, page_limit=page_limit, own=own)
    if first:
        with store.session() as s:
            _state(s).cursor = floor_seq
            _set_value(s, FLOOR_KEY, None)
        cursor = floor_seq
    _changes(store, transport, result, cursor, page_limit)


def _snapshot(
    store: Store,
    transport: Transport,
    result: SyncResult,
    clients: list[str],
    *,
    base: bool,
    page_limit: int,
    own: list[str] | None = None,
) -> None:
    """Download the current records of `clients` (or the agency-wide rows) and store them in one go."""
    assert len(clients) <= MAX_SNAPSHOT_CLIENTS
    rows: list[dict[str, Any]] = []
    conflicts: list[dict[str, Any]] = []
    after = 0
    while True:
        request: dict[str, Any] = {"clients": clients, "base": base, "after": after, "limit": max(page_limit, MAX_PULL_LIMIT)}
        if own:
            request["own"] = own
        page = transport.post("/snapshot", request)
        rows += page.get("rows") or []
        result.received += len(page.get("rows") or [])
        conflicts += page.get("conflicts") or []
        after = int(page.get("after") or after)
        if not page.get("more"):
            break
    with collection_paused(), store.session() as s:
        s.connection().exec_driver_sql("PRAGMA defer_foreign_keys = ON")
        result.pulled += apply_rows(s, rows)
        result.conflicts += upsert_conflicts(s, conflicts)
        if clients:
            _mark_complete(s, clients)


def _mark_complete(session: Session, clients: list[str]) -> None:
    complete = _get_list(session, COMPLETE_KEY)
    known = set(complete)
    _set_value(session, COMPLETE_KEY, complete + [c for c in clients if c not in known])


def _changes(store: Store, transport: Transport, result: SyncResult, cursor: int, page_limit: int) -> None:
    """Every visible change after the cursor, page by page; the cursor moves in the same transaction."""
    carried_rows: list[dict[str, Any]] = []
    carried_conflicts: list[dict[str, Any]] = []
    fetch_from = cursor
    with store.read_session() as s:
        own_upto = _get_int(s, OWN_UPTO_KEY)
    while True:
        page = transport.get("/changes", {"cursor": fetch_from, "limit": page_limit, "own_upto": own_upto})
        result.received += len(page.get("rows") or [])
        rows = carried_rows + list(page.get("rows") or [])
        conflicts = carried_conflicts + list(page.get("conflicts") or [])
        next_cursor = int(page.get("cursor") or fetch_from)
        more = bool(page.get("more"))
        try:
            with collection_paused(), store.session() as s:
                s.connection().exec_driver_sql("PRAGMA defer_foreign_keys = ON")
                written = apply_rows(s, rows)
                added = upsert_conflicts(s, conflicts)
                _state(s).cursor = next_cursor
            result.pulled += written
            result.conflicts += added
            carried_rows, carried_conflicts = [], []
        except sa_exc.IntegrityError:
            # A row arrived before a record it points to (which changed later, so it comes in a later
            # page): keep this page and store it together with the next one.
            if not more:
                raise SyncError(
                    "The agency server sent records that refer to records it did not send; the download was "
                    "not stored. Try again later or tell your administrator."
                ) from None
            carried_rows, carried_conflicts = rows, conflicts
        fetch_from = next_cursor
        if not more:
            return


def _tidy_caseload(store: Store, transport: Transport, result: SyncResult) -> None:
    """Remove clients no longer in this device's caseload, once none of their records has unsent work."""
    caseload = set(transport.get("/caseload").get("clients") or [])
    with store.session() as s:
        local = set(s.execute(select(Client.id)).scalars())
        leaving = sorted(local - caseload)
        if not leaving:
            return
        # Unsent work keeps a client: ops waiting in the outbox, or a record the server never acknowledged.
        busy = clients_with_unsent_work(s) | set(
            s.execute(select(Client.id).where(Client.server_version.is_(None))).scalars()
        )
        complete = _get_list(s, COMPLETE_KEY)
        for client_id in leaving:
            if client_id in busy:
                result.kept_clients.append(client_id)
                continue
            evict_client(s, client_id)
            result.removed_clients.append(client_id)
            audit.record(s, "sync", "client", client_id, {"step": "removed_from_device"})
        removed = set(result.removed_clients)
        _set_value(s, COMPLETE_KEY, [c for c in complete if c not in removed])
