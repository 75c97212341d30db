"""Properties of the selected field. Each finished edit becomes one ``sig_edit(key, changes, text)``.

Text boxes report when editing finishes (Enter or leaving the box), so one typed expression is one
undo step. Rows that do not apply to the field's type are hidden.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSignalBlocker, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from casedesk.forms import FUNCTIONS, Choice, ClientBinding, FieldDef, FieldType
from casedesk.forms.editing import default_from_text, default_text, type_label
from casedesk.forms.schema import CHOICE_TYPES, INPUT_TYPES

_DEFAULTABLE = INPUT_TYPES - {FieldType.SIGNATURE, FieldType.GOAL_PICKER}
_EXPRESSION_HELP = (
    "Expressions refer to other fields as ${key}; for example ${age} >= 18 and selected(${services}, 'housing'). "
    "In a constraint, '.' is this field's answer. Functions: " + ", ".join(sorted(FUNCTIONS))
)
_BINDING_LABELS = {
    ClientBinding.NAME: "Full name",
    ClientBinding.FIRST_NAME: "First name",
    ClientBinding.LAST_NAME: "Last name",
    ClientBinding.PREFERRED_NAME: "Preferred name",
    ClientBinding.DOB: "Date of birth",
    ClientBinding.RECORD_NUMBER: "Record number",
    ClientBinding.MEDICAID_ID: "Medicaid / member id",
    ClientBinding.ADDRESS: "Address",
    ClientBinding.PHONE: "Phone",
    ClientBinding.LANGUAGE: "Language",
    ClientBinding.PROGRAM: "Program",
}


class ChoicesEditor(QWidget):
    """The choice list of a single/multiple choice field: value and label per row."""

    sig_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.table = QTableWidget(0, 2, self)
        self.table.setHorizontalHeaderLabels(["Value (stored)", "Label (shown)"])
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        self.table.setAccessibleName("Choices")
        self.table.setMinimumHeight(120)
        layout.addWidget(self.table)
        buttons = QHBoxLayout()
        self.add_button = QPushButton("Add choice", self)
        self.remove_button = QPushButton("Remove", self)
        self.up_button = QPushButton("Up", self)
        self.down_button = QPushButton("Down", self)
        for button in (self.add_button, self.remove_button, self.up_button, self.down_button):
            buttons.addWidget(button)
        layout.addLayout(buttons)
        self.add_button.clicked.connect(self.on_add)
        self.remove_button.clicked.connect(self.on_remove)
        self.up_button.clicked.connect(lambda: self.on_move(-1))
        self.down_button.clicked.connect(lambda: self.on_move(1))
        self.table.itemChanged.connect(lambda _item: self.sig_changed.emit())

    def set_choices(self, choices: tuple[Choice, ...]) -> None:
        with QSignalBlocker(self.table):
            self.table.setRowCount(0)
            for choice in choices:
                self._append(choice.value, choice.label)

    def choices(self) -> tuple[Choice, ...]:
        out: list[Choice] = []
        for row in range(self.table.rowCount()):
            value_item, label_item = self.table.item(row, 0), self.table.item(row, 1)
            value = value_item.text().strip() if value_item is not None else ""
            label = label_item.text().strip() if label_item is not None else ""
            if value or label:
                out.append(Choice(value, label))
        return tuple(out)

    def _append(self, value: str, label: str) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        self.table.setItem(row, 0, QTableWidgetItem(value))
        self.table.setItem(row, 1, QTableWidgetItem(label))

    def on_add(self) -> None:
        taken = {choice.value for choice in self.choices()}
        number = self.table.rowCount() + 1
        while f"option_{number}" in taken:
            number += 1
        with QSignalBlocker(self.table):
            self._append(f"option_{number}", f"Option {number}")
        self.sig_changed.emit()

    def on_remove(self) -> None:
        row = self.table.currentRow()
        if row >= 0:
            with QSignalBlocker(self.table):
                self.table.removeRow(row)
            self.sig_changed.emit()

    def on_move(self, step: int) -> None:
        row = self.table.currentRow()
        target = row + step
        if row < 0 or not 0 <= target < self.table.rowCount():
            return
        choices = list(self.choices())
        choices[row], choices[target] = choices[target], choices[row]
        self.set_choices(tuple(choices))
        self.table.setCurrentCell(target, 0)
        self.sig_changed.emit()


class PropertiesPanel(QWidget):
    sig_edit = Signal(str, dict, str)  # field key, changes, what the undo step is called

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.field_def: FieldDef | None = None
        outer = QVBoxLayout(self)
        self.title = QLabel("Select a field to see its properties.", self)
        self.title.setWordWrap(True)
        outer.addWidget(self.title)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        outer.addLayout(self.form)
        outer.addStretch(1)

        self.type_combo = QComboBox(self)
        for field_type in FieldType:
            self.type_combo.addItem(type_label(field_type), field_type.value)
        self.label_edit = self._line("Label", "label")
        self.key_edit = self._line("Key", "key")
        self.key_edit.setToolTip("Stable name of the answer; letters, digits and _. Renaming updates ${references}.")
        self.hint_edit = self._line("Hint", "hint")
        self.required_check = QCheckBox("An answer is needed", self)
        self.required_when_edit = self._line("Required when", "required")
        self.relevant_edit = self._line("Show only when", "relevant")
        self.constraint_edit = self._line("Constraint", "constraint")
        self.constraint_message_edit = self._line("Constraint message", "constraint_message")
        self.choices_editor = ChoicesEditor(self)
        self.default_edit = self._line("Default answer", "default")
        self.calculation_edit = self._line("Calculation", "calculation")
        self.binding_combo = QComboBox(self)
        for binding in ClientBinding:
            self.binding_combo.addItem(_BINDING_LABELS[binding], binding.value)
        self.max_rows_spin = QSpinBox(self)
        self.max_rows_spin.setRange(0, 500)
        self.max_rows_spin.setSpecialValueText("no limit")
        for edit in (self.required_when_edit, self.relevant_edit, self.constraint_edit, self.calculation_edit):
            edit.setToolTip(_EXPRESSION_HELP)
            edit.setPlaceholderText("expression, e.g. ${other_field} = 'yes'")
        self.constraint_edit.setPlaceholderText("e.g. . >= 0 and . <= 120")

        self.rows: dict[str, QWidget] = {
            "type": self.type_combo,
            "label": self.label_edit,
            "key": self.key_edit,
            "hint": self.hint_edit,
            "required": self.required_check,
            "required_when": self.required_when_edit,
            "relevant": self.relevant_edit,
            "constraint": self.constraint_edit,
            "constraint_message": self.constraint_message_edit,
            "choices": self.choices_editor,
            "default": self.default_edit,
            "calculation": self.calculation_edit,
            "binding": self.binding_combo,
            "max_rows": self.max_rows_spin,
        }
        captions = {
            "type": "Type",
            "label": "Label",
            "key": "Key",
            "hint": "Hint",
            "required": "Required",
            "required_when": "Required only when",
            "relevant": "Show only when",
            "constraint": "Constraint",
            "constraint_message": "Constraint message",
            "choices": "Choices",
            "default": "Default answer",
            "calculation": "Calculation",
            "binding": "Client record field",
            "max_rows": "Most rows",
        }
        for name, widget in self.rows.items():
            caption = QLabel(captions[name], self)
            caption.setBuddy(widget)
            widget.setAccessibleName(captions[name])
            self.form.addRow(caption, widget)

        self.type_combo.activated.connect(self.on_type)
        self.required_check.clicked.connect(self.on_required)
        self.choices_editor.sig_changed.connect(self.on_choices)
        self.binding_combo.activated.connect(self.on_binding)
        self.max_rows_spin.editingFinished.connect(self.on_max_rows)
        self.show_field(None)

    def _line(self, caption: str, attribute: str) -> QLineEdit:
        edit = QLineEdit(self)
        edit.editingFinished.connect(lambda a=attribute, e=edit, c=caption: self.on_text(a, e, c))
        return edit

    # --- showing a field --------------------------------------------------------------------------
    def show_field(self, field_def: FieldDef | None, *, read_only: bool = False) -> None:
        self.field_def = field_def
        for widget in self.rows.values():
            widget.setEnabled(field_def is not None and not read_only)
        if field_def is None:
            self.title.setText("Select a field to see its properties.")
            for name in self.rows:
                self.form.setRowVisible(self.rows[name], False)
            return
        self.title.setText(f"{type_label(field_def.type)}: {field_def.label or field_def.key}")
        kind = field_def.type
        visible: dict[str, bool] = {
            "type": True,
            "label": True,
            "key": True,
            "hint": kind in INPUT_TYPES,
            "required": kind in INPUT_TYPES or kind is FieldType.REPEAT,
            "required_when": kind in INPUT_TYPES or kind is FieldType.REPEAT,
            "relevant": True,
            "constraint": kind in INPUT_TYPES,
            "constraint_message": kind in INPUT_TYPES,
            "choices": kind in CHOICE_TYPES,
            "default": kind in _DEFAULTABLE,
            "calculation": kind is FieldType.CALCULATE,
            "binding": kind is FieldType.CLIENT_FIELD,
            "max_rows": kind is FieldType.REPEAT,
        }
        for name, shown in visible.items():
            self.form.setRowVisible(self.rows[name], shown)
        widgets: list[QWidget] = list(self.rows.values())
        blockers = [QSignalBlocker(w) for w in widgets]
        try:
            self.type_combo.setCurrentIndex(self.type_combo.findData(kind.value))
            self.label_edit.setText(field_def.label)
            self.key_edit.setText(field_def.key)
            self.hint_edit.setText(field_def.hint or "")
            expression = field_def.required if isinstance(field_def.required, str) else ""
            self.required_check.setChecked(field_def.required is not False)
            self.required_check.setEnabled(not read_only and not expression)
            self.required_when_edit.setText(expression)
            self.relevant_edit.setText(field_def.relevant or "")
            self.constraint_edit.setText(field_def.constraint or "")
            self.constraint_message_edit.setText(field_def.constraint_message or "")
            self.choices_editor.set_choices(field_def.choices)
            self.default_edit.setText(default_text(field_def))
            self.calculation_edit.setText(field_def.calculation or "")
            binding = field_def.binding.value if field_def.binding is not None else ClientBinding.NAME.value
            self.binding_combo.setCurrentIndex(self.binding_combo.findData(binding))
            self.max_rows_spin.setValue(field_def.max_rows or 0)
            for widget in widgets:
                if isinstance(widget, QLineEdit):
                    widget.setCursorPosition(0)
        finally:
            del blockers

    # --- edits ------------------------------------------------------------------------------------
    def _emit(self, changes: dict[str, Any], text: str) -> None:
        if self.field_def is not None:
            self.sig_edit.emit(self.field_def.key, changes, text)

    def on_text(self, attribute: str, edit: QLineEdit, caption: str) -> None:
        field_def = self.field_def
        if field_def is None or not edit.isEnabled():
            return
        text = edit.text()
        value: Any
        if attribute == "label":
            value = text
        elif attribute == "key":
            value = text.strip()
        elif attribute == "default":
            value = default_from_text(field_def, text)
        elif attribute == "required":
            value = text.strip() or self.required_check.isChecked()
        else:
            value = text.strip() or None
        current: Any = field_def.default if attribute == "default" else getattr(field_def, attribute)
        if attribute == "required" and not isinstance(current, str) and not text.strip():
            return  # clearing an empty "required when" changes nothing
        if value == current:
            return
        self._emit({attribute: value}, f"Change {caption.lower()} of '{field_def.key}'")

    def on_type(self, _index: int) -> None:
        if self.field_def is None:
            return
        new_type = FieldType(self.type_combo.currentData())
        if new_type is not self.field_def.type:
            self._emit({"type": new_type}, f"Make '{self.field_def.key}' a {type_label(new_type).lower()}")

    def on_required(self, checked: bool) -> None:
        if self.field_def is not None:
            self._emit(
                {"required": bool(checked)}, f"{'Require' if checked else 'Do not require'} '{self.field_def.key}'"
            )

    def on_choices(self) -> None:
        if self.field_def is not None and self.choices_editor.choices() != self.field_def.choices:
            self._emit({"choices": self.choices_editor.choices()}, f"Change choices of '{self.field_def.key}'")

    def on_binding(self, _index: int) -> None:
        if self.field_def is None:
            return
        binding = ClientBinding(self.binding_combo.currentData())
        if binding is not self.field_def.binding:
            self._emit({"binding": binding}, f"Bind '{self.field_def.key}' to the client's {binding.value}")

    def on_max_rows(self) -> None:
        if self.field_def is None:
            return
        value = self.max_rows_spin.value() or None
        if value != self.field_def.max_rows:
            self._emit({"max_rows": value}, f"Limit rows of '{self.field_def.key}'")

    # --- for tests and keyboard users -------------------------------------------------------------
    def type_into(self, attribute: str, text: str) -> None:
        """Type into a property box and finish editing, as a person would."""
        edit = getattr(self, f"{attribute}_edit")
        assert isinstance(edit, QLineEdit)
        edit.setText(text)
        edit.editingFinished.emit()
