"""Backups in the main window: File > Backups…, automatic backups (after signing, on close and lock, at
start-up), start-up recovery after an unclean exit, and restore (close -> restore -> reopen).

The window calls install_backup_ui(window) once. Everything slow runs through the context's op runner;
failures are sentences in the status bar or a message box, never a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QMessageBox
from sqlalchemy.orm import Session

from casedesk.db.store import Store
from casedesk.errors import CaseDeskError, WrongPassphraseError
from casedesk.gui.backups.dialog import BackupsDialog, RestoreDialog
from casedesk.gui.backups.signing import SIGNABLE_TABLES, audit_watermark, signed_since
from casedesk.gui.ops import Changes, user_message
from casedesk.services import backup, recovery
from casedesk.services.backup import BackupInfo, BackupOutcome, RestoreResult
from casedesk.services.recovery import RecoveryReport

if TYPE_CHECKING:
    from casedesk.gui.main_window import MainWindow

STARTUP_BACKUP_DELAY_SECONDS = 10.0  # after unlock, once the first paint and first loads are done


@dataclass(frozen=True)
class RestoreOutcome:
    result: RestoreResult | None
    error: BaseException | None
    store: Store | None
    reopen_error: BaseException | None


def _file_menu(window: MainWindow) -> QMenu:
    for action in window.menuBar().actions():
        menu = action.menu()
        if isinstance(menu, QMenu) and action.text().replace("&", "") == "File":
            return menu
    return window.menuBar().addMenu("&File")


class BackupUi(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.context = window.context
        self.dialog: BackupsDialog | None = None
        self.restore_dialog: RestoreDialog | None = None
        self.message_box: QMessageBox | None = None
        self.restoring = False
        self.last_outcome: BackupOutcome | None = None
        self.last_report: RecoveryReport | None = None
        self._watermark: int | None = None
        self._checked_store: Store | None = None
        self.startup_delay_seconds = STARTUP_BACKUP_DELAY_SECONDS
        self.startup_timer = QTimer(self)
        self.startup_timer.setSingleShot(True)
        self.startup_timer.timeout.connect(lambda: self.run_maybe_backup("startup"))

        self.action = QAction("&Backups…", window)
        self.action.setObjectName("backups_action")
        self.action.setStatusTip("See the backups of your database, make one now, or restore one")
        self.action.triggered.connect(self.open_dialog)
        window.addAction(self.action)
        menu = _file_menu(window)
        menu.insertAction(window.lock_action, self.action)

        self.context.sig_about_to_lock.connect(self.on_about_to_lock)
        self.context.sig_changed.connect(self.on_changes)
        window.sig_unlocked.connect(self.on_unlocked)
        window.sig_locked.connect(self.on_locked)
        if not self.context.is_locked:
            self.on_unlocked()
        else:
            self.on_locked()

    # ---- lock state and automatic backups -------------------------------------------------------------

    def on_unlocked(self) -> None:
        self.action.setEnabled(True)
        store = self.context.require_store()
        self.context.submit(audit_watermark, on_done=lambda seq: setattr(self, "_watermark", int(str(seq))))
        if store.unclean_previous_exit and store is not self._checked_store:
            self._checked_store = store  # checked once per opening
            self.context.ops.run(lambda: recovery.startup_recovery(store), on_done=self.on_recovery_report)
        else:
            self.startup_timer.start(int(self.startup_delay_seconds * 1000))

    def on_locked(self) -> None:
        self.startup_timer.stop()
        self._watermark = None
        self.action.setEnabled(False)
        if self.dialog is not None:
            self.dialog.reject()

    def on_about_to_lock(self) -> None:
        """Closing or locking: a backup if one is due (the lock waits for running ops, this one included)."""
        self.startup_timer.stop()
        if self.restoring or self.context.store is None:
            return
        store = self.context.store
        self.context.ops.run(lambda: backup.maybe_backup(store, "close"))

    def on_changes(self, changes: object) -> None:
        assert isinstance(changes, Changes)
        if self.context.is_locked or self._watermark is None or not changes.touches(*SIGNABLE_TABLES):
            return
        after = self._watermark

        def check(s: Session) -> tuple[int, int]:
            return signed_since(s, after)

        self.context.submit(check, on_done=self.on_sign_check)

    def on_sign_check(self, answer: object) -> None:
        assert isinstance(answer, tuple)
        watermark, signed = answer
        if self._watermark is None:
            return
        self._watermark = max(self._watermark, int(watermark))
        if signed:
            self.run_maybe_backup("signed")

    def run_maybe_backup(self, reason: str) -> None:
        if self.context.is_locked:
            return
        store = self.context.require_store()
        self.context.ops.run(lambda: backup.maybe_backup(store, reason), on_done=self.on_outcome)

    def on_outcome(self, outcome: object) -> None:
        assert isinstance(outcome, BackupOutcome)
        self.last_outcome = outcome
        if outcome.error:
            self.window.show_message(outcome.error)
        elif outcome.made is not None:
            self.window.show_message(f"Backup made ({outcome.made.notes} notes).")
            if self.dialog is not None:
                self.refresh_dialog()

    # ---- start-up recovery ----------------------------------------------------------------------------

    def on_recovery_report(self, report: object) -> None:
        assert isinstance(report, RecoveryReport)
        self.last_report = report
        if self.context.is_locked:
            return
        box = QMessageBox(self.window)
        box.setObjectName("recovery_report")
        box.setWindowTitle("CaseDesk checked your data")
        lines = [m for m in report.messages if "casedesk " not in m]  # command-line hints are for the CLI
        if report.damaged:
            box.setIcon(QMessageBox.Icon.Warning)
            newest = report.newest_good_backup
            if newest is not None:
                lines.append(
                    f"The newest good backup is from {newest.created_at.astimezone():%Y-%m-%d %H:%M} "
                    f"({newest.notes} notes). Restoring it keeps the damaged database as a dated copy."
                )
                restore = box.addButton("Restore this backup…", QMessageBox.ButtonRole.AcceptRole)
                restore.clicked.connect(lambda: self.confirm_restore(newest))
            else:
                lines.append("There is no good backup in the backups folder. Ask your administrator for help.")
            box.addButton(QMessageBox.StandardButton.Close)
        else:
            box.setIcon(QMessageBox.Icon.Information)
            box.addButton(QMessageBox.StandardButton.Ok)
            self.run_maybe_backup("startup")
        box.setText("\n\n".join(lines) or "Nothing needed recovering.")
        box.finished.connect(box.deleteLater)
        self.message_box = box
        box.open()

    # ---- the dialog -----------------------------------------------------------------------------------

    def open_dialog(self) -> BackupsDialog | None:
        if self.context.is_locked:
            return None
        if self.dialog is None:
            store = self.context.require_store()
            dialog = BackupsDialog(store.paths.backups, self.window)
            dialog.sig_backup_requested.connect(self.back_up_now)
            dialog.sig_restore_requested.connect(self.confirm_restore)
            dialog.finished.connect(self.on_dialog_finished)
            self.dialog = dialog
        self.dialog.open()
        self.refresh_dialog()
        return self.dialog

    def on_dialog_finished(self, _code: int) -> None:
        if self.dialog is not None:
            self.dialog.deleteLater()
            self.dialog = None

    def refresh_dialog(self) -> None:
        if self.dialog is None or self.context.is_locked:
            return
        paths = self.context.require_store().paths
        dialog = self.dialog
        self.context.ops.run(
            lambda: backup.list_backups(paths),
            on_done=lambda infos: dialog.set_backups(infos) if self.dialog is dialog else None,
            on_error=lambda exc: dialog.show_status(user_message(exc)) if self.dialog is dialog else None,
        )

    def back_up_now(self) -> None:
        if self.context.is_locked:
            return
        store = self.context.require_store()
        if self.dialog is not None:
            self.dialog.set_busy(True, "Making a backup…")
        self.context.ops.run(lambda: backup.create_backup(store), on_done=self.on_backed_up, on_error=self.on_backup_failed)

    def on_backed_up(self, info: object) -> None:
        assert isinstance(info, BackupInfo)
        message = f"Backup made: {info.notes} notes ({info.signed_notes} signed), {info.clients} clients."
        self.window.show_message(message)
        if self.dialog is not None:
            self.dialog.set_busy(False, message)
            self.refresh_dialog()

    def on_backup_failed(self, exc: BaseException) -> None:
        message = user_message(exc)
        self.window.show_message(message)
        if self.dialog is not None:
            self.dialog.set_busy(False, message)

    # ---- restore --------------------------------------------------------------------------------------

    def confirm_restore(self, info: object) -> RestoreDialog | None:
        assert isinstance(info, BackupInfo)
        if self.context.is_locked or self.restoring:
            return None
        parent = self.dialog if self.dialog is not None else self.window
        dialog = RestoreDialog(info, parent)
        dialog.accepted.connect(lambda: self.restore(info, dialog.passphrase))
        dialog.finished.connect(dialog.deleteLater)
        dialog.finished.connect(lambda _c: setattr(self, "restore_dialog", None))
        self.restore_dialog = dialog
        dialog.open()
        return dialog

    def restore(self, info: BackupInfo, passphrase: str) -> None:
        """Check the passphrase (if given), then lock, restore and reopen."""
        if self.context.is_locked or self.restoring:
            return
        store = self.context.require_store()
        if self.dialog is not None:
            self.dialog.set_busy(True, "Checking the passphrase…" if passphrase else "")

        def kek() -> bytes | None:
            if not passphrase:
                return None
            try:
                return store.passphrase_kek(passphrase)
            except WrongPassphraseError:
                raise WrongPassphraseError("Wrong passphrase: nothing was restored.") from None

        self.context.ops.run(kek, on_done=lambda k: self._restore_locked(info, k), on_error=self.on_restore_refused)

    def on_restore_refused(self, exc: BaseException) -> None:
        if self.dialog is not None:
            self.dialog.set_busy(False, user_message(exc))
        self.window.show_error(user_message(exc))

    def _restore_locked(self, info: BackupInfo, kek: object) -> None:
        assert kek is None or isinstance(kek, bytes)
        if self.context.is_locked:
            return
        store = self.context.require_store()
        key = store.database_key()
        paths, data_dir = store.paths, self.context.data_dir
        self.restoring = True  # no "close" backup while locking: the restore keeps the current database itself
        self.window.lock()  # saves drafts, closes the store (the profile must be closed to restore)
        self.window._place = type(self.window._place)()  # the restored database has its own open notes
        self.window.lock_screen.setEnabled(False)
        self.window.show_message("Restoring the backup…")

        def job() -> RestoreOutcome:
            result: RestoreResult | None = None
            error: BaseException | None = None
            try:
                result = backup.restore_backup(paths, key, info.path)
            except CaseDeskError as exc:
                error = exc
            reopened: Store | None = None
            reopen_error: BaseException | None = None
            if kek is not None:
                try:
                    reopened = Store.open(data_dir, kek=kek)
                except CaseDeskError as exc:
                    reopen_error = exc
            return RestoreOutcome(result, error, reopened, reopen_error)

        self.context.ops.run(job, on_done=self.on_restored, on_error=self.on_restore_crashed)

    def on_restored(self, outcome: object) -> None:
        assert isinstance(outcome, RestoreOutcome)
        self.restoring = False
        self.window.lock_screen.setEnabled(True)
        lines: list[str] = []
        if outcome.result is not None:
            r = outcome.result
            lines.append(
                f"The backup made {r.restored.created_at.astimezone():%Y-%m-%d %H:%M} was restored "
                f"({r.restored.notes} notes)."
            )
            if r.previous_copy is not None:
                lines.append(f"The database it replaced is kept as a backup: {r.previous_copy.name}.")
            if r.previous_raw is not None:
                lines.append(f"The database it replaced is kept in {r.previous_raw}.")
            lines.extend(r.warnings)
        else:
            lines.append(f"Nothing was restored: {user_message(outcome.error or CaseDeskError('unknown problem'))}")
        if outcome.store is not None:
            self.window.on_unlocked_from_lock(outcome.store)
        elif outcome.reopen_error is not None:
            lines.append(f"CaseDesk could not reopen by itself ({user_message(outcome.reopen_error)}). Unlock it to continue.")
        else:
            lines.append("Unlock CaseDesk to continue.")
        text = " ".join(lines)
        self.window.show_message(lines[0])
        icon = QMessageBox.Icon.Information if outcome.result is not None else QMessageBox.Icon.Warning
        box = QMessageBox(icon, "Restore", text, QMessageBox.StandardButton.Ok, self.window)
        box.setObjectName("restore_report")
        box.finished.connect(box.deleteLater)
        self.message_box = box
        box.open()

    def on_restore_crashed(self, exc: BaseException) -> None:
        self.restoring = False
        self.window.lock_screen.setEnabled(True)
        self.window.show_error(f"{user_message(exc)} Unlock CaseDesk to continue.")


def install_backup_ui(window: MainWindow) -> BackupUi:
    """Add backups to the main window (call once, after the window is built)."""
    ui = BackupUi(window)
    window.backup_ui = ui  # type: ignore[attr-defined]
    return ui
