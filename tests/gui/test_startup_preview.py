"""Starting with a remembered passphrase: the main window paints the stored caseload first, with every
action off, and the store opens behind it; then the window is whole. If the store does not open, no
client data stays on screen. Closing early still closes the profile cleanly."""

from __future__ import annotations

import argparse
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from casedesk.db import cipher
from casedesk.db.profile import ProfilePaths
from casedesk.gui.app import run
from casedesk.gui.caseload.model import COL_DUE
from casedesk.gui.context import AppContext
from casedesk.gui.main_window import OPENING_TEXT, MainWindow
from casedesk.gui.startup import open_with_preview
from casedesk.vault import keychain
from casedesk.vault.keyfile import KeyFile
from tests.gui.conftest import DEMO_PASSPHRASE

pytestmark = pytest.mark.gui


@pytest.fixture
def kek(profile_dir: Path) -> bytes:
    """What "remember on this computer" keeps in the keychain for this profile."""
    return KeyFile.load(profile_dir / "casedesk.key").passphrase_kek(DEMO_PASSPHRASE)


@pytest.fixture
def own_context(qapp: object, profile_dir: Path) -> AppContext:
    return AppContext(profile_dir)  # not the demo flag: a profile whose key can be remembered


@pytest.fixture
def previewed(qtbot, own_context: AppContext, prefs, kek: bytes) -> MainWindow:
    """The main window over the preview, as `casedesk` makes it with a remembered key; not shown yet."""
    window = open_with_preview(own_context, prefs, kek)
    assert window is not None
    qtbot.addWidget(window)
    return window


def opened(window: MainWindow) -> bool:
    return not window.context.is_locked and window.lock_label.text() == "Unlocked"


def test_the_caseload_paints_before_the_store_opens_then_the_window_is_whole(
    qtbot, own_context: AppContext, previewed: MainWindow
) -> None:
    window = previewed

    # before it is shown, nothing has opened the store: the rows come from the preview
    assert own_context.is_locked
    assert window.caseload.model.total == 8
    assert window.lock_label.text() == OPENING_TEXT
    assert not window.find_action.isEnabled() and not window.new_note_action.isEnabled()
    assert not window.lock_action.isEnabled()
    # the worker picks a client while it opens
    model = window.caseload.model
    picked = model.client_id(3)
    window.caseload.view.selectionModel().setCurrentIndex(
        model.index(3, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
    )

    window.show()
    qtbot.waitUntil(lambda: opened(window), timeout=20_000)
    qtbot.waitUntil(lambda: bool(window.counts_label.text()), timeout=20_000)

    assert window.find_action.isEnabled() and window.lock_action.isEnabled()
    assert hasattr(window, "calendar_ui") and window.work_stack.currentWidget() is window.calendar_ui.today
    # the rows were refreshed in place from the store: the worker's selection is where she left it
    current = window.caseload.view.currentIndex()
    assert current.isValid() and model.client_id(current.row()) == picked
    qtbot.waitUntil(lambda: any(model.index(r, COL_DUE).data() for r in range(model.rowCount())), timeout=20_000)
    window.close()
    assert ProfilePaths(own_context.data_dir).read_state().get("open") is False


def test_a_client_opened_while_the_store_opens_comes_up_once_it_is_in(
    qtbot, previewed: MainWindow
) -> None:
    window = previewed
    window.caseload.view.setFocus()
    model = window.caseload.model
    wanted = model.client_id(0)
    window.caseload.view.setCurrentIndex(model.index(0, 0))
    QTest.keyClick(window.caseload.view, Qt.Key.Key_Return)
    assert window.client_tabs.count() == 0  # not yet: nothing can be read until the store is open

    window.show()
    qtbot.waitUntil(lambda: window.client_tabs.count() == 1, timeout=20_000)
    workspace = window.current_workspace()
    assert workspace is not None and workspace.client_id == wanted
    window.close()


def test_a_store_that_does_not_open_leaves_no_client_data_on_screen(
    qtbot, own_context: AppContext, previewed: MainWindow
) -> None:
    window = previewed
    assert window.caseload.model.total == 8
    # the file is damaged between the preview and the open
    with (own_context.data_dir / "casedesk.db").open("r+b") as fh:
        fh.write(b"\0" * cipher.PAGE_SIZE)

    window.show()
    qtbot.waitUntil(lambda: window.lock_label.text() == "Locked", timeout=20_000)

    assert window.caseload.model.total == 0
    assert window.stack.currentWidget() is window.lock_screen
    error = window.lock_screen.form.error_label
    assert error.isVisibleTo(window) and "cannot be opened" in error.text()
    window.close()


def test_closing_while_the_store_opens_still_closes_the_profile_cleanly(
    qtbot, own_context: AppContext, previewed: MainWindow, kek: bytes
) -> None:
    paths = ProfilePaths(own_context.data_dir)
    closed_before = paths.read_state().get("closed_at")
    window = previewed
    # Another connection holds the write lock: the open (which records the login) waits on it, so the
    # window is closed while the open is certainly in progress.
    key = KeyFile.load(paths.key_file).unwrap_with_kek(kek)
    holder = cipher.raw_connect(paths.database, key)
    holder.execute("BEGIN IMMEDIATE")
    window.show()
    qtbot.waitUntil(lambda: own_context.ops.busy, timeout=10_000)
    release = threading.Timer(0.3, lambda: holder.execute("ROLLBACK"))
    release.start()
    window.close()  # waits for the open to finish, then closes the store it made
    release.join()
    holder.close()

    QApplication.processEvents()
    assert own_context.is_locked  # the closed window was never handed the store
    state = paths.read_state()
    assert state.get("open") is False and state.get("closed_at") != closed_before  # opened, then closed cleanly


def test_casedesk_with_a_remembered_key_opens_straight_into_the_main_window(
    qapp, profile_dir: Path, kek: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`casedesk` with a key in the keychain (the tests' keyring has none: it is stood in for here)."""
    monkeypatch.setattr(keychain, "recall", lambda _profile_id: kek)
    seen: dict[str, object] = {}

    def watch() -> None:
        if QApplication.activeModalWidget() is not None:
            seen["modal"] = type(QApplication.activeModalWidget()).__name__
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, MainWindow) and widget.isVisible():
                if widget.context.is_locked and widget.caseload.model.total:
                    seen["preview_rows"] = widget.caseload.model.total
                if opened(widget) and widget.counts_label.text():
                    seen["opened"] = True
                    widget.close()
                    return
        QTimer.singleShot(5, watch)

    QTimer.singleShot(0, watch)
    assert run(argparse.Namespace(data_dir=str(profile_dir), demo=False)) == 0
    assert "modal" not in seen  # no unlock screen
    assert seen.get("preview_rows") == 8 and seen.get("opened") is True
    assert ProfilePaths(profile_dir).read_state().get("open") is False
