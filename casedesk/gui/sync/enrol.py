"""File > Connect to agency server…: exchange a one-time code for this device's token (in the background)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from casedesk.errors import CaseDeskError
from casedesk.gui.context import AppContext
from casedesk.gui.ops import Changes, user_message
from casedesk.gui.sync.rules import GUI_POLICY
from casedesk.sync import client as sync_client
from casedesk.sync.addresses import check_server_url


class EnrolDialog(QDialog):
    sig_enrolled = Signal(object)  # EnrolResult

    def __init__(self, context: AppContext, parent: QWidget | None = None, *, current_url: str | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("enrol_dialog")
        self.setWindowTitle("Connect to agency server")
        self._context = context
        self.result_info: sync_client.EnrolResult | None = None
        intro = QLabel(
            "Your administrator gives you the server address and a one-time code. Once connected, CaseDesk "
            "sends your work to the agency and brings back your supervisor's changes every few minutes."
        )
        intro.setWordWrap(True)
        self.url_edit = QLineEdit(current_url or "")
        self.url_edit.setPlaceholderText("https://casedesk.agency.example.org")
        self.url_edit.setAccessibleName("Server address")
        self.code_edit = QLineEdit()
        self.code_edit.setPlaceholderText("one-time code")
        self.code_edit.setAccessibleName("Enrolment code")
        self.upload_box = QCheckBox("Send the records already on this computer to the agency")
        self.upload_box.setToolTip(
            "Tick this if you started working before connecting: clients and notes made on this computer are uploaded."
        )
        self.message = QLabel()
        self.message.setObjectName("enrol_message")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.setVisible(False)
        form = QFormLayout()
        form.addRow("Server &address:", self.url_edit)
        form.addRow("One-time &code:", self.code_edit)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.connect_button = self.buttons.addButton("&Connect", QDialogButtonBox.ButtonRole.AcceptRole)
        self.connect_button.setDefault(True)
        self.buttons.accepted.connect(self.on_connect)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.upload_box)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.resize(520, self.sizeHint().height())

    def show_message(self, text: str, *, error: bool = True) -> None:
        self.message.setText(text)
        self.message.setStyleSheet("color: #a40000;" if error else "")
        self.message.setVisible(True)

    def on_connect(self) -> None:
        url = self.url_edit.text().strip()
        code = self.code_edit.text().strip()
        if not url:
            self.show_message("Type the server address your administrator gave you.")
            self.url_edit.setFocus()
            return
        try:
            url = check_server_url(url)
        except CaseDeskError as exc:
            self.show_message(str(exc))
            self.url_edit.setFocus()
            return
        if not code:
            self.show_message("Type the one-time code your administrator gave you.")
            self.code_edit.setFocus()
            return
        store = self._context.require_store()
        upload = self.upload_box.isChecked()
        self._set_busy(True)
        self.show_message("Connecting…", error=False)
        self._context.ops.run(
            lambda: sync_client.enroll(store, url, code, policy=GUI_POLICY, upload_existing=upload),
            changes=Changes.of("sync_state", "worker"),
            on_done=self.on_enrolled,
            on_error=self.on_failed,
        )

    def _set_busy(self, busy: bool) -> None:
        for widget in (self.url_edit, self.code_edit, self.upload_box, self.connect_button):
            widget.setEnabled(not busy)

    def on_enrolled(self, info: object) -> None:
        assert isinstance(info, sync_client.EnrolResult)
        self.result_info = info
        self._set_busy(False)
        self.sig_enrolled.emit(info)
        self.accept()

    def on_failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        self.show_message(user_message(exc))
