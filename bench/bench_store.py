"""Encrypted store benchmarks (issue: foundation).

- insert 100k progress notes with FTS into SQLCipher vs the same into plain SQLite, same code path: ratio <= 1.25
- full-text search over 500k notes: p95 < 50 ms
- open an unlocked store (KDF excluded) and load the caseload list of 10k clients: < 300 ms
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, insert
from sqlalchemy.orm import Session

from bench.__main__ import result
from casedesk.db import cipher, migrate
from casedesk.db import engine as dbengine
from casedesk.db.models import Client, ProgressNote
from casedesk.db.types import new_id
from casedesk.demo import ASSESS_LINES, DATA_LINES, PLAN_LINES

WORDS = ["meal", "bus", "budget", "pharmacy", "blister", "pack", "guardian", "apartment", "rent", "coping", "anxious", "job", "coach", "day", "program", "dentist", "appointment", "transit", "laundry", "groceries", "medication", "refill", "housemate", "library", "church", "volunteer"]


def _plain_engine(path: Path) -> Engine:
    def creator() -> Any:
        import sqlite3

        conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        cipher.apply_pragmas(conn)
        return conn

    eng = create_engine("sqlite://", creator=creator)

    # The same page-cache settings as CaseDesk's engine (casedesk.db.engine): the floor differs only in
    # the encryption.
    @event.listens_for(eng, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
        conn.exec_driver_sql(f"PRAGMA cache_size = -{cipher.WRITE_CACHE_KIB}")

    @event.listens_for(eng, "checkin")
    def _checkin(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.execute(f"PRAGMA cache_size = -{cipher.CACHE_KIB}")

    return eng


def _note_rows(n: int, client_ids: list[str], rng: random.Random) -> list[dict[str, Any]]:
    start = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    rows = []
    for i in range(n):
        body = {
            "data": " ".join(rng.sample(DATA_LINES, 2)).format(n="Sam") + " " + " ".join(rng.sample(WORDS, 6)),
            "assessment": rng.choice(ASSESS_LINES).format(n="Sam"),
            "plan": rng.choice(PLAN_LINES),
        }
        rows.append(
            {
                "id": new_id(),
                "client_id": client_ids[i % len(client_ids)],
                "contact_start": start + dt.timedelta(minutes=i),
                "duration_minutes": 45,
                "contact_type": "face_to_face",
                "template": "dap",
                "body": body,
                "billable_units": 3,
                "status": "signed",
                "search_text": "\n".join(body.values()),
            }
        )
    return rows


def _fill(eng: Engine, rows: list[dict[str, Any]], clients: list[dict[str, Any]], batch: int = 1000) -> float:
    with Session(eng) as s:
        s.execute(insert(Client), clients)
        s.commit()
    started = time.perf_counter()
    for i in range(0, len(rows), batch):
        with Session(eng) as s:
            s.execute(insert(ProgressNote), rows[i : i + batch])
            s.commit()
    return time.perf_counter() - started


def _clients(n: int) -> list[dict[str, Any]]:
    return [{"id": new_id(), "first_name": f"First{i}", "last_name": f"Last{i}", "risk_flags": []} for i in range(n)]


def bench_insert(tmp: Path, n: int = 100_000) -> dict[str, object]:
    rng = random.Random(1)
    clients = _clients(200)
    rows = _note_rows(n, [c["id"] for c in clients], rng)
    timings: dict[str, list[float]] = {"cipher": [], "plain": []}
    for attempt in range(3):
        for kind in ("plain", "cipher"):
            path = tmp / f"{kind}{attempt}.db"
            eng = dbengine.make_engine(path, secrets.token_bytes(32)) if kind == "cipher" else _plain_engine(path)
            migrate.upgrade(eng)
            timings[kind].append(_fill(eng, rows, clients))
            eng.dispose()
            for p in tmp.glob(f"{kind}{attempt}.db*"):
                p.unlink()
    cipher, plain = min(timings["cipher"]), min(timings["plain"])
    return result(
        "insert 100k notes + FTS (SQLCipher vs SQLite)",
        cipher,
        "s",
        floor=plain,
        budget="ratio <= 1.25",
        ok=cipher / plain <= 1.25,
    )


def bench_search(tmp: Path, n: int = 500_000) -> dict[str, object]:
    from casedesk.services import search

    key = secrets.token_bytes(32)
    eng = dbengine.make_engine(tmp / "search.db", key)
    migrate.upgrade(eng)
    rng = random.Random(2)
    clients = _clients(2000)
    with Session(eng) as s:
        s.execute(insert(Client), clients)
        s.commit()
    ids = [c["id"] for c in clients]
    for _batch in range(0, n, 50_000):
        rows = _note_rows(50_000, ids, rng)
        with Session(eng) as s:
            s.execute(insert(ProgressNote), rows)
            s.commit()
    queries = [
        "blister pack",
        "bus",
        "guardian phone",
        "meal log",
        "pharmacy refill",
        "rent",
        "coping skills",
        "day program attendance",
        "dentist",
        "library",
        "job coach",
        "laundry groceries",
    ]
    times = []
    with Session(eng) as s:
        for _ in range(5):
            for q in queries:
                started = time.perf_counter()
                hits = search.search_notes(s, q, limit=50)
                times.append(time.perf_counter() - started)
                assert hits, q
    eng.dispose()
    p95 = statistics.quantiles(times, n=20)[18] * 1000
    return result("full-text search over 500k notes, p95", p95, "ms", budget="< 50 ms", ok=p95 < 50)


def bench_open_caseload(tmp: Path) -> dict[str, object]:
    from casedesk import demo
    from casedesk.db.store import Store
    from casedesk.services import clients

    root = tmp / "tenk"
    store, _ = Store.create(root, "benchmark passphrase")
    with store.session() as s:
        demo.generate(s, clients=10_000, seed=3)
    kek = store.key_file.passphrase_kek("benchmark passphrase")
    store.close()
    times = []
    for _ in range(5):
        started = time.perf_counter()
        opened = Store.open(root, kek=kek)
        with opened.read_session() as s:
            rows = clients.caseload(s)
        times.append(time.perf_counter() - started)
        opened.close()
        assert len(rows) == 10_000
    best = statistics.median(times) * 1000
    return result("open store (KDF excluded) + caseload of 10k clients", best, "ms", budget="< 300 ms", ok=best < 300)


def run() -> list[dict[str, object]]:
    tmp = Path(tempfile.mkdtemp(prefix="casedesk-bench-"))
    try:
        return [bench_insert(tmp), bench_search(tmp), bench_open_caseload(tmp)]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
