"""The conflict review pane with two real devices of one worker against the real server: a same-field
edit made on both appears in the pane (from the status bar's conflict count); "keep theirs" and "keep
mine" resolve it, and the decision reaches the other device."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.gui.test_sync_ui import enrol_through_dialog, make_window

pytestmark = pytest.mark.gui


@pytest.fixture(scope="module")
def sync_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from casedesk.server.db import Database
    from tests.server.helpers import ServerThread

    db = Database.open(f"sqlite:///{tmp_path_factory.mktemp('gui-conflict-server') / 'server.db'}")
    thread = ServerThread(db).start()
    try:
        yield thread
    finally:
        thread.stop()
        db.close()


def sync_in_gui(qtbot: Any, win: Any) -> None:
    with qtbot.waitSignal(win.sync_ui.controller.sig_synced, timeout=20000):
        win.sync_ui.sync_action.trigger()


def phone_on(store: Any, cid: str) -> str | None:
    from casedesk.db.models import Client

    with store.read_session() as s:
        client = s.get(Client, cid)
        assert client is not None
        return client.phone


def make_conflict(qtbot: Any, win: Any, tablet: Any, cid: str, mine: str, theirs: str) -> None:
    """The tablet changes the phone and syncs first; the laptop (GUI) changes it too, then syncs."""
    from casedesk.gui.ops import Changes
    from casedesk.services import clients

    tablet.sync()  # the tablet is up to date first
    with tablet.store.session() as s:
        clients.update_client(s, cid, phone=theirs)
    tablet.sync()
    win.context.run_now(lambda s: clients.update_client(s, cid, phone=mine), write=True)
    win.context.notify(Changes.of("client", clients={cid}))
    sync_in_gui(qtbot, win)


@pytest.fixture
def team(qtbot: Any, tmp_path: Path, sync_server: Any) -> Iterator[tuple[Any, Any, str]]:
    """The worker's laptop (the GUI window) and her tablet (a plain enrolled store), sharing one client."""
    from casedesk.server import admin
    from casedesk.services import clients
    from casedesk.sync import client as sync_client
    from tests.server.helpers import FAST_RETRY, Device, add_user, new_store

    login = add_user(sync_server.db, "worker", name="Wanda Worker")
    win = make_window(qtbot, tmp_path, "laptop")
    code, _ = admin.make_enrol_code(sync_server.db, login)
    enrol_through_dialog(qtbot, win, sync_server.url, code)
    cid = win.context.run_now(
        lambda s: clients.create_client(s, first_name="Zoë", last_name="Nguyễn", phone="555-0100"), write=True
    )
    sync_in_gui(qtbot, win)
    tablet_store = new_store(tmp_path / "tablet")
    code, _ = admin.make_enrol_code(sync_server.db, login)
    sync_client.enroll(tablet_store, sync_server.url, code, policy=FAST_RETRY)
    tablet = Device(tablet_store, login, sync_server.url)
    tablet.sync()
    assert phone_on(tablet.store, cid) == "555-0100"
    yield win, tablet, str(cid)
    win.context.ops.wait()
    win.close()
    tablet.close()


def open_pane_from_status_bar(qtbot: Any, win: Any) -> Any:
    qtbot.waitUntil(lambda: "1 conflict to review" in win.sync_label.text())
    win.sync_label.linkActivated.emit("conflicts")  # what clicking the count does
    pane = win.sync_ui.conflicts
    qtbot.waitUntil(lambda: win.sync_ui.conflicts_dock.isVisible() and len(pane.conflicts) == 1)
    return pane


def test_keep_theirs_then_keep_mine(qtbot: Any, team: tuple[Any, Any, str]) -> None:
    win, tablet, cid = team

    # 1. same field on both devices -> one conflict, shown side by side
    make_conflict(qtbot, win, tablet, cid, mine="555-1111", theirs="555-2222")
    pane = open_pane_from_status_bar(qtbot, win)
    assert pane.list.count() == 1 and "Zoë Nguyễn" in pane.list.item(0).text()
    row = pane.rows["phone"]
    assert (row.field.mine, row.field.theirs, row.field.current) == ("555-1111", "555-2222", "555-2222")
    shown = {w.accessibleName(): w.text() for w in pane.grid_host.findChildren(type(pane.status))}
    assert shown["Phone, mine"] == "555-1111" and shown["Phone, theirs"] == "555-2222"

    pane.keep_theirs_button.click()
    qtbot.waitUntil(lambda: not pane.conflicts and pane.list.count() == 0)
    assert "Kept theirs" in pane.status.text()
    assert phone_on(win.context.store, cid) == "555-2222"
    qtbot.waitUntil(lambda: "conflict" not in win.sync_label.text())

    # 2. again, and this time the laptop's value wins, per field, and reaches the tablet
    make_conflict(qtbot, win, tablet, cid, mine="555-3333", theirs="555-4444")
    qtbot.waitUntil(lambda: len(pane.conflicts) == 1)  # the open pane refreshes after the sync
    pane.rows["phone"].mine.click()
    pane.apply_button.click()
    qtbot.waitUntil(lambda: not pane.conflicts)
    assert phone_on(win.context.store, cid) == "555-3333"
    sync_in_gui(qtbot, win)
    tablet.sync()
    assert phone_on(tablet.store, cid) == "555-3333"
    from casedesk.sync import conflicts as conflict_service

    with tablet.store.read_session() as s:
        assert conflict_service.open_conflicts(s) == []


def test_edit_a_field_by_hand(qtbot: Any, team: tuple[Any, Any, str]) -> None:
    win, tablet, cid = team
    make_conflict(qtbot, win, tablet, cid, mine="555-5555", theirs="555-6666")
    win.sync_ui.conflicts_action.trigger()  # the menu item opens the pane too
    pane = win.sync_ui.conflicts
    qtbot.waitUntil(lambda: len(pane.conflicts) == 1 and "phone" in pane.rows)
    row = pane.rows["phone"]
    row.edit_text.setText("555-7777")
    row.edit_text.textEdited.emit("555-7777")
    assert row.edit.isChecked()
    pane.apply_button.click()
    qtbot.waitUntil(lambda: not pane.conflicts)
    assert phone_on(win.context.store, cid) == "555-7777"
