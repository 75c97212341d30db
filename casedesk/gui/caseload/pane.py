"""Caseload pane: instant filter, scope filters, sortable table, full-text search over notes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractListModel, QEvent, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListView,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from casedesk.gui.caseload.model import (
    COL_NAME,
    SHOW_ACTIVE,
    SHOW_ALL,
    SHOW_INACTIVE,
    CaseloadFilter,
    CaseloadModel,
)
from casedesk.gui.caseload.table_view import CaseloadTableView
from casedesk.gui.context import AppContext
from casedesk.gui.ops import Changes
from casedesk.services.caseload_list import CaseloadEntry

if TYPE_CHECKING:  # the services (and SQLAlchemy under them) load after the first paint: see gui/startup.py
    from sqlalchemy.orm import Session

    from casedesk.services.search import NoteHit

# Tables whose changes can alter a caseload line.
CASELOAD_TABLES = ("client", "progress_note", "appointment", "service_plan", "quarterly_report", "client_agency")


class NoteHitsModel(QAbstractListModel):
    """Full-text search results (a bounded list, at most a page of hits)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._hits: list[NoteHit] = []

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._hits)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._hits):
            return None
        hit = self._hits[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            when = hit.contact_start.astimezone().strftime("%b %d, %Y").replace(" 0", " ")
            return f"{hit.client_name} — {when} ({hit.status})\n{hit.snippet}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return hit.snippet
        return None

    def set_hits(self, hits: list[NoteHit]) -> None:
        self.beginResetModel()
        self._hits = list(hits)
        self.endResetModel()

    def hit(self, row: int) -> NoteHit | None:
        return self._hits[row] if 0 <= row < len(self._hits) else None


class CaseloadPane(QWidget):
    client_activated = Signal(str)
    note_activated = Signal(str, str)  # client id, note id
    sig_loaded = Signal(int)  # number of clients loaded (due columns may still be empty)
    sig_due_loaded = Signal()  # next due item and overdue counts filled in

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("caseload_pane")
        self._context = context
        self._worker_id: str | None = None
        self._previewed = False  # the rows shown came from the start-up preview, not yet from the store
        self.model = CaseloadModel(self)

        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText("Filter by name, record number or agency (Ctrl+F)")
        self.filter_edit.setAccessibleName("Filter the caseload")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(self.on_filter_changed)
        self.filter_edit.installEventFilter(self)

        self.scope_combo = QComboBox()
        self.scope_combo.setAccessibleName("Which clients to show")
        self.scope_combo.addItem("Active clients", SHOW_ACTIVE)
        self.scope_combo.addItem("Inactive and discharged", SHOW_INACTIVE)
        self.scope_combo.addItem("All clients", SHOW_ALL)
        self.scope_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.scope_combo.setMinimumContentsLength(10)
        self.scope_combo.currentIndexChanged.connect(self.on_filter_changed)
        self.mine_box = QCheckBox("&My clients")
        self.mine_box.setAccessibleName("Only my clients")
        self.mine_box.toggled.connect(self.on_filter_changed)
        self.overdue_box = QCheckBox("&Overdue")
        self.overdue_box.setAccessibleName("Only clients with overdue items")
        self.overdue_box.toggled.connect(self.on_filter_changed)

        self.view = CaseloadTableView(self.model)
        self.view.setAccessibleName("Caseload")
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(COL_NAME, Qt.SortOrder.AscendingOrder)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        self.view.setTabKeyNavigation(False)
        vertical = self.view.verticalHeader()
        vertical.setVisible(False)
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, chars in enumerate((20, 5, 18, 14, 17, 28, 16)):
            header.resizeSection(column, self.fontMetrics().averageCharWidth() * chars)
        self.view.activated.connect(self.on_row_activated)
        self.view.doubleClicked.connect(self.on_row_activated)
        self.view.installEventFilter(self)

        self.count_label = QLabel()
        self.count_label.setAccessibleName("Caseload count")

        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText("Search all notes (Enter)")
        self.search_edit.setAccessibleName("Search the text of all notes")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.returnPressed.connect(self.on_search)
        self.search_edit.textChanged.connect(self.on_search_text_changed)
        self.hits_model = NoteHitsModel(self)
        self.hits_view = QListView()
        self.hits_view.setAccessibleName("Notes found")
        self.hits_view.setModel(self.hits_model)
        self.hits_view.setWordWrap(True)
        self.hits_view.setAlternatingRowColors(True)
        self.hits_view.activated.connect(self.on_hit_activated)
        self.hits_view.doubleClicked.connect(self.on_hit_activated)
        self.hits_label = QLabel()
        self.hits_label.setAccessibleName("Search result count")
        self.hits_box = QWidget()
        hits_layout = QVBoxLayout(self.hits_box)
        hits_layout.setContentsMargins(0, 0, 0, 0)
        hits_layout.addWidget(self.hits_label)
        hits_layout.addWidget(self.hits_view)
        self.hits_box.setVisible(False)

        filters = QHBoxLayout()
        filters.addWidget(self.scope_combo)
        filters.addWidget(self.mine_box)
        filters.addWidget(self.overdue_box)
        filters.addStretch(1)
        filters.addWidget(self.count_label)

        table_box = QWidget()
        table_layout = QVBoxLayout(table_box)
        table_layout.setContentsMargins(0, 0, 0, 0)
        table_layout.addWidget(self.filter_edit)
        table_layout.addLayout(filters)
        table_layout.addWidget(self.view)

        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setObjectName("caseload_splitter")
        self.splitter.addWidget(table_box)
        self.splitter.addWidget(self.hits_box)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.splitter)
        layout.addWidget(self.search_edit)
        self.model.modelReset.connect(self.update_count)
        self.model.layoutChanged.connect(self.update_count)

    # ---- loading ------------------------------------------------------------------------------------

    def load(self) -> None:
        """Load every client (off the UI thread) and show them."""
        from casedesk.services import workspace

        store = self._context.require_store()
        self._worker_id = store.worker_id
        self._context.submit(lambda s: workspace.caseload_entries(s, with_due=False), on_done=self.on_loaded)

    def show_preview(self, entries: list[CaseloadEntry], worker_id: str | None) -> None:
        """Show the caseload read before the store opened (gui/startup.py); `load` refreshes it in place."""
        self._worker_id = worker_id
        self._previewed = True
        self.model.set_entries(entries)
        self.on_filter_changed()

    def on_loaded(self, entries: object) -> None:
        assert isinstance(entries, list)
        if self._previewed:
            # The rows shown before the store opened get their fresh copies without a model reset, so a
            # selection or scroll position the worker already has stays where it is.
            self._previewed = False
            self.model.refresh_entries(entries)
        else:
            self.model.set_entries(entries)
        self.on_filter_changed()
        self.sig_loaded.emit(len(entries))
        if not self._context.is_locked:
            from casedesk.services import workspace

            self._context.submit(workspace.due_summary, on_done=self.on_due_loaded)

    def on_due_loaded(self, due: object) -> None:
        assert isinstance(due, dict)
        self.model.apply_due(due)
        self.sig_due_loaded.emit()

    def clear(self) -> None:
        """Forget every row (used when the window locks)."""
        self._previewed = False
        self.model.clear()
        self.view.layouts.forget()
        self.hits_model.set_hits([])
        self.hits_box.setVisible(False)
        self.search_edit.clear()

    def on_changes(self, changes: object) -> None:
        assert isinstance(changes, Changes)
        if self._context.is_locked or not changes.touches(*CASELOAD_TABLES):
            return
        if not changes.clients:
            self.load()
            return
        ids = sorted(changes.clients)
        from casedesk.services import workspace

        def fetch(s: Session) -> list[CaseloadEntry]:
            return workspace.caseload_entries(s, client_ids=ids)

        self._context.submit(fetch, on_done=lambda entries: self.model.update_entries(entries, ids))

    # ---- filtering ----------------------------------------------------------------------------------

    def current_filter(self) -> CaseloadFilter:
        return CaseloadFilter(
            text=self.filter_edit.text(),
            show=str(self.scope_combo.currentData()),
            mine_only=self.mine_box.isChecked(),
            overdue_only=self.overdue_box.isChecked(),
            worker_id=self._worker_id,
        )

    def on_filter_changed(self, *_args: object) -> None:
        self.model.set_filter(self.current_filter())
        if self.model.rowCount() and not self.view.selectionModel().hasSelection():
            self.view.selectRow(0)

    def update_count(self) -> None:
        shown, total = self.model.rowCount(), self.model.total
        self.count_label.setText(f"{shown} of {total}" if shown != total else f"{total} clients")

    def focus_filter(self) -> None:
        self.filter_edit.setFocus()
        self.filter_edit.selectAll()

    def select_client(self, client_id: str) -> None:
        row = self.model.row_of(client_id)
        if row is not None:
            self.view.selectRow(row)

    # ---- keyboard ------------------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            key = event.key()
            if watched is self.filter_edit and key in (Qt.Key.Key_Down, Qt.Key.Key_Up, Qt.Key.Key_PageDown):
                self.view.setFocus()
                if not self.view.selectionModel().hasSelection() and self.model.rowCount():
                    self.view.selectRow(0)
                return True
            if watched is self.filter_edit and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.open_current()
                return True
            if watched is self.view and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.open_current()
                return True
        return super().eventFilter(watched, event)

    def open_current(self) -> None:
        index = self.view.currentIndex()
        if not index.isValid() and self.model.rowCount():
            index = self.model.index(0, 0)
        if index.isValid():
            self.on_row_activated(index)

    def on_row_activated(self, index: QModelIndex) -> None:
        client_id = self.model.client_id(index.row())
        if client_id:
            self.client_activated.emit(client_id)

    # ---- full-text search ---------------------------------------------------------------------------

    def on_search_text_changed(self, text: str) -> None:
        if not text.strip():
            self.hits_model.set_hits([])
            self.hits_box.setVisible(False)

    def on_search(self) -> None:
        text = self.search_edit.text()
        if not text.strip() or self._context.is_locked:  # locked, or the store still opening
            return

        from casedesk.services import search

        def run(s: Session) -> list[NoteHit]:
            return search.search_notes(s, text, limit=100)

        self._context.submit(run, on_done=self.on_search_done)

    def on_search_done(self, hits: object) -> None:
        assert isinstance(hits, list)
        self.hits_model.set_hits(hits)
        self.hits_label.setText(
            f"{len(hits)} note{'s' if len(hits) != 1 else ''} found" + (" (first 100)" if len(hits) >= 100 else "")
        )
        self.hits_box.setVisible(True)
        if hits:
            self.hits_view.setCurrentIndex(self.hits_model.index(0, 0))

    def on_hit_activated(self, index: QModelIndex) -> None:
        hit = self.hits_model.hit(index.row())
        if hit is not None:
            self.note_activated.emit(hit.client_id, hit.note_id)
