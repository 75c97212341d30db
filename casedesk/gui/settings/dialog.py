"""Profile settings: idle lock, default note template, units rule, quarter definition, page size, agency."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from casedesk.errors import ValidationError
from casedesk.gui.context import AppContext
from casedesk.gui.ops import Changes, user_message
from casedesk.services import settings

CHOICES: dict[str, tuple[tuple[str, str], ...]] = {
    "default_note_template": (("dap", "DAP"), ("soap", "SOAP"), ("narrative", "Narrative")),
    "units_rule": (("cms8", "8-minute rule (8–22 min = 1 unit)"), ("whole", "Whole 15-minute blocks only")),
    "quarter_definition": (("calendar", "Calendar quarters (Jan–Mar, …)"), ("plan_year", "Plan-year quarters")),
    "page_size": (("letter", "US Letter"), ("a4", "A4")),
    "language": (("en", "English"), ("es", "Español")),
}
LABELS = {
    "default_note_template": "Default note &template:",
    "units_rule": "Billable &units rule:",
    "quarter_definition": "&Quarters:",
    "page_size": "&Page size:",
    "language": "Interface la&nguage:",
}
MAX_LOGO_BYTES = 1_000_000


@dataclass(frozen=True)
class SettingsSnapshot:
    values: dict[str, Any]
    agency_name: str
    logo_png: bytes | None


def read_snapshot(s: Session) -> SettingsSnapshot:
    agency = settings.agency(s)
    return SettingsSnapshot(settings.all_settings(s), agency.name if agency else "", agency.logo_png if agency else None)


class SettingsDialog(QDialog):
    sig_saved = Signal(object)  # the new values dict

    def __init__(self, context: AppContext, snapshot: SettingsSnapshot, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("CaseDesk settings")
        self.setAccessibleName("Settings")
        self._context = context
        self._snapshot = snapshot
        self._logo: bytes | None = None
        self.words_dialog: QDialog | None = None
        form = QFormLayout()
        self.idle_spin = QSpinBox()
        self.idle_spin.setRange(1, 240)
        self.idle_spin.setSuffix(" min")
        self.idle_spin.setAccessibleName("Lock after this many idle minutes")
        self.idle_spin.setValue(int(snapshot.values["idle_lock_minutes"]))
        form.addRow("&Lock when idle for:", self.idle_spin)
        self.combos: dict[str, QComboBox] = {}
        for key, options in CHOICES.items():
            combo = QComboBox()
            combo.setAccessibleName(LABELS[key].replace("&", "").rstrip(":"))
            for value, label in options:
                combo.addItem(label, value)
            combo.setCurrentIndex(max(0, combo.findData(snapshot.values[key])))
            self.combos[key] = combo
            form.addRow(LABELS[key], combo)
        self.spell_box = QCheckBox("Underline misspelled words in notes")
        self.spell_box.setAccessibleName("Check spelling as I type")
        self.spell_box.setChecked(bool(snapshot.values["spell_check"]))
        form.addRow("&Spelling:", self.spell_box)
        self._words: list[str] = list(snapshot.values["spelling_words"])
        self.words_label = QLabel()
        self.words_label.setAccessibleName("Words in my dictionary")
        self.words_button = QPushButton("My &dictionary…")
        self.words_button.setAccessibleName("See or remove the words you added to the spelling dictionary")
        self.words_button.clicked.connect(self.on_edit_words)
        words_row = QHBoxLayout()
        words_row.addWidget(self.words_label, 1)
        words_row.addWidget(self.words_button)
        form.addRow("", words_row)
        self._show_word_count()
        self.agency_edit = QLineEdit(snapshot.agency_name)
        self.agency_edit.setAccessibleName("Agency name")
        form.addRow("&Agency name:", self.agency_edit)
        self.logo_label = QLabel()
        self.logo_label.setAccessibleName("Agency logo preview")
        self.logo_label.setMinimumHeight(48)
        self._show_logo(snapshot.logo_png)
        self.logo_button = QPushButton("Choose &logo…")
        self.logo_button.setAccessibleName("Choose the agency logo (PNG)")
        self.logo_button.clicked.connect(self.on_choose_logo)
        logo_row = QHBoxLayout()
        logo_row.addWidget(self.logo_label, 1)
        logo_row.addWidget(self.logo_button)
        form.addRow("Agency logo:", logo_row)
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #a01010;")
        self.error_label.setAccessibleName("Settings message")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.on_save)
        buttons.rejected.connect(self.reject)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)

    def _show_word_count(self) -> None:
        count = len(self._words)
        self.words_label.setText(f"{count} word{'s' if count != 1 else ''} of your own")

    def on_edit_words(self) -> None:
        from casedesk.gui.settings.words import PersonalWordsDialog

        dialog = PersonalWordsDialog(self._words, self)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.accepted.connect(lambda: self.set_words(dialog.words()))
        dialog.finished.connect(lambda _result: self._words_closed(dialog))
        self.words_dialog = dialog
        dialog.open()

    def _words_closed(self, dialog: QDialog) -> None:
        if self.words_dialog is dialog:
            self.words_dialog = None
        dialog.deleteLater()

    def done(self, result: int) -> None:
        if self.words_dialog is not None:
            self.words_dialog.reject()  # closes with the settings (at lock too: the words may name clients)
        super().done(result)

    def set_words(self, words: list[str]) -> None:
        self._words = list(words)
        self._show_word_count()

    def _show_logo(self, png: bytes | None) -> None:
        if not png:
            self.logo_label.setText("No logo")
            return
        pixmap = QPixmap()
        pixmap.loadFromData(png, "PNG")
        self.logo_label.setPixmap(pixmap.scaledToHeight(48, Qt.TransformationMode.SmoothTransformation))

    def on_choose_logo(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(self, "Agency logo", "", "PNG images (*.png)")
        if path:
            self.load_logo(Path(path))

    def load_logo(self, path: Path) -> None:
        try:
            data = path.read_bytes()
        except OSError as exc:
            self.error_label.setText(f"Could not read {path}: {exc.strerror}.")
            return
        if not data.startswith(b"\x89PNG"):
            self.error_label.setText("The agency logo must be a PNG image.")
            return
        if len(data) > MAX_LOGO_BYTES:
            self.error_label.setText("The logo is larger than 1 MB; please choose a smaller image.")
            return
        self._logo = data
        self._show_logo(data)

    def values(self) -> dict[str, Any]:
        values: dict[str, Any] = {
            "idle_lock_minutes": self.idle_spin.value(),
            "spell_check": self.spell_box.isChecked(),
            "spelling_words": list(self._words),
        }
        for key, combo in self.combos.items():
            values[key] = combo.currentData()
        return values

    def on_save(self) -> None:
        if self._context.is_locked:
            self.reject()
            return
        values = self.values()
        changed = {k: v for k, v in values.items() if self._snapshot.values.get(k) != v}
        name = self.agency_edit.text().strip()
        if not name:
            self.error_label.setText("The agency name cannot be empty.")
            return
        new_name = name if name != self._snapshot.agency_name else None
        logo = self._logo

        def save(s: Session) -> None:
            for key, value in changed.items():
                settings.validate(key, value)
            if changed:
                settings.set_many(s, changed)
            if new_name is not None or logo is not None:
                settings.set_agency(s, name=new_name, logo_png=logo)

        if not changed and new_name is None and logo is None:
            self.accept()
            return
        self.save_button.setEnabled(False)
        self._context.submit(
            save,
            write=True,
            changes=Changes.of("setting", "agency"),
            on_done=lambda _r: self.on_saved(values),
            on_error=self.on_save_failed,
        )

    def on_saved(self, values: dict[str, Any]) -> None:
        self.sig_saved.emit(values)
        self.accept()

    def on_save_failed(self, exc: BaseException) -> None:
        self.save_button.setEnabled(True)
        self.error_label.setText(user_message(exc) if not isinstance(exc, ValidationError) else str(exc))
