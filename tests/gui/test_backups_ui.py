"""Backups in the main window, on real encrypted demo profiles: File > Backups lists a backup made with
"Back up now"; restore brings back a deleted draft and reopens the window unlocked; a backup follows a
signature and a lock; an unclean exit is checked at unlock and reported."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.gui
PASSPHRASE = "demo"


def backups_dialog(qtbot: Any, window: Any) -> Any:
    window.backup_ui.action.trigger()
    dialog = window.backup_ui.dialog
    assert dialog is not None and dialog.isVisible()
    return dialog


def make_backup(qtbot: Any, window: Any, dialog: Any, count: int) -> None:
    dialog.backup_button.click()
    qtbot.waitUntil(lambda: dialog.tree.topLevelItemCount() == count, timeout=20000)


def a_client(window: Any) -> str:
    from sqlalchemy import select

    from casedesk.db.models import Client

    return str(window.context.run_now(lambda s: s.execute(select(Client.id).order_by(Client.id)).scalars().first()))


def test_back_up_now_lists_the_backup(qtbot: Any, window: Any) -> None:
    dialog = backups_dialog(qtbot, window)
    qtbot.waitUntil(lambda: dialog.empty_label.isVisible() or dialog.tree.topLevelItemCount() > 0)
    assert dialog.tree.topLevelItemCount() == 0
    make_backup(qtbot, window, dialog, 1)
    item = dialog.tree.topLevelItem(0)
    texts = [item.text(c) for c in range(dialog.tree.columnCount())]
    made, kind, size, notes, clients, check = texts
    assert kind == "made by hand" and check in ("good", "checked when made")
    assert clients == "8" and int(notes.split()[0]) > 0
    assert size.endswith(("KB", "MB"))
    assert dt.datetime.strptime(made, "%Y-%m-%d %H:%M")
    assert "Backup made" in dialog.status.text()
    backups = list((window.context.data_dir / "backups").glob("*.cdbackup"))
    assert len(backups) == 1
    dialog.reject()


def test_restore_brings_back_a_deleted_draft(qtbot: Any, window: Any) -> None:
    from casedesk.db.models import ProgressNote
    from casedesk.gui.ops import Changes
    from casedesk.services import notes

    cid = a_client(window)
    when = dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)
    note_id = window.context.run_now(
        lambda s: notes.create_draft(s, notes.NoteInput(cid, when, 45, body={"data": "Kitchen visit, rent paid."})),
        write=True,
    )
    dialog = backups_dialog(qtbot, window)
    make_backup(qtbot, window, dialog, 1)
    window.context.run_now(lambda s: notes.delete_draft(s, note_id), write=True)
    window.context.notify(Changes.of("progress_note", ids={note_id}, clients={cid}))

    def live_draft(s: Any) -> bool:
        note = s.get(ProgressNote, note_id)
        return note is not None and note.deleted_at is None

    assert not window.context.run_now(live_draft)

    dialog.tree.setCurrentItem(dialog.tree.topLevelItem(0))
    dialog.restore_button.click()
    confirm = window.backup_ui.restore_dialog
    assert confirm is not None and "kept as a dated copy" in confirm.findChildren(type(dialog.status))[0].text()
    confirm.passphrase_edit.setText(PASSPHRASE)
    confirm.restore_button.click()
    qtbot.waitUntil(lambda: window.backup_ui.message_box is not None, timeout=30000)
    box = window.backup_ui.message_box
    assert "was restored" in box.text() and "kept as a backup" in box.text()
    assert not window.context.is_locked
    assert window.stack.currentWidget() is window.work_stack
    assert window.context.run_now(live_draft)
    kinds = sorted(p.name.split("-")[-1] for p in (window.context.data_dir / "backups").glob("*.cdbackup"))
    assert any("restore" in k for k in kinds)  # the replaced database is kept as a before-restore backup
    qtbot.waitUntil(lambda: window.caseload.model.rowCount() == 8)
    box.done(0)


def test_restore_without_passphrase_leaves_the_unlock_screen(qtbot: Any, window: Any) -> None:
    dialog = backups_dialog(qtbot, window)
    make_backup(qtbot, window, dialog, 1)
    info = dialog.backups[0]
    window.backup_ui.restore(info, "")
    qtbot.waitUntil(lambda: window.backup_ui.message_box is not None, timeout=30000)
    assert "was restored" in window.backup_ui.message_box.text()
    assert "Unlock CaseDesk to continue" in window.backup_ui.message_box.text()
    assert window.context.is_locked and window.stack.currentWidget() is window.lock_screen
    assert window.lock_screen.isEnabled()
    window.backup_ui.message_box.done(0)


def test_wrong_passphrase_restores_nothing(qtbot: Any, window: Any) -> None:
    dialog = backups_dialog(qtbot, window)
    make_backup(qtbot, window, dialog, 1)
    window.backup_ui.restore(dialog.backups[0], "not the passphrase")
    qtbot.waitUntil(lambda: "Wrong passphrase" in dialog.status.text())
    assert not window.context.is_locked
    assert len(list((window.context.data_dir / "backups").glob("*.cdbackup"))) == 1


def test_signing_and_locking_make_automatic_backups(qtbot: Any, window: Any) -> None:
    from casedesk.gui.ops import Changes
    from casedesk.services import notes

    folder: Path = window.context.data_dir / "backups"
    cid = a_client(window)
    when = dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)
    qtbot.waitUntil(lambda: window.backup_ui._watermark is not None)

    def sign(s: Any) -> str:
        note_id = notes.create_draft(s, notes.NoteInput(cid, when, 45, body={"data": "Signed today.", "assessment": "ok", "plan": "next week"}))
        notes.sign_note(s, note_id)
        return note_id

    note_id = window.context.run_now(sign, write=True)
    window.context.notify(Changes.of("progress_note", ids={note_id}, clients={cid}))
    qtbot.waitUntil(lambda: window.backup_ui.last_outcome is not None, timeout=20000)
    assert window.backup_ui.last_outcome.made is not None and window.backup_ui.last_outcome.error is None
    assert "Backup made" in window.statusBar().currentMessage()
    assert len(list(folder.glob("*-auto.cdbackup"))) == 1

    # another signature within minutes: no second backup yet, it is caught up on lock
    window.context.run_now(sign, write=True)
    window.backup_ui.last_outcome = None
    window.context.notify(Changes.of("progress_note", clients={cid}))
    qtbot.waitUntil(lambda: window.backup_ui.last_outcome is not None, timeout=20000)
    assert window.backup_ui.last_outcome.made is None
    before = set(folder.glob("*-auto*.cdbackup"))
    window.lock()
    after = set(folder.glob("*-auto*.cdbackup"))
    assert after - before, "locking after a signature makes the pending backup"  # (rotation keeps one a day)


def test_unclean_exit_is_checked_and_reported(qtbot: Any, context: Any, prefs: Any) -> None:
    from casedesk.db.profile import ProfilePaths
    from casedesk.db.store import Store
    from casedesk.gui.main_window import MainWindow

    ProfilePaths(context.data_dir).write_state(open=True)  # as after a crash
    context.attach(Store.open(context.data_dir, passphrase=PASSPHRASE))
    win = MainWindow(context, prefs)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: win.backup_ui.message_box is not None, timeout=30000)
    report = win.backup_ui.last_report
    assert report is not None and report.unclean_exit and not report.damaged and report.checks
    text = win.backup_ui.message_box.text()
    assert "not closed properly" in text and "nothing was lost" in text
    # the start-up backup follows the checks
    qtbot.waitUntil(lambda: bool(list((context.data_dir / "backups").glob("*-auto.cdbackup"))), timeout=20000)
    win.backup_ui.message_box.done(0)
    win.close()
