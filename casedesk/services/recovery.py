"""After a crash or power loss, and when the database is damaged: check, report, salvage.

report = startup_recovery(store)      right after Store.open; runs the integrity checks when the
                                      last exit was unclean, lists autosaved drafts to offer back
export_readable(db, key, json_path=... | profile_dir=...)
                                      copy every row that can still be read out of a damaged
                                      database, into a fresh encrypted profile or a JSON file;
                                      the damaged file is never written to
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import exc as sa_exc

from casedesk.db import cipher, dbcopy, migrate
from casedesk.db import engine as dbengine
from casedesk.db.models import Base
from casedesk.db.store import CheckResult, Store
from casedesk.db.types import new_id, utcnow
from casedesk.db.utc_text import utc_text
from casedesk.errors import CaseDeskError, StorageError, ValidationError
from casedesk.fileio import atomic_write_bytes, storage_error
from casedesk.services import backup
from casedesk.services.notes import Autosaved, pending_autosaves
from casedesk.vault.keyfile import KeyFile

SALVAGE_FORMAT = "casedesk-salvage"
# Tables rebuilt rather than copied (search indexes), or written by the migrations themselves.
NOT_COPIED = frozenset({"alembic_version"})


@dataclass(frozen=True)
class RecoveryReport:
    """What start-up found and recovered. `messages` are sentences for the worker, in order."""

    unclean_exit: bool
    checks: tuple[CheckResult, ...]  # empty when the checks were not needed
    damaged: bool
    drafts: tuple[Autosaved, ...]  # autosaved editor content to offer back (holds client data: show, never log)
    restore_note: str | None  # an interrupted restore that Store.open completed
    newest_good_backup: backup.BackupInfo | None  # offered when damaged
    messages: tuple[str, ...]

    @property
    def needs_attention(self) -> bool:
        return self.damaged or bool(self.drafts) or self.restore_note is not None


def run_checks(store: Store) -> tuple[CheckResult, ...]:
    """store.check(); if the damage stops the checks themselves, still say what the encryption layer
    finds (each page carries an HMAC) and that reading failed."""
    dbcopy.quiet_cipher_log()
    try:
        return tuple(store.check())
    except (CaseDeskError, sa_exc.DBAPIError, *dbcopy.DB_ERRORS) as exc:
        reason = getattr(exc, "orig", exc)
        return (_page_check(store), CheckResult("reading the database", False, f"failed ({reason})"))


def _page_check(store: Store) -> CheckResult:
    try:
        conn = cipher.raw_connect(store.paths.database, store.database_key(), read_only=True)
        try:
            bad = [str(r[0]) for r in conn.execute("PRAGMA cipher_integrity_check").fetchall()]
        finally:
            conn.close()
    except dbcopy.DB_ERRORS as exc:
        return CheckResult("cipher_integrity_check", False, f"could not run ({exc})")
    return CheckResult("cipher_integrity_check", not bad, "ok" if not bad else "; ".join(bad[:5]))


def describe_check_failure(results: tuple[CheckResult, ...]) -> str:
    failed = [r for r in results if not r.ok]
    parts = []
    for r in failed:
        if "HMAC" in r.message:
            parts.append(f"{r.name}: a part of the file fails its checksum ({r.message})")
        else:
            parts.append(f"{r.name}: {r.message}")
    return "; ".join(parts)


def startup_recovery(store: Store, *, force_checks: bool = False) -> RecoveryReport:
    """Call right after Store.open (the GUI shows the messages; `casedesk recover` prints them).

    After an unclean exit (or with force_checks) runs integrity_check, cipher_integrity_check, the
    search-index and audit-chain checks. Lists autosaved drafts (services.notes.pending_autosaves), and
    says whether an interrupted restore was completed. If the database is damaged, finds the newest
    backup that passes its checks, to offer restoring it (restore_backup) or exporting what can still
    be read (export_readable).
    """
    unclean = store.unclean_previous_exit
    state = store.paths.read_state()
    restore_note = state.get("restore_note") or None
    if restore_note:
        store.paths.write_state(restore_note=None)
    messages: list[str] = []
    if restore_note:
        messages.append(str(restore_note))
    checks: tuple[CheckResult, ...] = ()
    if unclean or force_checks:
        checks = run_checks(store)
    damaged = any(not c.ok for c in checks)
    if unclean:
        messages.append("CaseDesk was not closed properly last time (a crash, or the power went off).")
    if checks and not damaged:
        messages.append("The database passed its integrity and encryption checks: nothing was lost.")
    drafts: tuple[Autosaved, ...] = ()
    try:
        with store.read_session() as s:
            drafts = tuple(pending_autosaves(s))
    except (CaseDeskError, sa_exc.DBAPIError):
        damaged = True
    if drafts:
        messages.append(
            f"{len(drafts)} unsaved draft{'s were' if len(drafts) != 1 else ' was'} recovered from autosave "
            "and can be reopened."
        )
    newest = None
    if damaged:
        messages.append("The database is damaged: " + (describe_check_failure(checks) or "it cannot be read") + ".")
        newest = backup.newest_good_backup(store.paths, store.database_key())
        messages.extend(damage_options(newest))
    return RecoveryReport(unclean, checks, damaged, drafts, restore_note, newest, tuple(messages))


def damage_options(newest: backup.BackupInfo | None) -> list[str]:
    lines = []
    if newest is not None:
        lines.append(
            f"The newest good backup is from {newest.created_at.astimezone():%Y-%m-%d %H:%M} "
            f"({newest.notes} notes): restore it with `casedesk recover --restore-newest` "
            f"(or `casedesk restore {newest.path}`). The damaged database is kept, not overwritten."
        )
    else:
        lines.append("There is no good backup in the profile's backups folder.")
    lines.append(
        "Notes written since that backup may still be readable: export them with "
        "`casedesk recover --export-profile NEW_FOLDER` (encrypted) or `--export-json FILE`."
    )
    return lines


# ---- salvage ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TableSalvage:
    name: str
    rows_read: int
    complete: bool  # every row the table could be walked to was read
    problem: str | None = None


@dataclass(frozen=True)
class ExportReport:
    destination: Path
    tables: tuple[TableSalvage, ...]
    opened: bool  # False: nothing at all could be read (e.g. the first page is destroyed)
    messages: tuple[str, ...] = field(default=())

    @property
    def complete(self) -> bool:
        return self.opened and all(t.complete for t in self.tables)

    def rows(self, table: str) -> int:
        return next((t.rows_read for t in self.tables if t.name == table), 0)


class _Reader:
    """Queries on the scratch copy. After SQLCipher meets a page that fails its HMAC, the connection stays
    in an error state (later reads of healthy pages fail too), so every error reopens it."""

    def __init__(self, path: Path, key: bytes) -> None:
        self.path, self.key = path, key
        self.conn = dbcopy.connect_copy(path, key)

    def rows(self, sql: str, params: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
        try:
            yield from self.conn.execute(sql, params)
        except dbcopy.DB_ERRORS:
            self.reopen()
            raise

    def one(self, sql: str, params: tuple[Any, ...] = ()) -> tuple[Any, ...] | None:
        try:
            row = self.conn.execute(sql, params).fetchone()
        except dbcopy.DB_ERRORS:
            self.reopen()
            raise
        return None if row is None else tuple(row)

    def reopen(self) -> None:
        self.close()
        self.conn = dbcopy.connect_copy(self.path, self.key)

    def close(self) -> None:
        with contextlib.suppress(*dbcopy.DB_ERRORS):
            self.conn.close()


def _probe_next(reader: _Reader, table: str, after: int) -> int | None:
    """The first readable rowid after `after`, jumping over an unreadable stretch of the table in
    growing steps (a damaged page holds a run of consecutive rowids)."""
    step = 1
    while step < (1 << 62):
        try:
            row = reader.one(f'SELECT rowid FROM "{table}" WHERE rowid >= ? ORDER BY rowid LIMIT 1', (after + step,))
            return None if row is None else int(row[0])
        except dbcopy.DB_ERRORS:
            step *= 2
    return None


def _rowids_from_indexes(reader: _Reader, table: str) -> set[int]:
    """Rowids reachable through the table's indexes (another path to rows behind a damaged page)."""
    found: set[int] = set()
    try:
        indexes = [r[1] for r in reader.rows(f'PRAGMA index_list("{table}")')]
    except dbcopy.DB_ERRORS:
        return found
    for index in indexes:
        try:
            for (rowid,) in reader.rows(f'SELECT rowid FROM "{table}" INDEXED BY "{index}"'):
                found.add(int(rowid))
        except dbcopy.DB_ERRORS:
            continue
    return found


