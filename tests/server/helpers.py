"""Test harness for the sync suite: a real PostgreSQL cluster, the real server under uvicorn in a thread,
and device profiles enrolled against it. No mocks of the network or the database."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import uvicorn
from sqlalchemy import select

from casedesk.db.models import MODEL_BY_TABLE, OutboxOp, Synced
from casedesk.db.serialize import to_json_value
from casedesk.db.store import Store
from casedesk.server import admin
from casedesk.server.app import create_app, listening_socket
from casedesk.server.db import Database
from casedesk.server.models import Record
from casedesk.sync import client as sync_client
from casedesk.sync.backoff import RetryPolicy

PASSPHRASE = "correct horse battery"
FAST_RETRY = RetryPolicy(attempts=4, base=0.01, cap=0.05, timeout=10.0, connect_timeout=5.0)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# ---- PostgreSQL ---------------------------------------------------------------------------------------


def pg_bin() -> Path | None:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), reverse=True)
    if candidates:
        return Path(candidates[0]).parent
    found = shutil.which("pg_ctl")
    return Path(found).resolve().parent if found else None


@dataclass
class PgCluster:
    bindir: Path
    root: Path
    port: int
    as_user: list[str] = field(default_factory=list)

    @property
    def datadir(self) -> Path:
        return self.root / "data"

    @property
    def sockdir(self) -> Path:
        return self.root / "sock"

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@/{database}?host={self.sockdir}&port={self.port}"

    def run(self, *args: str) -> None:
        subprocess.run([*self.as_user, *args], check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        self.datadir.mkdir(parents=True)
        self.sockdir.mkdir()
        if self.as_user:
            shutil.chown(self.root, "postgres")
            shutil.chown(self.datadir, "postgres")
            shutil.chown(self.sockdir, "postgres")
        self.run(str(self.bindir / "initdb"), "-D", str(self.datadir), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                 "--no-sync")
        options = (
            f"-k {self.sockdir} -p {self.port} -c listen_addresses='' -c fsync=off -c synchronous_commit=off "
            "-c full_page_writes=off -c max_connections=60"
        )
        self.run(str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-o", options, "-w", "-t", "60",
                 "-l", str(self.root / "log.txt"), "start")

    def create_database(self, name: str) -> str:
        self.run(str(self.bindir / "createdb"), "-h", str(self.sockdir), "-p", str(self.port), "-U", "postgres", name)
        return self.url(name)

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self.run(str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-m", "immediate", "-w", "stop")


def start_postgres() -> PgCluster | str:
    """A throw-away cluster, or the reason there cannot be one."""
    bindir = pg_bin()
    if bindir is None:
        return "PostgreSQL is not installed (apt-get install postgresql; .ci/run does it)"
    as_user: list[str] = []
    if os.geteuid() == 0:
        runuser = shutil.which("runuser")
        if runuser is None:
            return "running as root without runuser: PostgreSQL refuses to run as root"
        as_user = [runuser, "-u", "postgres", "--"]
    root = Path(tempfile.mkdtemp(prefix="casedesk-pg-"))
    root.chmod(0o755)
    cluster = PgCluster(bindir, root, free_port(), as_user)
    cluster.start()
    return cluster


# ---- the server ---------------------------------------------------------------------------------------


class ServerThread:
    """The real ASGI app served by uvicorn on 127.0.0.1:<free port> in a background thread."""

    def __init__(self, db: Database, **app_options: Any) -> None:
        self.db = db
        app = create_app(db, **app_options)
        self.sock = listening_socket("127.0.0.1", 0)
        self.port = int(self.sock.getsockname()[1])
        config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off", timeout_keep_alive=30)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ServerThread:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=20)
        self.sock.close()


# ---- devices ------------------------------------------------------------------------------------------

_counter = iter(range(1, 10**9))


def unique(prefix: str) -> str:
    return f"{prefix}{os.getpid() % 1000}x{next(_counter)}"


@dataclass
class Device:
    store: Store
    login: str
    server_url: str

    def sync(self, **kwargs: Any) -> sync_client.SyncResult:
        kwargs.setdefault("policy", FAST_RETRY)
        return sync_client.sync_once(self.store, **kwargs)

    def close(self) -> None:
        self.store.close()


def new_store(root: Path, name: str = "Case manager") -> Store:
    store, _ = Store.create(root, PASSPHRASE, agency_name="Riverbend", worker_name=name)
    return store


def enroll_device(db: Database, server_url: str, root: Path, login: str, **kwargs: Any) -> Device:
    code, _ = admin.make_enrol_code(db, login)
    store = new_store(root)
    sync_client.enroll(store, server_url, code, policy=FAST_RETRY, **kwargs)
    return Device(store, login, server_url)


def add_user(db: Database, role: str = "worker", supervisor: str | None = None, name: str = "Test user") -> str:
    login = unique(role[:3])
    admin.add_user(db, login, name, role, supervisor=supervisor)
    return login


# ---- comparing a device with the server -----------------------------------------------------------------


def device_rows(store: Store) -> dict[tuple[str, str], dict[str, Any]]:
    """Every synced row on the device: content fields as they travel, plus the version."""
    out: dict[tuple[str, str], dict[str, Any]] = {}
    with store.read_session() as s:
        for table, model in MODEL_BY_TABLE.items():
            for obj in s.execute(select(model)).scalars():
                assert isinstance(obj, Synced)
                data = {
                    a.key: to_json_value(getattr(obj, a.key))
                    for a in obj.__mapper__.column_attrs  # type: ignore[attr-defined]
                    if a.key not in ("id", "created_at", "updated_at", "updated_by", "version", "server_version",
                                     "search_text")
                }
                out[(table, obj.id)] = {"data": data, "version": obj.version, "server_version": obj.server_version}
    return out


def server_rows(db: Database, tables: set[tuple[str, str]] | None = None) -> dict[tuple[str, str], dict[str, Any]]:
    out = {}
    with db.read() as s:
        for rec in s.execute(select(Record)).scalars():
            key = (rec.table_name, rec.row_id)
            if tables is None or key in tables:
                out[key] = {"data": rec.data, "version": rec.version}
    return out


def outbox(store: Store) -> list[OutboxOp]:
    with store.read_session() as s:
        return list(s.execute(select(OutboxOp).order_by(OutboxOp.seq)).scalars())


@contextlib.contextmanager
def running_server(db: Database, **kwargs: Any) -> Iterator[ServerThread]:
    server = ServerThread(db, **kwargs).start()
    try:
        yield server
    finally:
        server.stop()
