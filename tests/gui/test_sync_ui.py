"""Sync in the main window against the real server (uvicorn on 127.0.0.1, SQLite backend): enrolment
through the dialog, "Sync now" and the status bar, a revoked device, plain http refused."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.gui


@pytest.fixture(scope="module")
def sync_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from casedesk.server.db import Database
    from tests.server.helpers import ServerThread

    db = Database.open(f"sqlite:///{tmp_path_factory.mktemp('gui-sync-server') / 'server.db'}")
    thread = ServerThread(db).start()
    try:
        yield thread
    finally:
        thread.stop()
        db.close()


def make_window(qtbot: Any, tmp_path: Path, name: str = "gui") -> Any:
    """A main window on a new, empty, unlocked profile (not enrolled)."""
    from PySide6.QtCore import QSettings

    from casedesk.db.store import Store
    from casedesk.gui.context import AppContext
    from casedesk.gui.main_window import MainWindow
    from tests.server.helpers import PASSPHRASE

    root = tmp_path / name
    store, _ = Store.create(root, PASSPHRASE, agency_name="Riverbend", worker_name="Case manager")
    context = AppContext(root)
    context.attach(store)
    win = MainWindow(context, QSettings(str(tmp_path / f"{name}.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(win)
    win.show()
    win.sync_ui.controller.first_delay_seconds = 3600  # the tests press "Sync now" themselves
    win.backup_ui.startup_delay_seconds = 3600
    qtbot.waitUntil(lambda: win.sync_ui.controller.last_status is not None)
    return win


def enrol_through_dialog(qtbot: Any, win: Any, url: str, code: str) -> None:
    dialog = win.sync_ui.open_enrol_dialog()
    dialog.url_edit.setText(url)
    dialog.code_edit.setText(code)
    dialog.connect_button.click()
    qtbot.waitUntil(lambda: dialog.result_info is not None, timeout=15000)
    # the first sync starts right after enrolling
    qtbot.waitUntil(lambda: "Synced" in win.sync_label.text() and not win.sync_ui.controller.running, timeout=15000)


@pytest.fixture
def gui_window(qtbot: Any, tmp_path: Path) -> Iterator[Any]:
    win = make_window(qtbot, tmp_path)
    yield win
    win.context.ops.wait()
    win.close()


def test_enrol_then_sync_now_updates_the_status_bar(qtbot: Any, gui_window: Any, sync_server: Any) -> None:
    from casedesk.server import admin
    from casedesk.services import clients
    from casedesk.sync import client as sync_client
    from tests.server.helpers import add_user

    win = gui_window
    assert win.sync_label.text() == "Not connected to an agency server"
    login = add_user(sync_server.db, "worker", name="Wanda Worker")
    code, _ = admin.make_enrol_code(sync_server.db, login)
    enrol_through_dialog(qtbot, win, sync_server.url, code)
    assert "Not connected" not in win.sync_label.text()
    assert "Wanda Worker" in win.statusBar().currentMessage() or "Synced" in win.statusBar().currentMessage()

    # work done on the laptop waits in the outbox, and the status bar says so
    win.context.run_now(lambda s: clients.create_client(s, first_name="Zoë", last_name="Nguyễn"), write=True)
    from casedesk.gui.ops import Changes

    win.context.notify(Changes.of("client"))
    qtbot.waitUntil(lambda: "waiting" in win.sync_label.text())

    win.sync_ui.sync_action.trigger()
    qtbot.waitUntil(lambda: not win.sync_ui.controller.running and "waiting" not in win.sync_label.text(), timeout=15000)
    assert "Synced" in win.sync_label.text()
    assert sync_client.status(win.context.store).waiting == 0
    # the next automatic sync is scheduled a few minutes out
    assert win.sync_ui.controller.next_sync_in is not None and win.sync_ui.controller.next_sync_in > 60


def test_revoked_device_says_so_plainly(qtbot: Any, gui_window: Any, sync_server: Any) -> None:
    from casedesk.gui.sync.rules import REVOKED_TEXT
    from casedesk.server import admin
    from casedesk.sync import client as sync_client
    from tests.server.helpers import add_user

    win = gui_window
    login = add_user(sync_server.db, "worker")
    code, _ = admin.make_enrol_code(sync_server.db, login)
    enrol_through_dialog(qtbot, win, sync_server.url, code)
    admin.revoke_device(sync_server.db, sync_client.status(win.context.store).device_id)

    with qtbot.waitSignal(win.sync_ui.controller.sig_failed, timeout=15000) as failed:
        win.sync_ui.sync_action.trigger()
    assert "revoked" in failed.args[0]
    qtbot.waitUntil(lambda: REVOKED_TEXT in win.sync_label.text())
    assert "new code" in win.sync_label.toolTip()
    assert win.sync_ui.controller.next_sync_in is None  # no pointless retries


def test_plain_http_to_another_computer_is_refused(qtbot: Any, gui_window: Any) -> None:
    dialog = gui_window.sync_ui.open_enrol_dialog()
    dialog.url_edit.setText("http://casedesk.agency.example.org")
    dialog.code_edit.setText("ABCD-EFGH")
    dialog.connect_button.click()
    assert dialog.message.isVisible()
    assert "will not send client records over plain http" in dialog.message.text()
    assert dialog.result_info is None and dialog.isVisible()
    dialog.reject()


def test_unreachable_server_retries_with_backoff(qtbot: Any, gui_window: Any, sync_server: Any) -> None:
    """A failed automatic sync is retried sooner than the regular interval, and the status says it failed."""
    from casedesk.server import admin
    from casedesk.sync.client import _state
    from tests.server.helpers import add_user, free_port

    win = gui_window
    login = add_user(sync_server.db, "worker")
    code, _ = admin.make_enrol_code(sync_server.db, login)
    enrol_through_dialog(qtbot, win, sync_server.url, code)

    def point_elsewhere(s: Any) -> None:
        _state(s).server_url = f"http://127.0.0.1:{free_port()}"

    win.context.run_now(point_elsewhere, write=True)
    controller = win.sync_ui.controller
    with qtbot.waitSignal(controller.sig_failed, timeout=90000) as failed:
        controller.sync_now(automatic=True)
    assert "Could not sync" in failed.args[0] and "kept" in failed.args[0]
    assert controller.failures == 1
    assert controller.next_sync_in is not None and controller.next_sync_in <= 30 * 1.05  # a coarse timer: +-5%
    qtbot.waitUntil(lambda: "last try failed" in win.sync_label.text())