GAP_FILL = 65536  # rowids tried one by one after a damaged stretch


def _fetch_one(reader: _Reader, table: str, cols: str, rowid: int) -> tuple[Any, ...] | None:
    try:
        return reader.one(f'SELECT {cols} FROM "{table}" WHERE rowid = ?', (rowid,))
    except dbcopy.DB_ERRORS:
        return None


def read_table(reader: _Reader, table: str, columns: list[str]) -> tuple[list[tuple[Any, ...]], bool]:
    """Every row of `table` that can be read, in rowid order, and whether the walk met no damage.

    A plain scan first; when it hits an unreadable page, probe forward for the next readable rowid,
    try the skipped rowids one by one (rows behind the damaged page on good pages), go on scanning;
    finally reach rows through the table's indexes as well.
    """
    cols = ", ".join(f'"{c}"' for c in columns)
    rows: dict[int, tuple[Any, ...]] = {}
    complete = True
    start: int | None = 0  # CaseDesk never stores negative rowids
    while start is not None:
        begin = start
        last = begin - 1
        try:
            for row in reader.rows(f'SELECT rowid, {cols} FROM "{table}" WHERE rowid >= ? ORDER BY rowid', (begin,)):
                last = int(row[0])
                rows[last] = tuple(row[1:])
            start = None
        except dbcopy.DB_ERRORS:
            complete = False
            resume = _probe_next(reader, table, last)
            stop = last + 1 + GAP_FILL if resume is None else min(resume, last + 1 + GAP_FILL)
            for rowid in range(last + 1, stop):
                found = _fetch_one(reader, table, cols, rowid)
                if found is not None:
                    rows[rowid] = found
            if resume is not None and resume <= begin:  # the scan could not even read its first row
                found = _fetch_one(reader, table, cols, resume)
                if found is not None:
                    rows[resume] = found
                resume = _probe_next(reader, table, resume)
            start = resume
    if not complete:
        for rowid in sorted(_rowids_from_indexes(reader, table) - set(rows)):
            found = _fetch_one(reader, table, cols, rowid)
            if found is not None:
                rows[rowid] = found
    return [rows[k] for k in sorted(rows)], complete


