"""File > Backups…: the backups in the profile's folder (date, kind, size, note counts, check), with
"Back up now" and "Restore…". The dialog only shows and asks; BackupUi does the work."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from casedesk.services.backup import BackupInfo

PathRole = Qt.ItemDataRole.UserRole
KIND_TEXT = {"auto": "automatic", "manual": "made by hand", "before-restore": "before a restore", "external": "copied in"}
COLUMNS = ("Made", "Kind", "Size", "Notes (signed)", "Clients", "Check")


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{int(value)} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} bytes"


def row_texts(info: BackupInfo) -> tuple[str, ...]:
    notes = "—" if info.notes is None else f"{info.notes} ({info.signed_notes or 0})"
    clients = "—" if info.clients is None else str(info.clients)
    check = info.status if info.problem is None else f"{info.status}: {info.problem}"
    return (
        f"{info.created_at.astimezone():%Y-%m-%d %H:%M}",
        KIND_TEXT.get(info.kind, info.kind),
        human_size(info.size),
        notes,
        clients,
        check,
    )


class BackupsDialog(QDialog):
    sig_backup_requested = Signal()
    sig_restore_requested = Signal(object)  # BackupInfo
    sig_refresh_requested = Signal()

    def __init__(self, folder: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("backups_dialog")
        self.setWindowTitle("Backups")
        self.backups: list[BackupInfo] = []
        intro = QLabel(
            "CaseDesk keeps encrypted copies of your database: one a day while you work, after notes are signed, "
            f"and whenever you choose. They are opened with your passphrase.<br><small>Folder: {folder}</small>"
        )
        intro.setWordWrap(True)
        intro.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.tree = QTreeWidget()
        self.tree.setObjectName("backups_list")
        self.tree.setAccessibleName("Backups")
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.setHeaderLabels(list(COLUMNS))
        self.tree.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.tree.header().setStretchLastSection(True)
        self.tree.itemSelectionChanged.connect(self._update_buttons)
        self.tree.itemDoubleClicked.connect(lambda _item, _col: self.on_restore())
        self.empty_label = QLabel("No backups yet. Press <b>Back up now</b> to make the first one.")
        self.status = QLabel()
        self.status.setObjectName("backups_status")
        self.status.setWordWrap(True)
        self.backup_button = QPushButton("&Back up now")
        self.backup_button.clicked.connect(self.sig_backup_requested)
        self.restore_button = QPushButton("&Restore…")
        self.restore_button.setToolTip("Replace the current database with the selected backup (the current one is kept)")
        self.restore_button.clicked.connect(self.on_restore)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.backup_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.restore_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.empty_label)
        layout.addWidget(self.status)
        layout.addWidget(buttons)
        self.resize(760, 420)
        self.set_backups([])

    def set_backups(self, backups: object) -> None:
        assert isinstance(backups, list)
        self.backups = backups
        self.tree.clear()
        for info in backups:
            item = QTreeWidgetItem(list(row_texts(info)))
            item.setData(0, PathRole, str(info.path))
            item.setTextAlignment(2, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            item.setToolTip(0, info.path.name)
            self.tree.addTopLevelItem(item)
        first = self.tree.topLevelItem(0)
        if first is not None:
            self.tree.setCurrentItem(first)
        self.tree.setVisible(bool(backups))
        self.empty_label.setVisible(not backups)
        self._update_buttons()

    def selected(self) -> BackupInfo | None:
        item = self.tree.currentItem()
        if item is None:
            return None
        path = item.data(0, PathRole)
        return next((b for b in self.backups if str(b.path) == path), None)

    def set_busy(self, busy: bool, message: str = "") -> None:
        self.backup_button.setEnabled(not busy)
        self.tree.setEnabled(not busy)
        if message:
            self.show_status(message)
        self._update_buttons(busy)

    def show_status(self, text: str) -> None:
        self.status.setText(text)

    def _update_buttons(self, busy: bool = False) -> None:
        info = self.selected()
        self.restore_button.setEnabled(not busy and info is not None and info.status != "damaged")

    def on_restore(self) -> None:
        info = self.selected()
        if info is not None and info.status != "damaged":
            self.sig_restore_requested.emit(info)


class RestoreDialog(QDialog):
    """Confirm a restore; the passphrase lets CaseDesk reopen the restored database straight away."""

    def __init__(self, info: BackupInfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("restore_dialog")
        self.setWindowTitle("Restore a backup")
        self.info = info
        made, kind, _size, notes, clients, _check = row_texts(info)
        text = QLabel(
            f"<p><b>Replace the current database with the backup made {made}</b> ({kind}; {notes} notes, "
            f"{clients} clients).</p>"
            "<p>Your current database is not deleted: it is kept as a dated copy (a “before a restore” backup) in "
            "the backups folder, so you can go back to it from this dialog.</p>"
            "<p>Work done after this backup was made is not in it. Anything already sent to the agency server comes "
            "back with the next sync.</p>"
            "<p>CaseDesk locks while it restores. Type your passphrase to reopen it right after; leave it empty to "
            "unlock by hand.</p>"
        )
        text.setWordWrap(True)
        self.passphrase_edit = QLineEdit()
        self.passphrase_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase_edit.setAccessibleName("Passphrase")
        form = QFormLayout()
        form.addRow("&Passphrase:", self.passphrase_edit)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.restore_button = buttons.addButton("&Restore this backup", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.resize(520, self.sizeHint().height())

    @property
    def passphrase(self) -> str:
        return self.passphrase_edit.text()
