"""Note editor: write, autosave that survives a killed editor, sign and lock, refused edits, addenda,
drawn signatures, and the crash-recovery offer."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import select

from casedesk.db.models import ProgressNote
from casedesk.db.store import Store
from casedesk.gui.caseload.workspace import ClientWorkspace
from casedesk.gui.main_window import MainWindow
from casedesk.gui.notes.editor import NoteEditor
from casedesk.gui.notes.state import editor_key
from casedesk.services import notes, signatures

pytestmark = pytest.mark.gui

DATA = "Met at home; reviewed the pill organiser together."


def open_client(qtbot, window: MainWindow, row: int = 0) -> ClientWorkspace:
    client_id = window.caseload.model.client_id(row)
    assert client_id is not None
    ws = window.open_client(client_id)
    qtbot.waitUntil(lambda: ws.data is not None, timeout=10000)
    return ws


def write_note(qtbot, editor: NoteEditor) -> None:
    editor.duration_spin.setValue(50)
    qtbot.keyClicks(editor.location_edit, "Client's home")
    qtbot.keyClicks(editor.section_edit("data"), DATA)
    qtbot.keyClicks(editor.section_edit("assessment"), "Steady progress.")
    qtbot.keyClicks(editor.section_edit("plan"), "Visit again in two weeks.")
    next(iter(editor.goal_rows.values())).check.setChecked(True)


def stored(window: MainWindow, note_id: str) -> notes.NoteDetail:
    with window.context.require_store().read_session() as s:
        return notes.get_note(s, note_id, audit_view=False)


def autosaves(window: MainWindow) -> dict[str, notes.Autosaved]:
    with window.context.require_store().read_session() as s:
        return {a.editor_key: a for a in notes.pending_autosaves(s)}


def new_editor(qtbot, window: MainWindow) -> tuple[ClientWorkspace, NoteEditor]:
    ws = open_client(qtbot, window)
    window.new_note_action.trigger()
    editor = ws.current_editor()
    assert editor is not None
    editor.template_combo.setCurrentIndex(editor.template_combo.findData("dap"))
    return ws, editor


def test_write_and_save_a_draft(qtbot, window: MainWindow) -> None:
    ws, editor = new_editor(qtbot, window)
    write_note(qtbot, editor)
    assert editor.units_spin.value() == 3  # 50 minutes under the 8-minute rule
    editor.units_spin.setValue(2)  # editable; marked as set by hand
    assert "by hand" in editor.units_hint.text()
    counts_before = window.counts_label.text()
    with qtbot.waitSignal(editor.sig_saved, timeout=10000):
        qtbot.keyClick(editor.section_edit("plan"), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    note = stored(window, editor.note_id)
    assert note.status == "draft" and note.body["data"] == DATA and note.billable_units == 2
    assert note.location == "Client's home" and len(note.goals) == 1
    assert editor_key(editor.note_id) not in autosaves(window)
    qtbot.waitUntil(lambda: window.counts_label.text() != counts_before, timeout=10000)
    qtbot.waitUntil(lambda: ws.notes.model.rowCount() == len(ws.data.notes), timeout=10000)  # type: ignore[union-attr]


def test_autosave_survives_a_killed_editor(qtbot, window: MainWindow) -> None:
    ws, editor = new_editor(qtbot, window)
    key = editor.key
    qtbot.keyClicks(editor.section_edit("data"), DATA)
    assert editor.is_dirty
    # no save, no close: the 5-second autosave alone must have the text
    with qtbot.waitSignal(editor.sig_autosaved, timeout=NoteEditor.AUTOSAVE_MS + 5000):
        pass
    assert autosaves(window)[key].payload["body"]["data"] == DATA
    # the editor dies without any chance to save (as in a crash)
    ws.editors.pop(key)
    ws.tabs.removeTab(ws.tabs.indexOf(editor))
    editor._closed = True
    editor.deleteLater()
    qtbot.waitUntil(lambda: ws.current_editor() is None)

    reopened = ws.open_recovered(autosaves(window)[key])
    assert reopened is not None
    assert reopened.section_edit("data").toPlainText() == DATA
    assert "Recovered draft" in reopened.banner.text()


def test_focus_change_saves_immediately(qtbot, window: MainWindow) -> None:
    _ws, editor = new_editor(qtbot, window)
    editor.section_edit("data").setFocus()
    qtbot.keyClicks(editor.section_edit("data"), "typed then tabbed away")
    qtbot.waitUntil(editor.section_edit("data").hasFocus)
    editor.location_edit.setFocus()
    qtbot.waitUntil(lambda: editor.key in autosaves(window), timeout=3000)
    assert not editor.is_dirty


def test_closing_the_editor_keeps_the_draft(qtbot, window: MainWindow) -> None:
    ws, editor = new_editor(qtbot, window)
    note_id = editor.note_id
    qtbot.keyClicks(editor.section_edit("data"), DATA)
    ws.on_tab_close_requested(ws.tabs.indexOf(editor))
    assert stored(window, note_id).body["data"] == DATA
    ws.open_note(note_id)
    qtbot.waitUntil(lambda: ws.current_editor() is not None, timeout=10000)
    assert ws.current_editor().section_edit("data").toPlainText() == DATA  # type: ignore[union-attr]


def test_sign_lock_refuse_edit_and_add_addendum(qtbot, window: MainWindow) -> None:
    _ws, editor = new_editor(qtbot, window)
    write_note(qtbot, editor)

    editor.sign_with("not my passphrase")
    qtbot.waitUntil(editor.message.isVisible, timeout=10000)
    assert "Wrong passphrase" in editor.message.text()
    assert not editor.is_signed

    with qtbot.waitSignal(editor.sig_signed, timeout=10000):
        editor.sign_with("demo")
    note = stored(window, editor.note_id)
    assert note.status == "signed" and note.body["data"] == DATA
    with window.context.require_store().read_session() as s:
        assert notes.verify_note_hash(s, note.id)
    text = editor.banner.text()
    assert "Signed and locked" in text and (note.signer_name or "") in text and (note.content_hash or "") in text

    # read-only now, and a save attempt is refused by the notes service
    assert editor.section_edit("data").isReadOnly()
    assert not editor.duration_spin.isEnabled() and not editor.save_button.isVisible()
    editor.save_draft()
    qtbot.waitUntil(editor.message.isVisible, timeout=10000)
    assert "signed and locked" in editor.message.text()
    assert stored(window, editor.note_id).content_hash == note.content_hash

    qtbot.mouseClick(editor.addendum_button, Qt.MouseButton.LeftButton)
    dialog = editor.addendum_dialog
    assert not dialog.ok_button.isEnabled()
    qtbot.keyClicks(dialog.text_edit, "Correction: the visit lasted 45 minutes.")
    qtbot.keyClicks(dialog.passphrase_edit, "demo")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(stored(window, editor.note_id).addenda) == 1, timeout=10000)
    qtbot.waitUntil(lambda: "45 minutes" in " ".join(
        w.text() for w in editor.addenda_box.findChildren(type(editor.banner))
    ), timeout=10000)
    after = stored(window, editor.note_id)
    assert after.content_hash == note.content_hash and after.body == note.body


def test_unsignable_note_says_what_is_missing(qtbot, window: MainWindow) -> None:
    _ws, editor = new_editor(qtbot, window)
    qtbot.keyClicks(editor.section_edit("data"), DATA)
    qtbot.mouseClick(editor.sign_button, Qt.MouseButton.LeftButton)
    assert "Assessment section is empty" in editor.message.text()
    assert "duration is missing" in editor.message.text()


def test_drawn_signature_is_stored_with_the_document_hash(qtbot, window: MainWindow) -> None:
    _ws, editor = new_editor(qtbot, window)
    write_note(qtbot, editor)
    with qtbot.waitSignal(editor.sig_signed, timeout=10000):
        editor.sign_with("demo")
    qtbot.mouseClick(editor.capture_button, Qt.MouseButton.LeftButton)
    dialog = editor.signature_dialog
    assert not dialog.accept_button.isEnabled()
    pad = dialog.pad
    qtbot.mousePress(pad, Qt.MouseButton.LeftButton, pos=pad.rect().center())
    pad.add_stroke([(30, 60), (60, 80), (120, 50)])
    pad.add_stroke([(150, 70), (200, 90)])
    pad.undo_stroke()
    assert len(pad.strokes) >= 2
    dialog.role_combo.setCurrentIndex(dialog.role_combo.findData("guardian"))
    dialog.name_edit.setText("Maria Lopez")
    qtbot.mouseClick(dialog.accept_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(editor.message.isVisible, timeout=10000)
    with window.context.require_store().read_session() as s:
        sigs = signatures.for_document(s, "note", editor.note_id)
    assert len(sigs) == 1
    sig = sigs[0]
    assert sig.signer_name == "Maria Lopez" and sig.signer_role == "guardian"
    assert sig.document_hash == stored(window, editor.note_id).content_hash
    assert sig.image_png is not None and sig.image_png.startswith(b"\x89PNG")


def test_recovered_drafts_are_offered_after_a_crash(qtbot, unlocked, prefs) -> None:
    # A previous session died with an editor open: only its autosave row is left.
    store = unlocked.require_store()
    with store.read_session() as s:
        client_id = s.execute(select(ProgressNote.client_id).limit(1)).scalar_one()
    payload = {
        "note_id": "0199aaaa-0000-7000-8000-000000000001",
        "client_id": client_id,
        "exists": False,
        "template": "narrative",
        "contact_date": "2026-03-02",
        "start_time": "10:30",
        "duration_minutes": 30,
        "body": {"narrative": "Text typed before the battery died."},
        "goals": [],
    }
    with store.session() as s:
        notes.autosave(s, "note:" + payload["note_id"], payload, client_id)
    win = MainWindow(unlocked, prefs)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: win.recovery_box is not None and win.recovery_box.isVisible(), timeout=10000)
    assert "1 note draft" in win.recovery_box.text()  # type: ignore[union-attr]
    qtbot.mouseClick(win.recovery_box.button(QMessageBox.StandardButton.Open), Qt.MouseButton.LeftButton)  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: win.current_workspace() is not None and win.current_workspace().current_editor() is not None, timeout=10000)  # type: ignore[union-attr]
    editor = win.current_workspace().current_editor()  # type: ignore[union-attr]
    assert editor.section_edit("narrative").toPlainText() == "Text typed before the battery died."


def test_quitting_after_a_focus_change_still_stores_the_draft(qtbot, window: MainWindow) -> None:
    """The focus-change autosave must not make closing think the draft itself is saved."""
    _ws, editor = new_editor(qtbot, window)
    note_id = editor.note_id
    editor.section_edit("data").setFocus()
    qtbot.keyClicks(editor.section_edit("data"), DATA)
    editor.location_edit.setFocus()
    qtbot.waitUntil(lambda: editor.key in autosaves(window), timeout=3000)
    window.close()  # quit: closes every editor
    assert window.context.is_locked  # the store was closed
    store = Store.open(window.context.data_dir, passphrase="demo")
    try:
        with store.read_session() as s:
            stored_note = notes.get_note(s, note_id, audit_view=False)
            left = [a.editor_key for a in notes.pending_autosaves(s)]
    finally:
        store.close()
    assert stored_note.body["data"] == DATA and stored_note.status == "draft"
    assert editor_key(note_id) not in left
