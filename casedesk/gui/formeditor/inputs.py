"""One input widget per field type for the form filler. Each reads and shows a raw answer value.

Inputs hold no rules: whatever is typed goes to the engine, which normalises it and reports problems
(a word in a number field, a date that is not a date) next to the field.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from PySide6.QtCore import QSignalBlocker, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from casedesk.forms import FieldDef, FieldType, GoalOption


class AnswerInput(QWidget):
    """Base: ``value()`` / ``set_value()`` and ``sig_edited`` when the person changes the answer."""

    sig_edited = Signal()

    def __init__(self, field_def: FieldDef, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.field_def = field_def
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.box = layout

    def value(self) -> Any:
        raise NotImplementedError

    def set_value(self, value: Any) -> None:
        raise NotImplementedError

    def set_read_only(self, read_only: bool) -> None:
        self.setEnabled(not read_only)

    def focus_widget(self) -> QWidget:
        return self


def _text_of(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class LineInput(AnswerInput):
    """Text, numbers, dates and times typed on one line (the engine checks the format)."""

    _PLACEHOLDERS: Mapping[FieldType, str] = {
        FieldType.DATE: "YYYY-MM-DD",
        FieldType.TIME: "HH:MM",
        FieldType.INTEGER: "whole number",
        FieldType.DECIMAL: "number",
    }

    def __init__(self, field_def: FieldDef, parent: QWidget | None = None) -> None:
        super().__init__(field_def, parent)
        self.edit = QLineEdit(self)
        self.edit.setPlaceholderText(self._PLACEHOLDERS.get(field_def.type, ""))
        self.edit.setAccessibleName(field_def.label or field_def.key)
        self.box.addWidget(self.edit, 1)
        if field_def.type is FieldType.DATE:
            today = QPushButton("Today", self)
            today.setAccessibleName(f"Today for {field_def.label or field_def.key}")
            today.clicked.connect(self.on_today)
            self.box.addWidget(today)
            self.today_button: QPushButton | None = today
        else:
            self.today_button = None
        self.edit.textEdited.connect(lambda _text: self.sig_edited.emit())

    def on_today(self) -> None:
        self.edit.setText(date.today().isoformat())
        self.sig_edited.emit()

    def value(self) -> Any:
        text = self.edit.text()
        return text if text.strip() else None

    def set_value(self, value: Any) -> None:
        with QSignalBlocker(self.edit):
            self.edit.setText(_text_of(value))

    def set_read_only(self, read_only: bool) -> None:
        self.edit.setReadOnly(read_only)
        if self.today_button is not None:
            self.today_button.setEnabled(not read_only)

    def focus_widget(self) -> QWidget:
        return self.edit


class LongTextInput(AnswerInput):
    def __init__(self, field_def: FieldDef, parent: QWidget | None = None) -> None:
        super().__init__(field_def, parent)
        self.edit = QPlainTextEdit(self)
        self.edit.setAccessibleName(field_def.label or field_def.key)
        lines = field_def.print.lines or 4
        self.edit.setFixedHeight(min(12, max(3, lines)) * self.fontMetrics().lineSpacing() + 12)
        self.edit.setTabChangesFocus(True)
        self.box.addWidget(self.edit, 1)
        self.edit.textChanged.connect(self.sig_edited.emit)

    def value(self) -> Any:
        text = self.edit.toPlainText()
        return text if text.strip() else None

    def set_value(self, value: Any) -> None:
        with QSignalBlocker(self.edit):
            self.edit.setPlainText(_text_of(value))

    def set_read_only(self, read_only: bool) -> None:
        self.edit.setReadOnly(read_only)

    def focus_widget(self) -> QWidget:
        return self.edit


class RadioInput(AnswerInput):
    """Yes/no: two radio buttons; nothing picked means no answer yet."""

    def __init__(self, field_def: FieldDef, parent: QWidget | None = None) -> None:
        super().__init__(field_def, parent)
        self.group = QButtonGroup(self)
        self.buttons: dict[str, QRadioButton] = {}
        for value, text in (("yes", "Yes"), ("no", "No")):
            button = QRadioButton(text, self)
            button.setAccessibleName(f"{field_def.label or field_def.key}: {text}")
            self.group.addButton(button)
            self.buttons[value] = button
            self.box.addWidget(button)
        self.box.addStretch(1)
        self.group.buttonClicked.connect(lambda _button: self.sig_edited.emit())

    def value(self) -> Any:
        for value, button in self.buttons.items():
            if button.isChecked():
                return value
        return None

    def set_value(self, value: Any) -> None:
        with QSignalBlocker(self.group):
            self.group.setExclusive(False)
            for key, button in self.buttons.items():
                button.setChecked(key == value)
            self.group.setExclusive(True)

    def pick(self, value: str) -> None:
        """Choose an answer as a person would (used by keyboard shortcuts and tests)."""
        self.buttons[value].click()

    def focus_widget(self) -> QWidget:
        return self.buttons["yes"]


class ChoiceInput(AnswerInput):
    """Single choice (or a plan goal): a drop-down with an empty first entry."""

    def __init__(self, field_def: FieldDef, options: Sequence[tuple[str, str]], parent: QWidget | None = None) -> None:
        super().__init__(field_def, parent)
        self.combo = QComboBox(self)
        self.combo.setAccessibleName(field_def.label or field_def.key)
        self.combo.addItem("", None)
        for value, label in options:
            self.combo.addItem(label, value)
        self.box.addWidget(self.combo, 1)
        self.combo.activated.connect(lambda _index: self.sig_edited.emit())

    def value(self) -> Any:
        return self.combo.currentData()

    def set_value(self, value: Any) -> None:
        if isinstance(value, Mapping):  # a goal stored with its text
            value = value.get("id")
        index = self.combo.findData(value) if value is not None else 0
        if index < 0 and value is not None:
            # an answer no longer offered (an old goal): keep it visible rather than lose it
            self.combo.addItem(f"{value} (no longer offered)", value)
            index = self.combo.count() - 1
        with QSignalBlocker(self.combo):
            self.combo.setCurrentIndex(max(index, 0))

    def pick(self, value: str) -> None:
        index = self.combo.findData(value)
        if index < 0:
            raise KeyError(value)
        self.combo.setCurrentIndex(index)
        self.sig_edited.emit()

    def focus_widget(self) -> QWidget:
        return self.combo


class MultiChoiceInput(AnswerInput):
    def __init__(self, field_def: FieldDef, parent: QWidget | None = None) -> None:
        super().__init__(field_def, parent)
        column = QVBoxLayout()
        column.setContentsMargins(0, 0, 0, 0)
        self.box.addLayout(column, 1)
        self.checks: dict[str, QCheckBox] = {}
        for choice in field_def.choices:
            check = QCheckBox(choice.label, self)
            check.setAccessibleName(f"{field_def.label or field_def.key}: {choice.label}")
            check.clicked.connect(lambda _checked: self.sig_edited.emit())
            column.addWidget(check)
            self.checks[choice.value] = check

    def value(self) -> Any:
        picked = [value for value, check in self.checks.items() if check.isChecked()]
        return picked or None

    def set_value(self, value: Any) -> None:
        chosen = set(value) if isinstance(value, list) else set(str(value).split()) if value else set()
        for key, check in self.checks.items():
            with QSignalBlocker(check):
                check.setChecked(key in chosen)

    def focus_widget(self) -> QWidget:
        return next(iter(self.checks.values()), self)


class SignatureInput(AnswerInput):
    """A signature is made by signing (a button); the answer is the marker the signing stored."""

    sig_sign_requested = Signal()
    sig_clear_requested = Signal()

    def __init__(self, field_def: FieldDef, parent: QWidget | None = None) -> None:
        super().__init__(field_def, parent)
        self.marker: Any = None
        self.status = QLabel("Not signed", self)
        self.sign_button = QPushButton("Sign…", self)
        self.sign_button.setAccessibleName(f"Sign {field_def.label or field_def.key}")
        self.clear_button = QPushButton("Remove signature", self)
        self.box.addWidget(self.status, 1)
        self.box.addWidget(self.sign_button)
        self.box.addWidget(self.clear_button)
        self.sign_button.clicked.connect(self.sig_sign_requested.emit)
        self.clear_button.clicked.connect(self.sig_clear_requested.emit)
        self.signing_available = False
        self._read_only = False
        self._update()

    def value(self) -> Any:
        return self.marker

    def set_value(self, value: Any) -> None:
        self.marker = value
        self._update()

    def set_description(self, text: str | None) -> None:
        self.status.setText(text or ("Signed" if self.marker else "Not signed"))

    def set_read_only(self, read_only: bool) -> None:
        self._read_only = read_only
        self._update()

    def _update(self) -> None:
        can_sign = self.signing_available and not self._read_only
        self.sign_button.setEnabled(can_sign)
        self.sign_button.setToolTip(
            "" if self.signing_available else "Signatures are made when filling a real response."
        )
        self.clear_button.setVisible(bool(self.marker) and can_sign)
        if not self.marker:
            self.status.setText("Not signed")


def make_input(field_def: FieldDef, goals: Sequence[GoalOption] | None) -> AnswerInput:
    kind = field_def.type
    if kind is FieldType.LONG_TEXT:
        return LongTextInput(field_def)
    if kind is FieldType.YES_NO:
        return RadioInput(field_def)
    if kind is FieldType.SINGLE_CHOICE:
        return ChoiceInput(field_def, [(c.value, c.label) for c in field_def.choices])
    if kind is FieldType.MULTIPLE_CHOICE:
        return MultiChoiceInput(field_def)
    if kind is FieldType.GOAL_PICKER:
        return ChoiceInput(field_def, [(goal.id, goal.label) for goal in goals or ()])
    if kind is FieldType.SIGNATURE:
        return SignatureInput(field_def)
    return LineInput(field_def)