def _tables() -> list[tuple[str, list[str]]]:
    return [(t.name, [c.name for c in t.columns]) for t in Base.metadata.sorted_tables if t.name not in NOT_COPIED]


def _jsonable(value: Any) -> Any:
    if isinstance(value, bytes):
        return {"base64": base64.b64encode(value).decode("ascii")}
    return value


def _check_destination(source_db: Path, destination: Path) -> None:
    source_files = {source_db.resolve(), *(source_db.with_name(source_db.name + s).resolve() for s in ("-wal", "-shm"))}
    if destination.resolve() in source_files or destination.resolve() == source_db.parent.resolve():
        raise ValidationError("The export must go somewhere other than the damaged database's own files.")
    if destination.exists() and (destination.is_file() or any(destination.iterdir())):
        raise ValidationError(f"{destination} already exists; choose a new file or an empty folder for the export.")


def export_readable(
    source_db: Path,
    db_key: bytes,
    *,
    json_path: Path | None = None,
    profile_dir: Path | None = None,
    key_file: KeyFile | None = None,
) -> ExportReport:
    """Copy every row that can still be read from `source_db` (and its -wal) to a JSON file or a new
    encrypted profile folder. The source files are never written: the work is done on a scratch copy.

    JSON is plain text with client data: it goes only where the worker chooses. The new profile is
    encrypted with the same database key; `key_file` (the profile's KeyFile) is written into it, so
    the same passphrase and recovery key open it (`casedesk --data-dir NEW_FOLDER check`).
    """
    if (json_path is None) == (profile_dir is None):
        raise ValidationError("Choose one destination: a JSON file or a new profile folder.")
    destination = Path(json_path or profile_dir).expanduser()  # type: ignore[arg-type]
    _check_destination(Path(source_db), destination)
    if profile_dir is not None and key_file is None:
        raise ValidationError("A new profile needs the key file of the damaged one.")
    work_near = destination.parent
    if not work_near.is_dir():
        raise ValidationError(f"The folder {work_near} does not exist.")
    with dbcopy.scratch_dir(work_near, ".casedesk-scratch-") as scratch:
        copy = dbcopy.copy_with_wal(Path(source_db), scratch)
        try:
            reader = _Reader(copy, db_key)
            reader.one("SELECT count(*) FROM sqlite_master")
        except dbcopy.DB_ERRORS:
            return ExportReport(
                destination, (), False, ("Nothing could be read: the start of the database file is destroyed.",)
            )
        try:
            data: dict[str, tuple[list[str], list[tuple[Any, ...]], bool]] = {}
            for table, columns in _tables():
                rows, complete = read_table(reader, table, columns)
                data[table] = (columns, rows, complete)
        finally:
            reader.close()
    if json_path is not None:
        _write_json(destination, source_db, data)
    else:
        assert key_file is not None
        _write_profile(destination, db_key, key_file, data)
    tables = tuple(
        TableSalvage(name, len(rows), complete, None if complete else "part of this table could not be read")
        for name, (_cols, rows, complete) in data.items()
    )
    counts = {t.name: t.rows_read for t in tables}
    message = (
        f"{counts.get('progress_note', 0)} progress notes and {counts.get('client', 0)} clients "
        f"were copied to {destination}."
    )
    lost = [t.name for t in tables if not t.complete]
    if lost:
        message += " Some rows could not be read in: " + ", ".join(lost) + "."
    return ExportReport(destination, tables, True, (message,))


