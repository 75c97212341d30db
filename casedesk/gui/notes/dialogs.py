"""Sign-and-lock and addendum dialogs: both ask for the passphrase again before anything is signed."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)


class _PassphraseDialog(QDialog):
    def __init__(self, title: str, explanation: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.explanation = QLabel(explanation)
        self.explanation.setWordWrap(True)
        self.passphrase_edit = QLineEdit()
        self.passphrase_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase_edit.setAccessibleName("Passphrase")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.form = QFormLayout()
        self.form.addRow("Your &passphrase:", self.passphrase_edit)
        layout = QVBoxLayout(self)
        layout.addWidget(self.explanation)
        self.body_layout = QVBoxLayout()
        layout.addLayout(self.body_layout)
        layout.addLayout(self.form)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(440)

    @property
    def passphrase(self) -> str:
        return self.passphrase_edit.text()


class SignDialog(_PassphraseDialog):
    def __init__(self, signer_name: str, parent: QWidget | None = None) -> None:
        super().__init__(
            "Sign and lock note",
            f"You are signing this note as <b>{signer_name}</b>. A signed note is locked: it cannot be "
            "changed afterwards, and corrections are made with an addendum.",
            parent,
        )
        self.ok_button.setText("&Sign and lock")
        self.ok_button.setAccessibleName("Sign and lock")
        self.capture_box = QCheckBox("Also capture a drawn &signature")
        self.capture_box.setAccessibleName("Also capture a drawn signature")
        self.form.addRow("", self.capture_box)


class AddendumDialog(_PassphraseDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(
            "Add addendum",
            "An addendum corrects or adds to a signed note. It is signed with your name and the time, and "
            "it cannot be changed afterwards. The note itself stays as it was signed.",
            parent,
        )
        self.text_edit = QPlainTextEdit()
        self.text_edit.setAccessibleName("Addendum text")
        self.text_edit.setPlaceholderText("What needs correcting or adding, and why.")
        self.body_layout.addWidget(self.text_edit)
        self.ok_button.setText("Sign &addendum")
        self.ok_button.setAccessibleName("Sign addendum")
        self.ok_button.setEnabled(False)
        self.text_edit.textChanged.connect(self.on_text_changed)

    @property
    def text(self) -> str:
        return self.text_edit.toPlainText()

    def on_text_changed(self) -> None:
        self.ok_button.setEnabled(bool(self.text.strip()))
