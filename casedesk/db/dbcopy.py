"""Encrypted copies of the database file and their verification (used by services.backup and recovery).

Copies are made with SQLite's online backup API from a separate connection, into a file keyed with the
same raw key, so a copy is as encrypted as the profile and opens through the same key file (passphrase
or recovery key). The copy is switched to rollback-journal mode so it is one self-contained file.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlcipher3

from casedesk.db import cipher
from casedesk.errors import StorageError
from casedesk.fileio import fsync_dir, storage_error

DB_ERRORS = (sqlcipher3.DatabaseError, sqlite3.DatabaseError)


def quiet_cipher_log() -> None:
    """SQLCipher prints its own error lines to stderr when a page fails its HMAC. CaseDesk explains damage
    in its own words, so those lines are switched off (a process-wide setting)."""
    with contextlib.suppress(*DB_ERRORS):
        conn = sqlcipher3.connect(":memory:")
        try:
            conn.execute("PRAGMA cipher_log_level = NONE")
        finally:
            conn.close()


@dataclass(frozen=True)
class FileCheck:
    """The verdict on one encrypted database file (a backup, or a staged copy)."""

    ok: bool
    problem: str | None = None  # completes "The file X ..." when not ok
    notes: int | None = None  # live progress notes (drafts and signed)
    signed_notes: int | None = None
    clients: int | None = None
    schema: str | None = None  # alembic revision


def fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def db_error_to_storage(exc: BaseException, path: Path) -> StorageError | None:
    if cipher.is_disk_full(exc):
        return StorageError(f"The disk holding {path.parent} is full. Free some space and try again.")
    text = str(exc).lower()
    if cipher.is_read_only(exc) or "unable to open database file" in text:
        return StorageError(f"CaseDesk cannot write to {path.parent} (read-only or no permission).")
    if "disk i/o error" in text:
        return StorageError(f"Writing to {path.parent} failed (disk I/O error). Check the drive and try again.")
    return None


def online_copy(source: Path, key: bytes, target: Path) -> None:
    """Copy the live database `source` into the new file `target` with the online backup API.

    One backup step copies every page inside one read transaction, so the copy is a consistent snapshot
    even while other connections (or processes) keep committing. `target` must not exist yet.
    Raises StorageError when the target cannot be written (disk full, read-only folder).
    """
    if target.exists():
        raise FileExistsError(target)
    src = dst = None
    try:
        src = cipher.raw_connect(source, key)
        src.execute("PRAGMA busy_timeout = 10000")
        dst = cipher.raw_connect(target, key)
        src.backup(dst)
        dst.execute("PRAGMA journal_mode = DELETE")
        dst.close()
        dst = None
        fsync_file(target)
    except DB_ERRORS as exc:
        raise db_error_to_storage(exc, target) or StorageError(
            f"The backup could not be written to {target.parent} ({exc})."
        ) from None
    except OSError as exc:
        raise storage_error(exc, target) from None
    finally:
        for conn in (dst, src):
            if conn is not None:
                with contextlib.suppress(*DB_ERRORS):
                    conn.close()


def check_file(path: Path, key: bytes) -> FileCheck:
    """Open read-only with the key; cipher_integrity_check and integrity_check; count what it holds.
    Never writes to the file."""
    quiet_cipher_log()
    problem = cipher.describe_file_problem(path)
    if problem:
        return FileCheck(False, problem)
    try:
        conn = cipher.raw_connect(path, key, read_only=True)
    except DB_ERRORS as exc:
        return FileCheck(False, f"cannot be opened ({exc})")
    try:
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except DB_ERRORS:
            return FileCheck(False, "cannot be decrypted with this profile's key (damaged, or another profile's file)")
        try:
            bad_pages = [str(r[0]) for r in conn.execute("PRAGMA cipher_integrity_check").fetchall()]
        except DB_ERRORS as exc:
            return FileCheck(False, f"fails its encryption check ({exc})")
        if bad_pages:
            return FileCheck(False, "is damaged: " + "; ".join(bad_pages[:3]))
        try:
            rows = [str(r[0]) for r in conn.execute("PRAGMA integrity_check").fetchall()]
        except DB_ERRORS as exc:
            return FileCheck(False, f"fails its integrity check ({exc})")
        if rows != ["ok"]:
            return FileCheck(False, "fails its integrity check: " + "; ".join(rows[:3]))
        try:
            schema = conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]
            notes, signed = conn.execute(
                "SELECT count(*), coalesce(sum(status = 'signed'), 0) FROM progress_note WHERE deleted_at IS NULL"
            ).fetchone()
            clients = conn.execute("SELECT count(*) FROM client WHERE deleted_at IS NULL").fetchone()[0]
        except DB_ERRORS:
            return FileCheck(False, "is not a CaseDesk database")
        return FileCheck(True, None, int(notes), int(signed), int(clients), str(schema))
    finally:
        with contextlib.suppress(*DB_ERRORS):
            conn.close()


@contextlib.contextmanager
def scratch_dir(near: Path, prefix: str) -> Iterator[Path]:
    """A private temporary folder beside `near` (same drive), removed afterwards. Only encrypted files go
    in it."""
    try:
        path = Path(tempfile.mkdtemp(prefix=prefix, dir=near))
    except OSError as exc:
        raise storage_error(exc, near / prefix) from None
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def copy_with_wal(db: Path, into: Path) -> Path:
    """Copy a database file and its -wal (if any) into the folder `into`; the originals are untouched."""
    copy = into / db.name
    try:
        shutil.copyfile(db, copy)
        wal = db.with_name(db.name + "-wal")
        if wal.exists():
            shutil.copyfile(wal, into / wal.name)
    except OSError as exc:
        raise storage_error(exc, copy) from None
    return copy


def single_file_copy(db: Path, key: bytes, target: Path, *, scratch_near: Path | None = None) -> None:
    """Turn a database plus its WAL (e.g. a file moved aside by a restore) into one self-contained
    encrypted copy at `target`, working on scratch copies so the originals are never written."""
    with scratch_dir(scratch_near or target.parent, ".casedesk-scratch-") as scratch:
        copy = copy_with_wal(db, scratch)
        online_copy(copy, key, target)


def connect_copy(path: Path, key: bytes) -> Any:
    """A read-write connection to a scratch copy (lets SQLite replay its WAL), with quiet errors."""
    quiet_cipher_log()
    conn = cipher.raw_connect(path, key)
    conn.execute("PRAGMA busy_timeout = 10000")
    return conn


def remove_quietly(*paths: Path) -> None:
    for path in paths:
        with contextlib.suppress(OSError):
            path.unlink()
    if paths:
        fsync_dir(paths[0].parent)
