"""Fault injection: a proxy drops, cuts and stalls connections at random points during push and pull, over
many seeded runs. Afterwards every op is on the server exactly once and device and server agree row for row."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select

from casedesk.db.models import SyncState
from casedesk.server.models import AppliedOp
from casedesk.services import clients, notes
from casedesk.sync import client as sync_client
from casedesk.sync.backoff import RetryPolicy
from casedesk.sync.errors import SyncError
from tests.server.faultproxy import FaultProxy
from tests.server.helpers import Device, ServerThread, add_user, device_rows, enroll_device, outbox, server_rows

pytestmark = pytest.mark.server
FLAKY_NET = RetryPolicy(attempts=3, base=0.005, cap=0.02, timeout=0.3, connect_timeout=0.3)
SEEDS = range(4)


def point_at(device: Device, url: str) -> None:
    with device.store.session() as s:
        s.get(SyncState, 1).server_url = url  # type: ignore[union-attr]


def random_work(device: Device, rng: random.Random, client_ids: list[str]) -> None:
    """A few offline changes of the kinds a worker makes: new clients, notes, edits, signing, deletes."""
    with device.store.session() as s:
        for _ in range(rng.randint(1, 3)):
            client_ids.append(clients.create_client(s, first_name=rng.choice(["Zoë", "José", "Mei"]), last_name="Test"))
        for _ in range(rng.randint(2, 6)):
            cid = rng.choice(client_ids)
            choice = rng.random()
            if choice < 0.5:
                start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC) + dt.timedelta(hours=rng.randint(0, 5000))
                body = {"data": "Visit " * rng.randint(1, 300), "assessment": "Fine.", "plan": "Next week."}
                nid = notes.create_draft(s, notes.NoteInput(cid, start, rng.choice([30, 60]), body=body))
                if rng.random() < 0.5:
                    notes.sign_note(s, nid)
            elif choice < 0.85:
                clients.update_client(s, cid, phone=f"555-{rng.randint(1000, 9999)}", city=rng.choice(["Peoria", "Decatur"]))
            else:
                clients.add_contact(s, cid, name="Aunt May", relation="aunt")


def sync_through_faults(device: Device, rng: random.Random, max_tries: int = 30) -> int:
    failures = 0
    for _ in range(max_tries):
        try:
            device.sync(policy=FLAKY_NET, batch_size=rng.choice([3, 7, 50]), page_limit=rng.choice([5, 40, 500]))
            return failures
        except SyncError:
            failures += 1
    return failures


@pytest.mark.parametrize("seed", SEEDS)
def test_push_and_pull_survive_a_hostile_network(server: ServerThread, tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    sup = add_user(server.db, "supervisor")
    worker = add_user(server.db, "worker", supervisor=sup)
    a = enroll_device(server.db, server.url, tmp_path / "a", worker)
    s_dev = enroll_device(server.db, server.url, tmp_path / "s", sup)
    proxy = FaultProxy(server.port, seed, stall_seconds=0.4).start()
    point_at(a, proxy.url)
    point_at(s_dev, proxy.url)
    sent_ops: Counter[tuple[str, str]] = Counter()
    op_ids: set[str] = set()
    client_ids: list[str] = []
    try:
        for _round in range(3):
            random_work(a, rng, client_ids)
            for op in outbox(a.store):
                if op.op_id not in op_ids:
                    op_ids.add(op.op_id)
                    sent_ops[(op.table_name, op.row_id)] += 1
            sync_through_faults(a, rng)
            sync_through_faults(s_dev, rng)
        assert sum(proxy.stats.values()) > 0
        proxy.faulty = False
        a.sync(policy=FLAKY_NET)
        s_dev.sync(policy=FLAKY_NET)
    finally:
        proxy.stop()

    assert outbox(a.store) == []
    device_id = sync_client.status(a.store).device_id
    with server.db.read() as s:
        on_server = set(s.execute(select(AppliedOp.op_id).where(AppliedOp.device_id == device_id)).scalars())
    assert on_server == op_ids  # every op arrived, and (op id is the key) only once
    srv = server_rows(server.db, set(sent_ops))
    for key, count in sent_ops.items():
        assert srv[key]["version"] == count, f"{key}: {count} ops but server version {srv[key]['version']}"
    mine, theirs = device_rows(a.store), device_rows(s_dev.store)
    for key in sent_ops:
        assert mine[key]["data"] == srv[key]["data"] == theirs[key]["data"], key
        assert mine[key]["version"] == srv[key]["version"] == theirs[key]["version"], key
    a.close()
    s_dev.close()
