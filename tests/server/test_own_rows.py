"""A device does not download again the records it has just created on the server, yet never misses a
change someone else made to them, even one that lands between its push and its pull."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update

from casedesk.db.models import Client, ProgressNote, Setting, SyncState
from casedesk.services import clients, notes
from casedesk.sync import client as sync_client
from tests.server.helpers import Device, ServerThread, add_user, device_rows, enroll_device, server_rows

pytestmark = pytest.mark.server
API = "/api/v1"
WHEN = dt.datetime(2026, 4, 7, 10, 0, tzinfo=dt.UTC)


def worker_laptop_and_supervisor(server: ServerThread, tmp_path: Path) -> tuple[Device, Device]:
    """A worker's laptop and her supervisor's device, both enrolled (neither has synced yet)."""
    sup = add_user(server.db, "supervisor")
    worker = add_user(server.db, "worker", supervisor=sup)
    laptop = enroll_device(server.db, server.url, tmp_path / "laptop", worker)
    return laptop, enroll_device(server.db, server.url, tmp_path / "boss", sup)


def new_client_with_note(device: Device, last_name: str) -> tuple[str, str]:
    with device.store.session() as s:
        cid = clients.create_client(s, first_name="Ada", last_name=last_name, phone="555-0001")
        nid = notes.create_draft(s, notes.NoteInput(cid, WHEN, 45, body={"data": f"Visit with {last_name}."}))
    return cid, nid


def edit_between_push_and_pull(monkeypatch: pytest.MonkeyPatch, other: Device, cid: str, phone: str) -> None:
    """While `cid`'s creator is between its push and its pull, `other` downloads the client and edits it."""
    real_pull = sync_client._pull

    def pull_after_edit(*args: Any, **kwargs: Any) -> None:
        monkeypatch.setattr(sync_client, "_pull", real_pull)
        other.sync()
        with other.store.session() as s:
            clients.update_client(s, cid, phone=phone)
        assert other.sync().applied == 1
        real_pull(*args, **kwargs)

    monkeypatch.setattr(sync_client, "_pull", pull_after_edit)


def phone_of(device: Device, cid: str) -> str | None:
    with device.store.read_session() as s:
        client = s.get(Client, cid)
        assert client is not None
        return client.phone


def assert_matches_server(server: ServerThread, device: Device) -> None:
    rows = device_rows(device.store)
    srv = server_rows(server.db, set(rows))
    synced = {k: v for k, v in rows.items() if v["server_version"] is not None}
    assert ("client", next(iter(k[1] for k in rows if k[0] == "client"))) in synced
    for key, row in synced.items():
        assert key in srv, key
        assert row["data"] == srv[key]["data"], key
        assert row["version"] == row["server_version"] == srv[key]["version"], key


