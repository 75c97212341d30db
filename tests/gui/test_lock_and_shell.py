"""Auto-lock and unlock back to the same place, menu lock, settings, window layout persistence."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from casedesk.gui.main_window import SYNC_PLACEHOLDER, MainWindow
from casedesk.services import notes, settings

pytestmark = pytest.mark.gui


def test_status_bar_shows_lock_sync_and_counts(window: MainWindow) -> None:
    assert window.lock_label.text() == "Unlocked"
    assert window.sync_label.text() == SYNC_PLACEHOLDER
    with window.context.require_store().read_session() as s:
        drafts = notes.unsigned_draft_count(s)
    assert window.counts_label.text().startswith(f"{drafts} drafts unsigned / ")
    assert window.counts_label.text().endswith(" overdue")


def test_idle_auto_lock_saves_hides_and_unlock_returns_to_the_same_place(qtbot, window: MainWindow) -> None:
    ctx = window.context
    client_id = window.caseload.model.client_id(1)
    assert client_id is not None
    ws = window.open_client(client_id)
    qtbot.waitUntil(lambda: ws.data is not None, timeout=10000)
    ws.show_section(3)
    editor = ws.new_note()
    note_id = editor.note_id
    section = next(iter(editor.current_state().body))
    typing = editor.section_edit(section)
    typing.setFocus()
    qtbot.keyClicks(typing, "Half-written note")
    for _ in range(4):  # the cursor back before "note": where the worker stopped
        qtbot.keyClick(typing, Qt.Key.Key_Left)
    assert editor.is_dirty and typing.textCursor().position() == len("Half-written ")

    window.idle.set_minutes(0.002)  # about 120 ms without input
    window.idle.start()
    with qtbot.waitSignal(window.sig_locked, timeout=5000):
        pass
    assert ctx.is_locked and ctx.store is None
    assert window.stack.currentWidget() is window.lock_screen
    assert not window.caseload_dock.isVisible() and not window.upcoming_dock.isVisible()
    assert window.caseload.model.rowCount() == 0 and window.client_tabs.count() == 0
    assert window.lock_label.text() == "Locked"
    assert not window.new_note_action.isEnabled()

    form = window.lock_screen.form
    qtbot.keyClicks(form.passphrase_edit, "wrong one")
    qtbot.keyClick(form.passphrase_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(form.error_label.isVisible, timeout=10000)
    assert ctx.is_locked
    qtbot.waitUntil(form.passphrase_edit.isEnabled, timeout=10000)
    form.passphrase_edit.clear()
    qtbot.keyClicks(form.passphrase_edit, "demo")
    with qtbot.waitSignal(window.sig_unlocked, timeout=10000):
        qtbot.keyClick(form.passphrase_edit, Qt.Key.Key_Return)

    assert window.stack.currentWidget() is window.work_stack
    qtbot.waitUntil(lambda: window.workspace_for(client_id) is not None, timeout=10000)
    back = window.workspace_for(client_id)
    assert back is not None
    qtbot.waitUntil(lambda: back.current_editor() is not None, timeout=10000)
    restored = back.current_editor()
    assert restored is not None and restored.note_id == note_id
    assert "Half-written note" in " ".join(restored.current_state().body.values())
    # the cursor is back where it was, in the same section, with the keyboard focus
    back_edit = restored.section_edit(section)
    assert back_edit.textCursor().position() == len("Half-written ")
    # (the offscreen window is never active: check where the window puts the focus when it is)
    qtbot.waitUntil(lambda: window.focusWidget() is back_edit, timeout=5000)
    assert window.caseload.model.rowCount() > 0
    assert window.caseload_dock.isVisible()


def test_lock_from_the_menu_with_nothing_open(qtbot, window: MainWindow) -> None:
    with qtbot.waitSignal(window.sig_locked, timeout=5000):
        window.lock_action.trigger()
    assert window.context.is_locked
    with qtbot.waitSignal(window.sig_unlocked, timeout=10000):
        qtbot.keyClicks(window.lock_screen.form.passphrase_edit, "demo")
        qtbot.keyClick(window.lock_screen.form.passphrase_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.caseload.model.rowCount() > 0, timeout=10000)


def test_settings_dialog_saves_and_applies_idle_minutes(qtbot, window: MainWindow) -> None:
    window.settings_action.trigger()
    qtbot.waitUntil(lambda: window.settings_dialog is not None and window.settings_dialog.isVisible(), timeout=10000)
    dialog = window.settings_dialog
    assert dialog is not None
    assert dialog.idle_spin.value() == 10
    dialog.idle_spin.setValue(25)
    dialog.combos["units_rule"].setCurrentIndex(dialog.combos["units_rule"].findData("whole"))
    dialog.agency_edit.setText("Lakeside Services")
    with qtbot.waitSignal(dialog.finished, timeout=10000):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    with window.context.require_store().read_session() as s:
        assert settings.get(s, "idle_lock_minutes") == 25
        assert settings.get(s, "units_rule") == "whole"
        agency = settings.agency(s)
        assert agency is not None and agency.name == "Lakeside Services"
    assert window.idle.interval_ms == 25 * 60_000


def test_window_geometry_and_panes_are_restored(qtbot, unlocked, prefs) -> None:
    first = MainWindow(unlocked, prefs)
    qtbot.addWidget(first)
    first.show()
    first.resize(760, 620)  # the offscreen screen is 800 x 800
    first.upcoming_dock.hide()
    qtbot.waitUntil(lambda: first.caseload.model.rowCount() > 0, timeout=10000)
    first.save_layout()
    first.hide()
    second = MainWindow(unlocked, prefs)
    qtbot.addWidget(second)
    second.show()
    assert (first.width(), first.height()) == (760, 620)
    assert (second.width(), second.height()) == (760, 620)
    assert not second.upcoming_dock.isVisible() and second.caseload_dock.isVisible()
    qtbot.waitUntil(lambda: not unlocked.ops.busy, timeout=10000)


def test_every_control_has_an_accessible_name(window: MainWindow, qtbot) -> None:
    from PySide6.QtWidgets import (
        QAbstractButton,
        QAbstractItemView,
        QAbstractSpinBox,
        QCalendarWidget,
        QComboBox,
        QDockWidget,
        QHeaderView,
        QLineEdit,
        QPlainTextEdit,
        QSpinBox,
        QTabBar,
        QToolBar,
    )

    ws = window.open_client(window.caseload.model.client_id(0) or "")
    qtbot.waitUntil(lambda: ws.data is not None, timeout=10000)
    ws.new_note()
    qt_composites = (QAbstractSpinBox, QComboBox, QAbstractItemView, QTabBar, QToolBar, QDockWidget, QCalendarWidget)
    missing = []
    for kind in (QLineEdit, QComboBox, QPlainTextEdit, QSpinBox, QAbstractItemView, QAbstractButton):
        for widget in window.findChildren(kind):
            parent = widget.parentWidget()
            if isinstance(parent, qt_composites) or isinstance(widget, QHeaderView):
                continue  # sub-controls Qt builds inside its own widgets (spin box line edits, headers...)
            if not widget.isVisibleTo(window):
                continue
            text = widget.text() if isinstance(widget, QAbstractButton) else ""
            if not widget.accessibleName() and not text.replace("&", "").strip():
                missing.append(f"{type(widget).__name__} in {type(parent).__name__}")
    assert missing == []


def test_input_in_a_watched_window_restarts_the_idle_countdown(qtbot, window: MainWindow) -> None:
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QKeyEvent

    qtbot.waitUntil(lambda: window.idle.active, timeout=10000)  # started once the caseload is in
    window.idle.set_minutes(1)
    window.idle.start()
    qtbot.waitUntil(lambda: window.idle.remaining_ms < 59_400, timeout=5000)
    handle = window.windowHandle()
    assert handle is not None
    key = QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_A, Qt.KeyboardModifier.NoModifier, "a")
    assert window.idle.eventFilter(handle, key) is False  # the event goes on to the window
    assert window.idle.remaining_ms > 59_700
