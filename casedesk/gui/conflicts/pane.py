"""The conflict review pane: open conflicts on the left; on the right, per field, mine / theirs / now on
this device, side by side, with keep mine / keep theirs / edit for each field.

Resolving calls casedesk.sync.conflicts.resolve in one unit of work off the UI thread; the resolution
travels to the server with the next sync.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from casedesk.gui.conflicts.rules import EDIT, MINE, THEIRS, editable, field_label, format_value, resolution_for
from casedesk.gui.context import AppContext
from casedesk.gui.ops import Changes, user_message
from casedesk.sync import conflicts as conflict_service
from casedesk.sync.conflicts import ConflictView, FieldConflict
from casedesk.sync.protocol import ConflictKind

IdRole = Qt.ItemDataRole.UserRole
KIND_TEXT: dict[str, str] = {
    ConflictKind.UPDATE: "The same field was changed in two places before they synced. Both versions are kept "
    "until you choose.",
    ConflictKind.DELETE_EDIT: "One place deleted this record while another changed it. Keep mine to bring back "
    "the changed record, keep theirs to leave it as the server has it.",
    ConflictKind.SIGNED: "This record was signed, so its signed content stands. The other version is shown so "
    "you can add an addendum if it matters; then close the conflict with Keep theirs.",
}


def _value_label(text: str, name: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setAccessibleName(name)
    label.setFrameShape(QFrame.Shape.StyledPanel)
    label.setMargin(4)
    label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    label.setMinimumWidth(140)
    return label


@dataclass
class FieldRow:
    """The widgets of one conflicting field."""

    field: FieldConflict
    mine: QRadioButton
    theirs: QRadioButton
    edit: QRadioButton
    edit_text: QLineEdit
    group: QButtonGroup

    def choice(self) -> str | None:
        for name, button in ((MINE, self.mine), (THEIRS, self.theirs), (EDIT, self.edit)):
            if button.isChecked():
                return name
        return None


class ConflictsPane(QWidget):
    sig_resolved = Signal(str)  # conflict id
    sig_message = Signal(str)
    sig_count_changed = Signal(int)

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("conflicts_pane")
        self.setAccessibleName("Sync conflicts")
        self._context = context
        self.conflicts: list[ConflictView] = []
        self.current: ConflictView | None = None
        self.rows: dict[str, FieldRow] = {}
        self._busy = False

        self.list = QListWidget()
        self.list.setObjectName("conflict_list")
        self.list.setAccessibleName("Open conflicts")
        self.list.currentItemChanged.connect(self.on_current_changed)
        self.empty_label = QLabel("<b>No conflicts to review.</b><p>When the same record is changed in two places "
                                  "before they sync, both versions appear here and you decide.</p>")
        self.empty_label.setWordWrap(True)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignTop)

        self.title = QLabel()
        self.title.setObjectName("conflict_title")
        self.title.setWordWrap(True)
        self.explanation = QLabel()
        self.explanation.setWordWrap(True)
        self.grid_host = QWidget()
        self.grid = QGridLayout(self.grid_host)
        self.grid.setColumnStretch(1, 1)
        self.grid.setColumnStretch(2, 1)
        self.grid.setColumnStretch(3, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.grid_host)

        self.keep_mine_button = QPushButton("Keep &mine")
        self.keep_mine_button.setToolTip("Keep the version that was sent (mine) for every field")
        self.keep_mine_button.clicked.connect(lambda: self.resolve_all(MINE))
        self.keep_theirs_button = QPushButton("Keep &theirs")
        self.keep_theirs_button.setToolTip("Keep the server's version (theirs) for every field")
        self.keep_theirs_button.clicked.connect(lambda: self.resolve_all(THEIRS))
        self.apply_button = QPushButton("&Apply choices")
        self.apply_button.setToolTip("Keep, per field, the version chosen above (or the text typed)")
        self.apply_button.clicked.connect(self.apply_choices)
        self.status = QLabel()
        self.status.setObjectName("conflict_status")
        self.status.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for b in (self.keep_mine_button, self.keep_theirs_button, self.apply_button):
            buttons.addWidget(b)

        self.detail = QWidget()
        detail_layout = QVBoxLayout(self.detail)
        detail_layout.addWidget(self.title)
        detail_layout.addWidget(self.explanation)
        detail_layout.addWidget(scroll, 1)
        detail_layout.addLayout(buttons)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.list, 1)
        left_layout.addWidget(self.empty_label)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([240, 720])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.status)
        self._show_detail(None)

    # ---- loading ------------------------------------------------------------------------------------

    def load(self) -> None:
        if self._context.is_locked:
            return

        def fetch(s: Session) -> list[ConflictView]:
            return conflict_service.open_conflicts(s)

        self._context.submit(fetch, on_done=self.set_conflicts, on_error=lambda exc: self.sig_message.emit(user_message(exc)))

    def clear(self) -> None:
        """Forget everything shown (the profile locks: values are client data)."""
        self.conflicts = []
        self.list.clear()
        self._show_detail(None)

    def set_conflicts(self, conflicts: object) -> None:
        assert isinstance(conflicts, list)
        keep = self.current.id if self.current is not None else None
        self.conflicts = conflicts
        self.list.blockSignals(True)
        self.list.clear()
        select_row = 0
        for i, c in enumerate(conflicts):
            who = c.client_name or "no client"
            fields = ", ".join(field_label(f.name).lower() for f in c.fields)
            item = QListWidgetItem(f"{who} — {c.record_label}: {fields}\n{c.created_at.astimezone():%Y-%m-%d %H:%M}")
            item.setData(IdRole, c.id)
            self.list.addItem(item)
            if c.id == keep:
                select_row = i
        self.list.blockSignals(False)
        self.list.setVisible(bool(conflicts))
        self.empty_label.setVisible(not conflicts)
        if conflicts:
            self.list.setCurrentRow(select_row)
            self._show_detail(conflicts[select_row])
        else:
            self._show_detail(None)
        self.sig_count_changed.emit(len(conflicts))

    def on_current_changed(self, item: QListWidgetItem | None, _previous: QListWidgetItem | None) -> None:
        conflict_id = item.data(IdRole) if item is not None else None
        self._show_detail(next((c for c in self.conflicts if c.id == conflict_id), None))

    # ---- the side-by-side view ----------------------------------------------------------------------

    def _clear_grid(self) -> None:
        while self.grid.count():
            child = self.grid.takeAt(0)
            widget = child.widget() if child is not None else None
            if widget is not None:
                widget.deleteLater()
        for row in self.rows.values():
            row.group.deleteLater()
        self.rows = {}

    def _show_detail(self, conflict: ConflictView | None) -> None:
        self.current = conflict
        self._clear_grid()
        self.detail.setVisible(conflict is not None)
        if conflict is None:
            return
        who = f" of {conflict.client_name}" if conflict.client_name else ""
        self.title.setText(f"<h3>{conflict.record_label.capitalize()}{who}</h3>")
        self.explanation.setText(KIND_TEXT.get(conflict.kind, ""))
        headers = ("Field", "Mine — the version sent", "Theirs — kept on the server", "Now on this device", "Keep")
        for column, text in enumerate(headers):
            label = QLabel(f"<b>{text}</b>")
            self.grid.addWidget(label, 0, column)
        can_mine = conflict.can_keep_mine
        for r, f in enumerate(conflict.fields, start=1):
            name = field_label(f.name)
            self.grid.addWidget(QLabel(f"<b>{name}</b>"), r, 0, Qt.AlignmentFlag.AlignTop)
            self.grid.addWidget(_value_label(format_value(f.mine), f"{name}, mine"), r, 1)
            self.grid.addWidget(_value_label(format_value(f.theirs), f"{name}, theirs"), r, 2)
            self.grid.addWidget(_value_label(format_value(f.current), f"{name}, now on this device"), r, 3)
            self.grid.addWidget(self._choice_widget(f, can_mine), r, 4, Qt.AlignmentFlag.AlignTop)
        self.grid.setRowStretch(len(conflict.fields) + 1, 1)
        self.keep_mine_button.setEnabled(can_mine)
        self.apply_button.setEnabled(can_mine)
        self.keep_theirs_button.setText("Keep &theirs" if can_mine else "Keep the &signed version")
        self._set_busy(False)

    def _choice_widget(self, f: FieldConflict, can_mine: bool) -> QWidget:
        host = QWidget()
        layout = QVBoxLayout(host)
        layout.setContentsMargins(0, 0, 0, 0)
        name = field_label(f.name)
        mine = QRadioButton("Keep mine")
        theirs = QRadioButton("Keep theirs")
        edit = QRadioButton("Edit:")
        for button, what in ((mine, "keep mine"), (theirs, "keep theirs"), (edit, "edit")):
            button.setAccessibleName(f"{name}: {what}")
            layout.addWidget(button)
        edit_text = QLineEdit(f.theirs if isinstance(f.theirs, str) else "")
        edit_text.setAccessibleName(f"{name}: value to keep")
        edit_text.setEnabled(False)
        layout.addWidget(edit_text)
        group = QButtonGroup(self)
        for button in (mine, theirs, edit):
            group.addButton(button)
        theirs.setChecked(True)
        mine.setEnabled(can_mine)
        edit.setEnabled(can_mine and editable(f))
        edit.toggled.connect(edit_text.setEnabled)
        edit_text.textEdited.connect(lambda _t: edit.setChecked(True))
        self.rows[f.name] = FieldRow(f, mine, theirs, edit, edit_text, group)
        return host

    # ---- resolving ----------------------------------------------------------------------------------

    def resolve_all(self, choice: str) -> None:
        if self.current is None:
            return
        self.resolve(self.current, choice, None)

    def apply_choices(self) -> None:
        if self.current is None:
            return
        choices = {name: row.choice() or THEIRS for name, row in self.rows.items()}
        edits = {name: row.edit_text.text() for name, row in self.rows.items()}
        try:
            choice, values = resolution_for(self.current.fields, choices, edits)
        except Exception as exc:  # ValidationError: a sentence for the worker
            self.show_status(user_message(exc))
            return
        self.resolve(self.current, choice, values)

    def resolve(self, conflict: ConflictView, choice: str, values: dict[str, object] | None) -> None:
        if self._busy:
            return
        self._set_busy(True)

        def work(s: Session) -> str:
            conflict_service.resolve(s, conflict.id, choice, values)
            return conflict.id

        what = {MINE: "Kept mine", THEIRS: "Kept theirs", EDIT: "Kept your choices"}[choice]
        self._context.submit(
            work,
            write=True,
            changes=Changes.of("sync_conflict", conflict.table, ids={conflict.row_id}, clients={conflict.client_id}),
            on_done=lambda conflict_id: self.on_resolved(str(conflict_id), what, conflict),
            on_error=self.on_resolve_failed,
        )

    def on_resolved(self, conflict_id: str, what: str, conflict: ConflictView) -> None:
        self._set_busy(False)
        message = f"{what} for the {conflict.record_label}" + (f" of {conflict.client_name}" if conflict.client_name else "")
        message += ". The decision is sent to the agency with the next sync."
        self.show_status(message)
        self.sig_message.emit(message)
        self.sig_resolved.emit(conflict_id)
        self.load()

    def on_resolve_failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        self.show_status(user_message(exc))
        self.load()

    def show_status(self, text: str) -> None:
        self.status.setText(text)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        can_mine = self.current is not None and self.current.can_keep_mine
        self.keep_theirs_button.setEnabled(not busy and self.current is not None)
        self.keep_mine_button.setEnabled(not busy and can_mine)
        self.apply_button.setEnabled(not busy and can_mine)
