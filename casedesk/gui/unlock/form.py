"""The unlock form: passphrase (or recovery key), "remember on this computer", growing delay after wrong
tries, clear messages. Used by the start-up dialog and by the lock screen."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from casedesk.db.profile import ProfilePaths
from casedesk.errors import (
    CaseDeskError,
    DatabaseDamagedError,
    KeyFileError,
    NewerVersionError,
    ProfileMissingError,
    StorageError,
    ValidationError,
    WrongPassphraseError,
)
from casedesk.gui.context import AppContext
from casedesk.gui.ops import user_message
from casedesk.gui.unlock.rules import retry_delay_seconds
from casedesk.vault import keychain
from casedesk.vault.keyfile import KeyFile

if TYPE_CHECKING:
    from casedesk.db.store import Store

HEADINGS: dict[type[CaseDeskError], str] = {
    WrongPassphraseError: "Not unlocked",
    DatabaseDamagedError: "The database cannot be opened",
    NewerVersionError: "This profile needs a newer CaseDesk",
    KeyFileError: "The key file is missing or damaged",
    StorageError: "The profile folder cannot be written",
    ProfileMissingError: "No profile here",
    ValidationError: "Check the new passphrase",
}


def describe_failure(exc: BaseException) -> tuple[str, str]:
    """(heading, sentence) for a failed unlock."""
    for kind, heading in HEADINGS.items():
        if isinstance(exc, kind):
            return heading, str(exc)
    return "Not unlocked", user_message(exc)


@dataclass(frozen=True)
class _Attempt:
    passphrase: str | None = None
    recovery_key: str | None = None
    new_passphrase: str | None = None
    remember: bool = False


class UnlockForm(QWidget):
    sig_unlocked = Signal(object)  # the open Store

    def __init__(self, context: AppContext, parent: QWidget | None = None, *, title: str = "Unlock CaseDesk") -> None:
        super().__init__(parent)
        self._context = context
        self._paths = ProfilePaths(context.data_dir)
        self._busy = False
        self._wait_left = 0
        self._wait_timer = QTimer(self)
        self._wait_timer.setInterval(1000)
        self._wait_timer.timeout.connect(self.on_wait_tick)

        self.title_label = QLabel(f"<h2>{title}</h2>")
        self.profile_label = QLabel(f"Profile: {context.data_dir}")
        self.profile_label.setWordWrap(True)
        self.profile_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.demo_label = QLabel(
            "This is the demo profile with a made-up caseload. Its passphrase is <b>demo</b>."
        )
        self.demo_label.setAccessibleName("Demo passphrase hint")
        self.demo_label.setWordWrap(True)
        self.demo_label.setVisible(context.demo)

        self.passphrase_edit = QLineEdit()
        self.passphrase_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase_edit.setAccessibleName("Passphrase")
        self.passphrase_edit.setPlaceholderText(self.tr("Your passphrase"))
        self.passphrase_edit.returnPressed.connect(self.on_submit)

        self.remember_box = QCheckBox(self.tr("Remember on this computer"))
        self.remember_box.setAccessibleName("Remember the passphrase on this computer")
        self.remember_box.setToolTip("Keeps the unlock key in this computer's secure keychain. Off by default.")
        self.remember_box.setVisible(keychain.available())

        self.recovery_edit = QLineEdit()
        self.recovery_edit.setAccessibleName("Recovery key")
        self.recovery_edit.setPlaceholderText(self.tr("ABCD-EFGH-..."))
        self.new_edit = QLineEdit()
        self.new_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.new_edit.setAccessibleName("New passphrase")
        self.confirm_edit = QLineEdit()
        self.confirm_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.confirm_edit.setAccessibleName("Repeat the new passphrase")
        self.confirm_edit.returnPressed.connect(self.on_submit)
        self.recovery_box = QWidget()
        recovery_layout = QFormLayout(self.recovery_box)
        recovery_layout.setContentsMargins(0, 0, 0, 0)
        recovery_layout.addRow(self.tr("&Recovery key:"), self.recovery_edit)
        recovery_layout.addRow(self.tr("&New passphrase:"), self.new_edit)
        recovery_layout.addRow(self.tr("Re&peat it:"), self.confirm_edit)
        self.recovery_box.setVisible(False)

        self.passphrase_row = QWidget()
        pass_layout = QFormLayout(self.passphrase_row)
        pass_layout.setContentsMargins(0, 0, 0, 0)
        pass_layout.addRow(self.tr("&Passphrase:"), self.passphrase_edit)
        pass_layout.addRow("", self.remember_box)

        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setAccessibleName("Unlock message")
        self.error_label.setStyleSheet("color: #a01010;")
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_label.setVisible(False)

        self.unlock_button = QPushButton(self.tr("&Unlock"))
        self.unlock_button.setAccessibleName("Unlock")
        self.unlock_button.setDefault(True)
        self.unlock_button.clicked.connect(self.on_submit)
        self.recovery_toggle = QPushButton(self.tr("Use the recovery &key instead"))
        self.recovery_toggle.setAccessibleName("Use the recovery key instead")
        self.recovery_toggle.setFlat(True)
        self.recovery_toggle.setCheckable(True)
        self.recovery_toggle.toggled.connect(self.on_recovery_toggled)

        buttons = QHBoxLayout()
        buttons.addWidget(self.recovery_toggle)
        buttons.addStretch(1)
        buttons.addWidget(self.unlock_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.title_label)
        layout.addWidget(self.profile_label)
        layout.addWidget(self.demo_label)
        layout.addWidget(self.passphrase_row)
        layout.addWidget(self.recovery_box)
        layout.addWidget(self.error_label)
        layout.addLayout(buttons)
        layout.addStretch(1)
        self.setTabOrder(self.passphrase_edit, self.remember_box)
        self.setTabOrder(self.remember_box, self.unlock_button)
        self._apply_delay(int(self._paths.read_state().get("failed_unlocks", 0) or 0))

    # ---- public ---------------------------------------------------------------------------------------

    def reset(self) -> None:
        """Clear typed secrets and messages (the lock screen shows a fresh form each time)."""
        for edit in (self.passphrase_edit, self.recovery_edit, self.new_edit, self.confirm_edit):
            edit.clear()
        self.error_label.setVisible(False)
        self.recovery_toggle.setChecked(False)
        self.passphrase_edit.setFocus()

    def try_remembered(self, kek: bytes | None = None) -> bool:
        """Unlock with a key kept in the keychain (or `kek`, already read from it), if any. Returns True
        when an attempt was started."""
        if kek is None:
            try:
                profile_id = KeyFile.load(self._paths.key_file).profile_id
            except CaseDeskError:
                return False
            kek = keychain.recall(profile_id)
        if kek is None:
            return False
        self._set_busy(True)
        data_dir = self._context.data_dir
        self._context.ops.run(
            lambda: _open_remembered(data_dir, kek),
            on_done=self.on_opened,
            on_error=self.on_remembered_failed,
        )
        return True

    # ---- slots ----------------------------------------------------------------------------------------

    def on_recovery_toggled(self, on: bool) -> None:
        self.passphrase_row.setVisible(not on)
        self.recovery_box.setVisible(on)
        self.unlock_button.setText(self.tr("&Unlock and set passphrase") if on else self.tr("&Unlock"))
        (self.recovery_edit if on else self.passphrase_edit).setFocus()

    def on_submit(self) -> None:
        if self._busy or self._wait_left > 0:
            return
        if self.recovery_toggle.isChecked():
            if self.new_edit.text() != self.confirm_edit.text():
                self._show_error("Check the new passphrase", "The two new passphrases are not the same.")
                return
            attempt = _Attempt(recovery_key=self.recovery_edit.text(), new_passphrase=self.new_edit.text())
            if not attempt.recovery_key or not attempt.new_passphrase:
                self._show_error("Not unlocked", "Type the recovery key and a new passphrase.")
                return
        else:
            attempt = _Attempt(passphrase=self.passphrase_edit.text(), remember=self.remember_box.isChecked())
            if not attempt.passphrase:
                self._show_error("Not unlocked", "Type your passphrase.")
                return
        self.error_label.setVisible(False)
        self._set_busy(True)
        data_dir = self._context.data_dir
        self._context.ops.run(lambda: _open(data_dir, attempt), on_done=self.on_opened, on_error=self.on_failed)

    def on_opened(self, store: object) -> None:
        self._set_busy(False)
        self.passphrase_edit.clear()
        self.recovery_edit.clear()
        self.new_edit.clear()
        self.confirm_edit.clear()
        self._apply_delay(0)
        self.sig_unlocked.emit(store)

    def on_failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        heading, sentence = describe_failure(exc)
        self._show_error(heading, sentence)
        if isinstance(exc, WrongPassphraseError):
            failures = int(self._paths.read_state().get("failed_unlocks", 0) or 0)
            self._apply_delay(failures)
            self.passphrase_edit.selectAll()
        self.passphrase_edit.setFocus()

    def on_remembered_failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        self.show_remembered_failure(exc)

    def show_remembered_failure(self, exc: BaseException) -> None:
        """Why the key kept in the keychain did not open the profile; the passphrase is asked instead."""
        if isinstance(exc, WrongPassphraseError) or not isinstance(exc, CaseDeskError):
            heading, sentence = (
                "Type your passphrase",
                "The key kept on this computer no longer opens this profile, so it was not used.",
            )
        else:  # a damaged file, a newer version, a folder that cannot be written: the same words as always
            heading, sentence = describe_failure(exc)
        self._show_error(heading, sentence)
        self.passphrase_edit.setFocus()

    def on_wait_tick(self) -> None:
        self._wait_left -= 1
        self._update_wait()

    # ---- helpers --------------------------------------------------------------------------------------

    def _apply_delay(self, failures: int) -> None:
        self._wait_left = retry_delay_seconds(failures)
        self._update_wait()

    def _update_wait(self) -> None:
        waiting = self._wait_left > 0
        self.unlock_button.setEnabled(not waiting and not self._busy)
        if waiting:
            self.unlock_button.setText(f"Wait {self._wait_left} s")
            if not self._wait_timer.isActive():
                self._wait_timer.start()
        else:
            self._wait_timer.stop()
            self.unlock_button.setText(
                self.tr("&Unlock and set passphrase") if self.recovery_toggle.isChecked() else self.tr("&Unlock")
            )

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        for w in (self.passphrase_edit, self.recovery_edit, self.new_edit, self.confirm_edit, self.recovery_toggle):
            w.setEnabled(not busy)
        if busy:
            self.unlock_button.setEnabled(False)
            self.unlock_button.setText(self.tr("Unlocking…"))
        else:
            self._update_wait()

    def _show_error(self, heading: str, sentence: str) -> None:
        self.error_label.setText(f"<b>{heading}.</b> {_escape(sentence)}")
        self.error_label.setVisible(True)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _open_remembered(data_dir: object, kek: bytes) -> Store:
    from casedesk.db.store import Store

    return Store.open(Path(str(data_dir)), kek=kek)


def _open(data_dir: object, attempt: _Attempt) -> Store:
    """Runs in a worker thread: the KDF and the database open happen here, never on the UI thread.

    The store (SQLAlchemy and the models) is imported here too: the unlock screen shows without it."""
    from casedesk.db.store import Store

    root = Path(str(data_dir))
    if attempt.recovery_key is not None:
        from casedesk.services.passphrase import reset_with_recovery_key
        from casedesk.vault.policy import check_passphrase_policy

        check_passphrase_policy(attempt.new_passphrase or "")
        store = Store.open(root, recovery_key=attempt.recovery_key)
        try:
            reset_with_recovery_key(store, attempt.recovery_key, attempt.new_passphrase or "")
        except BaseException:
            store.close()
            raise
        return store
    store = Store.open(root, passphrase=attempt.passphrase)
    if attempt.remember and store.get_setting("allow_remember_passphrase", True) is not False:
        keychain.remember(store.profile_id, store.passphrase_kek(attempt.passphrase or ""))
    return store
