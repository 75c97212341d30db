"""Connect this profile to the agency server: server address and the one-time enrolment code."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from casedesk.db.store import Store
from casedesk.gui.ops import OpRunner, user_message


class EnrolDialog(QDialog):
    sig_enrolled = Signal(str)  # the server address

    def __init__(self, store: Store, ops: OpRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Connect to an agency server"))
        self.setAccessibleName(self.tr("Connect to an agency server"))
        self._store = store
        self._ops = ops
        intro = QLabel(
            self.tr(
                "Your agency's administrator gives you the server address and a one-time enrolment code. "
                "CaseDesk keeps working offline and synchronises when the server can be reached."
            )
        )
        intro.setWordWrap(True)
        self.url_edit = QLineEdit()
        self.url_edit.setAccessibleName(self.tr("Server address"))
        self.url_edit.setPlaceholderText("https://casedesk.example.org")
        self.code_edit = QLineEdit()
        self.code_edit.setAccessibleName(self.tr("Enrolment code"))
        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        self.message_label.setAccessibleName(self.tr("Connection message"))
        form = QFormLayout()
        form.addRow(self.tr("Server &address:"), self.url_edit)
        form.addRow(self.tr("Enrolment &code:"), self.code_edit)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.connect_button = self.buttons.addButton(self.tr("&Connect"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.on_connect)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.message_label)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(480)

    def on_connect(self) -> None:
        url, code = self.url_edit.text().strip(), self.code_edit.text().strip()
        if not url or not code:
            self.message_label.setText(self.tr("Enter both the server address and the enrolment code."))
            return
        store = self._store
        self.connect_button.setEnabled(False)
        self.message_label.setText(self.tr("Connecting…"))

        def work() -> str:
            from casedesk.sync.client import enroll

            enroll(store, url, code)
            return url

        self._ops.run(work, on_done=self.on_enrolled, on_error=self.on_failed)

    def on_enrolled(self, url: object) -> None:
        self.sig_enrolled.emit(str(url))
        self.accept()

    def on_failed(self, exc: BaseException) -> None:
        self.connect_button.setEnabled(True)
        self.message_label.setText(user_message(exc))