def test_first_sync_gets_an_edit_made_to_its_new_client_before_its_pull(
    server: ServerThread, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    laptop, boss = worker_laptop_and_supervisor(server, tmp_path)
    cid, nid = new_client_with_note(laptop, "Lovelace")
    edit_between_push_and_pull(monkeypatch, boss, cid, "555-7777")

    first = laptop.sync()

    assert first.applied == 2
    assert phone_of(laptop, cid) == "555-7777"
    assert_matches_server(server, laptop)
    with laptop.store.read_session() as s:
        assert s.get(ProgressNote, nid) is not None
    with laptop.store.read_session() as s:
        assert cid in sync_client._get_list(s, sync_client.COMPLETE_KEY)


def test_later_sync_gets_an_edit_made_to_its_new_client_through_the_change_feed(
    server: ServerThread, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    laptop, boss = worker_laptop_and_supervisor(server, tmp_path)
    laptop.sync()
    boss.sync()
    cid, _nid = new_client_with_note(laptop, "Hopper")
    edit_between_push_and_pull(monkeypatch, boss, cid, "555-8888")

    later = laptop.sync()

    assert later.applied == 2
    assert phone_of(laptop, cid) == "555-8888"
    assert_matches_server(server, laptop)
    # and the next sync brings nothing new: the client counts as held in full
    assert laptop.sync().pulled == 0


def test_snapshot_leaves_out_only_the_rows_whose_version_the_asking_device_made(
    server: ServerThread, tmp_path: Path
) -> None:
    laptop, boss = worker_laptop_and_supervisor(server, tmp_path)
    cid, nid = new_client_with_note(laptop, "Hamilton")
    laptop.sync()
    boss.sync()
    with boss.store.session() as s:
        clients.update_client(s, cid, phone="555-9999")
    boss.sync()
    with laptop.store.read_session() as s:
        token = s.execute(select(SyncState.device_token)).scalar_one()
    headers = {"Authorization": f"Bearer {token}"}

    def snapshot_ids(body: dict[str, Any]) -> set[tuple[str, str]]:
        answer = httpx.post(f"{server.url}{API}/snapshot", json=body, headers=headers)
        assert answer.status_code == 200, answer.text
        return {(r["t"], r["id"]) for r in answer.json()["rows"]}

    assert snapshot_ids({"clients": [cid]}) == {("client", cid), ("progress_note", nid)}
    # the note is still the laptop's own version; the client row now carries the supervisor's change
    assert snapshot_ids({"clients": [cid], "own": [cid]}) == {("client", cid)}
    # `own` never widens what a device may read
    stranger = enroll_device(server.db, server.url, tmp_path / "stranger", add_user(server.db, "worker"))
    with stranger.store.read_session() as s:
        other_token = s.execute(select(SyncState.device_token)).scalar_one()
    refused = httpx.post(f"{server.url}{API}/snapshot", json={"clients": [], "own": [cid]},
                         headers={"Authorization": f"Bearer {other_token}"})
    assert refused.status_code == 200 and refused.json()["rows"] == []


def preferred_name_of(device: Device, cid: str) -> str | None:
    with device.store.read_session() as s:
        client = s.get(Client, cid)
        assert client is not None
        return client.preferred_name


def test_a_device_is_not_sent_back_what_it_pushed_but_gets_everyone_elses_changes(
    server: ServerThread, tmp_path: Path
) -> None:
    laptop, boss = worker_laptop_and_supervisor(server, tmp_path)
    laptop.sync()
    cid, nid = new_client_with_note(laptop, "Curie")

    pushed = laptop.sync()
    assert pushed.applied == 2
    assert pushed.received == 0  # the client and the note it just pushed do not come back
    with laptop.store.session() as s:
        notes.update_draft(s, nid, notes.NoteInput(cid, WHEN, 60, body={"data": "Visit with Curie, rescheduled."}))
    edited = laptop.sync()
    assert edited.applied == 1 and edited.received == 0
    again = laptop.sync()
    assert again.pushed == 0 and again.received == 0 and again.pulled == 0
    assert_matches_server(server, laptop)

    boss.sync()
    with boss.store.session() as s:
        clients.update_client(s, cid, phone="555-2468")
    assert boss.sync().applied == 1
    theirs = laptop.sync()
    assert theirs.received == 1 and theirs.pulled == 1  # someone else's change still arrives
    assert phone_of(laptop, cid) == "555-2468"


def test_a_merge_that_took_in_someone_elses_change_still_reaches_the_device(
    server: ServerThread, tmp_path: Path
) -> None:
    laptop, boss = worker_laptop_and_supervisor(server, tmp_path)
    laptop.sync()
    cid, _nid = new_client_with_note(laptop, "Noether")
    laptop.sync()
    boss.sync()
    with boss.store.session() as s:
        clients.update_client(s, cid, phone="555-1212")
    assert boss.sync().applied == 1
    # The laptop has not pulled the supervisor's phone; it changes another field of the same client.
    with laptop.store.session() as s:
        clients.update_client(s, cid, preferred_name="Emmy")

    merged = laptop.sync()

    assert merged.applied == 1 and merged.conflicts == 0
    # The server's merged version was made by the laptop's op, yet it carries the supervisor's phone.
    assert phone_of(laptop, cid) == "555-1212"
    assert preferred_name_of(laptop, cid) == "Emmy"
    assert_matches_server(server, laptop)
    assert laptop.sync().received == 0
    assert boss.sync().received == 1 and preferred_name_of(boss, cid) == "Emmy"


def test_a_device_that_lost_its_own_newer_version_gets_it_back(server: ServerThread, tmp_path: Path) -> None:
    """A restored backup holds an older copy and the older sync bookkeeping that goes with it: the server
    sends the device's own later versions again."""
    worker = add_user(server.db, "worker")
    laptop = enroll_device(server.db, server.url, tmp_path / "laptop", worker)
    laptop.sync()
    cid, _nid = new_client_with_note(laptop, "Franklin")
    laptop.sync()
    with laptop.store.read_session() as s:
        cursor = s.execute(select(SyncState.cursor)).scalar_one()
        own_upto = sync_client._get_int(s, sync_client.OWN_UPTO_KEY)
        old = s.get(Client, cid)
        assert old is not None
        old_phone, old_version = old.phone, old.server_version
    with laptop.store.session() as s:
        clients.update_client(s, cid, phone="555-1357")
    assert laptop.sync().applied == 1
    # What a backup taken before that edit holds (Core statements: no outbox ops, like a restore).
    with laptop.store.session() as s:
        s.execute(
            update(Client).where(Client.id == cid).values(phone=old_phone, version=old_version, server_version=old_version)
        )
        s.execute(update(SyncState).values(cursor=cursor))
        s.execute(update(Setting).where(Setting.key == sync_client.OWN_UPTO_KEY).values(value=own_upto))

    restored = laptop.sync()

    assert restored.received == 1 and restored.pulled == 1
    assert phone_of(laptop, cid) == "555-1357"
    assert_matches_server(server, laptop)