def _write_json(
    destination: Path, source_db: Path, data: dict[str, tuple[list[str], list[tuple[Any, ...]], bool]]
) -> None:
    doc = {
        "format": SALVAGE_FORMAT,
        "version": 1,
        "exported_at": utcnow().isoformat(),
        "source": str(source_db),
        "tables": {
            name: {
                "columns": columns,
                "complete": complete,
                "rows": [[_jsonable(v) for v in row] for row in rows],
            }
            for name, (columns, rows, complete) in data.items()
        },
    }
    atomic_write_bytes(destination, json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8"))


def _write_profile(
    destination: Path, db_key: bytes, key_file: KeyFile, data: dict[str, tuple[list[str], list[tuple[Any, ...]], bool]]
) -> None:
    """A fresh profile at `destination`: migrated schema, the readable rows, the same key file."""
    try:
        destination.mkdir(mode=0o700, exist_ok=True)
    except OSError as exc:
        raise storage_error(exc, destination / "casedesk.db") from None
    db = destination / "casedesk.db"
    engine = dbengine.make_engine(db, db_key)
    try:
        migrate.upgrade(engine)
    finally:
        engine.dispose()
    conn = cipher.raw_connect(db, db_key)
    try:
        conn.execute("PRAGMA foreign_keys = OFF")  # rows whose parent was lost are still worth keeping
        conn.execute("BEGIN IMMEDIATE")
        for table, (columns, rows, _complete) in data.items():
            placeholders = ", ".join("?" for _ in columns)
            col_sql = ", ".join(f'"{c}"' for c in columns)
            conn.executemany(f'INSERT OR IGNORE INTO "{table}" ({col_sql}) VALUES ({placeholders})', rows)
        _ensure_profile_settings(conn, key_file.profile_id)
        conn.execute("COMMIT")
    except dbcopy.DB_ERRORS as exc:
        raise dbcopy.db_error_to_storage(exc, db) or StorageError(
            f"The new profile could not be written ({exc})."
        ) from None
    finally:
        conn.close()
    key_file.save(destination / "casedesk.key")
    for path in destination.iterdir():
        with contextlib.suppress(OSError):
            os.chmod(path, 0o600)


def _ensure_profile_settings(conn: Any, profile_id: str) -> None:
    """Store.open needs these settings; a salvaged profile whose setting rows were lost gets them back."""

    def setting(key: str) -> Any:
        row = conn.execute("SELECT value FROM setting WHERE key = ?", (key,)).fetchone()
        return None if row is None else row[0]

    if setting("profile_id") is None:
        conn.execute("INSERT INTO setting(key, value) VALUES ('profile_id', ?)", (json.dumps(profile_id),))
    if setting("current_worker_id") is None:
        row = conn.execute("SELECT id FROM worker ORDER BY created_at LIMIT 1").fetchone()
        worker_id = row[0] if row else None
        if worker_id is None:
            worker_id = new_id()
            now = utc_text(utcnow())
            conn.execute(
                "INSERT INTO worker(id, created_at, updated_at, version, name, role) VALUES (?, ?, ?, 1, ?, 'worker')",
                (worker_id, now, now, "Recovered profile"),
            )
        conn.execute("INSERT INTO setting(key, value) VALUES ('current_worker_id', ?)", (json.dumps(worker_id),))
