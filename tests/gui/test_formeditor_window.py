"""The forms in the main window: "Fill a form…" for the open client, the form editor dock, locking."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from casedesk.db.store import Store
from casedesk.forms import FieldType
from casedesk.gui.formeditor import FormEditorPane, FormFillDialog
from casedesk.gui.formeditor.inputs import RadioInput
from casedesk.gui.main_window import MainWindow
from casedesk.gui.ops import OpRunner
from casedesk.services import forms as form_service

pytestmark = pytest.mark.gui
DEMO_PASSPHRASE = "demo"


def open_first_client(qtbot: Any, window: MainWindow) -> str:
    pane = window.caseload
    pane.focus_filter()
    qtbot.keyClick(pane.filter_edit, Qt.Key.Key_Return)
    ws = window.current_workspace()
    assert ws is not None
    qtbot.waitUntil(lambda: ws.data is not None, timeout=10000)
    return ws.client_id


def test_fill_a_form_for_the_open_client_and_lock(qtbot: Any, window: MainWindow, profile_dir: Path) -> None:
    window.fill_form_action.trigger()
    assert window.fill_dialog is None  # no client open: a hint instead
    client_id = open_first_client(qtbot, window)
    window.fill_form_action.trigger()
    dialog = window.fill_dialog
    assert isinstance(dialog, FormFillDialog) and dialog.isVisible() and dialog.client_id == client_id
    response_id = dialog.start("risk_assessment")
    assert response_id is not None
    assert dialog.detail is not None
    key = next(
        info.field.key
        for info in dialog.detail.definition.walk()
        if info.field.type is FieldType.YES_NO and dialog.filler.is_shown(info.field.key)
    )
    first_yes_no = dialog.filler.row(key).editor
    assert isinstance(first_yes_no, RadioInput)
    first_yes_no.pick("yes")
    assert dialog.save_button.isEnabled()  # changed, not saved yet

    window.lock()  # the draft is saved before the store closes, and the dialog goes away
    assert window.fill_dialog is None and not dialog.isVisible()
    store = Store.open(profile_dir, passphrase=DEMO_PASSPHRASE)
    try:
        with store.read_session() as s:
            saved = form_service.get_response(s, response_id, audit_view=False)
    finally:
        store.close()
    assert saved.answers[key] == "yes" and saved.client_id == client_id


def test_form_editor_dock_lists_forms_and_hides_when_locked(qtbot: Any, window: MainWindow) -> None:
    window.form_editor_action.trigger()
    editor = window.form_editor
    assert isinstance(editor, FormEditorPane) and window.form_editor_dock is not None
    assert window.form_editor_dock.isVisible()
    assert "intake_face_sheet" in editor.form_list.form_keys()
    editor.open_form("intake_face_sheet")
    assert editor.preview.has_row("client_name")
    window.lock()
    assert not window.form_editor_dock.isVisible()
    assert not window.form_editor_action.isEnabled() and not window.fill_form_action.isEnabled()


def test_import_runs_off_the_ui_thread(qtbot: Any, tmp_path: Path, shared_testdata: Path) -> None:
    store, _recovery = Store.create(tmp_path / "profile", "correct horse battery")
    runner = OpRunner()
    try:
        pane = FormEditorPane(lambda: store, ops=runner)
        told: list[tuple[str, str, str]] = []
        pane.tell = lambda title, text, details: told.append((title, text, details))  # type: ignore[method-assign]
        qtbot.addWidget(pane)
        pane.import_xlsform(shared_testdata / "xlsform" / "valid" / "pyodk__fav_color.xlsx")
        assert not pane.import_action.isEnabled() and "Importing" in pane.banner.text()
        qtbot.waitUntil(lambda: bool(told), timeout=10000)
        assert told[-1][0] == "XLSForm imported" and pane.import_action.isEnabled()
        assert pane.document.definition is not None and pane.document.definition.key == "fav_color"
        pane.import_xlsform(shared_testdata / "xlsform" / "invalid" / "onadata__transportation.no_choices.xlsx")
        qtbot.waitUntil(lambda: len(told) == 2, timeout=10000)
        assert told[-1][0] == "The XLSForm could not be imported" and "transport_types" in told[-1][2]
    finally:
        runner.wait()
        store.close()
