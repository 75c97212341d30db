"""SQLCipher connections without SQLAlchemy: the key, the pragmas, the page caches, the file checks.

The database key is 32 random bytes given to SQLCipher as a raw key (``x'..'``), so opening costs no
PBKDF2. Durability: WAL with synchronous=FULL (in WAL mode NORMAL can lose a committed transaction on
power loss); temp_store=MEMORY (SQLCipher encrypts the database, WAL and journal, not temp files).

Nothing here imports SQLAlchemy: the start with a remembered passphrase reads the caseload through these
plain connections and paints the main window before the ORM has loaded (gui/startup.py).
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import sqlcipher3

from casedesk.errors import DatabaseDamagedError

SQLITE_HEADER = b"SQLite format 3\x00"
PAGE_SIZE = 4096
# Page cache per connection, in KiB. Up to eight pooled connections each keep their own cache of
# decrypted pages, so this bounds memory: with 32 MB each, startup with 10k clients took ~30 MB more. It
# cannot be much smaller: with 4 MB, inserting notes (FTS index pages going in and out of the cache, each
# decrypted and encrypted again) took 1.85x plain SQLite's time against 1.1x with 8 MB (bench_store).
CACHE_KIB = 8000
# Page cache during a write transaction (one at a time: writers take the lock at BEGIN). Inserting notes
# updates full-text index pages all over the index; with SQLCipher every page that falls out of the cache
# is decrypted and checked again when next needed. With 8 MB, inserting 100k notes took 1.28-1.34x plain
# SQLite's time on a fast machine; with 32 MB during writes, ~1.2x (bench_store, same settings for both).
WRITE_CACHE_KIB = 32000
# Page cache while one connection reads the whole caseload (the due pass reads every note and visit of
# a year, far more than any cache holds): the pages it reads once would only push out the useful ones,
# and at 10k clients a full 8 MB cache on that connection showed in the window's peak memory.
SCAN_CACHE_KIB = 1000


def key_pragma(key: bytes) -> str:
    if len(key) != 32:
        raise ValueError("database key must be 32 bytes")
    return f"PRAGMA key = \"x'{key.hex()}'\""


def raw_connect(path: Path, key: bytes, *, read_only: bool = False) -> Any:
    """A plain sqlcipher3 connection with the key applied (nothing verified, nothing written)."""
    if read_only:
        conn = sqlcipher3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None, check_same_thread=False)
    else:
        conn = sqlcipher3.connect(str(path), isolation_level=None, check_same_thread=False)
    conn.execute(key_pragma(key))
    quiet(conn)
    return conn


def quiet(conn: Any) -> None:
    """SQLCipher logs decryption failures to stderr itself; CaseDesk reports them in plain words instead."""
    conn.execute("PRAGMA cipher_log_level = NONE")


def apply_pragmas(conn: Any) -> None:
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA temp_store = MEMORY")
    conn.execute("PRAGMA busy_timeout = 10000")
    conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")


@contextlib.contextmanager
def scan_page_cache(conn: Any) -> Iterator[None]:
    """A small page cache on ``conn`` (a sqlcipher3 connection) for one pass over the whole database;
    the pages it kept are freed when the pass ends and the connection gets its usual cache back."""
    conn.execute(f"PRAGMA cache_size = -{SCAN_CACHE_KIB}")
    try:
        yield
    finally:
        conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")


def describe_file_problem(path: Path) -> str | None:
    """Cheap checks before any key is tried: a plain SQLite file, a zeroed or truncated file."""
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(PAGE_SIZE)
    except OSError as exc:
        return f"cannot be read ({exc.strerror})"
    if size == 0:
        return "is empty"
    if head.startswith(SQLITE_HEADER):
        return "is an unencrypted SQLite database, not a CaseDesk profile"
    if head.count(0) == len(head):
        return "has been overwritten with zeros"
    if size % PAGE_SIZE:
        return "is truncated (its size is not a whole number of pages)"
    return None


def verify_key_and_file(path: Path, key: bytes) -> None:
    """Read the schema. The key was already authenticated by AES-GCM, so a failure here means the file
    is damaged or is not this profile's database. The database file itself is never written.

    A read-only open comes first. After a crash or power cut the write-ahead log may need recovery,
    which a read-only connection cannot do ("attempt to write a readonly database"); then a normal
    connection reads instead (recovery only rebuilds the -shm index; the data pages are untouched).
    """
    problem = describe_file_problem(path)
    if problem:
        raise DatabaseDamagedError(damaged_message(path, problem))
    try:
        try:
            _read_schema(path, key, read_only=True)
        except (sqlcipher3.OperationalError, sqlite3.OperationalError) as exc:
            if not is_read_only(exc):
                raise
            _read_schema(path, key, read_only=False)
    except (sqlcipher3.DatabaseError, sqlite3.DatabaseError) as exc:
        raise DatabaseDamagedError(damaged_message(path, f"cannot be decrypted or read ({exc})")) from None


def _read_schema(path: Path, key: bytes, *, read_only: bool) -> None:
    conn = raw_connect(path, key, read_only=read_only)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    finally:
        conn.close()


def damaged_message(path: Path, problem: str) -> str:
    return (
        f"The CaseDesk database {path} {problem}. It was not changed. "
        "Restore a backup (casedesk restore) or contact your agency's IT support."
    )


def is_disk_full(exc: BaseException) -> bool:
    text = str(exc).lower()
    return "disk is full" in text


def is_read_only(exc: BaseException) -> bool:
    text = str(exc).lower()
    return "readonly" in text or "read-only" in text


def is_damaged(exc: BaseException) -> bool:
    text = str(exc).lower()
    return "malformed" in text or "not a database" in text
