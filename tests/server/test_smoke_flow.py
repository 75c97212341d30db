from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from casedesk.services import clients, notes
from tests.server.helpers import ServerThread, add_user, device_rows, enroll_device, server_rows

pytestmark = pytest.mark.server


def test_push_then_pull_on_second_device(server: ServerThread, tmp_path: Path) -> None:
    sup = add_user(server.db, "supervisor")
    login = add_user(server.db, "worker", supervisor=sup)
    a = enroll_device(server.db, server.url, tmp_path / "a", login)
    with a.store.session() as s:
        cid = clients.create_client(s, first_name="Zoë", last_name="Nguyễn")
        nid = notes.create_draft(
            s, notes.NoteInput(cid, dt.datetime(2026, 3, 1, 14, tzinfo=dt.UTC), 45, body={"data": "Visited."})
        )
    r = a.sync()
    assert r.pushed >= 2 and r.stuck == 0, r
    b = enroll_device(server.db, server.url, tmp_path / "b", sup)
    rb = b.sync()
    assert rb.pulled >= 2
    with b.store.read_session() as s:
        detail = notes.get_note(s, nid, audit_view=False)
    assert detail.body == {"data": "Visited."}
    dev = device_rows(a.store)
    srv = server_rows(server.db, set(dev))
    for key, row in srv.items():
        assert dev[key]["data"] == row["data"], key
    a.close()
    b.close()
