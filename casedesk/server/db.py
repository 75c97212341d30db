"""Server database: where it lives, engine factory, schema migrations, the writers' lock.

The embedded default is an SQLite file in the server folder (a small agency or a demo needs no database
server); production uses PostgreSQL through psycopg 3 (``--db postgresql+psycopg://...``).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import platformdirs
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, Table, create_engine, event, insert, select
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from casedesk.errors import CaseDeskError, NewerVersionError
from casedesk.server.models import Counter

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
READ_OPTION = "casedesk_server_read"
DB_FILE = "casedesk-server.db"


class ServerConfigError(CaseDeskError):
    pass


def default_server_dir() -> Path:
    env = os.environ.get("CASEDESK_SERVER_DIR")
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir("CaseDesk", appauthor=False)) / "server"


def database_url(server_dir: Path | str | None = None, db_url: str | None = None) -> str:
    """The --db URL if given (postgres:// is taken to mean psycopg 3), else the SQLite file in the folder."""
    if db_url:
        url = db_url.strip()
        for prefix in ("postgres://", "postgresql://"):
            if url.startswith(prefix):
                url = "postgresql+psycopg://" + url[len(prefix) :]
        try:
            parsed = make_url(url)
        except sa_exc.ArgumentError:
            raise ServerConfigError(f"--db {db_url!r} is not a database URL (e.g. postgresql://user@host/db).") from None
        if parsed.get_backend_name() not in ("postgresql", "sqlite"):
            raise ServerConfigError("--db must be a PostgreSQL (postgresql://...) or SQLite (sqlite:///...) URL.")
        return url
    folder = Path(server_dir).expanduser() if server_dir else default_server_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise ServerConfigError(f"Cannot create the server folder {folder}: {exc.strerror}.") from None
    return f"sqlite:///{folder / DB_FILE}"


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30, "isolation_level": None},
            hide_parameters=True,
        )

        @event.listens_for(engine, "connect")
        def _pragmas(conn: Any, _record: Any) -> None:
            cur = conn.cursor()
            cur.execute("PRAGMA journal_mode = WAL")
            cur.execute("PRAGMA synchronous = FULL")
            cur.execute("PRAGMA foreign_keys = ON")
            cur.execute("PRAGMA busy_timeout = 30000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin(conn: Any) -> None:
            # Writers take SQLite's write lock up front, so concurrent pushes queue instead of failing.
            read = conn.get_execution_options().get(READ_OPTION, False)
            conn.exec_driver_sql("BEGIN" if read else "BEGIN IMMEDIATE")

        return engine
    return create_engine(url, pool_size=8, max_overflow=8, pool_pre_ping=True, hide_parameters=True)


def alembic_config(connection: Any | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("version_table", "server_alembic_version")
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def upgrade(engine: Engine) -> None:
    """Bring the server schema to the newest revision; refuse a database from a newer server."""
    script = ScriptDirectory.from_config(alembic_config())
    known = {rev.revision for rev in script.walk_revisions()}
    with engine.connect() as conn:
        current = MigrationContext.configure(conn, opts={"version_table": "server_alembic_version"}).get_current_revision()
        conn.rollback()
        if current is not None and current not in known:
            raise NewerVersionError(
                f"This server database was written by a newer CaseDesk server (schema {current}); update CaseDesk."
            )
        if current == script.get_current_head():
            return
        command.upgrade(alembic_config(conn), "head")
        conn.commit()


@dataclass
class Database:
    engine: Engine

    def __post_init__(self) -> None:
        self._write = sessionmaker(bind=self.engine, expire_on_commit=False)
        self._read = sessionmaker(bind=self.engine.execution_options(**{READ_OPTION: True}), expire_on_commit=False)

    @classmethod
    def open(cls, url: str, *, migrate: bool = True) -> Database:
        try:
            engine = make_engine(url)
            if migrate:
                upgrade(engine)
        except sa_exc.OperationalError as exc:
            raise ServerConfigError(f"Cannot open the server database: {exc.orig}") from None
        return cls(engine)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextlib.contextmanager
    def write(self) -> Iterator[Session]:
        s = self._write()
        try:
            yield s
            s.commit()
        except BaseException:
            s.rollback()
            raise
        finally:
            s.close()

    @contextlib.contextmanager
    def read(self) -> Iterator[Session]:
        s = self._read()
        try:
            yield s
            s.commit()
        finally:
            s.close()

    def close(self) -> None:
        self.engine.dispose()


class SeqAllocator:
    """Hands out change sequence numbers inside one write transaction.

    ``lock`` takes the counter row FOR UPDATE (SQLite: the transaction already holds the write lock), so
    writers run one at a time and a device that pulled up to N never misses a change that commits later
    with a number <= N.
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        counter = session.execute(select(Counter).where(Counter.id == 1).with_for_update()).scalar_one()
        self._counter = counter
        self.last = int(counter.seq)

    def next(self) -> int:
        self.last += 1
        return self.last

    def save(self) -> None:
        if self._counter.seq != self.last:
            self._counter.seq = self.last


def _repeating(process: Callable[[Any], Any] | None) -> Callable[[Any], Any] | None:
    """A bind processor that converts a value again only when it is not the very object it just did (the
    rows of a batch share their timestamps)."""
    if process is None:
        return None
    last: list[Any] = [_NOTHING, None]

    def convert(value: Any) -> Any:
        if value is not last[0]:
            last[0], last[1] = value, process(value)
        return last[1]

    return convert


_NOTHING = object()


def insert_rows(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """INSERT many rows that name the same columns, in one executemany.

    SQLite: a plain executemany, each value through its column type's bind processor (what a Core insert
    does per row, without its per-row statement work). PostgreSQL: the Core insert, whose multi-row
    VALUES batches are the fast way there."""
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    keys = list(rows[0])
    defaulted = any(c.default is not None for c in table.columns if c.key not in keys)
    if dialect.name != "sqlite" or defaulted:  # a column left out needs its Python-side default: Core does that
        session.execute(insert(table), list(rows))
        return
    columns = [table.c[key] for key in keys]
    plan = [(c.key, _repeating(c.type.dialect_impl(dialect).bind_processor(dialect))) for c in columns]
    quote = dialect.identifier_preparer.quote
    sql = (
        f"INSERT INTO {quote(table.name)} ({', '.join(quote(c.name) for c in columns)}) "
        f"VALUES ({', '.join('?' for _ in columns)})"
    )
    params = [tuple([row[key] if process is None else process(row[key]) for key, process in plan]) for row in rows]
    connection.exec_driver_sql(sql, params)


def current_seq(session: Session) -> int:
    return int(session.execute(select(Counter.seq).where(Counter.id == 1)).scalar_one())
