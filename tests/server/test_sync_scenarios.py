"""Two devices of one worker and her supervisor edit the same client offline, then sync in every order:
disjoint edits merge, same-field edits become conflicts that keep both values, nothing is lost, and
afterwards every device agrees with the server row for row."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import pytest
from sqlalchemy import select

from casedesk.db.models import Client, ProgressNote, SyncConflict
from casedesk.errors import ImmutableRecordError
from casedesk.server import admin
from casedesk.services import clients, notes
from casedesk.sync import client as sync_client
from casedesk.sync import conflicts as conflict_service
from tests.server.helpers import (
    Device,
    ServerThread,
    add_user,
    device_rows,
    enroll_device,
    outbox,
    server_rows,
)

pytestmark = pytest.mark.server
WHEN = dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)


def team(server: ServerThread, tmp: Path) -> tuple[Device, Device, Device, str]:
    """Laptop A and tablet B of one worker, and her supervisor S; a client with a draft note on all three."""
    sup = add_user(server.db, "supervisor", name="Sam Supervisor")
    worker = add_user(server.db, "worker", supervisor=sup, name="Wanda Worker")
    a = enroll_device(server.db, server.url, tmp / "a", worker)
    with a.store.session() as s:
        cid = clients.create_client(s, first_name="Zoë", last_name="Nguyễn", phone="555-0100", city="Springfield")
        notes.create_draft(s, notes.NoteInput(cid, WHEN, 60, body={"data": "First visit."}))
    a.sync()
    b = enroll_device(server.db, server.url, tmp / "b", worker)
    s_dev = enroll_device(server.db, server.url, tmp / "s", sup)
    b.sync()
    s_dev.sync()
    return a, b, s_dev, cid


def client_field(device: Device, cid: str, name: str) -> object:
    with device.store.read_session() as s:
        return getattr(s.get(Client, cid), name)


def assert_devices_match_server(server: ServerThread, *devices: Device) -> None:
    for device in devices:
        rows = device_rows(device.store)
        srv = server_rows(server.db, set(rows))
        synced = {k: v for k, v in rows.items() if v["server_version"] is not None}
        for key, row in synced.items():
            assert key in srv, f"{key} on the device but not on the server"
            assert row["data"] == srv[key]["data"], f"{key} differs: {row['data']} vs {srv[key]['data']}"
            assert row["version"] == srv[key]["version"], key


def edit_client(device: Device, cid: str, **changes: object) -> None:
    with device.store.session() as s:
        clients.update_client(s, cid, **changes)


@pytest.mark.parametrize("order", list(itertools.permutations("abs")), ids="".join)
def test_offline_edits_merge_or_conflict_in_any_order(server: ServerThread, tmp_path: Path, order: tuple[str, ...]) -> None:
    a, b, s_dev, cid = team(server, tmp_path)
    devices = {"a": a, "b": b, "s": s_dev}
    edit_client(a, cid, phone="555-1111", language="Spanish")  # phone clashes with b
    edit_client(b, cid, phone="555-2222", city="Decatur")  # city is b's alone
    edit_client(s_dev, cid, program="Adult mental health", language="Spanish")  # same value as a: no conflict

    for name in order:
        devices[name].sync()
    for name in order:  # one more round: everyone receives what the others sent after them
        devices[name].sync()

    first_phone = next(n for n in order if n in "ab")
    loser = "b" if first_phone == "a" else "a"
    winner_value = {"a": "555-1111", "b": "555-2222"}[first_phone]
    loser_value = {"a": "555-1111", "b": "555-2222"}[loser]
    for device in devices.values():
        assert client_field(device, cid, "phone") == winner_value
        assert client_field(device, cid, "city") == "Decatur"
        assert client_field(device, cid, "program") == "Adult mental health"
        assert client_field(device, cid, "language") == "Spanish"
        with device.store.read_session() as s:
            open_ = conflict_service.open_conflicts(s)
        # the worker's two devices and her supervisor all see the one conflict, with both values
        assert [(c.table, c.row_id) for c in open_] == [("client", cid)]
        assert [(f.name, f.mine, f.theirs) for f in open_[0].fields] == [("phone", loser_value, winner_value)]
    for device in devices.values():
        assert outbox(device.store) == []
    assert_devices_match_server(server, a, b, s_dev)
    for d in devices.values():
        d.close()


def test_resolving_keep_mine_reaches_everyone(server: ServerThread, tmp_path: Path) -> None:
    a, b, s_dev, cid = team(server, tmp_path)
    edit_client(a, cid, phone="555-1111")
    edit_client(b, cid, phone="555-2222")
    a.sync()
    b.sync()
    with b.store.session() as s:
        (conflict,) = conflict_service.open_conflicts(s)
        assert conflict.can_keep_mine
        conflict_service.resolve(s, conflict.id, "mine")
    b.sync()
    a.sync()
    s_dev.sync()
    for device in (a, b, s_dev):
        assert client_field(device, cid, "phone") == "555-2222"
        with device.store.read_session() as s:
            assert conflict_service.open_conflicts(s) == []
            stored = s.execute(select(SyncConflict)).scalar_one()
            assert stored.resolution == {"choice": "mine", "values": {"phone": "555-2222"}}
    assert_devices_match_server(server, a, b, s_dev)


def test_delete_against_edit_is_a_conflict_not_a_silent_delete(server: ServerThread, tmp_path: Path) -> None:
    a, b, s_dev, cid = team(server, tmp_path)
    with a.store.read_session() as s:
        note_id = s.execute(select(ProgressNote.id)).scalar_one()
    # A deletes the draft note, the supervisor edits it; the edit arrives first.
    with a.store.session() as s:
        notes.delete_draft(s, note_id)
    with s_dev.store.session() as s:
        detail = notes.get_note(s, note_id, audit_view=False)
        notes.update_draft(s, note_id, notes.note_input_from(detail, body={"data": "Supervisor's correction."}))
    s_dev.sync()
    a.sync()
    with a.store.read_session() as s:
        note = s.get(ProgressNote, note_id)
        assert note is not None and note.deleted_at is None  # the edit survived; the note is back on A
        assert note.body == {"data": "Supervisor's correction."}
        (conflict,) = conflict_service.open_conflicts(s)
    assert conflict.kind == "delete_edit" and [f.name for f in conflict.fields] == ["deleted_at"]
    assert conflict.fields[0].mine is not None and conflict.fields[0].theirs is None

    # The other way round: B edits the client, the supervisor deletes... a contact (here: the client) later.
    edit_client(b, cid, city="Peoria")
    with s_dev.store.session() as s:
        s.get(Client, cid).deleted_at = dt.datetime.now(dt.UTC)  # type: ignore[union-attr]
    s_dev.sync()
    b.sync()
    with b.store.read_session() as s:
        views = [c for c in conflict_service.open_conflicts(s) if c.table == "client"]
    assert len(views) == 1 and views[0].kind == "delete_edit"
    assert {f.name: (f.mine, f.theirs is not None) for f in views[0].fields}["city"] == ("Peoria", True)
    with b.store.session() as s:
        conflict_service.resolve(s, views[0].id, "mine")  # bring the client back with B's edit
    b.sync()
    s_dev.sync()
    a.sync()
    assert client_field(s_dev, cid, "deleted_at") is None
    assert client_field(s_dev, cid, "city") == "Peoria"
    assert_devices_match_server(server, a, b, s_dev)


def test_signed_note_stands_and_a_late_edit_is_kept_aside(server: ServerThread, tmp_path: Path) -> None:
    a, b, s_dev, _cid = team(server, tmp_path)
    with a.store.read_session() as s:
        note_id = s.execute(select(ProgressNote.id)).scalar_one()
    with b.store.session() as s:
        detail = notes.get_note(s, note_id, audit_view=False)
        notes.update_draft(s, note_id, notes.note_input_from(detail, body={"data": "Edited on the tablet."}))
    with a.store.session() as s:
        detail = notes.get_note(s, note_id, audit_view=False)
        notes.update_draft(
            s, note_id,
            notes.note_input_from(detail, body={"data": "Zoë cooked.", "assessment": "Going well.", "plan": "Next week."}),
        )
        digest = notes.sign_note(s, note_id)
    a.sync()
    b.sync()
    s_dev.sync()
    for device in (a, b, s_dev):
        with device.store.read_session() as s:
            note = s.get(ProgressNote, note_id)
            assert note is not None and note.status == "signed" and note.content_hash == digest
            assert note.body["data"] == "Zoë cooked."
            assert notes.verify_note_hash(s, note_id)
    with b.store.read_session() as s:
        (conflict,) = conflict_service.open_conflicts(s)
    assert conflict.kind == "signed" and not conflict.can_keep_mine
    assert {f.name: f.mine for f in conflict.fields}["body"] == {"data": "Edited on the tablet."}
    with b.store.session() as s, pytest.raises(Exception, match="signed"):
        conflict_service.resolve(s, conflict.id, "mine")
    # an addendum is a new row and syncs to everyone
    with b.store.session() as s:
        notes.add_addendum(s, note_id, "The tablet draft also said: edited on the tablet.")
    b.sync()
    a.sync()
    with a.store.read_session() as s:
        assert len(notes.get_note(s, note_id, audit_view=False).addenda) == 1
    with pytest.raises(ImmutableRecordError), a.store.session() as s:
        s.get(ProgressNote, note_id).location = "x"  # type: ignore[union-attr]
    assert_devices_match_server(server, a, b, s_dev)


def test_client_leaving_the_caseload_goes_only_after_its_unsent_work(server: ServerThread, tmp_path: Path) -> None:
    sup = add_user(server.db, "supervisor")
    w1 = add_user(server.db, "worker", supervisor=sup)
    w2 = add_user(server.db, "worker", supervisor=sup)
    a = enroll_device(server.db, server.url, tmp_path / "a", w1)
    with a.store.session() as s:
        cid = clients.create_client(s, first_name="Björn", last_name="Ågren")
        nid = notes.create_draft(s, notes.NoteInput(cid, WHEN, 30, body={"data": "Met at the day program."}))
        notes.update_draft(s, nid, notes.NoteInput(cid, WHEN, 30, body={"data": "Met.", "assessment": "ok", "plan": "p"}))
        notes.sign_note(s, nid)
    a.sync()
    # Offline, she writes another note; meanwhile the client moves to another worker.
    with a.store.session() as s:
        late_note = notes.create_draft(s, notes.NoteInput(cid, WHEN + dt.timedelta(days=7), 45, body={"data": "Second visit."}))
    admin.assign_client(server.db, cid, w2)
    result = a.sync()
    assert result.removed_clients == [cid]
    with a.store.read_session() as s:
        assert s.get(Client, cid) is None and s.get(ProgressNote, nid) is None  # signed note removed with her
    assert outbox(a.store) == []
    b = enroll_device(server.db, server.url, tmp_path / "b", w2)
    b.sync()
    with b.store.read_session() as s:
        assert {n.id for n in notes.list_notes(s, cid)} == {nid, late_note}  # the late note was not lost
    assert client_field(b, cid, "assigned_worker_id") == b.store.worker_id
    # and the former worker can no longer change the client
    with b.store.session() as s:
        clients.update_client(s, cid, phone="555-9999")
    b.sync()
    a.close()
    b.close()


def test_a_refused_op_becomes_stuck_without_blocking_the_others(server: ServerThread, tmp_path: Path) -> None:
    worker = add_user(server.db, "worker")
    a = enroll_device(server.db, server.url, tmp_path / "a", worker)
    with a.store.session() as s:
        # A worker may not rename herself: the server owns worker records.
        from casedesk.db.models import Worker

        me = s.get(Worker, a.store.worker_id)
        assert me is not None
        me.name = "Someone else"
        cid = clients.create_client(s, first_name="Ayesha", last_name="Khan")
    for attempt in range(1, 6):
        result = a.sync()
        assert result.not_accepted == 1
        info = sync_client.status(a.store)
        if attempt < 5:
            assert info.waiting == 1 and not info.stuck
    assert result.stuck == 1
    info = sync_client.status(a.store)
    assert info.waiting == 0 and len(info.stuck) == 1
    assert "only an administrator" in (info.stuck[0].reason or "")
    assert server_rows(server.db, {("client", cid)})  # the op behind it went through on the first sync
    again = a.sync()
    assert again.not_accepted == 0  # a stuck op is not sent again unless retried
    assert sync_client.retry_stuck(a.store) == 1
    assert a.sync().not_accepted == 1
    a.close()
