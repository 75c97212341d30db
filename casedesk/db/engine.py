"""The SQLAlchemy engine over SQLCipher: pooled connections made by `db.cipher`, one writer at a time."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import sqlcipher3
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.pool import QueuePool

from casedesk.db.cipher import CACHE_KIB, WRITE_CACHE_KIB, apply_pragmas, key_pragma, quiet

READ_OPTION = "casedesk_read"


def make_engine(path: Path, key: bytes) -> Engine:
    pragma = key_pragma(key)

    def creator() -> Any:
        conn = sqlcipher3.connect(str(path), isolation_level=None, check_same_thread=False)
        conn.execute(pragma)
        quiet(conn)
        apply_pragmas(conn)
        return conn

    engine = create_engine(
        "sqlite://",
        creator=creator,
        module=sqlcipher3.dbapi2,
        poolclass=QueuePool,
        pool_size=4,
        max_overflow=4,
        pool_use_lifo=True,  # the connection used last (its cache warm) serves the next unit of work
        hide_parameters=True,  # SQL errors must never carry client data into logs or dialogs
    )

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        # Writers take the write lock up front: no SQLITE_BUSY_SNAPSHOT on upgrade, one writer at a time.
        read = conn.get_execution_options().get(READ_OPTION, False)
        conn.exec_driver_sql("BEGIN" if read else "BEGIN IMMEDIATE")
        if not read:
            conn.exec_driver_sql(f"PRAGMA cache_size = -{WRITE_CACHE_KIB}")

    @event.listens_for(engine, "checkin")
    def _checkin(dbapi_conn: Any, _record: Any) -> None:
        # Back in the pool after a unit of work: a write's larger cache is cut back (freeing its pages).
        if dbapi_conn is not None:
            # never in the way of an error that ended the unit of work; at worst the cache stays larger until the next return
            with contextlib.suppress(sqlcipher3.Error):
                dbapi_conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")

    return engine
