"""FormFiller: shows a form definition as inputs and keeps the engine's verdict on screen.

Every change re-runs ``casedesk.forms.evaluate_form``: questions that are not relevant hide, calculated
values and ``${field}`` labels update, and each question's problems (required, constraint, format)
show right under it. Problems of a question appear once it was touched, or all at once after
``show_all_issues()``. The filler stores nothing; the form editor uses it as a live preview and the
fill dialog saves its ``answers()`` through the forms service.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from casedesk.forms import (
    FieldDef,
    FieldType,
    FillContext,
    FormDefinition,
    FormResult,
    evaluate_form,
    format_answer,
    new_repeat_row,
)
from casedesk.gui.formeditor.inputs import AnswerInput, SignatureInput, make_input

Indices = tuple[int, ...]
ISSUE_STYLE = "color: #b00020;"
HINT_STYLE = "color: palette(mid);"


def answer_path(repeats: tuple[str, ...], indices: Indices, key: str) -> str:
    parts = [f"{repeat}[{index}]" for repeat, index in zip(repeats, indices, strict=False)]
    return ".".join([*parts, key])


class QuestionRow(QWidget):
    """One question: label (with * when required), hint, input, and its problems underneath."""

    def __init__(self, field_def: FieldDef, path: str, indices: Indices, editor: AnswerInput | None) -> None:
        super().__init__()
        self.field_def = field_def
        self.path = path
        self.indices = indices
        self.editor = editor
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 4)
        layout.setSpacing(2)
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.label)
        self.hint = QLabel(field_def.hint or "", self)
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet(HINT_STYLE)
        self.hint.setVisible(bool(field_def.hint))
        layout.addWidget(self.hint)
        if editor is not None:
            layout.addWidget(editor)
            self.label.setBuddy(editor.focus_widget())
        self.value_label: QLabel | None = None
        if field_def.type is FieldType.CALCULATE:
            self.value_label = QLabel(self)
            self.value_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            layout.addWidget(self.value_label)
        self.issue = QLabel(self)
        self.issue.setWordWrap(True)
        self.issue.setStyleSheet(ISSUE_STYLE)
        self.issue.setAccessibleName(f"Problem with {field_def.label or field_def.key}")
        self.issue.hide()
        layout.addWidget(self.issue)
        self.set_label(field_def.label)

    def set_label(self, text: str) -> None:
        kind = self.field_def.type
        if kind is FieldType.HEADING:
            self.label.setText(text)
            font = self.label.font()
            font.setBold(True)
            font.setPointSizeF(font.pointSizeF() * 1.25)
            self.label.setFont(font)
            return
        required = self.field_def.required is not False
        self.label.setText(f"{text} *" if required and kind is not FieldType.NOTE else text)

    def show_issues(self, messages: list[str]) -> None:
        self.issue.setText("\n".join(messages))
        self.issue.setVisible(bool(messages))

    def issue_text(self) -> str:
        return self.issue.text() if not self.issue.isHidden() else ""


class RepeatBox(QGroupBox):
    """A repeat group: its rows, each with a remove button, and "Add a row"."""

    def __init__(self, field_def: FieldDef, path: str, indices: Indices) -> None:
        super().__init__(field_def.label or field_def.key)
        self.field_def = field_def
        self.path = path
        self.indices = indices
        self.outer = QVBoxLayout(self)
        self.rows_box = QVBoxLayout()
        self.outer.addLayout(self.rows_box)
        self.add_button = QPushButton(f"Add a row to “{field_def.label or field_def.key}”", self)
        self.outer.addWidget(self.add_button)
        self.issue = QLabel(self)
        self.issue.setStyleSheet(ISSUE_STYLE)
        self.issue.hide()
        self.outer.addWidget(self.issue)
        self.row_frames: list[QFrame] = []

    def show_issues(self, messages: list[str]) -> None:
        self.issue.setText("\n".join(messages))
        self.issue.setVisible(bool(messages))


class FormFiller(QWidget):
    """Fill a form: ``set_form(definition, answers, context)``, read ``answers()`` and ``result``.

    Signals: ``sig_answers_changed`` after each edit; ``sig_result_changed(FormResult)`` after each
    evaluation; ``sig_sign_requested(path)`` / ``sig_clear_signature_requested(path)`` from signature
    fields (only when ``set_signing_available(True)``).
    """

    sig_answers_changed = Signal()
    sig_result_changed = Signal(object)
    sig_sign_requested = Signal(str)
    sig_clear_signature_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.definition: FormDefinition | None = None
        self.context = FillContext()
        self.result: FormResult | None = None
        self._answers: dict[str, Any] = {}
        self._rows: dict[str, QuestionRow] = {}
        self._containers: dict[str, QWidget] = {}
        self._repeats: dict[str, RepeatBox] = {}
        self._touched: set[str] = set()
        self._show_all = False
        self._read_only = False
        self._signing = False
        self._signature_texts: dict[str, str] = {}
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.scroll_area = QScrollArea(self)
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        outer.addWidget(self.scroll_area)
        self.body = QWidget()
        self.body_layout = QVBoxLayout(self.body)
        self.scroll_area.setWidget(self.body)

    # --- public API -------------------------------------------------------------------------------
    def set_form(
        self,
        definition: FormDefinition,
        answers: Mapping[str, Any] | None,
        context: FillContext | None = None,
        *,
        read_only: bool = False,
    ) -> None:
        """Show a (valid) definition with these answers. Raises FormDefinitionError for an invalid one."""
        evaluate_form(definition, answers or {}, context)  # fails before anything on screen changes
        self.definition = definition
        self.context = context or FillContext()
        self._answers = copy.deepcopy(dict(answers or {}))
        self._read_only = read_only
        self._touched = {path for path in self._touched if path in self._answers}
        self._rebuild()

    def clear(self) -> None:
        self.definition = None
        self.result = None
        self._answers = {}
        self._rebuild()

    def answers(self) -> dict[str, Any]:
        return copy.deepcopy(self._answers)

    def set_read_only(self, read_only: bool) -> None:
        self._read_only = read_only
        for row in self._rows.values():
            if row.editor is not None:
                row.editor.set_read_only(read_only or row.field_def.read_only)
        for box in self._repeats.values():
            box.add_button.setEnabled(not read_only)
        self._update_signature_inputs()

    def set_signing_available(self, available: bool) -> None:
        self._signing = available
        self._update_signature_inputs()

    def set_signature_texts(self, texts: Mapping[str, str]) -> None:
        """What each signed signature field says ("Signed by Ana Ruiz, 2026-03-01"), by answer path."""
        self._signature_texts = dict(texts)
        self._update_signature_inputs()

    def show_all_issues(self, show: bool = True) -> None:
        self._show_all = show
        self._refresh_issues()

    def row(self, path: str) -> QuestionRow:
        """The question at an answer path (for tests and for scrolling to a problem)."""
        return self._rows[path]

    def has_row(self, path: str) -> bool:
        return path in self._rows

    def repeat_box(self, path: str) -> RepeatBox:
        return self._repeats[path]

    def is_shown(self, path: str) -> bool:
        """Whether the question (or group) at this path is on screen, i.e. relevant."""
        widget = self._rows.get(path) or self._containers.get(path)
        return widget is not None and not widget.isHidden() and self._ancestors_shown(widget)

    def set_answer(self, path: str, value: Any) -> None:
        """Answer a question as if typed (used by the editor's sample answers and by tests)."""
        row = self._rows[path]
        if row.editor is not None:
            row.editor.set_value(value)
        self._store(row, value)

    def add_row(self, repeat_path: str) -> None:
        self._add_row(self._repeats[repeat_path])

    def remove_row(self, repeat_path: str, row_number: int) -> None:
        self._remove_row(self._repeats[repeat_path], row_number)

    def focus_first_issue(self) -> None:
        if self.result is None:
            return
        for issue in self.result.issues:
            row = self._rows.get(issue.path)
            if row is not None and row.editor is not None:
                self.scroll_area.ensureWidgetVisible(row)
                row.editor.focus_widget().setFocus()
                return

    # --- building ---------------------------------------------------------------------------------
    def _rebuild(self) -> None:
        old = self.scroll_area.takeWidget()
        self.body = QWidget()
        self.body_layout = QVBoxLayout(self.body)
        self._rows.clear()
        self._containers.clear()
        self._repeats.clear()
        if self.definition is not None:
            self._build(self.definition.fields, self.body_layout, (), ())
        self.body_layout.addStretch(1)
        self.scroll_area.setWidget(self.body)
        if old is not None:
            old.deleteLater()
        self._evaluate()

    def _build(
        self, fields: tuple[FieldDef, ...], layout: QVBoxLayout, repeats: tuple[str, ...], indices: Indices
    ) -> None:
        for field_def in fields:
            path = answer_path(repeats, indices, field_def.key)
            if field_def.type is FieldType.GROUP:
                box = QGroupBox(field_def.label or "", self.body)
                inner = QVBoxLayout(box)
                self._build(field_def.children, inner, repeats, indices)
                layout.addWidget(box)
                self._containers[path] = box
            elif field_def.type is FieldType.REPEAT:
                repeat = RepeatBox(field_def, path, indices)
                repeat.add_button.clicked.connect(lambda _checked=False, r=repeat: self._add_row(r))
                self._repeats[path] = repeat
                self._containers[path] = repeat
                self._fill_repeat(repeat)
                layout.addWidget(repeat)
            elif field_def.type is FieldType.CALCULATE and not field_def.label:
                continue
            else:
                editor = None
                if field_def.is_input:
                    editor = make_input(field_def, self.context.goals)
                    holder = self._holder(field_def, indices) or {}
                    editor.set_value(holder.get(field_def.key))
                    editor.set_read_only(self._read_only or field_def.read_only)
                    self._connect(editor, field_def, path)
                row = QuestionRow(field_def, path, indices, editor)
                self._rows[path] = row
                layout.addWidget(row)

    def _connect(self, editor: AnswerInput, field_def: FieldDef, path: str) -> None:
        editor.sig_edited.connect(lambda p=path: self._on_edited(p))
        if isinstance(editor, SignatureInput):
            editor.sig_sign_requested.connect(lambda p=path: self.sig_sign_requested.emit(p))
            editor.sig_clear_requested.connect(lambda p=path: self.sig_clear_signature_requested.emit(p))

    def _fill_repeat(self, repeat: RepeatBox) -> None:
        for frame in repeat.row_frames:
            frame.deleteLater()
        repeat.row_frames = []
        field_def = repeat.field_def
        info_repeats = self._repeats_of(field_def.key)
        rows = self._rows_list(field_def, repeat.indices)
        for number in range(len(rows)):
            frame = QFrame(repeat)
            frame.setFrameShape(QFrame.Shape.StyledPanel)
            inner = QVBoxLayout(frame)
            header = QHBoxLayout()
            header.addWidget(QLabel(f"Row {number + 1}", frame), 1)
            remove = QPushButton("Remove row", frame)
            remove.setAccessibleName(f"Remove row {number + 1} of {field_def.label or field_def.key}")
            remove.setEnabled(not self._read_only)
            remove.clicked.connect(lambda _checked=False, r=repeat, n=number: self._remove_row(r, n))
            header.addWidget(remove)
            inner.addLayout(header)
            self._build(field_def.children, inner, (*info_repeats, field_def.key), (*repeat.indices, number))
            repeat.rows_box.addWidget(frame)
            repeat.row_frames.append(frame)
        limit = field_def.max_rows
        repeat.add_button.setEnabled(not self._read_only and (limit is None or len(rows) < limit))

    # --- answers ----------------------------------------------------------------------------------
    def _repeats_of(self, key: str) -> tuple[str, ...]:
        assert self.definition is not None
        for info in self.definition.walk():
            if info.field.key == key:
                return info.repeats
        return ()

    def _holder(self, field_def: FieldDef, indices: Indices) -> dict[str, Any] | None:
        """The dict that holds this field instance's answer (None when its repeat row is gone)."""
        holder = self._answers
        for repeat_key, index in zip(self._repeats_of(field_def.key), indices, strict=False):
            rows = holder.get(repeat_key)
            if not isinstance(rows, list) or index >= len(rows) or not isinstance(rows[index], dict):
                return None
            holder = rows[index]
        return holder

    def _rows_list(self, repeat: FieldDef, indices: Indices) -> list[dict[str, Any]]:
        holder = self._holder(repeat, indices)
        if holder is None:
            return []
        rows = holder.get(repeat.key)
        if not isinstance(rows, list):
            rows = []
            holder[repeat.key] = rows
        return rows

    def _store(self, row: QuestionRow, value: Any) -> None:
        holder = self._holder(row.field_def, row.indices)
        if holder is None:
            return
        if value is None:
            holder.pop(row.field_def.key, None)
        else:
            holder[row.field_def.key] = value
        self._touched.add(row.path)
        self._evaluate()
        self.sig_answers_changed.emit()

    def _on_edited(self, path: str) -> None:
        row = self._rows.get(path)
        if row is None or row.editor is None:
            return
        self._store(row, row.editor.value())

    def _add_row(self, repeat: RepeatBox) -> None:
        assert self.definition is not None
        rows = self._rows_list(repeat.field_def, repeat.indices)
        rows.append(new_repeat_row(self.definition, repeat.field_def.key, self.context))
        self._after_rows_changed(repeat)

    def _remove_row(self, repeat: RepeatBox, number: int) -> None:
        rows = self._rows_list(repeat.field_def, repeat.indices)
        if 0 <= number < len(rows):
            del rows[number]
        self._after_rows_changed(repeat)

    def _after_rows_changed(self, repeat: RepeatBox) -> None:
        # Row numbers in paths shift, so the whole form is rebuilt from the answers.
        self._touched.add(repeat.path)
        self._rebuild()
        self.sig_answers_changed.emit()

    # --- evaluation -------------------------------------------------------------------------------
    def _evaluate(self) -> None:
        if self.definition is None:
            self.result = None
            return
        result = evaluate_form(self.definition, self._answers, self.context)
        self.result = result
        for path, widget in [*self._rows.items(), *self._containers.items()]:
            widget.setVisible(result.is_relevant(path))
        for path, row in self._rows.items():
            if "${" in row.field_def.label:
                row.set_label(result.interpolate(row.field_def.label, row.indices, self.context))
            if row.value_label is not None:
                row.value_label.setText(format_answer(row.field_def, result.values.get(path), self.context) or "—")
        self._refresh_issues()
        self.sig_result_changed.emit(result)

    def _refresh_issues(self) -> None:
        result = self.result
        if result is None:
            return
        shown: Callable[[str], bool] = lambda path: self._show_all or path in self._touched  # noqa: E731
        for path, row in self._rows.items():
            messages = [issue.message for issue in result.issues_for(path)] if shown(path) else []
            row.show_issues(messages)
        for path, box in self._repeats.items():
            messages = [issue.message for issue in result.issues_for(path)] if shown(path) else []
            box.show_issues(messages)

    def _update_signature_inputs(self) -> None:
        for path, row in self._rows.items():
            if isinstance(row.editor, SignatureInput):
                row.editor.signing_available = self._signing
                row.editor.set_read_only(self._read_only)
                row.editor.set_description(self._signature_texts.get(path))

    def _ancestors_shown(self, widget: QWidget) -> bool:
        parent = widget.parentWidget()
        while parent is not None and parent is not self.body:
            if parent.isHidden():
                return False
            parent = parent.parentWidget()
        return True
