"""First-run wizard: who you are, a passphrase with strength feedback, the recovery key shown once."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from casedesk.db.store import Store
from casedesk.gui.context import AppContext
from casedesk.gui.unlock.form import describe_failure
from casedesk.gui.unlock.rules import passphrase_strength


class AboutYouPage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle(self.tr("Welcome to CaseDesk"))
        self.setSubTitle(self.tr("CaseDesk keeps your caseload encrypted on this computer. First, who is using it?"))
        self.name_edit = QLineEdit()
        self.name_edit.setAccessibleName("Your name")
        self.name_edit.setPlaceholderText(self.tr("e.g. Alex Morgan"))
        self.agency_edit = QLineEdit()
        self.agency_edit.setAccessibleName("Agency name")
        self.agency_edit.setPlaceholderText(self.tr("e.g. Riverbend Community Services"))
        form = QFormLayout(self)
        form.addRow(self.tr("Your &name:"), self.name_edit)
        form.addRow(self.tr("&Agency:"), self.agency_edit)
        self.registerField("worker_name*", self.name_edit)
        self.registerField("agency_name*", self.agency_edit)


class PassphrasePage(QWizardPage):
    def __init__(self, wizard: FirstRunWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self.setTitle(self.tr("Choose a passphrase"))
        self.setSubTitle(
            "You type it each time you open CaseDesk. A short sentence is easy to remember and hard to guess."
        )
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, self.tr("&Create profile"))
        self.passphrase_edit = QLineEdit()
        self.passphrase_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase_edit.setAccessibleName("New passphrase")
        self.confirm_edit = QLineEdit()
        self.confirm_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.confirm_edit.setAccessibleName("Repeat the passphrase")
        self.meter = QProgressBar()
        self.meter.setRange(0, 4)
        self.meter.setTextVisible(False)
        self.meter.setAccessibleName("Passphrase strength")
        self.strength_label = QLabel()
        self.strength_label.setAccessibleName("Passphrase strength advice")
        self.strength_label.setWordWrap(True)
        self.match_label = QLabel()
        self.match_label.setAccessibleName("Passphrase match")
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #a01010;")
        self.error_label.setAccessibleName("Profile creation message")
        form = QFormLayout(self)
        form.addRow(self.tr("&Passphrase:"), self.passphrase_edit)
        form.addRow(self.tr("Strength:"), self.meter)
        form.addRow("", self.strength_label)
        form.addRow(self.tr("&Repeat it:"), self.confirm_edit)
        form.addRow("", self.match_label)
        form.addRow(self.error_label)
        self.passphrase_edit.textChanged.connect(self.on_text_changed)
        self.confirm_edit.textChanged.connect(self.on_text_changed)
        self.on_text_changed()

    def on_text_changed(self) -> None:
        strength = passphrase_strength(self.passphrase_edit.text())
        self.meter.setValue(strength.score)
        self.meter.setAccessibleDescription(strength.label)
        self.strength_label.setText(f"<b>{strength.label}.</b> {strength.hint}")
        confirm = self.confirm_edit.text()
        if confirm and confirm != self.passphrase_edit.text():
            self.match_label.setText("The two passphrases are not the same yet.")
        else:
            self.match_label.setText("")
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        text = self.passphrase_edit.text()
        return passphrase_strength(text).acceptable and text == self.confirm_edit.text() and not self._wizard.busy

    def validatePage(self) -> bool:
        if self._wizard.store is not None:
            return True
        self.error_label.clear()
        self._wizard.create_profile(self.passphrase_edit.text())
        return False

    def show_error(self, heading: str, sentence: str) -> None:
        self.error_label.setText(f"<b>{heading}.</b> {sentence}")


class RecoveryPage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle(self.tr("Your recovery key"))
        self.setSubTitle(
            "If you forget your passphrase, this key is the only way back into your notes. "
            "It is shown only now: write it down or print it, and give it to your agency as it asks."
        )
        self.key_edit = QLineEdit()
        self.key_edit.setReadOnly(True)
        self.key_edit.setAccessibleName("Recovery key")
        mono = QFont("DejaVu Sans Mono")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        mono.setPointSizeF(mono.pointSizeF() * 1.3)
        self.key_edit.setFont(mono)
        self.stored_box = QCheckBox(self.tr("I have stored the recovery key somewhere safe"))
        self.stored_box.setAccessibleName("I have stored the recovery key")
        layout = QVBoxLayout(self)
        layout.addWidget(self.key_edit)
        layout.addWidget(self.stored_box)
        layout.addStretch(1)
        self.registerField("stored_recovery*", self.stored_box)


class FirstRunWizard(QWizard):
    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._context = context
        self.setWindowTitle(self.tr("CaseDesk — Set up"))
        self.setAccessibleName("CaseDesk set-up")
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        self.store: Store | None = None
        self.recovery_key: str | None = None
        self.busy = False
        self.about_page = AboutYouPage()
        self.passphrase_page = PassphrasePage(self)
        self.recovery_page = RecoveryPage()
        self.addPage(self.about_page)
        self.addPage(self.passphrase_page)
        self.addPage(self.recovery_page)
        from casedesk.gui.firstrun.page import GetStartedPage

        self.get_started_page = GetStartedPage(lambda: self.store, context.ops)
        self.addPage(self.get_started_page)
        self.recovery_page.setFinalPage(True)  # Finish right away, or Next for import / server / demo
        self.setMinimumWidth(560)

    def create_profile(self, passphrase: str) -> None:
        self.busy = True
        self.passphrase_page.completeChanged.emit()
        data_dir = Path(self._context.data_dir)
        worker = str(self.field("worker_name")).strip()
        agency = str(self.field("agency_name")).strip()
        self._context.ops.run(
            lambda: Store.create(data_dir, passphrase, agency_name=agency, worker_name=worker),
            on_done=self.on_created,
            on_error=self.on_create_failed,
        )

    def on_created(self, result: object) -> None:
        assert isinstance(result, tuple)
        self.store, self.recovery_key = result
        self.busy = False
        self.recovery_page.key_edit.setText(self.recovery_key or "")
        self.next()

    def on_create_failed(self, exc: BaseException) -> None:
        self.busy = False
        self.passphrase_page.show_error(*describe_failure(exc))
        self.passphrase_page.completeChanged.emit()

    def reject(self) -> None:
        if self.store is not None:
            return  # the profile exists: the recovery key must be acknowledged first
        super().reject()
