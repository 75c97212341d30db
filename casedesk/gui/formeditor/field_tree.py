"""The field tree: the form's fields as a tree (groups hold their fields); drag to reorder or regroup.

The tree never changes itself: a drop is turned into ``sig_move_requested(key, parent, index)``, the
pane applies it as an undoable action, and the tree is rebuilt from the new definition.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QDropEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTreeWidget, QTreeWidgetItem, QWidget

from casedesk.forms import FieldDef, FormDefinition
from casedesk.forms.editing import type_label

KEY_ROLE = Qt.ItemDataRole.UserRole
PROBLEM_BRUSH = QBrush(QColor("#b00020"))
SHOWN_LABEL_LENGTH = 70


def _short(label: str) -> str:
    first_line = label.strip().splitlines()[0] if label.strip() else ""
    return first_line if len(first_line) <= SHOWN_LABEL_LENGTH else first_line[: SHOWN_LABEL_LENGTH - 1] + "…"


class FieldTree(QTreeWidget):
    sig_selected = Signal(object)  # key or None
    sig_move_requested = Signal(str, object, int)  # key, parent key or None, index

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setColumnCount(3)
        self.setHeaderLabels(["Field", "Type", "Key"])
        self.setAccessibleName("Form fields")
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setDropIndicatorShown(True)
        self.setUniformRowHeights(True)
        self.setAlternatingRowColors(True)
        header = self.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self._items: dict[str, QTreeWidgetItem] = {}
        self._containers: set[str] = set()
        self._filling = False
        self.itemSelectionChanged.connect(self.on_selection_changed)

    # --- showing ----------------------------------------------------------------------------------
    def show_definition(
        self, definition: FormDefinition | None, problem_keys: set[str], selected: str | None, *, editable: bool
    ) -> None:
        self._filling = True
        try:
            self.clear()
            self._items.clear()
            self._containers.clear()
            if definition is not None:
                self._add(self.invisibleRootItem(), definition.fields, problem_keys, editable)
            self.expandAll()
            self.setDragEnabled(editable)
            self.setAcceptDrops(editable)
            if selected is not None and selected in self._items:
                item = self._items[selected]
                self.setCurrentItem(item)
                item.setSelected(True)
                self.scrollToItem(item)
        finally:
            self._filling = False
        self.sig_selected.emit(self.current_key())

    def _add(
        self, parent: QTreeWidgetItem, fields: tuple[FieldDef, ...], problem_keys: set[str], editable: bool
    ) -> None:
        for field_def in fields:
            item = QTreeWidgetItem(
                parent, [_short(field_def.label) or f"({field_def.key})", type_label(field_def.type), field_def.key]
            )
            if field_def.label:
                item.setToolTip(0, field_def.label)
            item.setData(0, KEY_ROLE, field_def.key)
            flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
            if editable:
                flags |= Qt.ItemFlag.ItemIsDragEnabled
                if field_def.is_container:
                    flags |= Qt.ItemFlag.ItemIsDropEnabled
            item.setFlags(flags)
            if field_def.key in problem_keys:
                for column in range(3):
                    item.setForeground(column, PROBLEM_BRUSH)
                item.setToolTip(0, "This field has a problem; see the list below.")
            self._items[field_def.key] = item
            if field_def.is_container:
                self._containers.add(field_def.key)
                self._add(item, field_def.children, problem_keys, editable)

    # --- selection --------------------------------------------------------------------------------
    def current_key(self) -> str | None:
        item = self.currentItem()
        if item is None or not item.isSelected():
            selected = self.selectedItems()
            item = selected[0] if selected else None
        return None if item is None else str(item.data(0, KEY_ROLE))

    def selected_keys(self) -> list[str]:
        """Selected fields in document order."""
        chosen = {id(item) for item in self.selectedItems()}
        return [key for key, item in self._items.items() if id(item) in chosen]

    def select_key(self, key: str | None) -> None:
        self.clearSelection()
        if key is not None and key in self._items:
            self.setCurrentItem(self._items[key])
            self._items[key].setSelected(True)

    def item_for(self, key: str) -> QTreeWidgetItem:
        return self._items[key]

    def on_selection_changed(self) -> None:
        if not self._filling:
            self.sig_selected.emit(self.current_key())

    # --- drag and drop ----------------------------------------------------------------------------
    def drop_target(
        self, target_key: str | None, position: QAbstractItemView.DropIndicatorPosition
    ) -> tuple[str | None, int]:
        """(parent key, index) a drop at ``position`` relative to ``target_key`` means."""
        if target_key is None or position is QAbstractItemView.DropIndicatorPosition.OnViewport:
            return None, self.topLevelItemCount()
        item = self._items[target_key]
        if position is QAbstractItemView.DropIndicatorPosition.OnItem and target_key in self._containers:
            return target_key, item.childCount()
        parent_item = item.parent()
        parent_key = None if parent_item is None else str(parent_item.data(0, KEY_ROLE))
        index = parent_item.indexOfChild(item) if parent_item is not None else self.indexOfTopLevelItem(item)
        if position is QAbstractItemView.DropIndicatorPosition.AboveItem:
            return parent_key, index
        return parent_key, index + 1

    def drop_position(self, point: QPoint) -> QAbstractItemView.DropIndicatorPosition:
        """Where a drop at ``point`` (viewport coordinates) lands: above, on or below the item there."""
        positions = QAbstractItemView.DropIndicatorPosition
        item = self.itemAt(point)
        if item is None:
            return positions.OnViewport
        rect = self.visualItemRect(item)
        margin = max(2, min(rect.height() // 4, 12))
        if point.y() - rect.top() < margin:
            return positions.AboveItem
        if rect.bottom() - point.y() < margin:
            return positions.BelowItem
        if str(item.data(0, KEY_ROLE)) in self._containers:
            return positions.OnItem
        return positions.AboveItem if point.y() < rect.center().y() else positions.BelowItem

    def dropEvent(self, event: QDropEvent) -> None:
        moving = self.current_key()
        point = event.position().toPoint()
        target = self.itemAt(point)
        target_key = None if target is None else str(target.data(0, KEY_ROLE))
        parent, index = self.drop_target(target_key, self.drop_position(point))
        event.setDropAction(Qt.DropAction.IgnoreAction)
        event.accept()
        if moving is not None and moving != target_key:
            # after the drag has finished: the move rebuilds this tree
            QTimer.singleShot(0, lambda: self.sig_move_requested.emit(moving, parent, index))

    def index_of_key(self, key: str) -> QModelIndex:
        return self.indexFromItem(self._items[key])
